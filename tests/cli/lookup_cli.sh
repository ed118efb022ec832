#!/usr/bin/env bash
# lookup_cli.sh - `dangan lookup`, `dangan log` and `dangan export archive`
# on the fixture archive of test_lookup.c (see the list of persons there).
# usage: lookup_cli.sh DANGAN TEST_LOOKUP WORKDIR
set -u
DANGAN=$1 FIXTURE=$2 WORK=$3
. "$(dirname "$0")/../lib/testlib.sh"
fresh_dir "$WORK"
DB=$WORK/archive.db
need "fixture archive built" "$FIXTURE" fixture "$DB"
dg() { "$DANGAN" --db "$DB" "$@"; }

out=$(dg lookup --json --operator alice 陳建國); rc=$?
check_eq "lookup traditional: exit" "$rc" 0
check_contains "lookup traditional: first result" "$out" '{"results":[{"record":1,"score":100,"why":["exact simplified name (query 陳建國)"]'
check_contains "lookup traditional: fields" "$out" '"fields":{"name":"陳建國","sex":"男","birth_date":"1958-03"'

out=$(dg lookup --name "Zhang San")
check_contains "lookup pinyin text" "$out" "张三"
check_contains "lookup pinyin why" "$out" "why: pinyin 'zhangsan'"

out=$(dg lookup --name 陈建国 --born 1958-03 --graduated 1985 --json)
check_eq "born+graduated: one result" "$(printf '%s' "$out" | grep -o '"record":' | wc -l)" 1
check_contains "born+graduated: why" "$out" '"why":["exact simplified name","born 1958-03","graduated 1985-07"]'

out=$(dg lookup 李己华)
check_contains "misread: look-alike" "$out" "look-alike (己/已)"

out=$(dg lookup 王五); rc=$?
check_eq "no match: exit 0" "$rc" 0
check_contains "no match: message" "$out" "no archived record matches"

dg lookup --born 58 >/dev/null 2>&1; rc=$?
check_eq "bad --born: usage exit" "$rc" 2
dg lookup >/dev/null 2>&1; rc=$?
check_eq "no criterion: usage exit" "$rc" 2

out=$(dg export archive --format jsonl --operator bob); rc=$?
check_eq "export archive: exit" "$rc" 0
check_eq "export archive: one line per study record" "$(printf '%s\n' "$out" | wc -l)" 10
check_contains "export archive: source" "$(printf '%s\n' "$out" | head -n1)" '{"record":1,"file":"box1/p001.tif","page":2,"row":3,"fields":{"name":"陳建國"'
check_contains "export archive: all keys" "$(printf '%s\n' "$out" | head -n1)" '"current_code":"0812","current_name":"计算机科学与技术"}}'

log=$(dg log --json)
check_eq "log: one entry per lookup and export" "$(printf '%s' "$log" | grep -o '"action":' | wc -l)" 6
check_contains "log: operator" "$log" '"who":"alice","action":"lookup","query":{"name":"陳建國"'
check_contains "log: shown ids" "$log" '"shown":[1,2]'
check_contains "log: export" "$log" '"who":"bob","action":"export"'
check_contains "log: OS user by default" "$log" "\"who\":\"$(id -un)\""
txt=$(dg log --limit 1)
check_eq "log --limit" "$(printf '%s\n' "$txt" | wc -l)" 1

if command -v sqlite3 >/dev/null; then
    tl_sql "$DB" "DELETE FROM access_log" 2>/dev/null
    check_eq "log is append-only (delete)" "$(tl_sql "$DB" 'SELECT count(*) FROM access_log')" 6
    tl_sql "$DB" "UPDATE access_log SET who = 'mallory'" 2>/dev/null
    check_eq "log is append-only (update)" "$(tl_sql "$DB" "SELECT count(*) FROM access_log WHERE who = 'mallory'")" 0
fi

out=$(dg run --help); rc=$?
check_eq "run --help: exit" "$rc" 0
check_contains "run --help: exit codes" "$out" "also when items wait for review"
# #23: says plainly when the name asked is not archived; batch requests
out=$(dg lookup 赵三强)
check_contains "nearest: said plainly" "$out" "no archived 赵三强; nearest:"
check_contains "nearest: the neighbour" "$out" "赵二强"
out=$(dg lookup 张三)
case "$out" in *"no archived"*) fail "an exact name is not 'no archived'";; esac
out=$(dg lookup "Xiaofan Duanmu")
check_contains "pinyin in Western order" "$out" "pinyin in another order ('xiaofan duanmu' as 端木晓泛)"
out=$(dg lookup 端木晓沄)
check_contains "a misread in the fourth character" "$out" "one character differs (沄/泛)"
printf '\xef\xbb\xbfname,born,graduated,major\r\n端木晓沄,,,\r\n"Xiaofan Duanmu",1955,,\r\n王五\r\n陈建国,58,,\r\n张三,,1986,力学\r\n' > "$WORK/requests.csv"
out=$(dg lookup --batch "$WORK/requests.csv"); rc=$?
check_eq "batch: a malformed request is exit 1" "$rc" 1
check_eq "batch: one block per request" "$(printf '%s\n' "$out" | grep -c '^== request')" 5
check_contains "batch: request 1" "$out" "== request 1 (line 2): 端木晓沄"
check_contains "batch: request 3 not found" "$out" "no archived record matches 王五"
check_contains "batch: request 4 error, others still run" "$out" "error: --born wants YYYY or YYYY-MM, not '58'"
check_contains "batch: criteria of request 5" "$out" "== request 5 (line 6): 张三 graduated 1986 major 力学"
out=$(dg lookup --batch "$WORK/requests.csv" --json)
check_eq "batch json: one line per request" "$(printf '%s\n' "$out" | wc -l)" 5
check_contains "batch json: request" "$out" '{"request":2,"line":3,"name":"Xiaofan Duanmu","results":[{"record":'
check_contains "batch json: exact" "$out" '"exact":false}'
check_exit "batch with a name too" 2 "$DANGAN" --db "$DB" lookup --batch "$WORK/requests.csv" 张三

finish
