#!/usr/bin/env bash
# A private one-node Slurm cluster for the slurm runner's tests: munged, slurmctld and slurmd
# on this machine, every file (config, key, sockets, state, logs, pids) inside one folder, on
# free loopback ports, so nothing in /etc or /run is touched and a system cluster is left alone.
#
#   cluster.sh start DIR   installs slurm-wlm and munge when missing (as root), starts the
#                          daemons, waits until the node is idle; prints SLURM_CONF=DIR/slurm.conf
#   cluster.sh stop DIR    ends the daemons by the pids in DIR
#
# Every failure says what went wrong and ends with a non-zero exit: the tests report it and fail.
set -euo pipefail

cmd=${1:-}; dir=${2:-}
die() { echo "slurm test cluster: $*" >&2; exit 1; }
[[ -n "$cmd" && -n "$dir" ]] || die "usage: cluster.sh start|stop DIR"

stop() {
  local f pid
  for f in slurmd.pid slurmctld.pid munged.pid; do
    [[ -f "$dir/$f" ]] || continue
    pid=$(cat "$dir/$f" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] && kill "$pid" 2>/dev/null || true
  done
  # Wait for them to go, then make sure.
  for _ in $(seq 50); do
    local alive=0
    for f in slurmd.pid slurmctld.pid munged.pid; do
      [[ -f "$dir/$f" ]] || continue
      pid=$(cat "$dir/$f" 2>/dev/null || true)
      [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && alive=1
    done
    [[ $alive == 0 ]] && return 0
    sleep 0.1
  done
  for f in slurmd.pid slurmctld.pid munged.pid; do
    [[ -f "$dir/$f" ]] || continue
    pid=$(cat "$dir/$f" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null || true
  done
}

if [[ "$cmd" == stop ]]; then stop; exit 0; fi
[[ "$cmd" == start ]] || die "unknown command '$cmd' (start or stop)"

# --- packages -----------------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null \
   || ! command -v sbatch >/dev/null; then
  [[ $(id -u) == 0 ]] || die "slurm-wlm and munge are not installed and this is not root; run: sudo apt-get install -y slurm-wlm munge (or scripts/install-deps.sh --tests)"
  echo "slurm test cluster: installing slurm-wlm and munge" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq slurm-wlm munge >&2 || die "apt-get install slurm-wlm munge failed"
fi
[[ $(id -u) == 0 ]] || die "slurmd must run as root to start jobs; run the slow tests as root"
PATH="$PATH:/usr/sbin:/sbin"

# --- files --------------------------------------------------------------------------------------
mkdir -p "$dir"/{state,spool,log}
dir=$(cd "$dir" && pwd)
name=$(hostname -s)
cpus=$(nproc)
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ctld_port=$(free_port); slurmd_port=$(free_port)
while [[ "$slurmd_port" == "$ctld_port" ]]; do slurmd_port=$(free_port); done

head -c 1024 /dev/urandom > "$dir/munge.key"
chmod 0600 "$dir/munge.key"
socket="$dir/munge.socket"

cat > "$dir/slurm.conf" <<CONF
ClusterName=autokaggle-test
SlurmctldHost=$name(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
KillWait=5
MinJobAge=300
SlurmdTimeout=60
NodeName=$name NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$name Default=YES MaxTime=INFINITE State=UP
CONF
# slurmd of 22.05 reads cgroup.conf even with task/none; an empty one keeps it quiet.
: > "$dir/cgroup.conf"
export SLURM_CONF="$dir/slurm.conf"

# --- daemons ------------------------------------------------------------------------------------
stop  # leftovers of an earlier run in the same folder
munged --force --socket="$socket" --key-file="$dir/munge.key" --pid-file="$dir/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munged.seed" 2>"$dir/log/munged.err" \
  || die "munged did not start: $(cat "$dir/log/munged.err" "$dir/log/munged.log" 2>/dev/null | tail -5)"
for _ in $(seq 50); do [[ -S "$socket" ]] && break; sleep 0.1; done
[[ -S "$socket" ]] || die "munged started but its socket $socket never appeared"

slurmctld -f "$SLURM_CONF" 2>"$dir/log/slurmctld.err" \
  || die "slurmctld did not start: $(tail -5 "$dir/log/slurmctld.err" "$dir/log/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" 2>"$dir/log/slurmd.err" \
  || die "slurmd did not start: $(tail -5 "$dir/log/slurmd.err" "$dir/log/slurmd.log" 2>/dev/null)"

state=""
for _ in $(seq 150); do
  state=$(sinfo -h -o %t 2>/dev/null | head -1 || true)
  [[ "$state" == idle ]] && break
  sleep 0.2
done
if [[ "$state" != idle ]]; then
  msg="the node did not become idle within 30 s (sinfo says '${state:-nothing}'); last log lines:
$(tail -5 "$dir/log/slurmctld.log" 2>/dev/null)
$(tail -5 "$dir/log/slurmd.log" 2>/dev/null)"
  stop
  die "$msg"
fi
echo "SLURM_CONF=$SLURM_CONF"
