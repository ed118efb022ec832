#!/usr/bin/env bash
# refusals.sh - plans (stable by content, aliases together, made for one N),
# and the merge's refusals with their reasons and nothing written: another
# schema version, other catalog editions, a run still running, a file the
# archive has from elsewhere, a reference to a missing row, not a dangan
# database; idempotence; a forged
# shard history caught by `audit verify` after a consistent rewrite.
# Shards here are ingest-only (no OCR), so this runs in seconds.
# usage: refusals.sh DANGAN SAMPLES_DIR SOURCE_DIR WORKDIR
set -u
DANGAN=$1 SAMPLES=$2 SRC=$3 WORK=$4
. "$SRC/tests/lib/testlib.sh"
command -v sqlite3 > /dev/null || { echo "sqlite3 shell not installed"; exit 1; }
fresh_dir "$WORK"
cd "$WORK" || exit 1
mkdir -p scans other/deeper
cp "$SAMPLES"/*.jpg "$SAMPLES"/*.tif scans/
echo "not a scan" > scans/notes.txt

# --- plans
check_exit "plan" 0 "$DANGAN" shard plan --shards 3 scans
printf '%s\n' "$TL_OUT" > plan.tsv
check_eq "plan: header" "$(head -n1 plan.tsv)" "# dangan shard plan v1 shards=3"
check_eq "plan: the scans, not the notes" "$(grep -vc '^#' plan.tsv)" 6
cp scans/s003_reg_clean.jpg other/deeper/renamed.jpg
"$DANGAN" shard plan --shards 3 other scans > plan2.tsv 2> /dev/null
sha=$(sha256sum scans/s003_reg_clean.jpg | cut -d' ' -f1)
check_eq "plan: a file keeps its shard whatever else is planned, renamed too" \
    "$(awk -F'\t' -v s="$sha" '$2 == s {print $1}' plan2.tsv | sort -u)" \
    "$(awk -F'\t' -v s="$sha" '$2 == s {print $1}' plan.tsv)"
check_eq "plan: shard = first 64 bits of the SHA-256 mod N, plus 1" \
    "$(awk -F'\t' -v s="$sha" '$2 == s {print $1}' plan.tsv)" \
    "$(python3 -c "print(int('$sha'[:16], 16) % 3 + 1)")"
check_exit "plan: --shards 0" 2 "$DANGAN" shard plan --shards 0 scans
check_exit "plan: missing dir" 4 "$DANGAN" shard plan --shards 2 nowhere
check_exit "run: --shard without --plan" 2 "$DANGAN" --db x.db run --shard 1/3
check_exit "run: --shard 4/3" 2 "$DANGAN" --db x.db run --shard 4/3 --plan plan.tsv
check_exit "run: a plan for another N" 4 "$DANGAN" --db x.db run --shard 1/2 --plan plan.tsv
check_contains "run: another N named" "$TL_ERR" "made for 3 shards, not 2"

# --- ingest-only shards
"$DANGAN" --db a.db -q ingest scans/s003_reg_clean.jpg
"$DANGAN" --db b.db -q ingest scans/s009_ledger_clean.jpg scans/s015_ledger_moderate.tif
"$DANGAN" --db c.db -q ingest scans/s008_reg_clean.jpg
"$DANGAN" --db dup.db -q ingest scans/s003_reg_clean.jpg
tl_sql a.db "INSERT INTO catalog_edition (edition, year_from, imported, sha256) VALUES ('2022', 2022, 'now', 'aaa')"
check_exit "merge a, b" 0 "$DANGAN" merge --into m.db a.db b.db
check_eq "merge: files" "$(tl_sql m.db 'SELECT count(*) FROM file')" 3
check_eq "merge: pages point at their files" \
    "$(tl_sql m.db 'SELECT count(*) FROM page p JOIN file f ON f.id = p.file_id')" \
    "$(tl_sql m.db 'SELECT count(*) FROM page')"
check_eq "merge: the catalog of the first shard" "$(tl_sql m.db 'SELECT sha256 FROM catalog_edition')" aaa
check_exit "merge: verify" 0 "$DANGAN" --db m.db audit verify
chain_head() { tl_sql m.db 'SELECT max(seq) FROM audit_event'; }
h0=$(chain_head)
check_exit "merge again" 0 "$DANGAN" merge --into m.db b.db a.db
check_eq "merge again: nothing added" "$(chain_head)" "$h0"

cp c.db newer.db && tl_sql newer.db "PRAGMA user_version = 999"
check_exit "refused: newer schema" 4 "$DANGAN" merge --into m.db newer.db
check_contains "refused: newer schema, why" "$TL_ERR" "schema version 999"
cp c.db older.db && tl_sql older.db "PRAGMA user_version = 3"
check_exit "refused: older schema" 4 "$DANGAN" merge --into m.db older.db
check_contains "refused: older schema, why" "$TL_ERR" "open it once with this dangan"
cp c.db cat.db && tl_sql cat.db "INSERT INTO catalog_edition (edition, year_from, imported, sha256) VALUES ('2022', 2022, 'now', 'bbb')"
check_exit "refused: another catalog" 4 "$DANGAN" merge --into m.db cat.db
check_contains "refused: another catalog, why" "$TL_ERR" "other catalog editions"
cp c.db running.db && tl_sql running.db "UPDATE run SET status = 'running'"
check_exit "refused: a run still running" 4 "$DANGAN" merge --into m.db running.db
check_contains "refused: running, why" "$TL_ERR" "still marked running"
check_exit "refused: a file the archive has" 4 "$DANGAN" merge --into m.db dup.db
check_contains "refused: the file named" "$TL_ERR" "$sha"
cp c.db extra.db && tl_sql extra.db "ALTER TABLE person ADD COLUMN nickname TEXT"
check_exit "refused: a table not the archive's" 4 "$DANGAN" merge --into m.db extra.db
check_contains "refused: the table named" "$TL_ERR" "table person is not the archive's"
cp c.db dangling.db && tl_sql dangling.db "INSERT INTO field (record_id, key) VALUES (99999, 'name')"
check_exit "refused: a reference to a missing row" 4 "$DANGAN" merge --into m.db dangling.db
check_contains "refused: the dangling row named" "$TL_ERR" "field row 1 points at a missing record row"
echo "plain text" > text.db
check_exit "refused: not a database" 4 "$DANGAN" merge --into m.db text.db
check_exit "refused: missing" 4 "$DANGAN" merge --into m.db nowhere.db
check_eq "refusals wrote nothing" "$(chain_head)" "$h0"
check_exit "c still merges" 0 "$DANGAN" merge --into m.db c.db
check_exit "verify after three" 0 "$DANGAN" --db m.db audit verify
# an archive of merged shards merged again (regions into a national archive)
check_exit "merge of a merged archive" 0 "$DANGAN" merge --into outer.db m.db
check_exit "merge of a merged archive: verify" 0 "$DANGAN" --db outer.db audit verify
check_eq "merge of a merged archive: its files" "$(tl_sql outer.db 'SELECT count(*) FROM file')" \
    "$(tl_sql m.db 'SELECT count(*) FROM file')"

# a shard the plan gave no file: an empty database, merged as nothing
"$DANGAN" shard plan --shards 50 scans/s003_reg_clean.jpg > p50.tsv 2> /dev/null
empty=$(( $(awk -F'\t' 'NR == 2 {print $1}' p50.tsv) % 50 + 1 ))
check_exit "run of an empty shard" 0 "$DANGAN" --db empty.db run --shard "$empty/50" --plan p50.tsv
check_contains "run of an empty shard: says so" "$TL_OUT$TL_ERR" "has no files"
h1=$(chain_head)
check_exit "merge of an empty shard" 0 "$DANGAN" merge --into m.db empty.db
check_contains "merge of an empty shard: says so" "$TL_OUT$TL_ERR" "an empty shard"
check_eq "merge of an empty shard: nothing added" "$(chain_head)" "$h1"

# the shards' events are kept as they were hashed (audit_merged, 023)
check_eq "kept: every event of the three shards" "$(tl_sql m.db 'SELECT count(*) FROM audit_merged')" \
    "$(( $(tl_sql a.db 'SELECT count(*) FROM audit_event') + $(tl_sql b.db 'SELECT count(*) FROM audit_event') + $(tl_sql c.db 'SELECT count(*) FROM audit_event') ))"
check_eq "kept: the merged archive's too, in the outer one" \
    "$(tl_sql outer.db 'SELECT count(*) FROM audit_merged')" \
    "$(( $(tl_sql m.db 'SELECT count(*) FROM audit_merged') + $(tl_sql m.db 'SELECT count(*) FROM audit_event') ))"
# a kept event edited behind the append-only trigger
cp m.db edited.db
tl_sql edited.db "DROP TRIGGER audit_merged_no_update; UPDATE audit_merged SET content = replace(content, '\"outcome\":\"', '\"outcome\":\"x') WHERE seq = (SELECT min(seq) FROM audit_merged WHERE kind = 'ingest') AND kind = 'ingest'; CREATE TRIGGER audit_merged_no_update BEFORE UPDATE ON audit_merged BEGIN SELECT RAISE(ABORT, 'audit_merged is append-only'); END;"
check_exit "kept event edited: caught" 7 "$DANGAN" --db edited.db audit verify
check_contains "kept event edited: named as the shard's event" "$TL_OUT" "was edited: it hashes to"
# the same in the outer archive (an archive of merged archives)
cp outer.db edited2.db
tl_sql edited2.db "DROP TRIGGER audit_merged_no_update; UPDATE audit_merged SET content = replace(content, '\"outcome\":\"', '\"outcome\":\"x') WHERE kind = 'ingest' AND shard = (SELECT min(shard) FROM audit_merged WHERE kind = 'ingest'); CREATE TRIGGER audit_merged_no_update BEFORE UPDATE ON audit_merged BEGIN SELECT RAISE(ABORT, 'audit_merged is append-only'); END;"
check_exit "kept event edited, merged archive merged again: caught" 7 "$DANGAN" --db edited2.db audit verify
check_contains "kept event edited, nested: named" "$TL_OUT" "was edited: it hashes to"
# a whole shard's kept chain rewritten consistently: only the head its merge
# event chains in the archive tells
for db in m outer; do
    cp $db.db forged-$db.db
    python3 "$SRC/tests/shard/rewrite_chain.py" forged-$db.db kept
    check_exit "forged shard history ($db): caught" 7 "$DANGAN" --db forged-$db.db audit verify
    check_contains "forged ($db): the head named" "$TL_OUT" "names its head"
    case "$TL_OUT" in *"TAMPERED chain"*|*"was edited"*) fail "forged ($db): the rewrite was not consistent";; esac
done
# kept events deleted, or added behind dangan's back
cp m.db cut.db
tl_sql cut.db "DROP TRIGGER audit_merged_no_delete; DELETE FROM audit_merged WHERE shard = (SELECT min(shard) FROM audit_merged)"
check_exit "a shard's kept events deleted: caught" 7 "$DANGAN" --db cut.db audit verify
check_contains "deleted: named" "$TL_OUT" "none are there"

# archives merged before migration 023 (each shard event re-appended to the
# archive's chain with its original inside) still verify, their forgeries
# are still caught, and they merge into a new archive as a shard
sqlite3 v22.db < "$SRC/tests/data/shard/merged_v22.sql"
# read-only commands (audit verify) do not upgrade: one that writes does, as a user would
"$DANGAN" --db v22.db status >/dev/null
check_exit "merged before 023: verify" 0 "$DANGAN" --db v22.db audit verify
check_contains "merged before 023: its rows compared" "$TL_OUT" "12 archive rows compared"
cp v22.db v22-forged.db
python3 "$SRC/tests/shard/rewrite_chain.py" v22-forged.db chain
check_exit "merged before 023, forged: caught" 7 "$DANGAN" --db v22-forged.db audit verify
check_contains "merged before 023, forged: named" "$TL_OUT" "was edited: it hashes to"
# into an archive that has persons already, so every id moves
"$DANGAN" --db g.db -q ingest scans/s015_ledger_moderate.tif
python3 "$SRC/bench/shard/gen_shard.py" g.db 4 7 > /dev/null
check_exit "a new shard with persons, then the old archive" 0 "$DANGAN" merge --into new.db g.db v22.db
check_exit "old archive in a new one: verify" 0 "$DANGAN" --db new.db audit verify
check_contains "old archive in a new one: every person and study compared" "$TL_OUT" "20 archive rows compared"
check_eq "old archive in a new one: ids moved" "$(tl_sql new.db 'SELECT min(id) FROM person WHERE id > 4')" 5
# a shard whose access log shows study records: its ids move in the log
# and in the access event verify compares it with
"$DANGAN" --db g2.db -q ingest scans/s009_ledger_clean.jpg
python3 "$SRC/bench/shard/gen_shard.py" g2.db 4 8 > /dev/null
"$DANGAN" --db g2.db lookup --operator tester "$(tl_sql g2.db 'SELECT name_simplified FROM person WHERE id = 1')" > /dev/null
check_eq "a lookup in the shard logged what it showed" "$(tl_sql g2.db "SELECT shown FROM access_log")" "[1]"
check_exit "merge the shard with a lookup" 0 "$DANGAN" merge --into new.db g2.db
check_eq "the lookup's study record moved in the log" "$(tl_sql new.db "SELECT shown FROM access_log")" "[11]"
check_exit "the shard with a lookup: verify" 0 "$DANGAN" --db new.db audit verify
tl_sql new.db "UPDATE person SET birth = '1900-01' WHERE id = 6"
check_exit "old archive in a new one: a person edited is caught" 7 "$DANGAN" --db new.db audit verify
check_contains "old archive in a new one: the person named" "$TL_OUT" "person 6: birth is \"1900-01\""
finish
