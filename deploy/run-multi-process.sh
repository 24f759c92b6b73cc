#!/usr/bin/env bash
# Run the CRM as several processes on one machine, over PostgreSQL and NATS JetStream:
#
#   crm serve    × 2   the HTTP API, one process per port in CRM_API_PORTS (default 8000 8001)
#   crm project  × 1   the projection runners: every read model, each held by an advisory lock
#   crm relay    × 1   the event log → JetStream stream CRM_EVENTS, at least once
#
# It is the single-machine picture of the multi-machine deployment (README, "Running several
# processes"): the API processes are stateless (put a load balancer in front of the ports),
# `crm project` and `crm relay` may run on other machines; PostgreSQL and NATS are the shared state.
#
# Usage:
#   CRM_DATABASE_URL=postgresql://crm:pw@db:5432/crm CRM_NATS_URL=nats://nats:4222 \
#       deploy/run-multi-process.sh
#
# Environment (besides every CRM_* variable, which all processes receive, see `crm --help`):
#   CRM_DATABASE_URL   required, postgresql://…     CRM_NATS_URL   required, nats://host:port
#   CRM_API_PORTS      ports of the API processes, one process each (default "$CRM_PORT $CRM_PORT+1",
#                      CRM_PORT defaulting to 8000); they listen on CRM_HOST (default 127.0.0.1)
#   CRM_BIN            the crm executable (default: `crm` on PATH, else ../.venv/bin/crm)
#   CRM_STOP_TIMEOUT   seconds the processes get to stop after SIGTERM before SIGKILL (default 20)
#
# Output: every line of a process is prefixed with its name (api-8000, api-8001, project, relay).
# Stopping: SIGINT (Ctrl-C), SIGTERM or SIGHUP is passed on to every process as SIGTERM (each stops
# gracefully on it); whatever still runs after CRM_STOP_TIMEOUT is killed. If any process exits on
# its own, the others are stopped too and the script exits non-zero, so a supervisor (systemd,
# a container runtime) restarts the whole set. Where util-linux `setpriv` is available, the
# processes also get SIGTERM if this script is killed outright (SIGKILL).
#
# Exit status: 0 after a stop signal, 2 for a configuration error, else that of the process that
# exited first (1 if it exited with 0). Needs bash 3.2 or later; nothing else.

set -u

me=run-multi-process
say() { printf '%s: %s\n' "$me" "$*" >&2; }

if [ -z "${CRM_DATABASE_URL:-}" ]; then
    say "set CRM_DATABASE_URL=postgresql://user:pw@host:5432/db (several processes need PostgreSQL)"
    exit 2
fi
if [ -z "${CRM_NATS_URL:-}" ]; then
    say "set CRM_NATS_URL=nats://host:4222 (the relay publishes there)"
    exit 2
fi
case "$CRM_DATABASE_URL" in
    postgresql://* | postgres://*) ;;
    *) say "CRM_DATABASE_URL must be postgresql://…: SQLite and memory:// serve one process only"; exit 2 ;;
esac

if [ -z "${CRM_BIN:-}" ]; then
    if command -v crm >/dev/null 2>&1; then
        CRM_BIN=crm
    else
        CRM_BIN="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/crm"
    fi
fi
if ! command -v "$CRM_BIN" >/dev/null 2>&1; then
    say "no crm executable at '$CRM_BIN' (set CRM_BIN, or run \`make install\`)"
    exit 2
fi
first_port=${CRM_PORT:-8000}
api_ports=${CRM_API_PORTS:-"$first_port $((first_port + 1))"}
stop_timeout=${CRM_STOP_TIMEOUT:-20}

# The children die with this script even if it is SIGKILLed (Linux, util-linux setpriv).
orphan_guard=()
if command -v setpriv >/dev/null 2>&1 && setpriv --help 2>&1 | grep -q -- --pdeathsig; then
    orphan_guard=(setpriv --pdeathsig TERM --)
fi

names=()
pids=()

label() {
    # Prefix each line with the process name; the last line may lack its newline.
    while IFS= read -r line || [ -n "$line" ]; do
        printf '%-8s| %s\n' "$1" "$line"
    done
}

start() {
    local name=$1
    shift
    # `exec` in the background subshell: $! is then the crm process itself, which gets the signals.
    (exec ${orphan_guard[@]+"${orphan_guard[@]}"} "$@") > >(label "$name") 2>&1 &
    names+=("$name")
    pids+=("$!")
    say "started $name (pid $!): $*"
}

stopping=0
stop_all() {
    [ "$stopping" = 1 ] && return
    stopping=1
    say "stopping ${names[*]}"
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    local deadline=$((SECONDS + stop_timeout))
    while [ "$SECONDS" -lt "$deadline" ] && any_alive; do sleep 0.2; done
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            say "pid $pid did not stop within ${stop_timeout}s: killing it"
            kill -KILL "$pid" 2>/dev/null
        fi
    done
    wait 2>/dev/null
}

any_alive() {
    local pid
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && return 0; done
    return 1
}

on_signal() {
    say "got SIG$1"
    stop_all
    exit 0
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

for port in $api_ports; do
    start "api-$port" env CRM_PORT="$port" "$CRM_BIN" serve
done
start project "$CRM_BIN" project
start relay "$CRM_BIN" relay
say "running; API on ${CRM_HOST:-127.0.0.1} ports $api_ports (Ctrl-C stops everything)"

# Watch the children; `sleep & wait` lets a signal's trap run at once instead of after the sleep.
while :; do
    for i in "${!pids[@]}"; do
        if ! kill -0 "${pids[$i]}" 2>/dev/null; then
            wait "${pids[$i]}"
            status=$?
            say "${names[$i]} exited with status $status; stopping the others"
            stop_all
            exit $((status == 0 ? 1 : status))
        fi
    done
    sleep 1 &
    wait $! 2>/dev/null
done
