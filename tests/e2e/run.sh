#!/usr/bin/env bash
# run_e2e.sh - `dangan run` end to end on fixture scans: the summary line and
# the exit code (0 when the run worked, even with review items waiting; 1
# when files were quarantined).
# usage: run_e2e.sh DANGAN SAMPLES_DIR TEST_DATA_DIR WORKDIR
set -u
DANGAN=$1 SAMPLES=$2 DATA=$3 WORK=$4
. "$(dirname "$0")/../lib/testlib.sh"
fresh_dir "$WORK"

# Two clean scans (a registration card and a ledger page).
mkdir -p "$WORK/scans"
cp "$SAMPLES/s003_reg_clean.jpg" "$SAMPLES/s009_ledger_clean.jpg" "$WORK/scans/"
out=$("$DANGAN" --db "$WORK/a.db" run --jobs 2 "$WORK/scans"); rc=$?
check_eq "clean run: exit 0 (review items are not a failure)" "$rc" 0
check_contains "clean run: summary" "$out" "run: 2 pages, "
check_contains "clean run: nothing quarantined" "$out" "items waiting for review, 0 files quarantined"
loaded=$(printf '%s' "$out" | sed -n 's/.* pages, \([0-9]*\) records loaded.*/\1/p')
check "clean run: records loaded or waiting" [ -n "$loaded" ]

# Re-running is a no-op: nothing new loaded.
out=$("$DANGAN" --db "$WORK/a.db" run "$WORK/scans"); rc=$?
check_eq "re-run: exit 0" "$rc" 0
check_contains "re-run: nothing new" "$out" "run: 2 pages, 0 records loaded"

# A truncated scan is set aside: the run finishes and exits 1.
mkdir -p "$WORK/bad"
cp "$SAMPLES/s003_reg_clean.jpg" "$WORK/bad/"
head -c 2000 "$SAMPLES/s008_reg_clean.jpg" > "$WORK/bad/truncated.jpg"
out=$("$DANGAN" --db "$WORK/b.db" run "$WORK/bad"); rc=$?
check_eq "quarantine: exit 1" "$rc" 1
check_contains "quarantine: summary" "$out" "1 files quarantined"
finish
