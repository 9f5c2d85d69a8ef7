"""Load test of the production server: requests/s and p50/p95 per page, zero errors?

    .venv/bin/python scripts/loadtest.py --start            # start `casebase serve`, test, stop
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:5000 --users 20 --seconds 60
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:5001 --url http://127.0.0.1:5002  # two servers

Each simulated user keeps one keep-alive connection and loops over four requests:
the search page, the search API in hybrid mode, a case page and the advisor, with
queries from tests/data/domain_queries.yaml. With several --url values the users are
spread over the servers in turn (user i on server i mod n), as a round-robin proxy
would, and the figures are given per server too. Only loopback addresses are accepted,
and the run is bounded in users and time. A benchmark: it prints figures, it asserts
nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"search page", "search API (hybrid)", "case page", "advisor"}
CASES = ["sinos-valley", "criciuma", "zamora-frogs", "scotland-scottish-enterprise", "thailand-food-textiles",
         "dortmund", "minas-gerais-cresceminas", "blumenau-software", "third-italy"]
ADVISOR = [
    "description=Shoe+workshops+losing+market+share+to+imports&country=Mexico&sectors=footwear&driver=private"
    "&approach=bottom-up",
    "description=Furniture+makers+who+distrust+each+other&country=Kenya&sectors=furniture&approach=top-down",
    "description=Software+firms+in+a+growing+city&country=Poland&sectors=software&driver=public",
]


def requests_for(queries: list[str]):
    """An endless, deterministic stream of (name, path) pairs."""
    index = 0
    while True:
        query = quote(queries[index % len(queries)])
        yield "search page", f"/search?q={query}"
        yield "search API (hybrid)", f"/api/search?q={query}&mode=hybrid"
        yield "case page", f"/cases/{CASES[index % len(CASES)]}"
        yield "advisor", f"/advisor?{ADVISOR[index % len(ADVISOR)]}"
        index += 1


def user(host: str, port: int, queries: list[str], offset: int, deadline: float,
         results: dict[str, list[float]], errors: dict[str, int], lock: threading.Lock) -> None:
    """One simulated user on one server until `deadline`."""
    stream = requests_for(queries[offset:] + queries[:offset])
    connection = http.client.HTTPConnection(host, port, timeout=30)
    while time.perf_counter() < deadline:
        name, path = next(stream)
        started = time.perf_counter()
        failure = None
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status >= 400:
                failure = f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as exc:
            failure = type(exc).__name__
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
        elapsed = time.perf_counter() - started
        with lock:
            if failure is not None:
                errors[name] = errors.get(name, 0) + 1
                kind = f"{name}: {failure}"
                errors[kind] = errors.get(kind, 0) + 1  # what went wrong, listed with --json
            else:
                results.setdefault(name, []).append(elapsed)
    connection.close()


def loopback_target(url: str) -> tuple[str, int]:
    """(host, port) of `url`; SystemExit for anything but a loopback address."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    address = socket.gethostbyname(host)
    if not address.startswith("127.") and address != "::1":
        raise SystemExit(f"refusing to load-test {host} ({address}): only loopback addresses are allowed")
    return host, port


def _figures(results: dict[str, list[float]], errors: dict[str, int], wall: float) -> dict:
    endpoints = {}
    for name in sorted(TARGETS):
        latencies = sorted(results.get(name, []))
        count = len(latencies)
        endpoints[name] = {
            "requests": count,
            "errors": errors.get(name, 0),
            "requests_per_s": round(count / wall, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "p95_ms": round(latencies[int(0.95 * (count - 1))] * 1000, 1) if latencies else None,
        }
    total = sum(len(v) for v in results.values())
    return {"endpoints": endpoints,
            "total": {"requests": total, "errors": sum(errors.get(name, 0) for name in TARGETS),
                      "requests_per_s": round(total / wall, 1)},
            "failures": {kind: count for kind, count in sorted(errors.items()) if kind not in TARGETS}}


def run(urls: list[str], users: int, seconds: float) -> dict:
    """Run the load, users spread over `urls` in turn, and return the figures (all
    servers together, then per server)."""
    targets = [loopback_target(url) for url in urls]
    queries = [entry["query"] for entry in
               yaml.safe_load((ROOT / "tests/data/domain_queries.yaml").read_text())["queries"]]
    results: list[dict[str, list[float]]] = [{} for _ in targets]
    errors: list[dict[str, int]] = [{} for _ in targets]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    threads = [threading.Thread(target=user, args=(*targets[i % len(targets)], queries, i * 7, deadline,
                                                   results[i % len(targets)], errors[i % len(targets)], lock))
               for i in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    merged_results: dict[str, list[float]] = {}
    merged_errors: dict[str, int] = {}
    for server_results, server_errors in zip(results, errors):
        for name, latencies in server_results.items():
            merged_results.setdefault(name, []).extend(latencies)
        for name, count in server_errors.items():
            merged_errors[name] = merged_errors.get(name, 0) + count
    report = {"users": users, "seconds": round(wall, 1), "urls": urls, **_figures(merged_results, merged_errors, wall)}
    if len(urls) > 1:
        report["servers"] = {url: _figures(server_results, server_errors, wall)["total"]
                             for url, server_results, server_errors in zip(urls, results, errors)}
    return report


def start_server(port: int, workers: int) -> subprocess.Popen:
    """Start `casebase serve` and wait until it answers /api/health (its model warmed)."""
    process = subprocess.Popen([str(ROOT / ".venv/bin/casebase"), "serve", "--port", str(port),
                                "--workers", str(workers)], cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/search?q=warm+up&mode=hybrid")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(1)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("the server did not answer within 180 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", action="append", dest="urls",
                        help="a server to load (repeat for several; default http://127.0.0.1:5000)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--start", action="store_true", help="start `casebase serve` on a free port first")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 1 <= args.seconds <= 600:
        raise SystemExit("users must be 1-200 and seconds 1-600")
    process = None
    urls = args.urls or ["http://127.0.0.1:5000"]
    if args.start:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = start_server(port, args.workers)
        urls = [f"http://127.0.0.1:{port}"]
    try:
        report = run(urls, args.users, args.seconds)
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['users']} users for {report['seconds']} s against {', '.join(urls)}")
    print(f"{'endpoint':<22} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for name, figures in report["endpoints"].items():
        print(f"{name:<22} {figures['requests']:>9} {figures['requests_per_s']:>8} {figures['p50_ms']!s:>8} "
              f"{figures['p95_ms']!s:>8} {figures['errors']:>7}")
    total = report["total"]
    print(f"{'all':<22} {total['requests']:>9} {total['requests_per_s']:>8} {'':>8} {'':>8} {total['errors']:>7}")
    for kind, count in report["failures"].items():
        print(f"  failed: {kind} x{count}")
    for url, figures in report.get("servers", {}).items():
        print(f"{url:<22} {figures['requests']:>9} {figures['requests_per_s']:>8} {'':>8} {'':>8} "
              f"{figures['errors']:>7}")


if __name__ == "__main__":
    sys.exit(main())
