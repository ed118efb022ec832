# testlib.sh - helpers for dangan's shell tests (sourced by every one of
# them; bash).  Each assertion counts a check, prints what was expected on
# failure and returns non-zero then (so `check ... || diagnostics` works);
# `finish` prints the tally and sets the exit status.
TL_FAILS=0
TL_CHECKS=0
TL_OUT='' TL_ERR=''
fail() { echo "FAIL: $*" >&2; TL_FAILS=$((TL_FAILS + 1)); return 1; }
check() { # check DESCRIPTION COMMAND...: COMMAND succeeds
    local what=$1; shift
    TL_CHECKS=$((TL_CHECKS + 1))
    "$@" || fail "$what"
}
check_eq() { # check_eq DESCRIPTION GOT WANT
    TL_CHECKS=$((TL_CHECKS + 1))
    [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}
check_contains() { # check_contains DESCRIPTION HAYSTACK NEEDLE
    TL_CHECKS=$((TL_CHECKS + 1))
    case "$2" in *"$3"*) ;; *) fail "$1: '$3' not found in: $(printf '%s' "$2" | head -c 400)";; esac
}
check_exit() { # check_exit DESCRIPTION WANT COMMAND...: COMMAND exits WANT;
    # its stdout and stderr are left in $TL_OUT and $TL_ERR for later checks
    local what=$1 want=$2 got errf
    shift 2
    TL_CHECKS=$((TL_CHECKS + 1))
    errf=$(mktemp)
    TL_OUT=$("$@" 2> "$errf")
    got=$?
    TL_ERR=$(cat "$errf")
    rm -f "$errf"
    [ "$got" = "$want" ] || fail "$what: exit $got, want $want${TL_ERR:+ (stderr: $(printf '%s' "$TL_ERR" | head -c 400))}"
}
need() { # need DESCRIPTION COMMAND...: a check the rest of the test needs; stop if it fails
    check "$@" || { finish; exit 1; }
}
json_num() { # json_num KEY JSON -> first numeric value of "KEY":N
    printf '%s' "$2" | grep -o "\"$1\":[0-9.]*" | head -n1 | cut -d: -f2
}
finish() {
    echo "$(basename "$0"): $TL_CHECKS checks, $TL_FAILS failed"
    [ "$TL_FAILS" -eq 0 ]
}
fresh_dir() { rm -rf "$1" && mkdir -p "$1"; }
tl_sql() { # tl_sql [SQLITE3 OPTION...] DB SQL...: SQL (or a dot-command) on DB
    # with the sqlite3 shell, in list mode without headers, its exit status
    # and stderr passed on.  It waits up to 10 s for a lock: the dangan under
    # test may still be writing (CI saw "database is locked" without it).
    sqlite3 -batch -list -noheader -cmd ".timeout 10000" "$@"
}
