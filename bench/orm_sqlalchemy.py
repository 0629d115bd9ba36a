#!/usr/bin/python3
"""The workloads of bench/orm_bench.cpp on SQLAlchemy's ORM, for comparison.

Usage: /usr/bin/python3 bench/orm_sqlalchemy.py URL
URL is a strata URL (sqlite:///path or postgresql://...). Prints one line per workload,
"name seconds", and nothing when SQLAlchemy (python3-sqlalchemy) or, for PostgreSQL, its
driver (python3-psycopg2) is missing. orm_bench runs it and prints the ratios.
"""
import sys
import time

ROWS = 200_000
GETS = 100_000
UPDATES = 20_000


def lookup_id(i):
    return (i * 7919) % ROWS + 1


def main():
    url = sys.argv[1]
    try:
        from sqlalchemy import BigInteger, Boolean, Column, Float, Integer, Text, create_engine
        from sqlalchemy.orm import Session, declarative_base
        if url.startswith("postgres"):
            import psycopg2  # noqa: F401  (the driver SQLAlchemy uses for postgresql://)
            url = "postgresql+psycopg2://" + url.split("://", 1)[1]
    except ImportError as missing:
        print(f"orm_sqlalchemy: skipped ({missing})", file=sys.stderr)
        return

    Base = declarative_base()

    class Item(Base):
        __tablename__ = "orm_items_sqlalchemy"
        id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
        title = Column(Text, nullable=False)
        price = Column(Float, nullable=False)
        quantity = Column(BigInteger, nullable=False)
        active = Column(Boolean, nullable=False)
        note = Column(Text, nullable=False)

    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)

    def timed(name, work):
        start = time.perf_counter()
        work()
        print(f"{name} {time.perf_counter() - start:.6f}", flush=True)

    def insert():
        with Session(engine) as s:
            for i in range(ROWS):
                s.add(Item(title=f"item number {i}", price=i * 0.5, quantity=i % 100,
                           active=i % 2 == 0, note="a note"))
            s.commit()

    def get():
        checksum = 0
        for i in range(GETS):
            with Session(engine) as s:
                item = s.get(Item, lookup_id(i))
                checksum += item.id + len(item.title)
        return checksum

    def load():
        with Session(engine) as s:
            return sum(item.quantity for item in s.query(Item).all())

    def update():
        with Session(engine) as s:
            for item in s.query(Item).filter(Item.id <= UPDATES).all():
                item.price += 1
            s.commit()

    timed("insert", insert)
    timed("get", get)
    timed("load", load)
    timed("update", update)
    Base.metadata.drop_all(engine)


if __name__ == "__main__":
    main()
