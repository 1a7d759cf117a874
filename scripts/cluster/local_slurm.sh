#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, from Debian's packages, for testing the submitit
# launcher against a real scheduler (tests/cluster/, `pytest -m slurm`). Needs root.
#   scripts/cluster/local_slurm.sh start    # install if missing, write the config, start munged, slurmctld, slurmd
#   scripts/cluster/local_slurm.sh stop     # stop the three daemons
#   scripts/cluster/local_slurm.sh env      # print the SLURM_CONF line the client commands need
# Everything lives under $TB_SLURM_DIR (default /tmp/transferbench-slurm): config, state, logs.
set -euo pipefail
DIR=${TB_SLURM_DIR:-/tmp/transferbench-slurm}
CONF=$DIR/slurm.conf
NODE=$(hostname -s)

install_packages() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null && return
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge
}

write_config() {
  mkdir -p "$DIR/state" "$DIR/spool"
  local cpus memory
  cpus=$(nproc)
  memory=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
  cat > "$CONF" <<CONFIG
ClusterName=transferbench
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$NODE CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONFIG
}

start() {
  install_packages
  write_config
  install -d -o munge -g munge /run/munge
  pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
  /usr/sbin/slurmctld -f "$CONF"
  /usr/sbin/slurmd -f "$CONF"
  for _ in $(seq 30); do
    if SLURM_CONF=$CONF sinfo -h -o %T 2>/dev/null | grep -q idle; then
      echo "SLURM is up: export SLURM_CONF=$CONF"
      return
    fi
    sleep 1
  done
  echo "error: the node did not become idle in 30 s; see $DIR/slurmctld.log and $DIR/slurmd.log" >&2
  exit 1
}

stop() {
  for pidfile in "$DIR/slurmd.pid" "$DIR/slurmctld.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  pkill -x munged 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
