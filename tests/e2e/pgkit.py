"""PostgreSQL for the e2e suite: a throw-away cluster per test session and a
connection that reads like Python's sqlite3, so that every test's DB checks
run unchanged on both engines (WALOR_DB_ENGINE=postgresql).

- `Cluster` starts tools/pg-cluster.sh (a unix socket in a temp dir, as the
  unprivileged "postgres" user when run as root) and hands out one new
  database per walord (`new_database()` → conninfo).
- `connect(conninfo)` returns a `Connection` with sqlite3's surface:
  execute / executemany / commit / rollback / close / row_factory /
  `with con:`; `?` placeholders; a transaction begins implicitly before a
  write, as sqlite3 does, and takes walord's writer lock (the advisory lock
  of host/db/pg.c), so a test's write waits for walord's transactions as it
  would on SQLite. Integral numerics come back as int, bytea as bytes.

Standard library + python3-psycopg2 (Debian).
"""

from __future__ import annotations

import atexit
import decimal
import os
import re
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Optional

REPO_ROOT = Path(__file__).resolve().parents[2]
WRITER_LOCK = (0x57410000 | 1, 1)   # host/db/pg.c LOCK_CLASS(LOCK_WRITER), key 1

_WRITE_RE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|WITH)\b", re.I)
_INSERT_RE = re.compile(r"^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)", re.I)


def engine() -> str:
    e = os.environ.get("WALOR_DB_ENGINE", "sqlite").lower()
    return "postgresql" if e in ("postgresql", "postgres", "pg") else "sqlite"


def is_pg() -> bool:
    return engine() == "postgresql"


def is_conninfo(v) -> bool:
    """A PostgreSQL conninfo (as host/db/pg.c tells it from a file path)."""
    return isinstance(v, str) and (v.startswith(("postgresql://", "postgres://"))
                                   or re.match(r"^\s*[a-z_]+\s*=", v) is not None)


# ---------------------------------------------------------------- cluster

class Cluster:
    """One tools/pg-cluster.sh cluster; stopped at exit."""

    def __init__(self, durable: bool = False):
        self.dir = Path(tempfile.mkdtemp(prefix="walor-pg-"))
        self.durable = durable
        self.admin = ""
        self._n = 0
        self._lock = threading.Lock()

    def start(self) -> "Cluster":
        args = [str(REPO_ROOT / "tools" / "pg-cluster.sh"), "start", str(self.dir)]
        if self.durable:
            args.append("--durable")
        out = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"cannot start PostgreSQL: {out.stderr.strip()}")
        self.admin = out.stdout.strip().splitlines()[-1]
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        if self.dir:
            subprocess.run([str(REPO_ROOT / "tools" / "pg-cluster.sh"), "stop", str(self.dir)],
                           capture_output=True, timeout=60)
            self.dir = None

    def conninfo(self, dbname: str) -> str:
        return re.sub(r"dbname=\S+", f"dbname={dbname}", self.admin)

    def new_database(self, prefix: str = "w") -> str:
        import psycopg2
        with self._lock:
            self._n += 1
            name = f"{prefix}{os.getpid()}_{self._n}"
        con = psycopg2.connect(self.admin)
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
        con.close()
        return self.conninfo(name)


_cluster: Optional[Cluster] = None


def cluster() -> Cluster:
    """The session's cluster, started on first use."""
    global _cluster
    if _cluster is None:
        _cluster = Cluster().start()
    return _cluster


# ---------------------------------------------------------------- connection

def _placeholders(sql: str) -> str:
    """? → %s and % → %% outside quotes (psycopg2's format style)."""
    out, i, n = [], 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1].replace("%", "%%"))
            i = j + 1
            continue
        if ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _value(v):
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, memoryview):
        return bytes(v)
    if isinstance(v, bool):
        return int(v)
    return v


class Row(tuple):
    """sqlite3.Row's surface: by index and by column name."""

    def __new__(cls, values, names):
        r = super().__new__(cls, values)
        r._names = names
        return r

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self):
        return list(self._names)


class Cursor:
    def __init__(self, con: "Connection"):
        self.con = con
        self.connection = con
        self._rows: list = []
        self._pos = 0
        self.rowcount = -1
        self.lastrowid = None
        self.description = None

    def _load(self, cur, as_rows):
        self.rowcount = cur.rowcount
        self.description = cur.description
        if cur.description is None:
            self._rows = []
            return
        names = [d[0] for d in cur.description]
        rows = [tuple(_value(v) for v in r) for r in cur.fetchall()]
        self._rows = [Row(r, names) for r in rows] if as_rows else rows
        self._pos = 0

    def fetchone(self):
        if self._pos >= len(self._rows):
            return None
        r = self._rows[self._pos]
        self._pos += 1
        return r

    def fetchall(self):
        r = self._rows[self._pos:]
        self._pos = len(self._rows)
        return r

    def fetchmany(self, size=1):
        r = self._rows[self._pos:self._pos + size]
        self._pos += len(r)
        return r

    def __iter__(self):
        while True:
            r = self.fetchone()
            if r is None:
                return
            yield r

    def close(self):
        pass


class Connection:
    """A sqlite3.Connection look-alike on PostgreSQL (see the module doc)."""

    def __init__(self, conninfo: str):
        import psycopg2
        self._pg = psycopg2.connect(conninfo)
        self._pg.autocommit = True
        self._in_tx = False
        self._identity: dict[str, Optional[str]] = {}
        self.row_factory = None
        self.isolation_level = ""

    # -- transactions as sqlite3 keeps them

    def _begin(self, cur):
        cur.execute("BEGIN")
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", WRITER_LOCK)
        self._in_tx = True

    def commit(self):
        if self._in_tx:
            with self._pg.cursor() as cur:
                cur.execute("COMMIT")
            self._in_tx = False

    def rollback(self):
        if self._in_tx:
            with self._pg.cursor() as cur:
                cur.execute("ROLLBACK")
            self._in_tx = False

    def close(self):
        try:
            self.rollback()
        finally:
            self._pg.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
        return False

    # -- statements

    def _identity_col(self, cur, table: str) -> Optional[str]:
        if table not in self._identity:
            cur.execute("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) "
                        "AND attidentity <> '' AND NOT attisdropped", (table,))
            r = cur.fetchone()
            self._identity[table] = r[0] if r else None
        return self._identity[table]

    def execute(self, sql: str, params=()) -> Cursor:
        import psycopg2
        try:
            return self._execute(sql, params)
        except psycopg2.Error as e:
            # the errors a test expects from sqlite3, raised as sqlite3's classes
            import sqlite3
            if isinstance(e, psycopg2.IntegrityError):
                raise sqlite3.IntegrityError(str(e)) from e
            if isinstance(e, psycopg2.ProgrammingError):
                raise sqlite3.OperationalError(str(e)) from e
            raise sqlite3.DatabaseError(str(e)) from e

    def _execute(self, sql: str, params=()) -> Cursor:
        if isinstance(params, dict):
            raise TypeError("pgkit: named parameters are not supported; use ?")
        c = Cursor(self)
        with self._pg.cursor() as cur:
            writes = _WRITE_RE.match(sql) is not None
            if writes and not self._in_tx and self.isolation_level is not None:
                self._begin(cur)
            m = _INSERT_RE.match(sql)
            ident = self._identity_col(cur, m.group(1)) if m else None
            text = _placeholders(sql)
            if ident and "returning" not in sql.lower():
                text = text.rstrip().rstrip(";") + f" RETURNING {ident}"
            cur.execute(text, tuple(params))
            if ident and "returning" not in sql.lower():
                ids = [r[0] for r in cur.fetchall()]
                c.rowcount = cur.rowcount
                c.lastrowid = ids[-1] if ids else None
                # the test gave ids itself: walord's next own id goes after them
                cur.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                            f"GREATEST((SELECT max({ident}) FROM {m.group(1)}), 1), "
                            f"(SELECT max({ident}) FROM {m.group(1)}) IS NOT NULL)",
                            (m.group(1), ident))
                return c
            c._load(cur, self.row_factory is not None)
        return c

    def executemany(self, sql: str, seq) -> Cursor:
        c = None
        total = 0
        for params in seq:
            c = self.execute(sql, params)
            total += max(c.rowcount, 0)
        c = c or Cursor(self)
        c.rowcount = total
        return c

    def cursor(self):
        return _CursorProxy(self)

    @property
    def in_transaction(self) -> bool:
        return self._in_tx


class _CursorProxy:
    def __init__(self, con: Connection):
        self.con = con
        self._c: Optional[Cursor] = None

    def execute(self, sql, params=()):
        self._c = self.con.execute(sql, params)
        return self

    def executemany(self, sql, seq):
        self._c = self.con.executemany(sql, seq)
        return self

    def fetchone(self):
        return self._c.fetchone() if self._c else None

    def fetchall(self):
        return self._c.fetchall() if self._c else []

    @property
    def lastrowid(self):
        return self._c.lastrowid if self._c else None

    @property
    def rowcount(self):
        return self._c.rowcount if self._c else -1

    def __iter__(self):
        return iter(self._c) if self._c else iter(())

    def close(self):
        pass


def connect(conninfo: str) -> Connection:
    return Connection(conninfo)
