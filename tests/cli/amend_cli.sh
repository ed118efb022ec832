#!/usr/bin/env bash
# amend_cli.sh - amendments of archived values on the fixture workspace: a
# review decision (a QA correction) on a loaded record changes what lookup
# shows, provenance lists both versions with who, when, why and the decision;
# decisions the archive cannot follow are refused; `dangan amend` for
# registrars; amendment rows cannot be edited.
# usage: amend_cli.sh DANGAN TEST_REVIEW WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 FIXTURE=$2 W=$3
fresh_dir "$W"
need "fixture workspace built" "$FIXTURE" fixture "$W/r.db" "$W"
export DANGAN_DB="$W/r.db"
Q() { tl_sql "$W/r.db" "$1"; }
item_of() { # item_of RECORD KEY: the open QA item of that field
    Q "SELECT i.id FROM review_item i JOIN field f ON f.id = i.field_id
       WHERE f.record_id = $1 AND f.key = '$2' AND i.state = 'open'"
}

# load the two sources of 张三 and 李四, then draw every auto value for QA
check_exit "review list (makes the items)" 0 "$DANGAN" review list
check_exit "accept the sex" 0 "$DANGAN" review accept 1 --operator alice
check_exit "pick the match" 0 "$DANGAN" review pick 3 1 --operator alice
check_exit "load" 0 "$DANGAN" load --json
check_contains "load" "$TL_OUT" '"loaded":2,"linked":1'
STUDY=$(Q "SELECT study_id FROM study_source WHERE record_id = 1")
need "record 1 loaded as a study ($STUDY)" [ -n "$STUDY" ]
check_exit "qa sample everything" 0 "$DANGAN" qa sample --rate 1 --seed 1

# a QA correction of a loaded record's birth date amends the archive
BIRTH=$(item_of 1 birth_date)
need "a QA item on the loaded birth date ($BIRTH)" [ -n "$BIRTH" ]
check_exit "lookup before" 0 "$DANGAN" lookup --name 张三 --json
check_contains "lookup before: as loaded" "$TL_OUT" '"birth_date":"1962-03"'
check_exit "review correct on a loaded record" 0 "$DANGAN" review correct "$BIRTH" 1962.4 --operator qa
DEC=$(Q "SELECT max(id) FROM review_decision")
check_contains "review says what it amended" "$TL_OUT" \
    "archive amended: study record $STUDY: birth_date '1962-03' -> '1962-04'"
check_exit "lookup after" 0 "$DANGAN" lookup --name 张三 --json
check_contains "lookup shows the amended value" "$TL_OUT" '"birth_date":"1962-04"'
check_exit "provenance after" 0 "$DANGAN" provenance "$STUDY" birth_date
check_contains "provenance: current value" "$TL_OUT" "birth_date = 1962-04"
check_contains "provenance: the old version" "$TL_OUT" "v1 '1962-03' as loaded"
check_contains "provenance: the new version, who, why, decision" "$TL_OUT" \
    "v2 '1962-04' by qa at "
check_contains "provenance: which decision" "$TL_OUT" "review correct of item $BIRTH (review decision #$DEC)"
check_exit "provenance --json" 0 "$DANGAN" provenance "$STUDY" birth_date --json
check_contains "json: the old version readable" "$TL_OUT" '"before":"1962-03","after":"1962-04","operator":"qa"'
check_eq "the person's column" "$(Q "SELECT p.birth FROM person p JOIN study_record s ON s.person_id = p.id WHERE s.id = $STUDY")" 1962-04
check_eq "provenance.value follows" "$(Q "SELECT value FROM provenance WHERE study_id = $STUDY AND key = 'birth_date'")" 1962-04
check_exit "qa report" 1 "$DANGAN" qa report --json
check_contains "qa: the amended value is no longer wrong in the archive" "$TL_OUT" '"archived_wrong":0}'
check_exit "undo under the archive is refused" 6 "$DANGAN" review undo "$BIRTH"

# what the archive cannot follow is refused, and nothing changes
NAME=$(item_of 1 name)
check_exit "reject a loaded name" 2 "$DANGAN" review reject "$NAME" --why wrong --operator qa
check_contains "reject: says why and what to do" "$TL_ERR" "correct it instead"
check_eq "the item stays open" "$(Q "SELECT state FROM review_item WHERE id = $NAME")" open
# ... and a reading the archive did not take is decided without touching it
check_exit "accept the name" 0 "$DANGAN" review accept "$NAME" --operator qa
check_eq "one amendment so far" "$(Q "SELECT count(*) FROM amendment")" 1

# a correction of the name changes the keys lookup finds it by
check_exit "correct a loaded name" 0 "$DANGAN" review correct "$(item_of 3 name)" 李斯 --operator qa
check_exit "lookup the new name" 0 "$DANGAN" lookup --name 李斯 --json
check_contains "found by the amended name" "$TL_OUT" '"name":"李斯"'
check_exit "lookup by pinyin" 0 "$DANGAN" lookup --name lisi --json
check_contains "pinyin of the amended name" "$TL_OUT" '"name":"李斯"'

# the registrar's command
check_exit "amend --help" 0 "$DANGAN" amend --help
check_exit "amend without --reason" 2 "$DANGAN" amend "$STUDY" enroll_date 1985.10
check_contains "amend: --reason required" "$TL_ERR" "--reason"
check_exit "amend an unknown study" 5 "$DANGAN" amend 999 enroll_date 1985.10 --reason x
check_exit "amend a key the archive does not keep" 2 "$DANGAN" amend "$STUDY" ethnicity 汉 --reason x
check_exit "amend with an impossible date" 2 "$DANGAN" amend "$STUDY" enroll_date 1985.13 --reason x
check_exit "amend" 0 "$DANGAN" amend "$STUDY" enroll_date 1985.10 --reason "admission letter" \
    --operator registrar --json
check_contains "amend: normalized value stored" "$TL_OUT" '"key":"enroll_date","value":"1985-10","amendment":'
check_exit "amend again" 0 "$DANGAN" amend "$STUDY" enroll_date 1985.11 --reason "second letter" \
    --operator registrar
check_exit "lookup after amend" 0 "$DANGAN" lookup --name 张三 --json
check_contains "lookup: current version" "$TL_OUT" '"enroll_date":"1985-11"'
check_exit "provenance: three versions" 0 "$DANGAN" provenance "$STUDY" enroll_date
check_contains "v1" "$TL_OUT" "v1 '1985-09' as loaded"
check_contains "v2" "$TL_OUT" "v2 '1985-10' by registrar at "
check_contains "v3" "$TL_OUT" "v3 '1985-11' by registrar at "
check_contains "why" "$TL_OUT" ": second letter"
check_exit "amend to a code not in the catalog" 2 "$DANGAN" amend "$STUDY" current_code 9999 --reason x
check_contains "code refused" "$TL_ERR" "not a code of the target discipline catalog"
check_exit "amend the 2022 code" 0 "$DANGAN" amend "$STUDY" current_code 0835 --reason "catalog review"
check_exit "lookup: code and name amended together" 0 "$DANGAN" lookup --name 张三 --json
check_contains "code" "$TL_OUT" '"current_code":"0835","current_name":"软件工程"'
check_exit "provenance of the major lists the code's versions" 0 "$DANGAN" provenance "$STUDY" major
check_contains "major history: code" "$TL_OUT" "v2 current_code '0835' by "
check_exit "amend to the same value" 0 "$DANGAN" amend "$STUDY" enroll_date 1985.11 --reason x
check_contains "nothing amended" "$TL_OUT" "nothing amended"

# a conflict between two sources: pick 2 takes the second source's value into
# the archive (an amendment naming the decision), and the source then links
need "second fixture workspace built" "$FIXTURE" fixture "$W/c.db" "$W"
export DANGAN_DB="$W/c.db"
C() { tl_sql "$W/c.db" "$1"; }
check_exit "review list (c)" 0 "$DANGAN" review list
check_exit "accept the sex (c)" 0 "$DANGAN" review accept 1 --operator alice
check_exit "pick the match (c)" 0 "$DANGAN" review pick 3 1 --operator alice
C "UPDATE field SET value = '1985-10' WHERE record_id = 2 AND key = 'enroll_date'"
check_exit "load: the second source conflicts" 0 "$DANGAN" load --json
check_contains "load: one conflict" "$TL_OUT" '"conflicts":1'
CONF=$(C "SELECT id FROM review_item WHERE kind = 'conflict'")
CS=$(C "SELECT study_id FROM review_item WHERE id = $CONF")
check_exit "correct on a conflict is refused" 2 "$DANGAN" review correct "$CONF" 1985.10
check_contains "refusal names pick 2" "$TL_ERR" "pick 2"
check_exit "pick 2 on the conflict" 0 "$DANGAN" review pick "$CONF" 2 --operator alice
check_contains "pick 2 amended the archive" "$TL_OUT" \
    "archive amended: study record $CS: enroll_date '1985-09' -> '1985-10'"
check_exit "undo of an amending decision is refused" 6 "$DANGAN" review undo "$CONF"
check_contains "undo: says why" "$TL_ERR" "amended the archive"
check_exit "load links the second source" 0 "$DANGAN" load --json
check_contains "linked" "$TL_OUT" '"loaded":0,"linked":1'
check_exit "provenance of the amended value" 0 "$DANGAN" provenance "$CS" enroll_date
check_contains "provenance: now from the second source" "$TL_OUT" "(linked"
check_contains "provenance: v1 kept" "$TL_OUT" "v1 '1985-09' as loaded"
check_contains "provenance: v2 by the conflict's decision" "$TL_OUT" "v2 '1985-10' by alice at "
check_exit "the audit chain explains the amended values (conflict workspace)" 0 "$DANGAN" audit verify
export DANGAN_DB="$W/r.db"
check_exit "the audit chain explains the amended values" 0 "$DANGAN" audit verify
Q "UPDATE study_record SET enroll = '1911-01' WHERE id = (SELECT min(id) FROM study_record)"
check_exit "an amended record edited quietly afterwards is caught" 7 "$DANGAN" audit verify

# amendments are append-only
check "an amendment cannot be edited" \
    eval "! tl_sql '$W/r.db' \"UPDATE amendment SET after = 'x'\" 2> /dev/null"
check "an amendment cannot be deleted" \
    eval "! tl_sql '$W/r.db' 'DELETE FROM amendment' 2> /dev/null"
finish
