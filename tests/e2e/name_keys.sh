#!/usr/bin/env bash
# An archivist edits the name tables (configs/normalize/confusables.tsv): the
# next `dangan load` makes every person's search keys again with them, once,
# so a query folded with the new tables meets the archive folded the same way.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 CONFIGS=$3 WORK=$4
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$SAMPLES/s009_ledger_clean.jpg" in/
D() { "$DANGAN" --db k.db "$@"; }
D -q run in
# With the fitted thresholds every row of a clean ledger may wait for review
# (docs/trust.md): an operator settles the first waiting row, so a person is
# archived whatever the thresholds are.
for id in $(tl_sql k.db "SELECT id FROM review_item WHERE state = 'open' AND record_id =
                          (SELECT min(record_id) FROM review_item WHERE state = 'open')"); do
    D review accept "$id" --operator t > /dev/null
done
D -q load
n=$(tl_sql k.db "SELECT count(*) FROM person")
check "persons archived (got $n)" [ "$n" -ge 1 ]
check_contains "a second load makes no keys again" "$(D load --json)" '"rekeyed":0'
# load keeps lookup's name prior made from the archive it loaded (#23)
check_eq "the name prior is kept, made from every person" \
    "$(sqlite3 k.db "SELECT count(*) || ' ' || (max_person = (SELECT max(id) FROM person)) FROM lookup_prior")" "1 1"
# One more look-alike class whose key is a new character: the first person's
# surname now folds to it.
first=$(tl_sql k.db "SELECT substr(name_simplified, 1, 1) FROM person ORDER BY id LIMIT 1")
cp -r "$CONFIGS" conf
printf '龘\t%s\n' "$first" >> conf/normalize/confusables.tsv
export DANGAN_CONFIG_DIR=$PWD/conf
name=$(tl_sql k.db "SELECT name_simplified FROM person ORDER BY id LIMIT 1")
D lookup "$name" --operator t --json > out.json 2> err.txt
check_eq "lookup before the load exit" "$?" 0
check_contains "lookup notes the stale keys on stderr" "$(cat err.txt)" "'dangan load' makes them again"
check_eq "lookup's JSON stays clean" "$(tl_sql :memory: "SELECT json_valid(readfile('out.json'))")" 1
check_contains "the load after the edit makes every person's keys again" \
    "$(D load --json)" "\"rekeyed\":$n"
check_eq "the surname folds to the new class key" \
    "$(tl_sql k.db "SELECT substr(lookalike_key, 1, 1) FROM person ORDER BY id LIMIT 1")" 龘
check_contains "and only once" "$(D load --json)" '"rekeyed":0'
D lookup "$name" --operator t > /dev/null 2> err.txt
check_eq "no note once the keys are current" "$(cat err.txt)" ""
# A reading added to configs/normalize/polyphones.tsv (#23): after the next
# load the first person's name has one more key, and a pinyin request read
# that way finds them.
printf '%s\t-\tzzy\n' "$first" >> conf/normalize/polyphones.tsv
check_contains "the load after the edit makes the keys again" "$(D load --json)" "\"rekeyed\":$n"
alt=$(sqlite3 k.db "SELECT pinyin FROM person_reading WHERE person_id =
                    (SELECT min(id) FROM person) AND pinyin LIKE 'zzy%'")
check "the new reading is a key (got '$alt')" [ -n "$alt" ]
check_contains "a request read that way finds the person" \
    "$(D lookup "$alt" --operator t --json)" "\"name\":\"$(sqlite3 k.db "SELECT name_written FROM person ORDER BY id LIMIT 1")\""
check_eq "the fingerprint of the tables is kept" \
    "$(tl_sql k.db "SELECT count(*) FROM name_keys_source")" 1
finish
