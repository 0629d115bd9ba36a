#!/usr/bin/python3
"""The reference backend against the same API in FastAPI + uvicorn (2 workers) + SQLAlchemy
(bench/http/app.py), on the same machine in the same run, with wrk on loopback:
GET /items/{id} (random ids among 1,000) and POST /items, 32 connections, on SQLite and on
PostgreSQL. Prints requests per second and p99 latency for both, and the ratios.

    bench/http_bench.py BUILD_DIR     (make bench runs it under scripts/with-postgres)

Goals (issue 7): at least 20x FastAPI's requests per second on GET and 10x on POST, with a
lower p99. STRATA_BENCH_SECONDS sets each wrk run's length (default 5). Neither server logs
each request during the runs (LOG_LEVEL=warning, uvicorn --no-access-log). wrk, the servers
and the database share the machine's cores: read the ratios, not the absolute numbers.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECONDS = int(os.environ.get("STRATA_BENCH_SECONDS", "5"))
CONNECTIONS = 32
ITEMS = 1000

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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if errors or socket_errors:
        print(f"    {label}: wrk reported {errors.group(0) if errors else ''} "
              f"{socket_errors.group(0) if socket_errors else ''}")
    return rps, float(p99.group(1)) * scale


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


def measure(name, start, scripts):
    port = free_port()
    process = start(port)
    try:
        return {workload: wrk(port, script, f"{name} {workload}")
                for workload, script in scripts.items()}
    finally:
        stop(process)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: http_bench.py BUILD_DIR")
    build = os.path.abspath(sys.argv[1])
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: run scripts/bootstrap bench")
    tmp = tempfile.mkdtemp(prefix="strata-http-bench-")
    scripts = {}
    for workload, text in (("GET /items/{id}", GET_LUA), ("POST /items", POST_LUA)):
        scripts[workload] = os.path.join(tmp, workload.split()[0].lower() + ".lua")
        with open(scripts[workload], "w") as f:
            f.write(text)
    print(f"wrk: {CONNECTIONS} connections, {SECONDS} s per run; FastAPI on 2 uvicorn workers")
    print(f"{'':12}{'workload':18}{'strata req/s':>14}{'p99 ms':>9}{'FastAPI req/s':>15}"
          f"{'p99 ms':>9}{'ratio':>8}")
    try:
        for backend, url, alchemy, cleanup in databases(tmp):
            try:
                env = dict(os.environ, DATABASE_URL=url, LOG_LEVEL="warning")
                subprocess.run([os.path.join(build, "backend", "backend"), "db", "-q", "upgrade",
                                "head"], cwd=ROOT, env=env, check=True)
                port = free_port()
                process = start_strata(build, env, port)
                seed(port)
                stop(process)
                ours = measure("strata", lambda p: start_strata(build, env, p), scripts)
                theirs = measure("fastapi", lambda p: start_fastapi(
                    dict(os.environ, DATABASE_URL=alchemy), p), scripts)
                for workload in scripts:
                    (rps, p99), (base_rps, base_p99) = ours[workload], theirs[workload]
                    print(f"{backend:12}{workload:18}{rps:14.0f}{p99:9.2f}{base_rps:15.0f}"
                          f"{base_p99:9.2f}{rps / base_rps:7.1f}x", flush=True)
            finally:
                cleanup()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
