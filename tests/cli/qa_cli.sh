#!/usr/bin/env bash
# qa_cli.sh - the acceptance check end to end: `dangan run` on the bundled
# samples, `qa sample --rate 0.2 --seed 1` (the count, the same draw again
# on a copy of the workspace), settling 20 samples with `review accept` and
# one `review correct`, `qa report` (numbers, Wilson interval, the flagged
# exit 1), `status` naming the batch, two draws at once, the target from
# qa.conf and usage errors.
# usage: qa_cli.sh DANGAN SAMPLES CONFIGS WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 CONFIGS=$3 W=$4
fresh_dir "$W"
export DANGAN_CONFIG_DIR=$CONFIGS
D() { "$DANGAN" --db "$W/a.db" "$@"; }
Q() { tl_sql "$W/a.db" "$1"; }

D -q run "$SAMPLES"
need "run samples (exit $?)" [ $? -le 1 ]

# usage
check_exit "qa --help" 0 "$DANGAN" qa --help
check_contains "qa --help: usage" "$TL_OUT" "usage: dangan qa sample --rate R"
check_contains "qa sample --help documents --seed" "$("$DANGAN" qa sample --help)" "--seed S"
check_exit "qa without a sub-command" 2 D qa
check_exit "qa sample without --rate" 2 D qa sample
check_exit "qa sample --rate 0" 2 D qa sample --rate 0
check_contains "bad rate named" "$TL_ERR" "'0'"
check_exit "qa sample --rate 1.5" 2 D qa sample --rate 1.5
check_exit "qa sample --seed -1" 2 D qa sample --rate 0.2 --seed -1
check_exit "qa report --rate" 2 D qa report --rate 0.2
check_exit "qa sample unknown batch" 5 D qa sample --rate 0.2 --batch 99
check_contains "unknown batch named" "$TL_ERR" "batch 99"
check_exit "qa report before any draw" 0 D qa report --json
check_contains "not sampled yet" "$TL_OUT" '"verdict":"not_sampled"'

# the draw: ceil(0.2 x the auto-verified values), the same again from the seed
AUTO=$(Q "SELECT count(*) FROM field WHERE state = 'auto' AND coalesce(value, '') <> ''")
need "auto-verified values after the run ($AUTO)" [ "$AUTO" -gt 20 ]
WANT=$(( (AUTO * 2 + 9) / 10 ))
cp "$W/a.db" "$W/b.db"
check_exit "qa sample --rate 0.2 --seed 1" 0 D qa sample --rate 0.2 --seed 1 --json
check_contains "drawn ceil(0.2 x $AUTO)" "$TL_OUT" "\"seed\":1,\"rate\":0.2,"
check_eq "drawn count" "$(json_num drawn "$TL_OUT")" "$WANT"
check_eq "qa_sample rows" "$(Q "SELECT count(*) FROM qa_sample")" "$WANT"
check_exit "review list --reason qa" 0 D review list --reason qa --json
check_eq "one open review item per sample" "$(printf '%s' "$TL_OUT" | grep -c '"reason":"qa"')" "$WANT"
check_contains "item detail" "$TL_OUT" '"detail":"QA sample at rate 0.2"'
"$DANGAN" --db "$W/b.db" qa sample --rate 0.2 --seed 1 > /dev/null
IDS="SELECT group_concat(field_id) FROM (SELECT field_id FROM qa_sample ORDER BY field_id)"
check_eq "the same seed draws the same values" "$(tl_sql "$W/b.db" "$IDS")" "$(Q "$IDS")"

# settle 20: correct one name (the value was wrong), accept 19 (right)
FIX=$(Q "SELECT q.item_id FROM qa_sample q JOIN field f ON f.id = q.field_id
         WHERE f.key = 'name' ORDER BY q.id LIMIT 1")
need "a sampled name ($FIX)" [ -n "$FIX" ]
check_exit "review correct $FIX" 0 D review correct "$FIX" 王测试 --operator qa
n=0
for id in $(Q "SELECT item_id FROM qa_sample WHERE item_id <> $FIX ORDER BY id LIMIT 19"); do
    D review accept "$id" --operator qa > /dev/null && n=$((n + 1))
done
check_eq "19 samples accepted" "$n" 19
LOADED=$(Q "SELECT count(*) FROM qa_sample q JOIN provenance p ON p.field_id = q.field_id
            WHERE q.item_id = $FIX")

# the report: 1 wrong of 20 settled, Wilson (1, 20) = 0.008881 - 0.236131 > 0.005: flagged
check_exit "qa report: flagged exit 1" 1 D qa report --json
R=$TL_OUT
check_contains "report numbers" "$R" "\"batch\":1,\"auto_verified\":$AUTO,\"sampled\":$WANT,\"settled\":20,\"wrong\":1,\"error_rate\":0.050000,\"wilson\":[0.008881,0.236131],\"verdict\":\"above_target\""
# a correction of a loaded record amends the archive: nothing wrong is left there
check_contains "report: no wrong value left in the archive" "$R" '"archived_wrong":0}'
check_eq "the correction of a loaded record is an amendment" \
    "$(Q "SELECT count(*) FROM amendment a JOIN review_decision d ON d.id = a.decision_id
          WHERE d.item_id = $FIX")" "$LOADED"
check_contains "report: target" "$R" '"target_error":0.005,'
check_exit "qa report text" 1 D qa report
check_contains "text: flagged row" "$TL_OUT" "above target (FLAGGED)"
check_contains "text: open samples" "$TL_OUT" "$((WANT - 20)) samples not settled yet"
check_exit "status" 0 D status
check_contains "status names the flagged batch" "$TL_OUT" "QA:           batch 1 above target: 1 wrong of 20 settled, 5.0%"
check_exit "status --json" 0 D status --json
check_contains "status --json: qa object" "$TL_OUT" '"qa":{"target_error":0.005,"confidence":0.95,"flagged":1,'

# two draws at once never take the same value twice
D qa sample --rate 0.1 --seed 2 > "$W/d1" 2>&1 & p1=$!
D qa sample --rate 0.1 --seed 3 > "$W/d2" 2>&1 & p2=$!
wait $p1; e1=$?
wait $p2; e2=$?
check_eq "both draws done" "$e1 $e2" "0 0" || cat "$W/d1" "$W/d2" >&2
check_eq "no value sampled twice" "$(Q "SELECT count(*) - count(DISTINCT field_id) FROM qa_sample")" 0
check_eq "each sample has its own item" \
    "$(Q "SELECT count(DISTINCT item_id) FROM qa_sample")" "$(Q "SELECT count(*) FROM qa_sample")"

# the target comes from qa.conf: at 10% the batch is no longer flagged
mkdir -p "$W/conf" && cp -r "$CONFIGS"/. "$W/conf/"
echo "target_error = 0.1" > "$W/conf/qa.conf"
DANGAN_CONFIG_DIR="$W/conf" check_exit "qa report at target 0.1" 0 D qa report --json
check_contains "not flagged at 0.1" "$TL_OUT" '"verdict":"too_few"'
echo "target_error = ten" > "$W/conf/qa.conf"
DANGAN_CONFIG_DIR="$W/conf" check_exit "bad qa.conf" 4 D qa report
check_contains "bad qa.conf named" "$TL_ERR" "qa.conf' line 1"
finish
