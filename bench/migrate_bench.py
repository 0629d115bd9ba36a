#!/usr/bin/python3
"""A chain of 1,000 revisions (each creates a table of 5 columns with an index, or adds a
column), run by strata and by Alembic on SQLite and PostgreSQL in the same run.

The floor is the backend itself: strata's own offline script (`upgrade --sql`) piped through
sqlite3 or psql, with the pragmas strata's engine uses, and for `current` the backend's own
client reading the version table. Goals: `upgrade head` within 1.1x of the floor, and `current`
under 20 ms where the floor allows it (a PostgreSQL connection alone can take longer).

    bench/migrate_bench.py BUILD_DIR        (make bench runs it under scripts/with-postgres)

Runs with /usr/bin/python3, which sees Debian's alembic and SQLAlchemy. Each timing is the
median of interleaved rounds; the machine is shared, so read the ratios, not the seconds.
"""
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

REVISIONS = int(os.environ.get("STRATA_BENCH_REVISIONS", "1000"))
ROUNDS = int(os.environ.get("STRATA_BENCH_ROUNDS", "3"))
COLD_RUNS = 15
# Debian's `psql` is a Perl wrapper that costs tens of milliseconds before the real client
# starts: the floor uses the client itself.
PSQL = (sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or ["psql"])[-1]
SQLITE_PRAGMAS = "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\nPRAGMA foreign_keys=ON;\n"


def rev_id(i):
    return f"{i + 1:012x}"


def table_of(i):
    return f"t{i - i % 2:04d}"


def strata_revision(i):
    down = "null" if i == 0 else rev_id(i - 1)
    head = f"revision: {rev_id(i)}\ndown_revision: {down}\nmessage: step {i}\n"
    t = table_of(i)
    if i % 2 == 0:
        return head + (
            "upgrade:\n  - create_table:\n"
            f"      name: {t}\n      columns:\n"
            "        - {name: id, type: biginteger, primary_key: true}\n"
            "        - {name: name, type: string(100), nullable: false}\n"
            "        - {name: qty, type: integer}\n"
            "        - {name: price, type: \"numeric(10,2)\"}\n"
            "        - {name: created, type: datetime}\n"
            f"      indexes:\n        - {{name: ix_{t}_name, columns: [name]}}\n"
            f"downgrade:\n  - drop_table: {{name: {t}}}\n")
    return head + (
        f"upgrade:\n  - add_column: {{table: {t}, column: {{name: extra, type: text}}}}\n"
        f"downgrade:\n  - drop_column: {{table: {t}, name: extra}}\n")


def alembic_revision(i):
    down = "None" if i == 0 else repr(rev_id(i - 1))
    t = table_of(i)
    head = ("import sqlalchemy as sa\nfrom alembic import op\n\n"
            f"revision = {rev_id(i)!r}\ndown_revision = {down}\n"
            "branch_labels = None\ndepends_on = None\n\n")
    if i % 2 == 0:
        return head + (
            "def upgrade():\n"
            f"    op.create_table({t!r},\n"
            "        sa.Column('id', sa.BigInteger(), primary_key=True),\n"
            "        sa.Column('name', sa.String(100), nullable=False),\n"
            "        sa.Column('qty', sa.Integer()),\n"
            "        sa.Column('price', sa.Numeric(10, 2)),\n"
            "        sa.Column('created', sa.DateTime()))\n"
            f"    op.create_index('ix_{t}_name', {t!r}, ['name'])\n\n"
            f"def downgrade():\n    op.drop_table({t!r})\n")
    return head + (
        f"def upgrade():\n    op.add_column({t!r}, sa.Column('extra', sa.Text()))\n\n"
        f"def downgrade():\n    op.drop_column({t!r}, 'extra')\n")


ALEMBIC_ENV = """from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
engine = engine_from_config(config.get_section(config.config_ini_section),
                            prefix="sqlalchemy.", poolclass=pool.NullPool)
with engine.connect() as connection:
    # One transaction per revision, as strata runs them.
    context.configure(connection=connection, target_metadata=None,
                      transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
"""


def write_projects(root):
    os.makedirs(f"{root}/strata/db/versions")
    os.makedirs(f"{root}/alembic/migrations/versions")
    for i in range(REVISIONS):
        with open(f"{root}/strata/db/versions/20250101_0000_{rev_id(i)}_step_{i}.yaml", "w") as f:
            f.write(strata_revision(i))
        with open(f"{root}/alembic/migrations/versions/{rev_id(i)}_step_{i}.py", "w") as f:
            f.write(alembic_revision(i))
    with open(f"{root}/strata/strata.toml", "w") as f:
        f.write('[migrations]\nscript_location = "db"\n')
    with open(f"{root}/alembic/migrations/env.py", "w") as f:
        f.write(ALEMBIC_ENV)
    with open(f"{root}/alembic/alembic.ini", "w") as f:
        f.write("[alembic]\nscript_location = migrations\n")


def timed(command, cwd, stdin=None):
    feed = open(stdin) if stdin else None
    started = time.perf_counter()
    try:
        subprocess.run(command, cwd=cwd, stdin=feed or subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, check=True)
    finally:
        if feed:
            feed.close()
    return time.perf_counter() - started


class Backend:
    """Where one backend's databases live, and how to make a fresh one."""

    def __init__(self, name, root):
        self.name = name
        self.root = root
        self.server = os.environ.get("STRATA_TEST_POSTGRES_URL", "")

    def fresh(self, label):
        """A new empty database: (strata URL, SQLAlchemy URL, client command)."""
        if self.name == "sqlite":
            path = f"{self.root}/{label}.db"
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            return f"sqlite:///{path}", f"sqlite:///{path}", ["sqlite3", "-bail", path]
        db = f"strata_bench_{label}"
        subprocess.run(["psql", "-X", "-q", self.server, "-c", f"DROP DATABASE IF EXISTS {db}",
                        "-c", f"CREATE DATABASE {db}"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        parts = urlsplit(self.server)
        url = urlunsplit(parts._replace(path=f"/{db}"))
        alembic = urlunsplit(parts._replace(scheme="postgresql+psycopg2", path=f"/{db}"))
        return url, alembic, [PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", url]


def run_backend(backend, root, strata):
    s_dir, a_dir = f"{root}/strata", f"{root}/alembic"
    script = f"{root}/{backend.name}.sql"
    with open(script, "w") as f:
        f.write(SQLITE_PRAGMAS if backend.name == "sqlite" else "")
        out = subprocess.run([strata, "upgrade", "--sql", "--dialect", backend.name], cwd=s_dir,
                             check=True, capture_output=True, text=True).stdout
        f.write(out)
    down_script = f"{root}/{backend.name}-down.sql"
    with open(down_script, "w") as f:
        f.write(SQLITE_PRAGMAS if backend.name == "sqlite" else "")
        f.write(subprocess.run([strata, "downgrade", "--sql", "heads:base", "--dialect",
                                backend.name], cwd=s_dir, check=True, capture_output=True,
                               text=True).stdout)
    times = {k: [] for k in ("s_up", "s_down", "floor", "floor_down", "a_up", "a_down")}
    alembic = ["alembic", "-c", "alembic.ini"]

    def floor():
        _, _, client = backend.fresh("floor")
        times["floor"].append(timed(client, s_dir, stdin=script))
        times["floor_down"].append(timed(client, s_dir, stdin=down_script))

    def ours():
        url, _, _ = backend.fresh("strata")
        times["s_up"].append(timed([strata, "--url", url, "-q", "upgrade", "head"], s_dir))
        times["s_down"].append(timed([strata, "--url", url, "-q", "downgrade", "base"], s_dir))

    def theirs():
        _, a_url, _ = backend.fresh("alembic")
        set_url(a_dir, a_url)
        times["a_up"].append(timed(alembic + ["upgrade", "head"], a_dir))
        times["a_down"].append(timed(alembic + ["downgrade", "base"], a_dir))

    # Each round starts with another tool: what the previous run left to the server and the
    # disk (dropped tables, dirty pages) then weighs on every tool alike.
    tools = [floor, ours, theirs]
    for r in range(ROUNDS):
        for run in tools[r % 3:] + tools[:r % 3]:
            run()
    url, _, client = backend.fresh("strata")
    subprocess.run([strata, "--url", url, "-q", "upgrade", "head"], cwd=s_dir, check=True)
    # The floor of `current`: the backend's own client reading the version table, cold.
    query = "SELECT version_num FROM strata_version"
    read_version = client + (["-c", query] if backend.name == "postgresql" else [query])
    subprocess.run(alembic + ["upgrade", "head"], cwd=a_dir, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Taken in turns, so that what the server does after the upgrades (autovacuum analysing
    # a thousand new tables) weighs on strata and its floor alike.
    quick = {
        "s_start": ([strata, "--help"], s_dir),
        "s_current": ([strata, "--url", url, "current"], s_dir),
        "floor_current": (read_version, s_dir),
        "s_history": ([strata, "history"], s_dir),
    }
    cold = {k: [] for k in quick}
    for _ in range(COLD_RUNS):
        for k, (command, cwd) in quick.items():
            cold[k].append(timed(command, cwd))
    cold["a_current"] = [timed(alembic + ["current"], a_dir) for _ in range(3)]
    cold["a_history"] = [timed(alembic + ["history"], a_dir) for _ in range(3)]
    return {k: statistics.median(v) for k, v in {**times, **cold}.items()}


def set_url(a_dir, url):
    with open(f"{a_dir}/alembic.ini", "w") as f:
        f.write(f"[alembic]\nscript_location = migrations\nsqlalchemy.url = {url}\n")


def report(name, m):
    def row(what, ours, floor, theirs):
        floor_text = f"{floor:8.3f} s" if floor else " " * 10
        vs_floor = f"{ours / floor:6.2f}x" if floor else " " * 7
        print(f"  {what:<16}{ours:8.3f} s  {floor_text}  {theirs:8.3f} s   {vs_floor}"
              f"   {theirs / ours:6.1f}x")

    print(f"\n{name}, {REVISIONS} revisions (median of {ROUNDS} rounds; cold starts: "
          f"median of {COLD_RUNS})")
    print("  step               strata       floor      alembic  strata/floor  alembic/strata")
    row("upgrade head", m["s_up"], m["floor"], m["a_up"])
    row("downgrade base", m["s_down"], m["floor_down"], m["a_down"])
    row("current (cold)", m["s_current"], m["floor_current"], m["a_current"])
    row("history (cold)", m["s_history"], None, m["a_history"])
    print(f"  (strata's process start alone, `strata --help`: {m['s_start'] * 1000:.1f} ms)")
    up_vs_floor = m["s_up"] / m["floor"]
    floor_note = (f", and the floor alone takes {m['floor_current'] * 1000:.1f} ms"
                  if m["floor_current"] >= 0.020 else "")
    print(f"  goals: current {m['s_current'] * 1000:.1f} ms (< 20 ms: "
          f"{'met' if m['s_current'] < 0.020 else 'NOT met'}{floor_note}); upgrade "
          f"{up_vs_floor:.2f}x the floor (<= 1.1x: {'met' if up_vs_floor <= 1.1 else 'NOT met'}); "
          f"{m['a_up'] / m['s_up']:.1f}x faster than Alembic")


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    strata = os.path.abspath(f"{build}/tools/strata/strata")
    if not shutil.which("alembic"):
        sys.exit("migrate_bench: alembic is missing; run scripts/bootstrap bench")
    root = tempfile.mkdtemp(prefix="strata-migrate-bench-")
    try:
        write_projects(root)
        backends = ["sqlite"]
        if os.environ.get("STRATA_TEST_POSTGRES_URL"):
            backends.append("postgresql")
        else:
            print("migrate_bench: no STRATA_TEST_POSTGRES_URL; PostgreSQL is not measured "
                  "(run it through make bench)")
        for name in backends:
            report(name, run_backend(Backend(name, root), root, strata))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
