#!/usr/bin/env bash
# bench/shard/archive10m.sh - the archive side at national scale (issue #24):
# builds a synthetic archive of BIG records (default 10,000,000) and one of
# SMALL (1,000,000) with `lookup_bench --fast` (keys once a distinct name,
# indexes built after the rows), then times lookups on both in interleaved
# rounds, so the ratio p95(BIG) / p95(SMALL) holds on a machine whose load
# changes from minute to minute.  Prints each build's load line and the
# "all" row of every round, its CPU percentiles a lookup (the thread's CPU
# time, what the archive decides on shared cores) and the round's CPU time.
# usage: bench/shard/archive10m.sh LOOKUP_BENCH [WORKDIR]  (BIG= SMALL= ROUNDS=2 QUERIES=1000)
set -eu
LB=$(realpath "$1") WORK=${2:-/tmp/dangan-archive10m}
BIG=${BIG:-10000000} SMALL=${SMALL:-1000000} ROUNDS=${ROUNDS:-2} QUERIES=${QUERIES:-1000}
mkdir -p "$WORK"
for n in "$SMALL" "$BIG"; do
    if [ ! -s "$WORK/archive-$n.db" ]; then
        "$LB" --n "$n" --queries 10 --fast --db "$WORK/archive-$n.db" 2> /dev/null | grep '^load'
    fi
    ls -lL "$WORK/archive-$n.db" | awk -v n="$n" '{print n " records:", $5, "bytes"}'
done
for r in $(seq "$ROUNDS"); do
    for n in "$SMALL" "$BIG"; do
        printf 'round %s, %s records: ' "$r" "$n"
        # CPU time too: wall latencies on shared cores are mostly waiting for a core
        /usr/bin/time -f '%U %S' -o "$WORK/cpu" \
            "$LB" --reuse --n "$n" --queries "$QUERIES" --db "$WORK/archive-$n.db" 2> /dev/null | grep -E 'all|cpu ms'
        awk -v q="$QUERIES" '{printf "  CPU %.1f s user+sys: %.2f ms a lookup (mean, opening included)\n", $1 + $2, ($1 + $2) * 1000 / q}' "$WORK/cpu"
    done
done
