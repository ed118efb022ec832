# testlib.sh - helpers for dangan's shell tests (sourced).  Each assertion
# prints what was expected on failure; `finish` sets the exit status.
TL_FAILS=0
TL_CHECKS=0
fail() { echo "FAIL: $*" >&2; TL_FAILS=$((TL_FAILS + 1)); }
check() { # check DESCRIPTION COMMAND...
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
json_num() { # json_num KEY JSON -> first numeric value of "KEY":N
    printf '%s' "$2" | grep -o "\"$1\":[0-9.]*" | head -n1 | cut -d: -f2
}
finish() {
    echo "$(basename "$0"): $TL_CHECKS checks, $TL_FAILS failed"
    [ "$TL_FAILS" -eq 0 ]
}
fresh_dir() { rm -rf "$1" && mkdir -p "$1"; }
