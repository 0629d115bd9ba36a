#!/usr/bin/python3
"""The reference backend against the same API in FastAPI + uvicorn (2 workers) + SQLAlchemy
(bench/http/app.py), on the same machine in the same run, with wrk on loopback, on SQLite and
on PostgreSQL. Rows, each with requests per second and p99 latency for both servers and the
ratio:

- GET /items/{id} (random ids among 1,000) and POST /items, 32 connections;
- the same GET run with 500 slow connections open: sockets that each send a request line and
  then trickle a header line one byte a second (a slowloris), opened before wrk starts and
  closed after it. The backend runs with HTTP_HEADER_TIMEOUT long enough that none of them
  is cut off during the row; uvicorn (h11) has no header deadline, so they stay open there too.

With the slow connections still open, 200 sequential GET /health probes, each on a new
connection as a load balancer's would be, give the backend's /health p99 (FastAPI's app has no
/health).

    bench/http_bench.py BUILD_DIR     (make bench runs it under scripts/with-postgres)

Goals, on both databases: at least 20x FastAPI's requests per second on GET (with or without
the slow connections) and 10x on POST, each with a lower p99; /health p99 under 50 ms with the
slow connections open. Each is printed as met or MISSED; the exit status does not depend on
them. STRATA_BENCH_SECONDS sets each wrk run's length (default 5). Neither server logs each
request during the runs (LOG_LEVEL=warning, uvicorn --no-access-log). wrk, the servers and the
database share the machine's cores: read the ratios, not the absolute numbers.
"""
import http.client
import math
import os
import re
import resource
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECONDS = int(os.environ.get("STRATA_BENCH_SECONDS", "5"))
CONNECTIONS = 32
ITEMS = 1000
SLOW_CLIENTS = 500
TRICKLE_INTERVAL = 1.0  # seconds between two bytes of one slow connection
# Outlasts the slow row (its wrk run, then the probes) so the server keeps every slow client.
HEADER_TIMEOUT = max(60, 3 * SECONDS + 30)
HEALTH_PROBES = 200
HEALTH_GOAL_MS = 50

GET = "GET /items/{id}"
POST = "POST /items"
SLOW_GET = f"GET with {SLOW_CLIENTS} slow connections"
GOALS = {GET: 20, POST: 10, SLOW_GET: 20}  # least ratio of requests per second

GET_LUA = f"""
request = function()
  return wrk.format("GET", "/items/" .. math.random(1, {ITEMS}))
end
"""
POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title": "benchmark", "description": "posted by wrk", "owner_id": 1}'
"""
SLOW_START = b"GET /items/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
SLOW_LINE = b"X-Slow: "  # then an endless value of "a"; the line is never ended


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_fd_limit():
    """The slow connections, wrk's and the servers' own files must fit the open-file limit,
    which the servers inherit from this process."""
    needed = 4 * SLOW_CLIENTS + 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(f"the open-file limit is {hard}, {needed} are needed for {SLOW_CLIENTS} slow "
                 f"connections: raise it (ulimit -Hn) and run again")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def wait_ready(port, process, what):
    """Polls until the server answers (any status); bounded, and fails if it exited."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/items/1", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # a 404 before seeding is an answer too
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} did not start within 60 s")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk(port, script, label):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-s", script,
         f"http://127.0.0.1:{port}/items"],  # the POST goes there; GET builds its own path
        check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if errors or socket_errors:
        print(f"    {label}: wrk reported {errors.group(0) if errors else ''} "
              f"{socket_errors.group(0) if socket_errors else ''}")
    if rps == 0:
        return rps, math.inf  # nothing answered: wrk's 0.00us would read as a fast p99
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return rps, float(p99.group(1)) * scale


class SlowClients:
    """SLOW_CLIENTS connections that each send SLOW_START, then trickle a header line one byte
    every TRICKLE_INTERVAL and never finish it, from a thread, while the `with` block runs.
    closed_by_server counts the ones the server answered or closed meanwhile: the row only
    measures what it says if that stays 0."""

    def __init__(self, port):
        self.port = port
        self.closed_by_server = 0
        self._selector = selectors.DefaultSelector()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self):
        try:
            for _ in range(SLOW_CLIENTS):
                conn = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                conn.sendall(SLOW_START)  # at once: no idle deadline may close it unstarted
                conn.setblocking(False)
                self._selector.register(conn, selectors.EVENT_READ, data=[0])  # bytes trickled
        except OSError as e:
            self._close_all()
            sys.exit(f"opening {SLOW_CLIENTS} slow connections to port {self.port} failed: {e}")
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._close_all()

    def _close_all(self):
        for key in list(self._selector.get_map().values()):
            key.fileobj.close()
        self._selector.close()

    def _trickle(self):
        next_byte = time.monotonic() + TRICKLE_INTERVAL
        while not self._stop.is_set():
            for key, _ in self._selector.select(max(0.0, next_byte - time.monotonic())):
                self._drop(key.fileobj)  # readable: an answer (408, 503) or the server's close
            if time.monotonic() >= next_byte:
                for key in list(self._selector.get_map().values()):
                    self._send_next_byte(key)
                next_byte += TRICKLE_INTERVAL

    def _send_next_byte(self, key):
        sent = key.data[0]
        byte = SLOW_LINE[sent:sent + 1] or b"a"
        try:
            if key.fileobj.send(byte) == 1:
                key.data[0] += 1
        except OSError:
            self._drop(key.fileobj)

    def _drop(self, conn):
        self._selector.unregister(conn)
        conn.close()
        self.closed_by_server += 1


def probe(port, path):
    """Seconds one GET on a new connection took to a 200, or None if it failed."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        response.read()
        return time.perf_counter() - start if response.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def probe_p99(port, path="/health"):
    """p99 in ms of HEALTH_PROBES sequential probes; a failed probe counts as infinitely slow,
    and once enough failed to decide the p99 the rest are skipped."""
    allowed = HEALTH_PROBES - math.ceil(0.99 * HEALTH_PROBES)  # failures the p99 can absorb
    times, failures = [], 0
    while len(times) < HEALTH_PROBES and failures <= allowed:
        took = probe(port, path)
        failures += took is None
        times.append(math.inf if took is None else took)
    times += [math.inf] * (HEALTH_PROBES - len(times))
    return sorted(times)[math.ceil(0.99 * HEALTH_PROBES) - 1] * 1000


def seed(port):
    """One user and ITEMS items, through the API."""
    def post(path, body):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body.encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 201, response.status
    post("/users", '{"email": "bench@example.com"}')
    for i in range(ITEMS):
        post("/items", f'{{"title": "item {i}", "owner_id": 1}}')


def start_strata(build, env, port):
    process = subprocess.Popen(
        [os.path.join(build, "backend", "backend"), "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    wait_ready(port, process, "backend")
    return process


def start_fastapi(env, port):
    process = subprocess.Popen(
        ["/usr/bin/python3", "-m", "uvicorn", "app:app", "--port", str(port), "--workers", "2",
         "--no-access-log", "--log-level", "warning"],
        cwd=os.path.join(ROOT, "bench", "http"), env=env, stdout=subprocess.DEVNULL)
    wait_ready(port, process, "uvicorn")
    return process


def databases(tmp):
    """(name, strata URL, SQLAlchemy URL, cleanup) for each backend to measure."""
    path = os.path.join(tmp, "bench.db")
    yield "sqlite", f"sqlite:///{path}", f"sqlite:///{path}", lambda: None
    server = os.environ.get("STRATA_TEST_POSTGRES_URL")
    if not server:
        print("STRATA_TEST_POSTGRES_URL is not set: PostgreSQL skipped (run under "
              "scripts/with-postgres)")
        return
    name = f"http_bench_{os.getpid()}"
    psql = ["psql", "-X", "-q", server, "-c"]
    subprocess.run(psql + [f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(psql + [f"CREATE DATABASE {name}"], check=True)
    parts = urlsplit(server)
    url = urlunsplit(parts._replace(path="/" + name))
    alchemy = urlunsplit(parts._replace(scheme="postgresql+psycopg2", path="/" + name))
    yield "postgresql", url, alchemy, lambda: subprocess.run(
        psql + [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)


def measure(name, start, scripts, health):
    """{workload: (rps, p99 ms)} for the plain runs and the slow row, and the /health p99
    with the slow connections open if `health`, else None."""
    port = free_port()
    process = start(port)
    try:
        results = {workload: wrk(port, script, f"{name} {workload}")
                   for workload, script in scripts.items()}
        with SlowClients(port) as slow:
            results[SLOW_GET] = wrk(port, scripts[GET], f"{name} {SLOW_GET}")
            health_p99 = probe_p99(port) if health else None
        if slow.closed_by_server:
            print(f"    {name} {SLOW_GET}: the server closed {slow.closed_by_server} of them "
                  f"during the row")
        return results, health_p99
    finally:
        stop(process)


def verdict(met):
    return "met" if met else "MISSED"


def report(backend, ours, theirs, health_p99):
    for workload, least in GOALS.items():
        (rps, p99), (base_rps, base_p99) = ours[workload], theirs[workload]
        ratio = rps / base_rps if base_rps else math.inf
        print(f"{backend:12}{workload:32}{rps:14.0f}{p99:9.2f}{base_rps:15.0f}{base_p99:9.2f}"
              f"{ratio:7.1f}x  {verdict(ratio >= least and p99 < base_p99)} "
              f"(>= {least}x, lower p99)", flush=True)
    shown = f"{health_p99:.2f} ms" if health_p99 < math.inf else "probes failed"
    print(f"{backend:12}/health p99 with {SLOW_CLIENTS} slow connections open, {HEALTH_PROBES} "
          f"probes: {shown}  {verdict(health_p99 < HEALTH_GOAL_MS)} (< {HEALTH_GOAL_MS} ms)",
          flush=True)


def write_scripts(tmp):
    scripts = {}
    for workload, text in ((GET, GET_LUA), (POST, POST_LUA)):
        scripts[workload] = os.path.join(tmp, workload.split()[0].lower() + ".lua")
        with open(scripts[workload], "w") as f:
            f.write(text)
    return scripts


def run_backend(build, backend, url, alchemy, scripts):
    env = dict(os.environ, DATABASE_URL=url, LOG_LEVEL="warning",
               HTTP_HEADER_TIMEOUT=str(HEADER_TIMEOUT))
    subprocess.run([os.path.join(build, "backend", "backend"), "db", "-q", "upgrade", "head"],
                   cwd=ROOT, env=env, check=True)
    port = free_port()
    process = start_strata(build, env, port)
    seed(port)
    stop(process)
    ours, health_p99 = measure("strata", lambda p: start_strata(build, env, p), scripts, True)
    theirs, _ = measure("fastapi", lambda p: start_fastapi(
        dict(os.environ, DATABASE_URL=alchemy), p), scripts, False)
    report(backend, ours, theirs, health_p99)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: http_bench.py BUILD_DIR")
    build = os.path.abspath(sys.argv[1])
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: run scripts/bootstrap bench")
    raise_fd_limit()
    tmp = tempfile.mkdtemp(prefix="strata-http-bench-")
    print(f"wrk: {CONNECTIONS} connections, {SECONDS} s per run; FastAPI on 2 uvicorn workers; "
          f"{SLOW_CLIENTS} slow connections send a header byte every {TRICKLE_INTERVAL:g} s "
          f"(strata's HTTP_HEADER_TIMEOUT={HEADER_TIMEOUT}; uvicorn has no header deadline)")
    print(f"{'':12}{'workload':32}{'strata req/s':>14}{'p99 ms':>9}{'FastAPI req/s':>15}"
          f"{'p99 ms':>9}{'ratio':>8}  goal")
    try:
        scripts = write_scripts(tmp)
        for backend, url, alchemy, cleanup in databases(tmp):
            try:
                run_backend(build, backend, url, alchemy, scripts)
            finally:
                cleanup()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
