#!/bin/sh
# cli.sh - the `dangan review / load / provenance` commands on the fixture
# workspace: exit codes, crops, two operators deciding the same item at once
# (one wins, the other gets exit 6 and no decision is lost), load twice,
# correct normalizing the typed value (refused when flagged, --as-is).
# usage: cli.sh DANGAN TEST_REVIEW
set -u
DANGAN=$1
FIXTURE=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
expect() { # expect CODE DESCRIPTION -- command...
    want=$1; what=$2; shift 3
    "$@" >"$W/out" 2>"$W/err"; got=$?
    [ "$got" = "$want" ] || { fail "$what: exit $got, want $want"; cat "$W/err" >&2; }
}
"$FIXTURE" fixture "$W/r.db" "$W" || exit 1
export DANGAN_DB="$W/r.db"

expect 0 "review list" -- "$DANGAN" review list
grep -q "4 items" "$W/out" || fail "review list: want 4 items"
expect 0 "review list --reason --json" -- "$DANGAN" review list --reason low_confidence --json
SEX=$(sed -n 's/^\[*{"id":\([0-9]*\),.*/\1/p' "$W/out" | head -n 1)
[ -n "$SEX" ] || fail "no low_confidence item id in: $(cat "$W/out")"
expect 0 "review list --reason match" -- "$DANGAN" review list --reason match --json
MATCH=$(sed -n 's/^\[*{"id":\([0-9]*\),.*/\1/p' "$W/out" | head -n 1)
expect 0 "review list --reason unknown_form" -- "$DANGAN" review list --reason unknown_form --json
PAGE=$(sed -n 's/^\[*{"id":\([0-9]*\),.*/\1/p' "$W/out" | head -n 1)

expect 0 "review list --reason month" -- "$DANGAN" review list --reason month --json
GRAD=$(sed -n 's/^\[*{"id":\([0-9]*\),.*/\1/p' "$W/out" | head -n 1)
[ -n "$GRAD" ] || fail "no grad_date item id in: $(cat "$W/out")"

# correct normalizes what is typed; refuses what the normalizer flags; --as-is
expect 0 "help mentions --as-is" -- "$DANGAN" review --help
grep -q -- "--as-is" "$W/out" || fail "review --help does not document --as-is"
expect 2 "correct with an impossible date" -- "$DANGAN" review correct "$GRAD" 1985.13
grep -q "not a valid grad_date" "$W/err" || fail "refused correct: $(cat "$W/err")"
grep -q -- "--as-is" "$W/err" || fail "refused correct should offer --as-is"
expect 2 "--as-is on accept" -- "$DANGAN" review accept "$GRAD" --as-is
expect 2 "correct with a date before the birth" -- "$DANGAN" review correct "$GRAD" 1960.11
grep -q "does not fit the record's other dates" "$W/err" || fail "refused date: $(cat "$W/err")"
expect 0 "correct a date" -- "$DANGAN" review correct "$GRAD" 1986.11
expect 0 "show the corrected item" -- "$DANGAN" review show "$GRAD" --json
grep -q '"value":"1986-11","state":"verified"' "$W/out" ||
    fail "correct did not store 1986-11: $(cat "$W/out")"
grep -q '{"rule":"review-correct","before":"","after":"1986.11"}' "$W/out" ||
    fail "show: the typed value is not among the steps: $(cat "$W/out")"
expect 0 "show the corrected item as text" -- "$DANGAN" review show "$GRAD"
grep -q "review-correct: '' -> '1986.11'" "$W/out" || fail "show text: no steps: $(cat "$W/out")"
expect 0 "undo the correction" -- "$DANGAN" review undo "$GRAD"
expect 0 "correct --as-is" -- "$DANGAN" review correct "$GRAD" 85.13 --as-is
expect 0 "undo the verbatim correction" -- "$DANGAN" review undo "$GRAD"

expect 5 "show unknown item" -- "$DANGAN" review show 999
expect 2 "pick without N" -- "$DANGAN" review pick "$MATCH"
expect 2 "correct a page" -- "$DANGAN" review correct "$PAGE" something
grep -q "page" "$W/err" || fail "correct on a page: message should say why"
expect 0 "show --crop" -- "$DANGAN" review show "$SEX" --crop "$W/sex.png"
[ -s "$W/sex.png" ] || fail "show --crop wrote no PNG"
expect 0 "show match" -- "$DANGAN" review show "$MATCH"
grep -q "0835" "$W/out" || fail "show match: candidates missing"

# Two operators at once, five rounds: exactly one wins each time.
round=1
while [ $round -le 5 ]; do
    "$DANGAN" review accept "$SEX" --operator alice >"$W/a" 2>&1 & pa=$!
    "$DANGAN" review accept "$SEX" --operator bob >"$W/b" 2>&1 & pb=$!
    wait $pa; ea=$?
    wait $pb; eb=$?
    case "$ea$eb" in
    06|60) ;;
    *) fail "round $round: exits $ea and $eb, want one 0 and one 6"; cat "$W/a" "$W/b" >&2 ;;
    esac
    grep -q "already decided by" "$W/a" "$W/b" || fail "round $round: no conflict message"
    [ $round -lt 5 ] && { expect 0 "undo" -- "$DANGAN" review undo "$SEX" --operator carol; }
    round=$((round + 1))
done
expect 0 "show decisions" -- "$DANGAN" review show "$SEX" --json
n=$(grep -o '"verb":"accept"' "$W/out" | wc -l)
[ "$n" = 5 ] || fail "want 5 accept decisions kept, got $n"

expect 0 "pick 1" -- "$DANGAN" review pick "$MATCH" 1 --operator alice
expect 0 "load" -- "$DANGAN" load --json
grep -q '"loaded":2,"linked":1' "$W/out" || fail "load: $(cat "$W/out")"
expect 0 "load again" -- "$DANGAN" load --json
grep -q '"loaded":0,"linked":0,"pending":0,"conflicts":0' "$W/out" || fail "load again: $(cat "$W/out")"
expect 0 "status" -- "$DANGAN" status --json
grep -q '"archive":{"persons":2,"study_records":2' "$W/out" || fail "status: $(cat "$W/out")"
expect 0 "provenance" -- "$DANGAN" provenance 1
grep -q "sha256" "$W/out" || fail "provenance: no sha256"
expect 0 "provenance --crop" -- "$DANGAN" provenance 1 name --crop "$W/name.png" --json
[ -s "$W/name.png" ] || fail "provenance --crop wrote no PNG"
expect 5 "provenance of nothing" -- "$DANGAN" provenance 99
expect 2 "provenance --crop without field" -- "$DANGAN" provenance 1 --crop "$W/x.png"

[ $fails -eq 0 ] && echo "review cli: ok"
exit $((fails > 0))
