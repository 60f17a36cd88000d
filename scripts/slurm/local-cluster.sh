#!/usr/bin/env bash
# A one-node Slurm cluster on this machine for as long as a command runs:
#
#   bash scripts/slurm/local-cluster.sh COMMAND [ARGS…]
#
# Installs Debian's slurm-wlm and munge when missing (apt-get, as root or through sudo), writes
# a minimal slurm.conf for this host (its CPUs and memory as `slurmd -C` reports them;
# proctrack/linuxproc and task/none, so no cgroups are needed), starts a private munged,
# slurmctld and slurmd, waits until the node is idle, runs COMMAND with SLURM_CONF pointing at
# that configuration (sbatch, squeue, scancel… then talk to this cluster), and on exit stops
# exactly the daemons it started, by their pids. Everything lives in one temporary folder
# (kept, with the daemons' logs, when COMMAND fails; its path is printed); the ports are
# 6817/6818 unless AOCBENCH_SLURM_PORTS=CTLD,SLURMD says otherwise.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 COMMAND [ARGS…]" >&2; exit 2; }

say() { echo "local-cluster: $*" >&2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge from Debian's packages"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

state=$(mktemp -d /tmp/aocbench-slurm.XXXXXX)
# munged wants every folder above its socket searchable by all (and writable by none but us).
chmod 755 "$state"
mkdir -p -m 755 "$state/spool" "$state/ctld" "$state/munge"
host=$(hostname -s)
IFS=, read -r ctld_port slurmd_port <<<"${AOCBENCH_SLURM_PORTS:-6817,6818}"

# This host as slurmd sees it: CPUs, sockets, cores, threads and memory.
node=$(slurmd -C | head -n 1)
user=$(id -un)
cat >"$state/slurm.conf" <<EOF
ClusterName=aocbench
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$state/munge/socket
CryptoType=crypto/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SchedulerType=sched/backfill
MinJobAge=600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
export SLURM_CONF=$state/slurm.conf

# A private munge key and socket, so a munged already on the machine is left alone.
dd if=/dev/urandom of="$state/munge/key" bs=1024 count=1 status=none
chmod 600 "$state/munge/key"

pids=()
stop_daemons() {
    local status=$?
    # Newest first: slurmd, slurmctld, then munged, which the other two need to shut down.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    if [[ $status -eq 0 ]]; then
        rm -rf "$state"
    else
        say "kept $state (slurm.conf and the daemons' logs)"
    fi
    exit "$status"
}
trap stop_daemons EXIT

munged --foreground --key-file="$state/munge/key" --socket="$state/munge/socket" \
    --pid-file="$state/munge/munged.pid" --log-file="$state/munge/munged.log" \
    --seed-file="$state/munge/seed" >"$state/munge/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S $state/munge/socket ]] && break; sleep 0.1; done
[[ -S $state/munge/socket ]] || { say "munged did not start:"; cat "$state/munge/munged.out" >&2; exit 1; }

slurmctld -D -f "$SLURM_CONF" >"$state/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$state/slurmd.out" 2>&1 &
pids+=($!)

# The node reports in as idle within seconds; a minute means something is wrong.
for _ in $(seq 120); do
    node_state=$(sinfo -h -N -n "$host" -o %t 2>/dev/null || true)
    [[ $node_state == idle ]] && break
    sleep 0.5
done
if [[ ${node_state:-} != idle ]]; then
    say "node $host is not idle after 60 s (state: ${node_state:-unknown}); slurmctld.log and slurmd.log:"
    tail -n 30 "$state/slurmctld.log" "$state/slurmd.log" >&2 || true
    exit 1
fi
say "node $host idle ($(sinfo -h -N -n "$host" -o '%c CPUs, %m MB')); SLURM_CONF=$SLURM_CONF"

"$@"
