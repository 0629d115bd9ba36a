"""The reference backend's API written the way FastAPI's tutorial writes it: FastAPI, uvicorn
and SQLAlchemy's ORM with a session per request. The baseline of bench/http_bench.py.

    DATABASE_URL=sqlite:////tmp/app.db uvicorn app:app --workers 2

The schema comes from `backend db upgrade head`; this app maps the same tables.
"""
import os
from datetime import datetime
from typing import List, Optional

from fastapi import Depends, FastAPI, HTTPException, Query
from pydantic import BaseModel, constr
from sqlalchemy import (BigInteger, Column, DateTime, ForeignKey, String, Text, create_engine,
                        event)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, declarative_base, sessionmaker

url = os.environ["DATABASE_URL"]
if url.startswith("sqlite"):
    # SQLAlchemy 1.4 opens a connection per session on a SQLite file (NullPool).
    engine = create_engine(url, connect_args={"check_same_thread": False})
else:
    engine = create_engine(url, pool_size=5, max_overflow=10)  # strata's pool defaults
if url.startswith("sqlite"):
    # The settings strata's engine uses on SQLite, for a like-for-like comparison.
    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                       "busy_timeout=5000"):
            cursor.execute("PRAGMA " + pragma)
        cursor.close()

SessionLocal = sessionmaker(bind=engine, autoflush=True, expire_on_commit=False)
Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(BigInteger, primary_key=True)
    email = Column(String(320), nullable=False, unique=True)
    name = Column(String(200))
    created_at = Column(DateTime(timezone=True), nullable=False, default=datetime.utcnow)


class Item(Base):
    __tablename__ = "items"
    id = Column(BigInteger, primary_key=True)
    title = Column(String(200), nullable=False, index=True)
    description = Column(Text)
    owner_id = Column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=datetime.utcnow)


class ItemCreate(BaseModel):
    title: constr(min_length=1, max_length=200)
    description: Optional[str] = None
    owner_id: int


class ItemOut(BaseModel):
    id: int
    title: str
    description: Optional[str]
    owner_id: int
    created_at: datetime

    class Config:
        orm_mode = True


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


app = FastAPI()


@app.get("/items", response_model=List[ItemOut])
def list_items(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0),
               db: Session = Depends(get_db)):
    return db.query(Item).order_by(Item.id).limit(limit).offset(offset).all()


@app.get("/items/{item_id}", response_model=ItemOut)
def get_item(item_id: int, db: Session = Depends(get_db)):
    item = db.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


@app.post("/items", response_model=ItemOut, status_code=201)
def create_item(body: ItemCreate, db: Session = Depends(get_db)):
    item = Item(**body.dict())
    db.add(item)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(status_code=422, detail=[{
            "loc": ["body", "owner_id"], "msg": f"user {body.owner_id} does not exist",
            "type": "value_error.foreign_key"}])
    return item
