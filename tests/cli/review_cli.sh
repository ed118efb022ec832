#!/usr/bin/env bash
# review_cli.sh - the `dangan review / load / provenance` commands on the fixture
# workspace: exit codes, crops, two operators deciding the same item at once
# (one wins, the other gets exit 6 and no decision is lost), load twice,
# correct normalizing the typed value (refused when flagged, --as-is), pick by
# number among what the readers of a field read.
# usage: review_cli.sh DANGAN TEST_REVIEW WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 FIXTURE=$2 W=$3
fresh_dir "$W"
umask 022 # crops are still owner-only: dangan sets its own umask
need "fixture workspace built" "$FIXTURE" fixture "$W/r.db" "$W"
export DANGAN_DB="$W/r.db"
first_id() { printf '%s\n' "$TL_OUT" | sed -n 's/^\[*{"id":\([0-9]*\),.*/\1/p' | head -n 1; }

check_exit "review list" 0 "$DANGAN" review list
check_contains "review list: 4 items" "$TL_OUT" "4 items"
check_exit "review list --reason --json" 0 "$DANGAN" review list --reason low_confidence --json
SEX=$(first_id)
check "a low_confidence item id in: $TL_OUT" [ -n "$SEX" ]
check_exit "review list --reason match" 0 "$DANGAN" review list --reason match --json
MATCH=$(first_id)
check_exit "review list --reason unknown_form" 0 "$DANGAN" review list --reason unknown_form --json
PAGE=$(first_id)

check_exit "review list --reason month" 0 "$DANGAN" review list --reason month --json
GRAD=$(first_id)
check "a grad_date item id in: $TL_OUT" [ -n "$GRAD" ]

# correct normalizes what is typed; refuses what the normalizer flags; --as-is
check_exit "help mentions --as-is" 0 "$DANGAN" review --help
check_contains "review --help documents --as-is" "$TL_OUT" "--as-is"
check_exit "correct with an impossible date" 2 "$DANGAN" review correct "$GRAD" 1985.13
check_contains "refused correct" "$TL_ERR" "not a valid grad_date"
check_contains "refused correct offers --as-is" "$TL_ERR" "--as-is"
check_exit "--as-is on accept" 2 "$DANGAN" review accept "$GRAD" --as-is
check_exit "correct with a date before the birth" 2 "$DANGAN" review correct "$GRAD" 1960.11
check_contains "refused date" "$TL_ERR" "does not fit the record's other dates"
check_exit "correct a date" 0 "$DANGAN" review correct "$GRAD" 1986.11
check_exit "show the corrected item" 0 "$DANGAN" review show "$GRAD" --json
check_contains "correct stored 1986-11" "$TL_OUT" '"value":"1986-11","state":"verified"'
check_contains "show: the typed value is among the steps" "$TL_OUT" \
    '{"rule":"review-correct","before":"","after":"1986.11"}'
check_exit "show the corrected item as text" 0 "$DANGAN" review show "$GRAD"
check_contains "show text: steps" "$TL_OUT" "review-correct: '' -> '1986.11'"
check_exit "undo the correction" 0 "$DANGAN" review undo "$GRAD"
check_exit "correct --as-is" 0 "$DANGAN" review correct "$GRAD" 85.13 --as-is
check_exit "undo the verbatim correction" 0 "$DANGAN" review undo "$GRAD"

check_exit "show unknown item" 5 "$DANGAN" review show 999
check_exit "pick without N" 2 "$DANGAN" review pick "$MATCH"
check_exit "correct a page" 2 "$DANGAN" review correct "$PAGE" something
check_contains "correct on a page: message says why" "$TL_ERR" "page"
check_exit "show --crop" 0 "$DANGAN" review show "$SEX" --crop "$W/sex.png"
check "show --crop wrote a PNG" [ -s "$W/sex.png" ]
check_exit "show match" 0 "$DANGAN" review show "$MATCH"
check_contains "show match: candidates" "$TL_OUT" "0835"

# Two operators at once, five rounds: exactly one wins each time.
for round in 1 2 3 4 5; do
    "$DANGAN" review accept "$SEX" --operator alice > "$W/a" 2>&1 & pa=$!
    "$DANGAN" review accept "$SEX" --operator bob > "$W/b" 2>&1 & pb=$!
    wait $pa; ea=$?
    wait $pb; eb=$?
    check_eq "round $round: one exit 0 and one 6" "$(printf '%s\n' $ea $eb | sort | tr '\n' ' ')" "0 6 " ||
        cat "$W/a" "$W/b" >&2
    check_contains "round $round: conflict message" "$(cat "$W/a" "$W/b")" "already decided by"
    [ $round -lt 5 ] && check_exit "undo" 0 "$DANGAN" review undo "$SEX" --operator carol
done
check_exit "show decisions" 0 "$DANGAN" review show "$SEX" --json
check_eq "5 accept decisions kept" "$(printf '%s' "$TL_OUT" | grep -o '"verb":"accept"' | wc -l)" 5

check_exit "pick 1" 0 "$DANGAN" review pick "$MATCH" 1 --operator alice
check_exit "load" 0 "$DANGAN" load --json
check_contains "load" "$TL_OUT" '"loaded":2,"linked":1'
check_exit "load again" 0 "$DANGAN" load --json
check_contains "load again" "$TL_OUT" '"loaded":0,"linked":0,"pending":0,"conflicts":0'
check_exit "status" 0 "$DANGAN" status --json
check_contains "status" "$TL_OUT" '"archive":{"persons":2,"study_records":2'
check_exit "provenance" 0 "$DANGAN" provenance 1
check_contains "provenance: sha256" "$TL_OUT" "sha256"
check_exit "provenance --crop" 0 "$DANGAN" provenance 1 name --crop "$W/name.png" --json
check "provenance --crop wrote a PNG" [ -s "$W/name.png" ]
check_eq "the crop is owner-only" "$(stat -c %a "$W/name.png")" 600
check_exit "provenance of nothing" 5 "$DANGAN" provenance 99
check_exit "provenance --crop without field" 2 "$DANGAN" provenance 1 --crop "$W/x.png"
# A field two readers read, weighed by normalize: show lists the candidates
# with p, pick N takes one by number (a workspace of its own).
need "second fixture workspace built" "$FIXTURE" fixture "$W/p.db" "$W"
export DANGAN_DB="$W/p.db"
tl_sql "$W/p.db" "INSERT INTO field (id, record_id, key, raw, value, state, conf_min, conf_mean,
  x, y, w, h, words, rule, flag, norm_run, p, evidence) VALUES (27, 3, 'supervisor', '郝卫東',
  '郝卫东', 'review', 50, 60, 10, 160, 60, 20, '[]', 'ledger_a:c9', 'low_p 0.93 < 0.97', 3, 0.93,
  '{\"vt\":\"name\",\"threshold\":0.97,\"p\":0.93,\"chosen\":0,\"candidates\":[
   {\"value\":\"郝卫东\",\"p\":0.93,\"readers\":[\"tesseract\",\"rec2\"],\"features\":{},\"terms\":{}},
   {\"value\":\"部卫东\",\"p\":0.04,\"readers\":[\"rec2\"],\"features\":{},\"terms\":{}}]}')"
check_exit "list with a weighed field" 0 "$DANGAN" review list
check_contains "list: p column" "$TL_OUT" "supervisor     p 0.93 郝卫東 -> 郝卫东"
check_exit "list --reason low_p" 0 "$DANGAN" review list --reason low_p --json
SUP=$(first_id)
check "a low_p item id in: $TL_OUT" [ -n "$SUP" ]
check_exit "show the weighed field" 0 "$DANGAN" review show "$SUP"
check_contains "show: p" "$TL_OUT" "  p:        0.93 (probability the value is right)"
check_contains "show: candidate 1" "$TL_OUT" "    1  郝卫东  p 0.93  tesseract, rec2  (current value)"
check_contains "show: candidate 2" "$TL_OUT" "    2  部卫东  p 0.04  rec2"
check_exit "pick a candidate that is not there" 2 "$DANGAN" review pick "$SUP" 3
check_contains "pick 3: the number of candidates" "$TL_ERR" "review item $SUP has 2 candidates"
check_exit "pick at a stale version" 6 "$DANGAN" review pick "$SUP" 2 --version 3
check_exit "pick 2 by number" 0 "$DANGAN" review pick "$SUP" 2 --operator alice --version 0
check_exit "show the pick" 0 "$DANGAN" review show "$SUP" --json
check_contains "pick stored candidate 2" "$TL_OUT" '"value":"部卫东","state":"verified"'
check_contains "pick recorded as a pick of 2" "$TL_OUT" '"after_value":"部卫东","candidate":2'
check_contains "pick decision verb" "$TL_OUT" '"verb":"pick","operator":"alice"'
check_exit "undo the pick" 0 "$DANGAN" review undo "$SUP"
check_exit "show after undo" 0 "$DANGAN" review show "$SUP" --json
check_contains "undo: the value back" "$TL_OUT" '"value":"郝卫东","state":"review"'
finish
