#!/usr/bin/env bash
# bench/shard/parallel.sh - the samples (6 scans, 7 pages) as one `dangan run
# --jobs 2` and as 4 shards under GNU parallel (4 processes, --jobs 1 each)
# plus the merge, interleaved ROUNDS times; prints each wall time and the
# median ratio sharded/single (target <= 1.10 on 2 cores, issue #24).
# usage: bench/shard/parallel.sh DANGAN [WORKDIR]    (ROUNDS=3 SHARDS=4)
set -eu
DANGAN=$(realpath "$1") WORK=${2:-/tmp/dangan-bench-parallel}
SAMPLES=$(cd "$(dirname "$0")/../../samples" && pwd)
ROUNDS=${ROUNDS:-3} SHARDS=${SHARDS:-4}
command -v parallel > /dev/null || { echo "GNU parallel not installed (Debian: parallel)"; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK/scans" && cd "$WORK"
cp "$SAMPLES"/*.jpg "$SAMPLES"/*.tif scans/
"$DANGAN" shard plan --shards "$SHARDS" scans > plan.tsv 2> /dev/null
now() { date +%s.%N; }
ratios=()
for r in $(seq "$ROUNDS"); do
    rm -f single.db* shard-*.db* merged.db*
    t0=$(now)
    "$DANGAN" --db single.db -q run --jobs 2 scans
    t1=$(now)
    seq "$SHARDS" | parallel -j"$SHARDS" "'$DANGAN' --db shard-{}.db -q run --jobs 1 --shard {}/$SHARDS --plan plan.tsv"
    "$DANGAN" -q merge --into merged.db shard-*.db
    t2=$(now)
    ratio=$(python3 -c "print('%.3f' % (($t2 - $t1) / ($t1 - $t0)))")
    ratios+=("$ratio")
    python3 -c "print('round $r: single --jobs 2 %.1f s; $SHARDS shards + merge %.1f s; ratio $ratio' % ($t1 - $t0, $t2 - $t1))"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {print "median ratio sharded/single: " v[int((NR + 1) / 2)]}'
