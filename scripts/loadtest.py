"""Load test of the production server: requests/s and p50/p95 per page, zero errors?

    .venv/bin/python scripts/loadtest.py --start            # start `casebase serve`, test, stop
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:5000 --users 20 --seconds 60

Each simulated user keeps one keep-alive connection and loops over four requests:
the search page, the search API in hybrid mode, a case page and the advisor, with
queries from tests/data/domain_queries.yaml. Only loopback addresses are accepted,
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
    stream = requests_for(queries[offset:] + queries[:offset])
    connection = http.client.HTTPConnection(host, port, timeout=30)
    while time.perf_counter() < deadline:
        name, path = next(stream)
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            failed = response.status >= 400
        except (OSError, http.client.HTTPException):
            failed = True
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
        elapsed = time.perf_counter() - started
        with lock:
            if failed:
                errors[name] = errors.get(name, 0) + 1
            else:
                results.setdefault(name, []).append(elapsed)
    connection.close()


def run(url: str, users: int, seconds: float) -> dict:
    """Run the load and return the figures."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    address = socket.gethostbyname(host)
    if not address.startswith("127.") and address != "::1":
        raise SystemExit(f"refusing to load-test {host} ({address}): only loopback addresses are allowed")
    queries = [entry["query"] for entry in
               yaml.safe_load((ROOT / "tests/data/domain_queries.yaml").read_text())["queries"]]
    results: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    threads = [threading.Thread(target=user, args=(host, port, queries, i * 7, deadline, results, errors, lock))
               for i in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    report = {"users": users, "seconds": round(wall, 1), "endpoints": {}}
    for name in sorted(TARGETS):
        latencies = sorted(results.get(name, []))
        count = len(latencies)
        report["endpoints"][name] = {
            "requests": count,
            "errors": errors.get(name, 0),
            "requests_per_s": round(count / wall, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "p95_ms": round(latencies[int(0.95 * (count - 1))] * 1000, 1) if latencies else None,
        }
    total = sum(len(v) for v in results.values())
    report["total"] = {"requests": total, "errors": sum(errors.values()), "requests_per_s": round(total / wall, 1)}
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
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--start", action="store_true", help="start `casebase serve` on a free port first")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 1 <= args.seconds <= 600:
        raise SystemExit("users must be 1-200 and seconds 1-600")
    process = None
    url = args.url
    if args.start:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = start_server(port, args.workers)
        url = f"http://127.0.0.1:{port}"
    try:
        report = run(url, args.users, args.seconds)
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['users']} users for {report['seconds']} s against {url}")
    print(f"{'endpoint':<22} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for name, figures in report["endpoints"].items():
        print(f"{name:<22} {figures['requests']:>9} {figures['requests_per_s']:>8} {figures['p50_ms']!s:>8} "
              f"{figures['p95_ms']!s:>8} {figures['errors']:>7}")
    total = report["total"]
    print(f"{'all':<22} {total['requests']:>9} {total['requests_per_s']:>8} {'':>8} {'':>8} {total['errors']:>7}")


if __name__ == "__main__":
    sys.exit(main())
