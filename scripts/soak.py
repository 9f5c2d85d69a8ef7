"""Bounded soak of the production server on loopback (issue 17): zero errors? p95 per type?

    .venv/bin/python scripts/soak.py                      # 50 users, 600 s
    .venv/bin/python scripts/soak.py --users 10 --seconds 60

It copies the bundled content into a temporary folder, builds a keyword index there,
creates an editor for the run, starts `casebase serve` (gunicorn, 2 workers) on
127.0.0.1 over that copy, and lets each simulated user loop over mixed requests:
page reads, searches with random long words, the advisor (GET form and JSON API),
and, for every fifth user, signed in as the editor, an edit form, a preview and a
saved draft. Every answer must have its expected status (a 5xx, an unexpected 4xx, a
timeout or a dropped connection is an error). The server is stopped and the copy
removed at the end; the run stops by itself after --seconds. It only talks to
127.0.0.1. It prints p50/p95/max per request type and exits 1 on any error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CASEBASE = Path(sys.executable).with_name("casebase")
EDITOR, PASSWORD = "soak-editor", "a long soak password"
MAX_USERS, MAX_SECONDS = 200, 3600
REQUEST_TIMEOUT_S = 30
DESCRIPTIONS = [
    "Shoe workshops losing market share to cheap imports; little trust between firms.",
    "A furniture cluster of family firms in a rural region with a strong local association.",
    "Software start-ups near a university; the city wants to attract investors and talent.",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _random_words(rng: random.Random) -> str:
    count = rng.randint(1, 6)
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 60)))
                    for _ in range(count))


class User:
    """One simulated visitor with its own keep-alive connection (and session cookie)."""

    def __init__(self, port: int, seed: int, documents: dict[str, list[str]], editor: bool):
        self.port = port
        self.rng = random.Random(seed)
        self.documents = documents
        self.editor = editor
        self.cookie = ""
        self.token = ""
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None) -> tuple[int, str]:
        headers = {"Host": "127.0.0.1"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closes idle keep-alive connections; a fresh one is not an error once.
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, text

    def sign_in(self) -> None:
        status, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/login", urlencode({"name": EDITOR, "password": PASSWORD,
                                                             "csrf_token": token}).encode(),
                                 "application/x-www-form-urlencoded")
        if status != 302:
            raise RuntimeError(f"editor sign-in answered {status}")
        _, page = self.request("GET", "/drafts")
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def one(self) -> tuple[str, int, set[int]]:
        """Make one request of a random type: (type, status, expected statuses)."""
        rng = self.rng
        choice = rng.random()
        if self.editor and choice < 0.3:
            return self.edit()
        if choice < 0.35:
            kind = rng.choice(["case", "note"])
            return f"{kind} page", self.request("GET", f"/{kind}s/{rng.choice(self.documents[kind])}")[0], {200}
        if choice < 0.45:
            return "home/learn", self.request("GET", rng.choice(["/", "/learn", "/api/facets"]))[0], {200}
        if choice < 0.75:
            query = urlencode({"q": _random_words(rng), "mode": "keyword"})
            path = rng.choice(["/api/search?", "/search?"]) + query
            return "search (random long words)", self.request("GET", path)[0], {200}
        if choice < 0.9:
            query = urlencode({"description": rng.choice(DESCRIPTIONS) + " " + _random_words(rng)})
            return "advisor page", self.request("GET", f"/advisor?{query}")[0], {200}
        body = json.dumps({"description": rng.choice(DESCRIPTIONS)}).encode()
        return "advisor API", self.request("POST", "/api/suggest", body, "application/json")[0], {200}

    def edit(self) -> tuple[str, int, set[int]]:
        note = self.rng.choice(self.documents["note"])
        status, page = self.request("GET", f"/edit/notes/{note}")
        if status != 200:
            return "edit form", status, {200}
        form = _form_of(page)
        text = form.get("body", [""])[0] + "\n\nSoak paragraph " + _random_words(self.rng)
        if self.rng.random() < 0.7:
            status, _ = self.request("POST", "/preview", urlencode({"body": text, "csrf_token": self.token}).encode(),
                                     "application/x-www-form-urlencoded")
            return "preview", status, {200}
        form.update(csrf_token=[self.token], body=[text])
        status, _ = self.request("POST", f"/edit/notes/{note}", urlencode(form, doseq=True).encode(),
                                 "application/x-www-form-urlencoded")
        # 409: another soak editor saved a draft of the same note first, a correct answer.
        return "save draft", status, {302, 303, 409}


def _form_of(page: str) -> dict[str, list[str]]:
    """The values a browser would submit from the edit form."""
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input[^>]*\sname="([^"]+)"[^>]*\svalue="([^"]*)"', page):
        data.setdefault(name, []).append(unescape(value))
    for name, text in re.findall(r'<textarea[^>]*\sname="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data.setdefault(name, []).append(unescape(text))
    for name, options in re.findall(r'<select[^>]*\sname="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        data.setdefault(name, []).extend(unescape(c) for c in re.findall(r'<option value="([^"]*)" selected>',
                                                                          options))
    return data


def _prepare(work: Path, port: int) -> subprocess.Popen:
    content = work / "content"
    for folder in ("cases", "kb"):
        shutil.copytree(ROOT / folder, content / folder)
    env = {key: value for key, value in os.environ.items() if not key.startswith("CASEBASE_")}
    env.update(CASEBASE_SEMANTIC="false", CASEBASE_SESSION_COOKIE_SECURE="false", PYTHONUNBUFFERED="1")
    base = [str(CASEBASE), "--content", str(content), "--index", str(content / "instance" / "index")]
    subprocess.run([*base, "index", "--no-semantic"], env=env, check=True, capture_output=True)
    subprocess.run([*base, "user", "add", EDITOR, "--role", "editor", "--password", PASSWORD], env=env,
                   check=True, capture_output=True)
    log = open(work / "server.log", "wb")
    return subprocess.Popen([*base, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited while starting")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not answer within 90 s")


def _stop(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def _documents(port: int) -> dict[str, list[str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/api/cases")
    cases = [case["id"] for case in json.loads(connection.getresponse().read())["cases"]]
    notes = [path.stem for path in (ROOT / "kb").glob("*.md") if not path.stem.startswith(("_", "README"))]
    return {"case": cases, "note": notes}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    """Run the soak; exit status 1 when any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=600)
    args = parser.parse_args()
    users, seconds = min(args.users, MAX_USERS), min(args.seconds, MAX_SECONDS)
    port = _free_port()
    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="casebase-soak-") as folder:
        work = Path(folder)
        server = _prepare(work, port)
        try:
            _wait_until_up(port, server)
            documents = _documents(port)
            stop_at = time.monotonic() + seconds
            stopping = threading.Event()  # Ctrl-C or SIGTERM end the run early, cleanly
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stopping.set())

            def run(index: int) -> None:
                user = User(port, index, documents, editor=index % 5 == 0)
                try:
                    if user.editor:
                        user.sign_in()
                    while time.monotonic() < stop_at and not stopping.is_set():
                        started = time.monotonic()
                        kind, status, expected = user.one()
                        took = time.monotonic() - started
                        with lock:
                            times[kind].append(took)
                            if status not in expected:
                                errors.append(f"{kind}: {status}")
                except Exception as error:  # noqa: BLE001 - counted and reported, the run goes on
                    with lock:
                        errors.append(f"user {index}: {type(error).__name__}: {error}")

            threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(users)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(seconds + 2 * REQUEST_TIMEOUT_S)
        finally:
            _stop(server)
        log_errors = [line for line in (work / "server.log").read_text(errors="replace").splitlines()
                      if "Traceback" in line or "[ERROR]" in line or "WORKER TIMEOUT" in line]
    total = sum(len(values) for values in times.values())
    print(f"{users} users, {seconds:.0f} s, {total} requests, {len(errors)} errors, "
          f"{len(log_errors)} server log errors")
    print(f"{'request type':32} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind in sorted(times):
        values = times[kind]
        print(f"{kind:32} {len(values):7d} {1000 * _percentile(values, 0.5):8.0f} "
              f"{1000 * _percentile(values, 0.95):8.0f} {1000 * max(values):8.0f}")
    for line in (errors + log_errors)[:20]:
        print("  error:", line)
    return 1 if errors or log_errors else 0


if __name__ == "__main__":
    sys.exit(main())
