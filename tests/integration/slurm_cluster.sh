# A private single-machine Slurm cluster for the tests: sourced, not run.
# slurm_cluster_start DIR starts munged, slurmctld and slurmd with their own
# key, socket, ports, state, spool and logs under DIR (which must exist) and
# exports SLURM_CONF; slurm_cluster_stop kills them. Two copies of a test can
# run side by side: nothing is shared but the programs. Needs root (SlurmUser
# root, as on a CI machine without an init system) and Debian's slurmctld,
# slurmd, slurm-client and munge.

# slurm_cluster_missing: why a cluster cannot be started here ("" when it can)
slurm_cluster_missing() {
    local p
    for p in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel python3; do
        command -v "$p" >/dev/null || PATH=$PATH:/usr/sbin command -v "$p" >/dev/null ||
            { echo "$p not installed (scripts/deps.sh installs it)"; return; }
    done
    [ "$(id -u)" -eq 0 ] || echo "a private Slurm cluster needs root (SlurmUser=root)"
}

# Two free TCP ports of the loopback, as "A B".
slurm_free_ports() {
    python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])'
}

slurm_cluster_pids=()

slurm_cluster_start() {
    local dir=$1 ports ctl_port node_port host cpus i
    PATH=$PATH:/usr/sbin
    mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
    chmod 700 "$dir/munge"
    mungekey --create --keyfile="$dir/munge/munge.key" --force >/dev/null 2>&1 ||
        dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
    munged --foreground --force --socket="$dir/munge/socket" --key-file="$dir/munge/munge.key" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
        --seed-file="$dir/munge/seed" >/dev/null 2>&1 &
    slurm_cluster_pids+=($!)
    ports=$(slurm_free_ports) || return 1
    ctl_port=${ports% *}
    node_port=${ports#* }
    host=$(hostname -s)
    cpus=$(nproc)
    cat >"$dir/slurm.conf" <<CONF
ClusterName=ft$$
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
KillWait=5
EnforcePartLimits=ALL
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$dir/slurm.conf
    for i in $(seq 100); do [ -S "$dir/munge/socket" ] && break; sleep 0.05; done
    slurmctld -D -i -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1 &
    slurm_cluster_pids+=($!)
    slurmd -D -f "$SLURM_CONF" -N "$host" >"$dir/log/slurmd.out" 2>&1 &
    slurm_cluster_pids+=($!)
    # Ready when the node is idle.
    for i in $(seq 150); do
        sinfo -h -o %t 2>/dev/null | grep -qx idle && return 0
        sleep 0.2
    done
    echo "the private Slurm cluster did not start; its logs:"
    tail -n 5 "$dir"/log/* | sed 's/^/  /'
    return 1
}

# The processes of this cluster that outlive its daemons: a job step whose
# slurmd went away (slurmstepd keeps trying to report), and its tasks. Each
# has this cluster's SLURM_CONF in its environment, which no other has.
slurm_cluster_strays() {
    local e
    for e in /proc/[0-9]*/environ; do
        tr '\0' '\n' 2>/dev/null <"$e" | grep -qxF "SLURM_CONF=$SLURM_CONF" || continue
        e=${e#/proc/}
        [ "${e%/environ}" != $$ ] && [ "${e%/environ}" != "$BASHPID" ] && echo "${e%/environ}"
    done
}

slurm_cluster_stop() {
    local p i
    [ ${#slurm_cluster_pids[@]} -eq 0 ] && return 0
    # The jobs first, while slurmd can still end their steps.
    scancel --full --user="$(id -un)" 2>/dev/null
    for i in $(seq 50); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.2; done
    # slurmd first (it ends the jobs' steps), then the controller, then munged.
    for ((i = ${#slurm_cluster_pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${slurm_cluster_pids[$i]}" 2>/dev/null
    done
    for p in "${slurm_cluster_pids[@]}"; do
        for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    slurm_cluster_pids=()
    for p in $(slurm_cluster_strays); do kill -KILL "$p" 2>/dev/null; done
}
