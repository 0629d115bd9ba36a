#!/usr/bin/python3
"""Alembic's side of autogen_bench: `alembic revision --autogenerate` over the schema that
autogen_bench created (500 tables of 10 columns matching the models), in the same run.

Usage: autogen_alembic.py URL TABLES ROUNDS
Prints one line, `alembic_seconds=S changes=N`: the median seconds of ROUNDS runs of the
command, and how many changes Alembic's comparison reported (0 when it sees none).
Debian's Alembic 1.8 predates `alembic check`, so each round writes a revision file, which is
removed before the next round (Alembic refuses to autogenerate when the database is behind).
"""
import os
import shutil
import statistics
import sys
import tempfile
import time

import alembic
import sqlalchemy as sa
from alembic import autogenerate, command
from alembic.config import Config
from alembic.migration import MigrationContext

CONVENTION = {
    "pk": "pk_%(table_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
}

ENV_PY = """
from alembic import context
import sqlalchemy as sa
import autogen_models

def run():
    engine = sa.create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=autogen_models.metadata)
        with context.begin_transaction():
            context.run_migrations()

run()
"""


def models(tables):
    """The same tables as autogen_bench's models."""
    md = sa.MetaData(naming_convention=CONVENTION)
    for i in range(tables):
        cols = [
            sa.Column("id", sa.BigInteger, primary_key=True),
            sa.Column("name", sa.String(100), nullable=False, index=True),
            sa.Column("code", sa.String(20), unique=True),
        ]
        if i > 0:
            cols.append(sa.Column("parent_id", sa.BigInteger, sa.ForeignKey(f"t{i - 1}.id")))
        while len(cols) < 10:
            cols.append(sa.Column(f"c{len(cols)}", sa.Integer))
        sa.Table(f"t{i}", md, *cols)
    return md


def main():
    # SQLAlchemy sorts the tables recursively along their foreign keys: a chain of 500 needs
    # more than Python's default depth.
    sys.setrecursionlimit(20000)
    url, tables, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    metadata = models(tables)
    module = type(sys)("autogen_models")
    module.metadata = metadata
    sys.modules["autogen_models"] = module
    with tempfile.TemporaryDirectory() as work:
        script_location = os.path.join(work, "alembic")
        cfg = Config()
        cfg.set_main_option("script_location", script_location)
        cfg.set_main_option("sqlalchemy.url", url)
        versions = os.path.join(script_location, "versions")
        os.makedirs(versions)
        template = os.path.join(os.path.dirname(alembic.__file__), "templates", "generic")
        shutil.copy(os.path.join(template, "script.py.mako"), script_location)
        with open(os.path.join(script_location, "env.py"), "w") as env:
            env.write(ENV_PY)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            command.revision(cfg, message="bench", autogenerate=True)
            times.append(time.perf_counter() - start)
            for name in os.listdir(versions):
                if name.endswith(".py"):
                    os.remove(os.path.join(versions, name))
        with sa.create_engine(url).connect() as conn:
            changes = autogenerate.compare_metadata(MigrationContext.configure(conn), metadata)
    print(f"alembic_seconds={statistics.median(times):.4f} changes={len(changes)}")


if __name__ == "__main__":
    main()
