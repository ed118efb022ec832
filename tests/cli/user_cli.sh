#!/usr/bin/env bash
# user_cli.sh - `dangan user add|list|passwd|disable`: the password only from
# standard input (never argv), usage errors and exit codes, a taken name,
# disable and passwd, list as text and JSON.
# usage: user_cli.sh DANGAN TEST_REVIEW WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 FIXTURE=$2 W=$3
fresh_dir "$W"
need "fixture workspace built" "$FIXTURE" fixture "$W/r.db" "$W"
export DANGAN_DB="$W/r.db"
with_pw() { local pw=$1; shift; printf '%s\n' "$pw" | "$@"; }

check_exit "user --help" 0 "$DANGAN" user --help
check_contains "help: the password is no argument" "$TL_OUT" "never an argument"
check_exit "user without a subcommand" 2 "$DANGAN" user
check_exit "add without --role" 2 with_pw secret-pass "$DANGAN" user add alice
check_exit "add with an unknown role" 2 with_pw secret-pass "$DANGAN" user add alice --role boss
check_contains "the roles are listed" "$TL_ERR" "archivist, operator, registrar, auditor, admin"
check_exit "a password as an argument is refused" 2 "$DANGAN" user add alice --role operator pw123456
check_exit "a short password" 2 with_pw short "$DANGAN" user add alice --role operator
check_exit "no password on stdin" 2 "$DANGAN" user add alice --role operator < /dev/null
check_exit "a bad name" 2 with_pw secret-pass "$DANGAN" user add "al ice" --role operator
check_exit "add alice" 0 with_pw secret-pass "$DANGAN" user add alice --role operator
check_exit "add audrey" 0 with_pw another-pass "$DANGAN" user add audrey --role auditor
check_exit "the name is taken" 4 with_pw secret-pass "$DANGAN" user add alice --role admin
check_exit "list" 0 "$DANGAN" user list
check_contains "list: alice" "$TL_OUT" "alice                operator   active"
check_contains "list: count" "$TL_OUT" "2 users"
check_exit "list --json" 0 "$DANGAN" user list --json
check_contains "list --json" "$TL_OUT" '{"name":"audrey","role":"auditor","state":"active"'
check "the password is not stored in clear" sh -c "! sqlite3 '$W/r.db' 'SELECT * FROM app_user' | grep -q secret-pass"
check_exit "passwd for nobody" 5 with_pw secret-pass "$DANGAN" user passwd nobody
hash() { sqlite3 "$W/r.db" "SELECT pwhash FROM app_user WHERE name = 'alice'"; }
before=$(hash)
check_exit "passwd" 0 with_pw changed-pass "$DANGAN" user passwd alice
check "passwd changed the stored hash" [ "$(hash)" != "$before" ]
check_exit "disable nobody" 5 "$DANGAN" user disable nobody
check_exit "disable audrey" 0 "$DANGAN" user disable audrey
check_exit "list after disable" 0 "$DANGAN" user list
check_contains "audrey is disabled" "$TL_OUT" "audrey               auditor    disabled"
check_exit "serve --help" 0 "$DANGAN" serve --help
check_exit "serve with a bad --listen" 2 "$DANGAN" serve --listen nowhere:99999
check_exit "serve with a host name" 2 "$DANGAN" serve --listen example.com:8420
finish
