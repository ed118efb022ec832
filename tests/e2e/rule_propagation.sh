#!/usr/bin/env bash
# An operator settles a historical major once: picking a candidate for one
# ledger row stores a mapping rule and settles every other open row whose
# major reads the same, each with its own recorded decision.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 DATA=$3 WORK=$4
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$SAMPLES/s009_ledger_clean.jpg" in/ledger.jpg
D() { "$DANGAN" --db r.db "$@"; }
D -q run in
name=概率论与数理统计   # a 1997 name whose discipline split later: always reviewed
open_items() { D review list --json | grep '"kind":"match"' | grep "\"value\":\"$name\""; }
n=$(open_items | wc -l)
check "several ledger rows wait on the same major (got $n)" [ "$n" -ge 3 ]
first=$(open_items | head -n1 | grep -o '"id":[0-9]*' | head -n1 | cut -d: -f2)
# A rule limited to years or a department the rows are not in settles nothing else.
D review pick "$first" 1 --operator carol --years 1950-1960 > /dev/null
check_eq "scoped pick exit" "$?" 0
check_eq "a rule for 1950-1960 leaves the 1980s rows waiting" "$(open_items | wc -l)" $((n - 1))
D review undo "$first" --operator carol > /dev/null
D review pick "$first" 1 --operator carol --department 化学系 > /dev/null
check_eq "a rule for another department leaves them waiting" "$(open_items | wc -l)" $((n - 1))
D review undo "$first" --operator carol > /dev/null
D review pick "$first" 1 --years 1950-1960 --department > /dev/null 2>&1
check_eq "usage error exit" "$?" 2
# The rule for the page's own department, typed with a full-width space, is
# stored normalized and compared with each row's department normalized, as
# the matcher compares them: it settles every row.
D review pick "$first" 1 --operator carol --department "数学　系" > /dev/null
check_eq "pick exit" "$?" 0
check_eq "no row with that major waits any more" "$(open_items | wc -l)" 0
check_eq "the rule's department is stored normalized" \
    "$(tl_sql r.db "SELECT department FROM mapping_rule WHERE active")" 数学系
others=$(D review list --all --json | grep '"kind":"match"' | grep "\"value\":\"$name\"" |
         grep -v "\"id\":$first," | grep -o '"id":[0-9]*' | cut -d: -f2)
for id in $others; do
    shown=$(D review show "$id")
    check_contains "item $id settled by the rule" "$shown" "settled by mapping rule"
    check_contains "item $id decision names the operator" "$shown" "by carol"
done
codes=$(D export records --format jsonl | grep -c "\"raw\":\"$name\"")
check_eq "rows with that major" "$codes" "$n"
# Undo takes back the pick and deactivates the rule; rows settled by it keep
# their own decisions, which can be undone one by one.
D review undo "$first" --operator carol > /dev/null
check_eq "undo exit" "$?" 0
check_contains "picked item open again" "$(D review show "$first")" "(open,"
one=$(printf '%s\n' $others | head -n1)
D review undo "$one" --operator carol > /dev/null
check_contains "a rule-settled item can be undone too" "$(D review show "$one")" "(open,"
finish
