#!/usr/bin/env bash
# bench/shard/merge.sh - merge throughput on synthetic shard databases:
# SHARDS shards of RECORDS records each (gen_shard.py on an ingest-only shard
# of one sample scan), merged with `dangan merge` into a fresh archive, then
# `dangan audit verify` on the result.  Prints records/s of the merge.
# usage: bench/shard/merge.sh DANGAN [WORKDIR]   (RECORDS=250000 SHARDS=4)
set -eu
DANGAN=$(realpath "$1") WORK=${2:-/tmp/dangan-bench-merge}
HERE=$(cd "$(dirname "$0")" && pwd) SAMPLES=$(cd "$(dirname "$0")/../../samples" && pwd)
RECORDS=${RECORDS:-250000} SHARDS=${SHARDS:-4}
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"
i=0
for f in "$SAMPLES"/*.jpg; do
    i=$((i + 1)); [ $i -le "$SHARDS" ] || break
    "$DANGAN" --db shard-$i.db -q ingest "$f"
    python3 "$HERE/gen_shard.py" shard-$i.db "$RECORDS" $i
done
t0=$(date +%s.%N)
/usr/bin/time -f "merge CPU: %U s user, %S s sys, %M KB max resident" -o merge.time \
    "$DANGAN" -q merge --into archive.db shard-*.db
t1=$(date +%s.%N)
cat merge.time
"$DANGAN" --db archive.db audit verify > verify.txt || { cat verify.txt; exit 1; }
t2=$(date +%s.%N)
total=$((RECORDS * SHARDS))
python3 - "$t0" "$t1" "$t2" "$total" "$SHARDS" <<'PY'
import sys
t0, t1, t2, n = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print("merge: %d records (%d shards) in %.1f s: %.0f records/s; audit verify %.1f s"
      % (n, int(sys.argv[5]), t1 - t0, n / (t1 - t0), t2 - t1))
PY
ls -l archive.db | awk '{print "archive.db:", $5, "bytes"}'
