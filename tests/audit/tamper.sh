#!/usr/bin/env bash
# tamper.sh - every kind of tampering the issue names, done with the sqlite3
# shell to a workspace the pipeline made from one bundled scan: `dangan audit
# verify` must pass the untouched workspace (exit 0) and catch each (exit 7,
# naming what): a person's birth date, a study record's 2022 code, a review
# decision deleted, the access log's trigger dropped and rows deleted, an
# event's content edited, an event deleted, two events swapped, the chain
# rewritten consistently after an anchor was taken.  Also: --operator with a
# newline is refused, and `dangan log` escapes a forged row's newline.
# usage: tamper.sh DANGAN SAMPLES WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 W=$3
fresh_dir "$W" && cd "$W"
command -v sqlite3 > /dev/null || { echo "sqlite3 shell not installed"; exit 1; }
cp "$SAMPLES/s009_ledger_clean.jpg" scan.jpg
export DANGAN_DB="$W/base.db"

"$DANGAN" -q run --jobs 1 scan.jpg
need "the pipeline loaded records" [ "$(tl_sql base.db 'SELECT count(*) FROM study_record')" -gt 0 ]
ITEM=$("$DANGAN" review list --json | sed -n 's/^\[*{"id":\([0-9]*\),.*/\1/p' | head -n 1)
need "an open review item" [ -n "$ITEM" ]
check_exit "a decision" 0 "$DANGAN" review reject "$ITEM" --why "tamper test" --operator alice
check_exit "review show logs" 0 "$DANGAN" review show "$ITEM" --operator bob
check_exit "an amendment" 0 "$DANGAN" amend 2 grad_date 1988-07 --reason "tamper test" --operator alice
need "the amendment row" [ "$(tl_sql base.db 'SELECT count(*) FROM amendment')" = 1 ]
NAME=$(tl_sql base.db 'SELECT name_simplified FROM person WHERE id = 1')
check_exit "a lookup" 0 "$DANGAN" lookup --name "$NAME" --operator carol
check_exit "export records logs" 0 "$DANGAN" export records --operator dave
check_exit "export pages logs" 0 "$DANGAN" export pages --operator=erin
check_exit "provenance" 0 "$DANGAN" provenance 1
check_exit "log" 0 "$DANGAN" log
for who in bob carol dave erin; do check_contains "log names $who" "$TL_OUT" "$who"; done
check_contains "review show is logged" "$TL_OUT" '{"item":'
check_contains "export records is logged" "$TL_OUT" '"what":"records"'
check_contains "export pages is logged" "$TL_OUT" '"what":"pages"'
check_eq "every access is an event" \
    "$(tl_sql base.db "SELECT count(*) FROM audit_event WHERE kind = 'access'")" \
    "$(tl_sql base.db 'SELECT count(*) FROM access_log')"

# the workbench's users (made last: with users, a decision needs one of them)
printf 'correct horse 1\n' | check_exit "user add" 0 "$DANGAN" user add ursula --role operator
printf 'correct horse 2\n' | check_exit "user add admin" 0 "$DANGAN" user add adam --role admin
printf 'correct horse 3\n' | check_exit "user passwd" 0 "$DANGAN" user passwd ursula
printf 'not the password\n' > wrong.pw
check_exit "a failed login" 2 "$DANGAN" review accept "$ITEM" --user ursula --password-file wrong.pw
check_eq "the failed login counted" "$(tl_sql base.db "SELECT failed FROM app_user WHERE name = 'ursula'")" 1
check_exit "untouched: verify" 0 "$DANGAN" audit verify
check_contains "untouched: intact" "$TL_OUT" "intact"
check_exit "anchor" 0 "$DANGAN" audit anchor
ANCHOR=$TL_OUT
need "anchor is SEQ:HASH" [ -n "$(printf '%s' "$ANCHOR" | grep -E '^[0-9]+:[0-9a-f]{64}$')" ]
check_exit "untouched: verify --anchor" 0 "$DANGAN" audit verify --anchor "$ANCHOR"
check_exit "verify --json" 0 "$DANGAN" audit verify --json
check_contains "verify --json intact" "$TL_OUT" '"intact":true'
check_exit "a bad anchor is a usage error" 2 "$DANGAN" audit verify --anchor 12:beef

# each case: a copy of the workspace, changed with sqlite3, then verify
tamper() { # tamper NAME SQL: case.db is base.db with SQL applied
    rm -f case.db case.db-wal case.db-shm
    tl_sql base.db ".backup case.db" && tl_sql case.db "$2" || fail "$1: sqlite3 failed"
}
caught() { # caught NAME NEEDLE [ANCHOR]: verify exits 7 and says NEEDLE
    check_exit "$1: verify" 7 "$DANGAN" --db case.db audit verify ${3:+--anchor "$3"}
    check_contains "$1: named" "$TL_OUT" "$2"
}
# the shell's way around a trigger: drop it, do the deed, put it back
TRIG_UPD=$(tl_sql base.db "SELECT sql FROM sqlite_master WHERE name = 'audit_event_no_update'")
TRIG_DEL=$(tl_sql base.db "SELECT sql FROM sqlite_master WHERE name = 'audit_event_no_delete'")
behind() { # behind SQL: SQL on audit_event with its triggers out of the way
    printf 'DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete; %s %s; %s;' \
        "$1" "$TRIG_UPD" "$TRIG_DEL"
}

tamper birth "UPDATE person SET birth = '1900-01' WHERE id = 1"
caught birth 'person 1: birth is "1900-01"'
tamper code "UPDATE study_record SET code_2022 = '999999' WHERE id = 1"
caught code 'study_record 1: code_2022 is "999999"'
tamper decision "DROP TRIGGER review_decision_no_delete; DELETE FROM review_decision"
caught decision 'review_decision 1: deleted'
check_contains "decision: the dropped trigger named" "$TL_OUT" "trigger review_decision_no_delete is gone"
tamper decision-edit "DROP TRIGGER review_decision_no_update; UPDATE review_decision SET operator = 'mallory'"
caught decision-edit 'operator is "mallory"'
tamper access "DROP TRIGGER access_log_no_delete; DELETE FROM access_log WHERE who = 'carol'"
caught access 'access_log'
check_contains "access: deleted" "$TL_OUT" "deleted"
check_contains "access: the dropped trigger named" "$TL_OUT" "trigger access_log_no_delete is gone"

# an amendment is an earlier version of an archived value: erasing or
# rewriting it hides what the archive said before
tamper amend-delete "DROP TRIGGER amendment_no_delete; DELETE FROM amendment"
caught amend-delete 'amendment 1: deleted'
check_contains "amend-delete: the dropped trigger named" "$TL_OUT" "trigger amendment_no_delete is gone"
tamper amend-edit "DROP TRIGGER amendment_no_update; UPDATE amendment SET before = '1990-07', operator = 'mallory'"
caught amend-edit 'amendment 1: before is "1990-07"'
check_contains "amend-edit: the operator too" "$TL_OUT" 'operator is "mallory"'
tamper amend-forged "DROP TRIGGER amendment_no_update; INSERT INTO amendment (study_id, person_id, key, column_name, before, after, operator, amended, reason) SELECT study_id, person_id, key, column_name, after, before, operator, amended, 'undo' FROM amendment"
caught amend-forged 'amendment 2: no event records it'
# the certificate register (issued certificates are tampered with in
# tests/cli/certify_cli.sh, which has a certifiable record): a row added
tamper cert-forged "INSERT INTO certificate (serial, code, study_id, issued, who, audience, lang, key_id, payload) VALUES ('DG-2026-999999', 'FFFF-FFFF-FFFF-FFFF', 1, '2026-01-01T00:00:00Z', 'mallory', 'alumnus', 'zh', '0000000000000000', 'DGC1.x.y')"
caught cert-forged 'certificate 1: no event records it'

# users: a role raised, a password swapped for one the forger knows, a user
# added or deleted behind dangan's back (a login's counters are no event)
UID_U=$(tl_sql base.db "SELECT id FROM app_user WHERE name = 'ursula'")
tamper role "UPDATE app_user SET role = 'admin' WHERE name = 'ursula'"
caught role "app_user $UID_U: role is \"admin\""
tamper pw "UPDATE app_user SET pwhash = (SELECT pwhash FROM app_user WHERE name = 'adam') WHERE name = 'ursula'"
caught pw "app_user $UID_U: pwhash_sha256 is"
tamper user-added "INSERT INTO app_user (name, role, pwhash, created) SELECT 'mallory', 'admin', pwhash, created FROM app_user WHERE name = 'adam'"
caught user-added "no event records it"
tamper user-deleted "DROP TRIGGER app_user_no_delete; DELETE FROM app_user WHERE name = 'ursula'"
caught user-deleted "app_user $UID_U: deleted"
check_contains "user-deleted: the dropped trigger named" "$TL_OUT" "trigger app_user_no_delete is gone"
tamper logins "UPDATE app_user SET failed = 3, locked_until = 99, last_login = '2026-01-01T00:00:00Z'"
check_exit "a login's counters: verify" 0 "$DANGAN" --db case.db audit verify
check "no event holds a password hash" [ "$(tl_sql base.db "SELECT count(*) FROM audit_event WHERE content LIKE '%argon2%'")" = 0 ]

LOAD=$(tl_sql base.db "SELECT min(seq) FROM audit_event WHERE kind = 'load'")
tamper edit "$(behind "UPDATE audit_event SET content = replace(content, '\"record\":', '\"record\":9') WHERE seq = $LOAD;")"
caught edit "seq $LOAD (load study_record:1) was edited"
tamper delete "$(behind "DELETE FROM audit_event WHERE seq = 5;")"
caught delete "seq 5 is missing"
tamper swap "$(behind "UPDATE audit_event SET seq = -4 WHERE seq = 4; UPDATE audit_event SET seq = 4 WHERE seq = 5; UPDATE audit_event SET seq = 5 WHERE seq = -4;")"
caught swap "seq 4 holds the event appended as seq 5"
tamper forged-row "INSERT INTO access_log (at, who, action) VALUES ('2026-01-01T00:00:00Z', 'eve
2026-01-01T00:00:00Z  root', 'lookup')"
caught forged-row "no event records it"
check_exit "forged row: log" 0 "$DANGAN" --db case.db log
check_contains "forged row: log escapes the newline" "$TL_OUT" 'eve\x0a2026'

tamper dropped "DROP TABLE audit_event"
caught dropped "table audit_event is gone"

# The whole chain rewritten consistently from the person's load event on:
# only the anchor taken before tells.
BIRTH=$(tl_sql base.db 'SELECT birth FROM person WHERE id = 1')
tamper rewrite "$(behind "UPDATE person SET birth = '1900-01' WHERE id = 1; UPDATE audit_event SET content = replace(content, '\"birth\":\"$BIRTH\"', '\"birth\":\"1900-01\"') WHERE seq = $LOAD;")"
prev=$(tl_sql case.db "SELECT prev_hash FROM audit_event WHERE seq = $LOAD")
tl_sql -separator $'\x1f' case.db "SELECT seq, at, who, kind, subject, content FROM audit_event \
    WHERE seq >= $LOAD ORDER BY seq" > rows.txt
: > fix.sql
while IFS=$'\x1f' read -r seq at who kind subject content; do
    h=$(printf '%s{"at":"%s","content":%s,"kind":"%s","seq":%s,"subject":"%s","who":"%s"}' \
        "$prev" "$at" "$content" "$kind" "$seq" "$subject" "$who" | sha256sum | cut -c1-64)
    echo "UPDATE audit_event SET prev_hash = '$prev', hash = '$h' WHERE seq = $seq;" >> fix.sql
    prev=$h
done < rows.txt
tl_sql case.db "$(behind "$(cat fix.sql)")" || fail "rewrite: sqlite3 failed"
check_exit "rewrite: without an anchor the chain is consistent (docs/audit.md)" 0 \
    "$DANGAN" --db case.db audit verify
caught rewrite "was rewritten" "$ANCHOR"

# operator names that would forge log lines are refused
check_exit "--operator with a newline" 2 "$DANGAN" lookup --name "$NAME" --operator $'eve\n2026-01-01T00:00:00Z  root'
check_contains "refusal says why" "$TL_ERR" "control character"
check_exit "review --operator with a tab" 2 "$DANGAN" review show "$ITEM" --operator $'eve\tx'
check_exit "still intact after the refusals" 0 "$DANGAN" audit verify
finish
