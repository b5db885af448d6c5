# The tables of scripts/bench-turn: medians per server and workload of its results.jsonl, then the Switchboard/coturn
# ratios.
#   awk -v results=FILE -v servers="coturn switchboard" -v workloads="channels ..." -f results.awk -f turn.awk FILE
# The median of one metric over the runs of one server and workload.
function median_of(key, metric,    i, values) {
    for (i = 1; i <= n[key]; i++) values[i] = value[key, metric, i]
    return median(values, n[key])
}
{
    key = text($0, "server") SUBSEP text($0, "workload")
    k = ++n[key]
    value[key, "rate", k] = field($0, "relayed_per_second")
    value[key, "peak", k] = field($0, "peak_relayed_per_second")
    value[key, "loss", k] = field($0, "loss_percent")
    value[key, "rtt", k] = text($0, "workload") == "loadgen" ? field($0, "p50_rtt_us") : field($0, "avg_rtt_us")
    value[key, "p99", k] = field($0, "p99_rtt_us")
    value[key, "cpu", k] = field($0, "server_cpu_us_per_relayed")
    value[key, "server_drops", k] = field($0, "drops_at_server_port")
    value[key, "peer_drops", k] = field($0, "drops_at_peer")
    value[key, "rss", k] = field($0, "server_peak_rss_kib")
}
END {
    sc = split(servers, names, " ")
    wc = split(workloads, loads, " ")
    printf "\n%-9s %-12s %11s %9s %8s %9s %9s %13s %15s %9s\n", "workload", "server", "relayed/s", "peak/s", \
        "loss %", "RTT us", "p99 us", "CPU us/relay", "drops srv/peer", "RSS MiB"
    for (w = 1; w <= wc; w++) {
        for (s = 1; s <= sc; s++) {
            key = names[s] SUBSEP loads[w]
            if (!n[key]) continue
            m[names[s], loads[w], "rate"] = median_of(key, "rate")
            m[names[s], loads[w], "cpu"] = median_of(key, "cpu")
            m[names[s], loads[w], "rss"] = median_of(key, "rss")
            peak = median_of(key, "peak"); p99 = median_of(key, "p99")
            printf "%-9s %-12s %11.0f %9s %8.4f %9.0f %9s %13.3f %15s %9.1f\n", loads[w], names[s], \
                m[names[s], loads[w], "rate"], (peak < 0 ? "-" : sprintf("%.0f", peak)), median_of(key, "loss"), \
                median_of(key, "rtt"), (p99 < 0 ? "-" : sprintf("%.0f", p99)), m[names[s], loads[w], "cpu"], \
                sprintf("%.0f/%.0f", median_of(key, "server_drops"), median_of(key, "peer_drops")), \
                m[names[s], loads[w], "rss"] / 1024
        }
    }
    print "(relayed/s counts each datagram the server relays once: client->peer and peer->client, 2 per echo;"
    print " RTT: uclient average of whole-ms samples, or turn-loadgen p50; CPU: server utime+stime per relayed dgram;"
    print " drops: datagrams dropped for a full receive buffer at the server listening sockets / at the peer;"
    print " RSS: peak resident memory of the server process since it started, read after this workload)"
    if (n["coturn" SUBSEP loads[1]] && n["switchboard" SUBSEP loads[1]]) {
        printf "\n%-9s %26s %34s %10s\n", "workload", "switchboard/coturn relayed/s", \
            "switchboard/coturn CPU per relayed", "peak RSS"
        for (w = 1; w <= wc; w++) {
            c = m["coturn", loads[w], "rate"]; b = m["switchboard", loads[w], "rate"]
            cc = m["coturn", loads[w], "cpu"]; bc = m["switchboard", loads[w], "cpu"]
            cr = m["coturn", loads[w], "rss"]; br = m["switchboard", loads[w], "rss"]
            printf "%-9s %26s %34s %10s\n", loads[w], ratio_or_na(b, c), ratio_or_na(bc, cc), ratio_or_na(br, cr)
        }
        print "(relayed/s: above 1 means Switchboard relays more; CPU and RSS: below 1 means Switchboard is cheaper)"
    }
    printf "(medians of %d run(s) per server; every run in %s)\n", n[names[1] SUBSEP loads[1]], results
}
