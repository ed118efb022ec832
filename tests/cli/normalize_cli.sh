#!/usr/bin/env bash
# normalize_cli.sh - the normalize stage through the real `dangan` binary: catalog
# import (idempotent, extra edition as data), catalog list, match --json
# output shape, normalize on a fixture database, and export records after it.
# usage: normalize_cli.sh DANGAN TEST_BINARY CONFIG_DIR DATA_DIR WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 FIXTURE=$2 CONFIGS=$3 DATA=$4 TMP=$5
fresh_dir "$TMP"
DB=$TMP/a.db
dg() { "$DANGAN" --db "$DB" "$@"; }

# catalog import: first time imports, second time skips
check_exit "catalog import" 0 dg catalog import --json
check_contains "first import" "$TL_OUT" '"editions_imported":3'
check_exit "catalog import again" 0 dg catalog import --json
check_contains "second import" "$TL_OUT" '"editions_imported":0,"editions_unchanged":3'
check_exit "catalog list" 0 dg catalog list --json
check_contains "list" "$TL_OUT" '"edition":"2022"'
check_contains "list target" "$TL_OUT" '"target":true'
check_exit "catalog list --edition" 0 dg catalog list --edition 1997
check_contains "list 1997" "$TL_OUT" '081202'
check_exit "unknown edition" 5 dg catalog list --edition 1890

# match --json: 计算机软件 (a 1980s name, curated to 1997 081202, which split
# in 2011) -> review with both 0812 and 0835, with or without the year
for y in "" "--year 1988"; do
    check_exit "match $y" 0 dg match --json $y 计算机软件
    check_contains "match review shape" "$TL_OUT" '{"decision":"review","candidates":[{"code":"0812"'
    check_contains "match $y 计算机软件 has 0835" "$TL_OUT" '"code":"0835"'
    check_contains "match evidence is an array" "$TL_OUT" '"evidence":["'
done
# an ambiguous name -> review with several candidates
check_exit "match" 0 dg match --json 机械制造
out=$TL_OUT
check_contains "match review shape" "$out" '{"decision":"review","candidates":[{"code":"'
n=$(printf '%s' "$out" | grep -o '"code":' | wc -l)
check "several candidates (got $n): $out" [ "$n" -ge 2 ]
for k in '"name":' '"score":' '"edition":' '"path":' '"evidence":'; do
    check_contains "match json has $k" "$out" "$k"
done
# an exact 1997 name with its code in a 1998 record -> auto
check_exit "match" 0 dg match --json --year 1998 --code 081203 计算机应用技术
check_contains "match auto" "$TL_OUT" '{"decision":"auto","candidates":[{"code":"0812"'
# ... unless its 1997 code split later (081202 -> 0812 or 0835 软件工程): review
check_exit "match" 0 dg match --json --year 1998 --code 081202 计算机软件与理论
check_contains "match split" "$TL_OUT" '{"decision":"review","candidates":[{"code":"0812"'
check_contains "match split has 0835" "$TL_OUT" '"code":"0835"'
check_exit "match without text" 2 dg match

# an extra edition is files + manifest lines, no code change
cp -r "$CONFIGS/disciplines" "$TMP/cat"
cp "$DATA/edition-1990/catalog-1990.csv" "$DATA/edition-1990/crosswalk-1990-2022.csv" "$TMP/cat/"
cat "$DATA/edition-1990/editions.append" >>"$TMP/cat/editions.tsv"
check_exit "import 1990" 0 dg catalog import "$TMP/cat" --json
check_contains "import 1990" "$TL_OUT" '"editions_imported":1,"editions_unchanged":3'
check_exit "match 1990" 0 dg match --catalog "$TMP/cat" --year 1992 --json 电子计算机应用
check_contains "match via 1990" "$TL_OUT" '"edition":"1990"'

# normalize on a fixture database (records as extraction leaves them)
DB=$TMP/f.db
need "fixture database built" "$FIXTURE" --fixture "$DB"
check_exit "normalize" 0 dg normalize --json
check_contains "normalize" "$TL_OUT" '"records":3'
check_contains "normalize auto-import" "$TL_OUT" '"catalog_imported":true'
check_exit "normalize again" 0 dg normalize --json
check_contains "normalize again" "$TL_OUT" '"records":0'
check_exit "normalize --redo" 0 dg normalize --redo --json
check_contains "normalize --redo" "$TL_OUT" '"records":3'
# export records (extraction's command) shows the normalized value and state
check_exit "export records" 0 dg export records
check_contains "export records has the normalized name" "$TL_OUT" '张三'
check_contains "export records has field states" "$TL_OUT" 'review'
finish
