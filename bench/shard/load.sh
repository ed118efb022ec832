#!/usr/bin/env bash
# bench/shard/load.sh - `dangan load` throughput (issue #24: >= 20,000
# records/s): a workspace of one ingested sample scan plus RECORDS
# normalized records (gen_normalized.py), loaded by `dangan load`; prints
# the load's CPU and wall time and records/s of each, then checks the
# archive with `dangan audit verify`.
# usage: bench/shard/load.sh DANGAN [WORKDIR]   (RECORDS=100000)
set -eu
DANGAN=$(realpath "$1") WORK=${2:-/tmp/dangan-bench-load}
HERE=$(cd "$(dirname "$0")" && pwd) SAMPLES=$(cd "$(dirname "$0")/../../samples" && pwd)
RECORDS=${RECORDS:-100000}
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"
f=$(ls "$SAMPLES"/*.jpg | head -1)
"$DANGAN" --db ws.db -q ingest "$f"
python3 "$HERE/gen_normalized.py" ws.db "$RECORDS" 1
t0=$(date +%s.%N)
/usr/bin/time -f "%U %S %M" -o load.time "$DANGAN" --db ws.db -q load > load.out || true
t1=$(date +%s.%N)
loaded=$(sqlite3 ws.db "SELECT count(*) FROM record WHERE state = 'loaded'")
read -r u s m < load.time
python3 - "$t0" "$t1" "$u" "$s" "$m" "$loaded" "$RECORDS" <<'PY'
import sys
t0, t1, u, s = (float(x) for x in sys.argv[1:5])
m, loaded, n = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
print("load: %d of %d records loaded; CPU %.1f s (%.1f user + %.1f sys): %.0f records/s of CPU; "
      "wall %.1f s: %.0f records/s; %d KB max resident"
      % (loaded, n, u + s, u, s, loaded / (u + s), t1 - t0, loaded / (t1 - t0), m))
PY
"$DANGAN" --db ws.db audit verify > verify.txt || { cat verify.txt; exit 1; }
echo "audit verify: intact"
