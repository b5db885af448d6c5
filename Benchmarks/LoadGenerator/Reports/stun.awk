# The table of scripts/bench-stun: medians per server of its results.jsonl, then the Switchboard/coturn ratios.
#   awk -v results=FILE -v servers="coturn switchboard" -f results.awk -f stun.awk FILE
{
    server = $0; sub(/^\{"server":"/, "", server); sub(/".*/, "", server)
    n[server]++
    k = n[server]
    rps[server, k] = field($0, "responses_per_second")
    loss[server, k] = field($0, "loss_percent")
    p50[server, k] = field($0, "p50_rtt_us")
    p99[server, k] = field($0, "p99_rtt_us")
    valid = field($0, "valid")
    cpu[server, k] = valid > 0 ? field($0, "server_cpu_us") / valid : 0
    client[server, k] = field($0, "client_cpu_s")
}
END {
    count = split(servers, names, " ")
    for (s = 1; s <= count; s++) {
        name = names[s]
        for (k = 1; k <= n[name]; k++) {
            a[k] = rps[name, k]; b[k] = loss[name, k]; c[k] = p50[name, k]
            d[k] = p99[name, k]; e[k] = cpu[name, k]; f[k] = client[name, k]
        }
        m_rps[name] = median(a, n[name]); m_loss[name] = median(b, n[name]); m_p50[name] = median(c, n[name])
        m_p99[name] = median(d, n[name]); m_cpu[name] = median(e, n[name]); m_client[name] = median(f, n[name])
    }
    printf "\n%-12s %12s %8s %11s %11s %19s %13s\n", "server", "responses/s", "loss %", "p50 RTT us", \
        "p99 RTT us", "server CPU us/resp", "client CPU s"
    for (s = 1; s <= count; s++) {
        name = names[s]
        printf "%-12s %12.0f %8.4f %11.0f %11.0f %19.2f %13.2f\n", name, m_rps[name], m_loss[name], m_p50[name], \
            m_p99[name], m_cpu[name], m_client[name]
    }
    if (n["coturn"] > 0 && n["switchboard"] > 0) {
        print ""
        ratio(m_rps["switchboard"], m_rps["coturn"], "responses/s")
        ratio(m_p50["switchboard"], m_p50["coturn"], "p50 RTT")
        ratio(m_p99["switchboard"], m_p99["coturn"], "p99 RTT")
        ratio(m_cpu["switchboard"], m_cpu["coturn"], "server CPU per response")
        print "(responses/s: above 1 means Switchboard answers more; RTT and CPU: below 1 means Switchboard is better)"
    }
    printf "(medians of %d run(s) per server; every run in %s)\n", n[names[1]], results
}
function ratio(x, y, label) {
    printf "switchboard/coturn %-24s %s\n", label ":", ratio_or_na(x, y)
}
