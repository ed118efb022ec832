#!/usr/bin/env bash
# backup_archive.sh - backup -> restore -> audit verify on a workspace that
# holds every kind of archive row the chain vouches for (study records, a
# review decision, an amendment, an issued certificate, app users), taken
# while another dangan appends to the chain (lookups: access-log rows and
# their events).  The restored workspace must verify, hold the original's
# certificates, amendments and users row for row (a restored user logs in
# with the password), and its access log and chain must be the original's
# up to one instant of the writer.  The signing key is not in the backup
# (docs/backup.md says why): the restored workspace verifies a certificate
# with the public key kept elsewhere, and without it says there is no key.
# usage: backup_archive.sh DANGAN TEST_REVIEW WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 FIXTURE=$2 W=$3
fresh_dir "$W" && mkdir -p "$W/share"
need "fixture workspace built" "$FIXTURE" fixture "$W/o.db" "$W/share"
unset DANGAN_CERT_KEY DANGAN_USER DANGAN_PASSWORD_FILE
# Under ASan: cairo 1.16's leak at cairo_surface_finish (tests/lsan.supp) is
# matched by name only with full stacks (as tests/cli/certify_cli.sh does).
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}fast_unwind_on_malloc=0"
O="$W/o.db" N="$W/new/w.db"
D() { "$DANGAN" --db "$O" "$@"; }
R() { "$DANGAN" --db "$N" "$@"; }
Q() { tl_sql "$1" "$2"; }

check_exit "review list (fills the queue)" 0 D review list
check_exit "accept" 0 D review accept 1 --operator alice
check_exit "pick" 0 D review pick 3 1 --operator alice
check_exit "load" 0 D load
S1=$(Q "$O" "SELECT study_id FROM study_source WHERE record_id = 1")
need "a study record ($S1)" [ -n "$S1" ]
check_exit "key init" 0 D key init
check_exit "certify" 0 D certify "$S1" --out "$W/c.pdf" --operator reg1 --json
CODE=$(printf '%s' "$TL_OUT" | grep -o '"code":"[0-9A-F-]*"' | cut -d'"' -f4)
need "a verification code ($CODE)" [ -n "$CODE" ]
check_exit "amend" 0 D amend "$S1" student_no 8502 --reason "backup test" --operator alice
printf 'backup password 1\n' > "$W/pw"
check_exit "user add" 0 D user add ursula --role operator < "$W/pw"
check_eq "one certificate, one amendment, one user" \
    "$(Q "$O" "SELECT (SELECT count(*) FROM certificate) || (SELECT count(*) FROM amendment) || (SELECT count(*) FROM app_user)")" 111
check_exit "verify before" 0 D audit verify
D export records --format jsonl > "$W/records0"

# the writer: lookups, each an access-log row and an audit event
writer() {
    while [ ! -e "$W/stop" ]; do
        "$DANGAN" -q --db "$O" lookup --name 张三 --operator writer > /dev/null 2>&1
    done
}
n_events0=$(Q "$O" "SELECT count(*) FROM audit_event")
writer & wpid=$!
for _ in $(seq 100); do [ "$(Q "$O" "SELECT count(*) FROM audit_event")" -gt $((n_events0 + 2)) ] && break; sleep 0.1; done
n_before=$(Q "$O" "SELECT count(*) FROM audit_event")
check_exit "backup while the writer runs" 0 D backup --step 1 --pause 5 --json "$W/B"
n_after=$(Q "$O" "SELECT count(*) FROM audit_event")
touch "$W/stop"; wait "$wpid"
check "the writer appended during the backup ($n_before -> $n_after events)" [ "$n_after" -gt "$n_before" ]
check_exit "the original still verifies" 0 D audit verify

check_exit "restore" 0 "$DANGAN" --db "$N" restore --json "$W/B"
check_exit "the restored chain and archive verify" 0 R audit verify
check_contains "  ... intact" "$TL_OUT" "intact"
n_r=$(Q "$N" "SELECT count(*) FROM audit_event WHERE kind <> 'run' OR subject NOT IN (SELECT 'run:' || id FROM run WHERE stage = 'restore')")
check "restored chain between before and after the backup ($n_before <= $n_r <= $n_after)" \
    [ "$n_r" -ge "$n_before" ] && [ "$n_r" -le "$n_after" ]
check_eq "restored chain is the original's prefix" \
    "$(Q "$N" "SELECT group_concat(hash) FROM (SELECT hash FROM audit_event WHERE seq <= $n_before ORDER BY seq)")" \
    "$(Q "$O" "SELECT group_concat(hash) FROM (SELECT hash FROM audit_event WHERE seq <= $n_before ORDER BY seq)")"
check_eq "access log: one row per access event" \
    "$(Q "$N" "SELECT count(*) FROM access_log")" "$(Q "$N" "SELECT count(*) FROM audit_event WHERE kind = 'access'")"
for t in certificate amendment app_user review_decision person study_record; do
    check_eq "$t rows restored as they were" "$(Q "$N" "SELECT * FROM $t ORDER BY id")" \
        "$(Q "$O" "SELECT * FROM $t ORDER BY id")"
done
check_eq "records equal the original's" "$(R export records --format jsonl)" "$(cat "$W/records0")"
check_exit "review list" 0 R review list --json
ITEM=$(printf '%s\n' "$TL_OUT" | sed -n 's/^\[*{"id":\([0-9]*\),.*/\1/p' | head -n 1)
need "an open item on the restored workspace" [ -n "$ITEM" ]
check_exit "a restored user logs in with its password and decides" 0 \
    R review reject "$ITEM" --why "after restore" --user ursula --password-file "$W/pw"
check_exit "the restored workspace goes on verifying" 0 R audit verify

# the key: only the archive's custodian holds the private half
check_eq "no key in the backup" "$(grep -rl 'PRIVATE KEY' "$W/B" | wc -l)" 0
check "no key next to the restored workspace" [ ! -e "$W/new/certify-key.pem" ]
check_exit "restored: the certificate verifies with the key kept elsewhere (amended since: 1)" 1 \
    R verify "$CODE" --pubkey "$W/certify-key.pem.pub"
check_contains "  ... authentic" "$TL_OUT" "authentic: signed by key"
check_contains "  ... registered in the restored archive" "$TL_OUT" "registered in this archive"
check_contains "  ... the amendment restored with it" "$TL_OUT" "amended since the issue: student_no '8501' -> '8502'"
check_exit "restored without the public key" 5 R verify "$CODE"
finish
