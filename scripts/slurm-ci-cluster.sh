#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for CI and for trying the Slurm recipe of docs/scale-out.md:
# munged, slurmctld and slurmd run as plain processes (no systemd, no cgroups), configured and logged
# under one folder, and stopped by the PID files this script wrote — never by name.
#
# Usage: scripts/slurm-ci-cluster.sh start|stop|status
#   start   install the packages if missing (apt-get), write the configuration, start the daemons and
#           wait until the node is idle (at most SLURM_CI_TIMEOUT seconds, default 60). Refuses if this
#           folder's cluster is already running: a second slurmctld would kill the first.
#   stop    end the daemons started by `start` (checked against /proc/PID/exe), then remove the PID files.
#   status  print each daemon's state and the node's; exit 0 only if all three run.
# Then point the Slurm commands at the cluster: export SLURM_CONF="$SLURM_CI_DIR/etc/slurm.conf".
#
# Settings (environment): SLURM_CI_DIR (default: .build-slurm in the repository), SLURM_CI_CPUS (CPUs the
# node claims, default 16: with config_overrides it may claim more than it has, so that several array
# tasks run at once), SLURM_CI_MEMORY_MB (default 32000), SLURM_CI_PORT (slurmctld's port, default 16817;
# slurmd uses the next one). Needs root: slurmd starts the jobs as their owner.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${SLURM_CI_DIR:-$root/.build-slurm}
cpus=${SLURM_CI_CPUS:-16}
memory=${SLURM_CI_MEMORY_MB:-32000}
port=${SLURM_CI_PORT:-16817}
timeout=${SLURM_CI_TIMEOUT:-60}
node=podsmith-ci
conf="$dir/etc/slurm.conf"
daemons=(munged slurmctld slurmd)

fail() { echo "slurm-ci-cluster: $*" >&2; exit 1; }

# binary NAME: the real file behind /usr/sbin/NAME (slurmctld and slurmd are symlinks through
# /etc/alternatives; /proc/PID/exe names the resolved file).
binary() { readlink -f "/usr/sbin/$1"; }

# running NAME: the PID from our PID file if that process is alive and is NAME's binary, else nothing.
running() {
    local pidfile="$dir/run/$1.pid" pid exe
    [[ -s "$pidfile" ]] || return 1
    pid=$(< "$pidfile")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    exe=$(readlink -f "/proc/$pid/exe" 2>/dev/null) || return 1
    [[ "$exe" == "$(binary "$1")" ]] || return 1
    echo "$pid"
}

# alive NAME: whether the process `launch` started is still there (while starting, before it has
# called exec, /proc/PID/exe is still bash's: `running` would say no).
alive() { kill -0 "$(< "$dir/run/$1.pid")" 2>/dev/null; }

install_packages() {
    local missing=()
    for name in munged slurmctld slurmd; do [[ -x "/usr/sbin/$name" ]] || missing=(x); done
    command -v sbatch > /dev/null || missing=(x)
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $(id -u) -eq 0 ]] || fail "run as root to install slurmctld slurmd slurm-client munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        slurmctld slurmd slurm-client munge > /dev/null
}

write_configuration() {
    mkdir -p "$dir/etc" "$dir/run" "$dir/log" "$dir/state" "$dir/spool" "$dir/munge"
    chmod 755 "$dir/munge"   # clients of any user reach the socket; the key itself is 0400
    if [[ ! -s "$dir/munge/munge.key" ]]; then
        head -c 1024 /dev/urandom > "$dir/munge/munge.key"
        chmod 400 "$dir/munge/munge.key"
    fi
    cat > "$conf" <<EOF
# Written by scripts/slurm-ci-cluster.sh: one node, daemons as root, no cgroups, no accounting database.
ClusterName=podsmith-ci
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.own.pid
SlurmdPidFile=$dir/run/slurmd.own.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups here: track processes through /proc, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# No accounting database (sacct): exit codes from \`scontrol show job\` (kept for MinJobAge) and this file.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
MinJobAge=3600
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
# Start array tasks at once instead of ~3 s apart.
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Without a default, a job that asks for no memory takes all of it and tasks run one at a time.
DefMemPerCPU=1000
# The node may claim more CPUs than the machine has, so that several tasks run at once.
SlurmdParameters=config_overrides
NodeName=$node NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=ci Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

# launch NAME ARGS...: starts NAME in the foreground mode of its own, in the background, and records its PID.
launch() {
    local name=$1
    shift
    "$(binary "$name")" "$@" > "$dir/log/$name.stdout" 2>&1 &
    echo $! > "$dir/run/$name.pid"
}

node_state() { SLURM_CONF=$conf scontrol show node "$node" 2>/dev/null | sed -n 's/.*State=\([A-Z+_]*\).*/\1/p' | head -1; }

start() {
    for name in "${daemons[@]}"; do
        if pid=$(running "$name"); then fail "$name already runs from $dir (PID $pid); stop it first"; fi
    done
    [[ $(id -u) -eq 0 ]] || fail "run as root (slurmd starts jobs as their owner)"
    install_packages
    write_configuration
    launch munged --foreground --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/run/munged.own.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"
    local waited=0
    until [[ -S "$dir/munge/munge.socket" ]]; do
        alive munged || { tail -n 5 "$dir/log/munged.stdout" "$dir/log/munged.log" >&2 || true; fail "munged ended"; }
        sleep 0.2
        waited=$((waited + 1))
        ((waited < timeout * 5)) || fail "munged made no socket in ${timeout} s"
    done
    launch slurmctld -D -i -f "$conf"
    launch slurmd -D -f "$conf" -N "$node"
    local deadline=$((SECONDS + timeout)) state=""
    while ((SECONDS < deadline)); do
        state=$(node_state)
        [[ "$state" == IDLE* ]] && break
        for name in "${daemons[@]}"; do
            alive "$name" || {
                tail -n 5 "$dir/log/$name.stdout" "$dir/log/$name.log" >&2 2>/dev/null || true
                fail "$name ended while starting (logs in $dir/log)"
            }
        done
        sleep 0.5
    done
    [[ "$state" == IDLE* ]] || fail "node $node not idle after ${timeout} s (state '${state}'; logs in $dir/log)"
    echo "slurm-ci-cluster: node $node idle ($cpus CPUs, $memory MB); export SLURM_CONF=$conf"
}

stop() {
    local name pid
    # slurmd first (it ends the job steps it started), then the controller, then munged.
    for name in slurmd slurmctld munged; do
        if pid=$(running "$name"); then
            kill -TERM "$pid"
            for _ in $(seq 1 100); do
                running "$name" > /dev/null || break
                sleep 0.1
            done
            if running "$name" > /dev/null; then kill -KILL "$pid"; fi
            echo "slurm-ci-cluster: stopped $name (PID $pid)"
        fi
        rm -f "$dir/run/$name.pid"
    done
}

status() {
    local all=0 name pid
    for name in "${daemons[@]}"; do
        if pid=$(running "$name"); then echo "$name: running (PID $pid)"; else echo "$name: not running"; all=1; fi
    done
    if [[ $all -eq 0 ]]; then echo "node $node: $(node_state)"; fi
    return $all
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 64 ;;
esac
