#!/usr/bin/env bash
# submit.sh - plan a batch, submit one array job of its shards and a merge job
# that waits for the whole array (afterok).  Prints the two job ids.
#   contrib/slurm/submit.sh [--dangan PATH] [--cpus C] [--local DIR] --shards N OUTDIR ARCHIVE.db DIR...
# OUTDIR (shard databases, plan.tsv, job logs) and the scans must be on a
# filesystem every node sees; see docs/scale.md.  --local DIR: each task keeps
# its shard database in DIR on its node's own disk while it runs and publishes
# it to OUTDIR at the end.  Extra sbatch options (partition, account, time) go
# in $SBATCH_OPTS, split on spaces.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DANGAN=dangan CPUS=1 N= LOCAL=
while [ $# -gt 0 ]; do
    case $1 in
    --dangan) DANGAN=$2; shift 2 ;;
    --cpus) CPUS=$2; shift 2 ;;
    --shards) N=$2; shift 2 ;;
    --local) LOCAL=$2; shift 2 ;;
    *) break ;;
    esac
done
[ -n "$N" ] && [ $# -ge 3 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
OUT=$1 ARCHIVE=$2; shift 2
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
"$DANGAN" shard plan --shards "$N" "$@" > "$OUT/plan.tsv"
# shellcheck disable=SC2086
array=$(DANGAN_LOCAL=$LOCAL sbatch --parsable ${SBATCH_OPTS:-} --export=ALL,DANGAN_LOCAL="$LOCAL" \
        --array=1-"$N" --cpus-per-task="$CPUS" --chdir="$PWD" \
        --output="$OUT/dangan-shard-%A_%a.out" \
        "$HERE/dangan-array.sbatch" "$OUT/plan.tsv" "$OUT" "$DANGAN")
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_OPTS:-} --dependency=afterok:"${array%%;*}" --chdir="$PWD" \
        --output="$OUT/dangan-merge-%j.out" \
        "$HERE/dangan-merge.sbatch" "$OUT/plan.tsv" "$OUT" "$ARCHIVE" "$DANGAN")
echo "array ${array%%;*} merge ${merge%%;*}"
