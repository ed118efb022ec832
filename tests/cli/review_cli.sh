#!/usr/bin/env bash
# review_cli.sh - the `dangan review / load / provenance` commands on the fixture
# workspace: exit codes, crops, two operators deciding the same item at once
# (one wins, the other gets exit 6 and no decision is lost), load twice,
# correct normalizing the typed value (refused when flagged, --as-is).
# usage: review_cli.sh DANGAN TEST_REVIEW WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 FIXTURE=$2 W=$3
fresh_dir "$W"
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
check_exit "provenance of nothing" 5 "$DANGAN" provenance 99
check_exit "provenance --crop without field" 2 "$DANGAN" provenance 1 --crop "$W/x.png"
finish
