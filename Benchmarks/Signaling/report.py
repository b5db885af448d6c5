"""scripts/bench-signaling's table: reads <server>.json from the artifacts directory for each server named and prints
throughput, latency and memory side by side, with Switchboard/python ratios when both ran."""
import json, os, sys
directory, servers = sys.argv[1], sys.argv[2:]
results = {}
for name in servers:
    path = os.path.join(directory, f"{name}.json")
    if os.path.exists(path) and os.path.getsize(path) > 0:
        results[name] = json.load(open(path))
fmt = lambda v, digits=2: "-" if v is None else f"{v:.{digits}f}"
print(f"{'server':<12} {'clients':>8} {'bcast/s':>9} {'deliv/s':>9} {'CPU us/deliv':>13} "
      f"{'rate':>6} {'delivered':>10} {'p50 ms':>9} {'p99 ms':>9} {'B/idle conn':>12} {'HAProxy us':>11} {'PG us':>7}")
for name, r in results.items():
    lat, thr = r["latency"], r["throughput"]
    delivered = f"{100 * lat['delivered'] / max(1, lat['expected']):.1f}%"
    print(f"{name:<12} {r['clients']:>8} {thr['broadcastsPerSecond']:>9.0f} {thr['deliveriesPerSecond']:>9.0f} "
          f"{fmt(thr['serverCPUMicrosecondsPerDelivery'], 1):>13} {lat['rate']:>6} {delivered:>10} "
          f"{fmt(lat['p50ms']):>9} {fmt(lat['p99ms']):>9} {r['bytesPerIdleConnection']:>12} "
          f"{fmt(thr.get('proxyCPUMicrosecondsPerDelivery'), 1):>11} {fmt(thr.get('databaseCPUMicrosecondsPerDelivery'), 1):>7}")
if "switchboard" in results and "python" in results:
    a, b = results["switchboard"], results["python"]
    ratio = lambda x, y: "-" if not x or not y else f"{x / y:.2f}"
    print()
    print("switchboard/python deliveries per second: ",
          ratio(a["throughput"]["deliveriesPerSecond"], b["throughput"]["deliveriesPerSecond"]))
    print("switchboard/python server CPU per delivery:",
          ratio(a["throughput"]["serverCPUMicrosecondsPerDelivery"], b["throughput"]["serverCPUMicrosecondsPerDelivery"]))
    print("switchboard/python bytes per idle connection:",
          ratio(a["bytesPerIdleConnection"], b["bytesPerIdleConnection"]))
if "switchboard" in results and "cluster" in results:
    a, b = results["cluster"], results["switchboard"]
    ratio = lambda x, y: "-" if not x or not y else f"{x / y:.2f}"
    print()
    print("cluster/switchboard deliveries per second:", ratio(a["throughput"]["deliveriesPerSecond"], b["throughput"]["deliveriesPerSecond"]))
    print("cluster/switchboard p99 at the fixed rate:", ratio(a["latency"]["p99ms"], b["latency"]["p99ms"]))
