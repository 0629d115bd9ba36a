#!/usr/bin/python3
"""The reference backend on PostgreSQL directly against through PgBouncer in transaction pooling
mode (the one scripts/with-postgres starts), in the same run, with wrk on loopback: requests per
second and p99 latency of GET /items/{id} (random ids among 1,000) and POST /items, 32
connections, for three DATABASE_URLs on one database:

- direct: strata's default, a repeated statement prepared by name on its connection;
- direct, prepared_statements=false: unnamed statements only, what pooling mode costs by itself;
- PgBouncer, prepared_statements=false: the same through the pooler, its hop included.

Each backend gets a second of GET load first, not measured. Each row gives the ratio of its
requests per second to the direct row's. No goal: the numbers say what putting PgBouncer in
front costs the backend on one machine, where wrk, the backend, PgBouncer and PostgreSQL share
the cores (read the ratios, not the absolute numbers).

    bench/topology_bench.py BUILD_DIR     (make bench runs it under scripts/with-postgres)

STRATA_BENCH_SECONDS sets each wrk run's length (default 5).
"""
import os
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The HTTP bench's wrk runs, backend start-up and seeding, so that both measure the same way.
from http_bench import (CONNECTIONS, GET, POST, ROOT, SECONDS, free_port,  # noqa: E402
                        seed, start_strata, stop, wrk, write_scripts)

POOLED = "prepared_statements=false"


def server_urls():
    """The primary's and PgBouncer's URLs from scripts/with-postgres, or exits saying why."""
    if os.environ.get("STRATA_SKIP_POSTGRES") == "1":
        print("STRATA_SKIP_POSTGRES=1: the topology bench needs PostgreSQL and PgBouncer; skipped")
        sys.exit(0)
    direct = os.environ.get("STRATA_TEST_POSTGRES_URL")
    pooler = os.environ.get("STRATA_TEST_PGBOUNCER_URL")
    if not direct or not pooler:
        sys.exit("STRATA_TEST_POSTGRES_URL or STRATA_TEST_PGBOUNCER_URL is not set: run under "
                 "scripts/with-postgres, which starts PostgreSQL and PgBouncer")
    return direct, pooler


def on_database(server, name, params=""):
    return urlunsplit(urlsplit(server)._replace(path="/" + name, query=params))


def backend_env(url):
    return dict(os.environ, DATABASE_URL=url, LOG_LEVEL="warning")


def prepare(build, url):
    """Migrates the database (directly) and seeds it through the API."""
    subprocess.run([os.path.join(build, "backend", "backend"), "db", "-q", "upgrade", "head"],
                   cwd=ROOT, env=backend_env(url), check=True)
    port = free_port()
    process = start_strata(build, backend_env(url), port)
    try:
        seed(port)
    finally:
        stop(process)


def warm_up(port, script):
    """A second of load, not measured: the first route measured would otherwise also pay for
    a cold backend and cold server caches."""
    subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", "-d1s", "-s", script,
                    f"http://127.0.0.1:{port}/items"], check=True, capture_output=True)


def measure(build, label, url, scripts):
    """{workload: (rps, p99 ms)} of a backend whose DATABASE_URL is `url`."""
    port = free_port()
    process = start_strata(build, backend_env(url), port)
    try:
        warm_up(port, scripts[GET])
        return {workload: wrk(port, script, f"{label} {workload}")
                for workload, script in scripts.items()}
    finally:
        stop(process)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: topology_bench.py BUILD_DIR")
    build = os.path.abspath(sys.argv[1])
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: run scripts/bootstrap bench")
    direct, pooler = server_urls()
    name = f"topology_bench_{os.getpid()}"
    psql = ["psql", "-X", "-q", direct, "-c"]
    subprocess.run(psql + [f"CREATE DATABASE {name}"], check=True)
    tmp = tempfile.mkdtemp(prefix="strata-topology-bench-")
    try:
        scripts = write_scripts(tmp)
        prepare(build, on_database(direct, name))
        routes = [("direct", on_database(direct, name)),
                  (f"direct, {POOLED}", on_database(direct, name, POOLED)),
                  (f"PgBouncer, {POOLED}", on_database(pooler, name, POOLED))]
        results = [(label, measure(build, label, url, scripts)) for label, url in routes]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(psql + [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)
    print(f"wrk: {CONNECTIONS} connections, {SECONDS} s per run; PgBouncer in transaction "
          f"pooling mode in front of the same PostgreSQL")
    print(f"{'workload':18}{'DATABASE_URL':40}{'req/s':>10}{'p99 ms':>9}{'vs direct':>11}")
    for workload in (GET, POST):
        base = results[0][1][workload][0]
        for label, result in results:
            rps, p99 = result[workload]
            print(f"{workload:18}{label:40}{rps:10.0f}{p99:9.2f}{rps / base:10.2f}x", flush=True)


if __name__ == "__main__":
    main()
