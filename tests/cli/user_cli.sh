#!/usr/bin/env bash
# user_cli.sh - `dangan user add|list|passwd|disable`: the password only from
# standard input (never argv), usage errors and exit codes, a taken name,
# disable and passwd, list as text and JSON; role and enable; every change an
# audit event that `dangan audit verify` covers; `review --user` deciding as
# an app user who logs in (password from a file, stdin or $DANGAN_PASSWORD_FILE).
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
check "the password is not stored in clear" eval "! tl_sql '$W/r.db' 'SELECT * FROM app_user' | grep -q secret-pass"
check_exit "passwd for nobody" 5 with_pw secret-pass "$DANGAN" user passwd nobody
hash() { tl_sql "$W/r.db" "SELECT pwhash FROM app_user WHERE name = 'alice'"; }
before=$(hash)
check_exit "passwd" 0 with_pw changed-pass "$DANGAN" user passwd alice
check "passwd changed the stored hash" [ "$(hash)" != "$before" ]
check_exit "disable nobody" 5 "$DANGAN" user disable nobody
check_exit "disable audrey" 0 "$DANGAN" user disable audrey
check_exit "list after disable" 0 "$DANGAN" user list
check_contains "audrey is disabled" "$TL_OUT" "audrey               auditor    disabled"
q() { tl_sql "$W/r.db" "$1"; }
check_exit "role for nobody" 5 "$DANGAN" user role nobody admin
check_exit "role with an unknown role" 2 "$DANGAN" user role alice boss
check_exit "enable audrey" 0 "$DANGAN" user enable audrey
check_exit "audrey becomes admin" 0 "$DANGAN" user role audrey admin
check "audrey's role is stored" [ "$(q "SELECT role FROM app_user WHERE name = 'audrey'")" = admin ]
check_exit "the last admin cannot be disabled" 6 "$DANGAN" user disable audrey
check_contains "  ... and is told why" "$TL_ERR" "last enabled admin"
check_exit "the last admin cannot be demoted" 6 "$DANGAN" user role audrey auditor
check "  ... still admin and enabled" [ "$(q "SELECT role || disabled FROM app_user WHERE name = 'audrey'")" = admin0 ]
me=$(id -un)
check "every user change is an audit event (add 2, passwd, disable, enable, role)" \
  [ "$(q "SELECT group_concat(json_extract(content, '\$.action'), ',') FROM (SELECT content FROM audit_event WHERE kind = 'user' ORDER BY seq)")" = "add,add,passwd,disable,enable,role" ]
check "  ... by the OS user, naming the user" \
  [ "$(q "SELECT count(*) FROM audit_event WHERE kind = 'user' AND who = '$me' AND subject LIKE 'app_user:%' AND content LIKE '%\"name\":\"a%'")" = 6 ]
check "  ... never the password or its hash" eval "! tl_sql '$W/r.db' 'SELECT content FROM audit_event' | grep -q -e changed-pass -e argon2"
check "  ... the refused changes left no event" [ "$(q "SELECT count(*) FROM audit_event WHERE kind = 'user'")" = 6 ]
check_exit "audit verify covers them" 0 "$DANGAN" audit verify

# review as an app user: the login decides who is recorded
"$DANGAN" review list > /dev/null
ITEM=$(q "SELECT id FROM review_item WHERE kind = 'field' AND state = 'open' ORDER BY id LIMIT 1")
ITEM2=$(q "SELECT id FROM review_item WHERE kind = 'field' AND state = 'open' ORDER BY id LIMIT 1 OFFSET 1")
printf 'changed-pass\n' > "$W/alice.pw"
printf 'wrong-pass\n' > "$W/wrong.pw"
check_exit "review --user with a wrong password" 2 "$DANGAN" review accept "$ITEM" --user alice --password-file "$W/wrong.pw"
check_contains "  ... says so" "$TL_ERR" "wrong name or password"
check "  ... counts towards the lockout" [ "$(q "SELECT failed FROM app_user WHERE name = 'alice'")" = 1 ]
check "  ... and decides nothing" [ "$(q "SELECT count(*) FROM review_decision")" = 0 ]
check_exit "review --user and --operator together" 2 "$DANGAN" review accept "$ITEM" --user alice --operator bob --password-file "$W/alice.pw"
check_exit "review --user alice (password file)" 0 "$DANGAN" review accept "$ITEM" --user alice --password-file "$W/alice.pw"
check_contains "  ... by alice" "$TL_OUT" "accept by alice"
check "  ... the decision records alice" [ "$(q "SELECT operator FROM review_decision WHERE item_id = $ITEM")" = alice ]
check_exit "review undo as alice, password on stdin" 0 with_pw changed-pass "$DANGAN" review undo "$ITEM" --user alice
check_exit "an admin decides too (DANGAN_USER, DANGAN_PASSWORD_FILE)" 0 env DANGAN_USER=audrey DANGAN_PASSWORD_FILE="$W/aud.pw" sh -c "printf 'another-pass\n' > '$W/aud.pw' && '$DANGAN' review reject $ITEM2 --why unreadable"
check "  ... recorded as audrey" [ "$(q "SELECT operator FROM review_decision WHERE item_id = $ITEM2")" = audrey ]
check_exit "audrey is demoted to auditor (alice made admin first)" 0 sh -c "'$DANGAN' user role alice admin && '$DANGAN' user role audrey auditor"
check_exit "an auditor may not decide" 2 env DANGAN_PASSWORD_FILE="$W/aud.pw" "$DANGAN" review undo "$ITEM2" --user audrey
check_contains "  ... and is told why" "$TL_ERR" "may not decide review items"
check_exit "a disabled user may not decide" 2 sh -c "'$DANGAN' user disable bob 2>/dev/null; printf 'x-pass-x\n' | '$DANGAN' user add bob --role operator && '$DANGAN' user disable bob && printf 'x-pass-x\n' | '$DANGAN' review undo $ITEM2 --user bob"
ndec=$(q "SELECT count(*) FROM review_decision")
check_exit "with app users, free-text --operator may not decide" 2 "$DANGAN" review undo "$ITEM2" --operator carol
check_contains "  ... and is told to log in" "$TL_ERR" "decide as one with --user NAME"
check_exit "  ... nor the OS user" 2 "$DANGAN" review undo "$ITEM2"
check "  ... and nothing was decided" [ "$(q "SELECT count(*) FROM review_decision")" = "$ndec" ]
check_exit "review list needs no login" 0 "$DANGAN" review list
# a workspace without users keeps the old way
tl_sql "$DANGAN_DB" ".backup '$W/nousers.db'"
tl_sql "$W/nousers.db" "DROP TRIGGER app_user_no_delete; DELETE FROM app_session; DELETE FROM app_user" 2>/dev/null  # behind dangan's back: users are never deleted
if [ "$(tl_sql "$W/nousers.db" "SELECT count(*) FROM app_user")" = 0 ]; then
    check_exit "without users: --operator decides" 0 "$DANGAN" --db "$W/nousers.db" review undo "$ITEM2" --operator carol
    check "  ... recorded as carol" [ "$(tl_sql "$W/nousers.db" "SELECT operator FROM review_decision WHERE item_id = $ITEM2 ORDER BY id DESC LIMIT 1")" = carol ]
else
    fail "could not empty app_user for the no-users case"
fi
check_exit "audit verify after it all" 0 "$DANGAN" audit verify
check_exit "serve --help" 0 "$DANGAN" serve --help
check_exit "serve with a bad --listen" 2 "$DANGAN" serve --listen nowhere:99999
check_exit "serve with a host name" 2 "$DANGAN" serve --listen example.com:8420
finish
