# Helpers bench-stun and bench-turn share, sourced by both after they cd to the repository root. Messages start
# with $BENCH_NAME; SERVER_PID and PORT are the caller's (the server under test and its STUN port). Their report
# programs, and the awk functions those share, are in Benchmarks/LoadGenerator/Reports/.

# Refuses to start if anything already listens on the ports (a stale server would be measured instead).
port_in_use() {
    [[ -n "$(ss -Hlnut "( sport = :$1 )")" ]]
}

# Exits if any of the ports $2... is in use; $1 names the options that pick others.
require_free_ports() {
    local options=$1 port
    shift
    for port in "$@"; do
        if port_in_use "$port"; then
            echo "$BENCH_NAME: port $port is in use; pick others with $options" >&2
            exit 1
        fi
    done
}

# Stops one process started here: SIGTERM, then SIGKILL after 5 s. Nothing for an empty or finished one.
stop_process() {
    local pid=$1
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# The machine, toolchain, coturn and load average, as the first line of a benchmark's output.
print_machine() {
    local cpu_model
    cpu_model=$(sed -n 's/^model name[[:space:]]*: //p; T; q' /proc/cpuinfo)
    echo "== machine: $(nproc) CPU(s) ($cpu_model), Linux $(uname -r), $(swift --version 2>/dev/null | head -1)," \
        "coturn $(turnserver --version 2>/dev/null | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Waits (up to 10 s) until $1, started as SERVER_PID, answers /healthz on 127.0.0.1:$2.
wait_for_healthz() {
    for _ in $(seq 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "$BENCH_NAME: $1 exited during start-up" >&2; return 1; }
        curl -fsS -o /dev/null "http://127.0.0.1:$2/healthz" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$BENCH_NAME: $1 does not answer /healthz on 127.0.0.1:$2" >&2
    return 1
}

# User + system CPU ticks of process $1 so far, all threads (fields 14 and 15 of /proc/PID/stat, counted after the
# parenthesised command name, which may contain spaces).
cpu_ticks() {
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }
    awk '{ print $12 + $13 }' <<<"$stat"
}

# The value of numeric field $2 in the JSON line $1.
json_field() {
    sed -n "s/.*\"$2\":\([-0-9.]*\).*/\1/p" <<<"$1"
}

# Waits until the server answers a Binding request (coturn's own client, so neither side checks itself).
wait_for_binding() {
    for _ in $(seq 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "$BENCH_NAME: $1 exited during start-up" >&2; return 1; }
        if timeout 2 turnutils_stunclient -p "$PORT" 127.0.0.1 >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "$BENCH_NAME: $1 does not answer Binding requests on 127.0.0.1:$PORT" >&2
    return 1
}

# Stops the server with SIGTERM; a server that needs SIGKILL or fails to exit cleanly fails the benchmark.
stop_server() {
    local status=0
    kill -TERM "$SERVER_PID"
    for _ in $(seq 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "$BENCH_NAME: $1 ignored SIGTERM for 10 s; killing it" >&2
        kill -KILL "$SERVER_PID"
        status=1
    fi
    wait "$SERVER_PID" || status=$?
    SERVER_PID=""
    # coturn has no SIGTERM handler: the default action ends it with 128 + 15.
    if [[ $status == 143 && $1 == coturn ]]; then
        status=0
    fi
    if [[ $status != 0 ]]; then
        echo "$BENCH_NAME: $1 exited with status $status after SIGTERM" >&2
        return 1
    fi
}
