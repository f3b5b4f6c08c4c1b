#!/usr/bin/env bash
# A one-node SLURM cluster on this machine for tests/test_slurm.py (Debian's slurmctld, slurmd, munge).
# Usage: cluster.sh start DIR | cluster.sh stop DIR. Accounting is off; the node has a fake GPU.
# The config goes to /etc/slurm (the job-step executor drops SLURM_CONF inside jobs, as a real
# cluster's nodes read it from there); a slurm.conf this script did not write is never touched.
set -euo pipefail
cmd=$1 dir=$(realpath -m "$2")
conf=/etc/slurm/slurm.conf marker="# written by nagarajan-repro tests/slurm/cluster.sh"
host=$(hostname -s)
case "$cmd" in
start)
  if [ -e $conf ] && ! grep -qF "$marker" $conf; then
    echo "$conf exists and is not ours: not starting a test cluster on this machine" >&2; exit 3
  fi
  mkdir -p "$dir"/{state,spool} /etc/slurm
  cpus=$(nproc); mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
  cat > $conf <<CONF
$marker
ClusterName=repro
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=86400
GresTypes=gpu
NodeName=$host CPUs=$cpus RealMemory=$mem Gres=gpu:1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  echo "NodeName=$host Name=gpu File=/dev/null" > /etc/slurm/gres.conf
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    [ -s /etc/munge/munge.key ] || (command -v mungekey >/dev/null && mungekey --create --force) \
      || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
    chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
    chmod 0400 /etc/munge/munge.key
    (runuser -u munge -- munged) || munged --force
  fi
  slurmctld
  slurmd
  for _ in $(seq 60); do
    if sinfo -h -o %t 2>/dev/null | grep -qx idle; then exit 0; fi
    sleep 1
  done
  echo "SLURM node did not become idle" >&2; sinfo >&2 || true; tail -20 "$dir"/slurm*.log >&2; exit 1
  ;;
stop)
  for d in slurmd slurmctld; do
    [ -f "$dir/$d.pid" ] && kill "$(cat "$dir/$d.pid")" 2>/dev/null || true
  done
  sleep 1
  if [ -e $conf ] && grep -qF "$marker" $conf; then rm -f $conf /etc/slurm/gres.conf; fi
  ;;
esac
