# Helpers bench-stun and bench-turn share, sourced by both after they cd to the repository root. Messages start
# with $BENCH_NAME; SERVER_PID and PORT are the caller's (the server under test and its STUN port).

# Refuses to start if anything already listens on the ports (a stale server would be measured instead).
port_in_use() {
    [[ -n "$(ss -Hlnut "( sport = :$1 )")" ]]
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
