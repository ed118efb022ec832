#!/usr/bin/env bash
# lookup_prior.sh - what lookup's name prior costs a process (issue #23):
# CPU seconds of one `dangan lookup` of a pinyin name in a new process when
# the prior must be made from the archive (the table lookup_prior emptied,
# as before migration 015: every process sampled up to 20,000 persons) and
# when it is read from the database (made by load, or by the first lookup
# that needed it).  A Han lookup, which needs no prior, is the reference in
# the same run: ratios, not milliseconds, on a shared machine.
# usage: lookup_prior.sh DANGAN DB [RUNS]   (DB is copied; the copy is removed)
set -eu
DANGAN=$1 SRC=$2 RUNS=${3:-5}
DB=$(mktemp /tmp/dg_prior_XXXXXX.db)
trap 'rm -f "$DB" "$DB-wal" "$DB-shm" "$DB".wall.*' EXIT
sqlite3 "$SRC" ".backup '$DB'"
TIMEFORMAT='%U %S %R'
# CPU seconds (user + system) of one lookup; its wall seconds are added to $DB.wall
cpu() {
    { time "$DANGAN" --db "$DB" lookup "$@" --operator bench > /dev/null 2>&1; } 2>&1 |
        awk -v f="$DB.wall.$1" '{print $1 + $2; print $3 >> f}'
}
sum_made=0 sum_read=0 sum_han=0
for i in $(seq "$RUNS"); do
    sqlite3 -cmd ".timeout 10000" "$DB" "DELETE FROM lookup_prior"
    made=$(cpu "Wang Wei")
    read=$(cpu "Wang Wei")
    han=$(cpu "王伟")
    sum_made=$(echo "$sum_made + $made" | bc -l) sum_read=$(echo "$sum_read + $read" | bc -l)
    sum_han=$(echo "$sum_han + $han" | bc -l)
done
persons=$(sqlite3 "$DB" "SELECT count(*) FROM person")
printf 'persons %s, %s runs, mean CPU s: pinyin, prior made %.3f; pinyin, prior read %.3f; Han (no prior) %.3f\n' \
    "$persons" "$RUNS" "$(echo "$sum_made / $RUNS" | bc -l)" "$(echo "$sum_read / $RUNS" | bc -l)" \
    "$(echo "$sum_han / $RUNS" | bc -l)"
wall() { awk -v k="$2" 'NR % 2 == k { s += $1; n++ } END { printf "%.3f", s / n }' "$DB.wall.$1"; }
printf 'mean wall s: pinyin, prior made %s; pinyin, prior read %s; Han %s\n' \
    "$(wall "Wang Wei" 1)" "$(wall "Wang Wei" 0)" "$(awk '{ s += $1 } END { printf "%.3f", s / NR }' "$DB.wall.王伟")"
printf 'ratio to the Han lookup: made %.2f, read %.2f\n' "$(echo "$sum_made / $sum_han" | bc -l)" \
    "$(echo "$sum_read / $sum_han" | bc -l)"
