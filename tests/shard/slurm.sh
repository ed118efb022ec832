#!/usr/bin/env bash
# slurm.sh - contrib/slurm on a one-node Slurm cluster this test starts and
# stops itself (munged, slurmctld, slurmd under a temp dir, ports of its own):
# two scans planned in 2 shards, submitted as an array job plus a merge job
# that depends on it (submit.sh --local: shard databases staged on the node's
# disk and published when done); the merge job's archive holds both files,
# passes `audit verify`, and resubmitting the merge adds nothing.
# Skips (77) when slurm-wlm or munge is not installed.
# usage: slurm.sh DANGAN SAMPLES_DIR SOURCE_DIR WORKDIR
set -u
DANGAN=$1 SAMPLES=$2 SRC=$3 WORK=$4
. "$SRC/tests/lib/testlib.sh"
for c in munged slurmctld slurmd sbatch squeue sqlite3; do
    command -v $c > /dev/null || { echo "$c not installed (Debian: slurm-wlm, munge): skipped"; exit 77; }
done
[ -r /etc/munge/munge.key ] || { echo "no /etc/munge/munge.key: skipped"; exit 77; }
fresh_dir "$WORK"
cd "$WORK" || exit 1
C=$WORK/cluster
mkdir -p "$C/state" "$C/spool" "$C/munge" scans out
chown munge: "$C/munge" 2> /dev/null || chmod 777 "$C/munge"
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; wait 2> /dev/null; }
trap stop EXIT

setpriv --reuid munge --regid munge --init-groups munged -F --socket="$C/munge/sock" \
    --pid-file="$C/munge/pid" --log-file="$C/munge/log" --seed-file="$C/munge/seed" &
pids+=($!)
port=$((20000 + RANDOM % 20000))
mem=$(free -m | awk '/^Mem:/ {print int($7 / 2)}')
cat > "$C/slurm.conf" <<CONF
ClusterName=dangantest
SlurmctldHost=$(hostname)
SlurmUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$C/munge/sock
CredType=cred/munge
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/slurmctld.log
SlurmdLogFile=$C/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$(hostname) CPUs=2 RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$C/slurm.conf
sleep 0.5
slurmctld -D -i > "$C/ctld.out" 2>&1 &
pids+=($!)
slurmd -D > "$C/d.out" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
    sinfo -h -o %t 2> /dev/null | grep -q idle && break
    sleep 0.5
done
need "the node is up" sh -c "sinfo -h -o %t | grep -q idle"

# s002 and s003 land in different shards of 2 (their SHA-256s end their first 64 bits even, odd)
cp "$SAMPLES/s002_reg_moderate.jpg" "$SAMPLES/s003_reg_clean.jpg" scans/
# --local: each task's shard database on "its node's disk" while it runs
check_exit "submit" 0 "$SRC/contrib/slurm/submit.sh" --dangan "$DANGAN" --local "$WORK/node-local" \
    --shards 2 out "$WORK/archive.db" scans
check_contains "submit: two jobs" "$TL_OUT" "merge "
for _ in $(seq 600); do # the array and the merge: OCR of two pages
    [ -z "$(squeue -h 2> /dev/null)" ] && break
    sleep 1
done
check_eq "all jobs done" "$(squeue -h | wc -l)" 0
check_contains "merge job: audit verify intact" "$(cat out/dangan-merge-*.out)" "intact"
check_eq "archive: both files" "$(tl_sql archive.db 'SELECT count(*) FROM file')" 2
check_eq "archive: every shard merged" "$(tl_sql archive.db "SELECT count(*) FROM audit_event WHERE kind = 'merge'")" 2
check_eq "archive: the shards' study records" "$(tl_sql archive.db 'SELECT count(*) FROM study_record')" \
    "$(( $(tl_sql out/shard-1.db 'SELECT count(*) FROM study_record') + $(tl_sql out/shard-2.db 'SELECT count(*) FROM study_record') ))"
check_eq "staged: both shard databases published" "$(ls out/shard-1.db out/shard-2.db | wc -l)" 2
check_eq "staged: nothing left on the node, no partial file" \
    "$(ls -A node-local out | grep -c -e '^dangan-shard-.*\.db' -e '\.part$')" 0
check_exit "merge job again: nothing added" 0 bash "$SRC/contrib/slurm/dangan-merge.sbatch" out/plan.tsv out archive.db "$DANGAN"
check_eq "merge again: still two merges" "$(tl_sql archive.db "SELECT count(*) FROM audit_event WHERE kind = 'merge'")" 2
files1=$(tl_sql out/shard-1.db 'SELECT count(*) FROM file')
ocr1=$(tl_sql out/shard-1.db 'SELECT group_concat(page_id || ":" || run_id) FROM ocr_page')
check_exit "staged task again resumes from the published copy" 0 env SLURM_ARRAY_TASK_ID=1 \
    DANGAN_LOCAL="$WORK/node-local" bash "$SRC/contrib/slurm/dangan-array.sbatch" out/plan.tsv out "$DANGAN"
check_eq "resumed: the same files, nothing done twice" "$(tl_sql out/shard-1.db 'SELECT count(*) FROM file')" "$files1"
check_eq "resumed: no page read again" \
    "$(tl_sql out/shard-1.db 'SELECT group_concat(page_id || ":" || run_id) FROM ocr_page')" "$ocr1"
finish
