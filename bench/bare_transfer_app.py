"""Baseline for the HTTP benchmark: the least a transfer endpoint can do.

An async FastAPI route that reads the Idempotency-Key, looks it up, and inserts one transfer
row into SQLite (WAL, synchronous=FULL) in its own transaction: no auth, no ledger rules, no
log. ``bench/ledger.py`` runs it with uvicorn and measures it with wrk beside the real one.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

db = sqlite3.connect(os.environ.get("BARE_DB", "bare.db"), isolation_level=None,
                     check_same_thread=False)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS t (seq INTEGER PRIMARY KEY, k TEXT UNIQUE, body TEXT)")
app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, bool]:
    return {"ok": True}


@app.post("/api/v1/transfers", status_code=201)
async def transfer(request: Request,
                   idempotency_key: str = Header(alias="Idempotency-Key")) -> Any:
    body = await request.body()
    row = db.execute("SELECT seq FROM t WHERE k = ?", (idempotency_key,)).fetchone()
    if row:
        return JSONResponse({"seq": row[0]}, status_code=200)
    cur = db.execute("INSERT INTO t (k, body) VALUES (?, ?)", (idempotency_key, body.decode()))
    return JSONResponse({"seq": cur.lastrowid}, status_code=201)
