"""Shared bits of the analytics e2e tests (tests/e2e/test_analytics_*.py).

walord runs the real orders, catalog, warehouse and analytics plugins, with
tests/plugins/ordprobe creating orders (with discounts, delivery, B2B) as
checkout would and tests/plugins/bookprobe emitting booking.changed as the
bookings plugin will. The host clock is moved (test mode) so that sales
land on chosen days around Moscow midnight.

Every figure the bot shows is checked against an independent computation
from the database here (`expected_*`): orders_order / orders_refund for
sales and refunds, wh_events for bookings (the events as emitted, not
analytics' own facts), analytics_manual for manual revenue, the warehouse
ledger for cost of goods and write-offs. Workbooks are read back with
openpyxl, charts decoded with a small PNG reader (zlib, no Pillow)."""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import hostkit as hk
import test_orders_kit as ok
from test_catalog_browse import Shop
from test_warehouse_admin import stock as seed

MSK = ZoneInfo("Europe/Moscow")
TESTER = 1


def start(walord, tmp_path, free_port, extra_plugins=(), analytics_ini="", **kw):
    conf = "[plugin.analytics]\n" + analytics_ini
    w = ok.start(walord, tmp_path, free_port, stock=False, catalog=True,
                 extra_plugins=["warehouse", "analytics", "bookprobe", *extra_plugins],
                 orders_ini="autocancel_min = 10080\n", probe_ini="", **kw)
    return w, Shop(w)


def tea_shop(walord, tmp_path, free_port, sim):
    """A shop with one product ("Чай", 500 ₽, 10 in stock at 200 ₽), its owner and a customer, both started."""
    w, shop = start(walord, tmp_path, free_port)
    tea = shop.product("Чай", price=50000)
    seed(w.db(), tea, 0, 10, 20000)
    boss, u = hk.owner(sim), sim.user("Анна")
    boss.send("/start")
    u.send("/start")
    return w, tea, boss, u


def wait_photo(boss, before: int):
    """The newest photo once there are more than `before` (a chart)."""
    return hk.wait_until(lambda: (lambda p: p[-1] if len(p) > before else None)(photos(boss)), timeout=30,
                         what="the chart")


# ---------------------------------------------------------------- time

def now(w) -> int:
    return ok.clock(w)


def local(t: int) -> datetime:
    return datetime.fromtimestamp(t, MSK)


def midnight_after(t: int) -> int:
    d = local(t).date() + timedelta(days=1)
    return int(datetime(d.year, d.month, d.day, tzinfo=MSK).timestamp())


def day_start(t: int) -> int:
    d = local(t).date()
    return int(datetime(d.year, d.month, d.day, tzinfo=MSK).timestamp())


def advance_to(w, t: int) -> int:
    cur = now(w)
    assert t >= cur, (t, cur)
    return ok.clock(w, t - cur)


# ---------------------------------------------------------------- money as the bot writes it

def rub(kopecks: int) -> str:
    """walor_money: "1 500 ₽", "1 500,50 ₽", "−20 ₽" (the host's format)."""
    neg = kopecks < 0
    k = -kopecks if neg else kopecks
    r, kop = divmod(k, 100)
    s = f"{r:,}".replace(",", " ")
    s = f"{s},{kop:02d}" if kop else s
    return ("−" if neg else "") + s + " ₽"


def parse_rub(s: str) -> int:
    s = s.replace("\u00a0", "").replace("\u2009", "").replace(" ", "").replace("₽", "").replace("−", "-")
    if "," in s:
        a, b = s.split(",")
        return int(a) * 100 + (int(b) if not a.startswith("-") else -int(b))
    return int(s) * 100


# ---------------------------------------------------------------- independent figures from the DB

SALE = "paid_at > 0 AND status <> 'cancelled' AND (flags & 2) = 0"


def expected_sales(con, frm: int, to: int) -> dict:
    rows = con.execute(f"SELECT id, source, total, goods, product_discount, personal_discount, promo_discount, "
                       f"cert_discount, bonus_spent, delivery_cost, delivery_shop, user_id, paid_at "
                       f"FROM orders_order WHERE {SALE} AND paid_at >= ? AND paid_at < ? ORDER BY paid_at, id",
                       (frm, to)).fetchall()
    keys = ("id", "source", "total", "goods", "product_discount", "personal", "promo", "cert", "bonus",
            "delivery", "delivery_shop", "user_id", "paid_at")
    return [dict(zip(keys, r)) for r in rows]


def expected_refunds(con, frm: int, to: int, counted=True):
    cond = SALE.replace("paid_at", "o.paid_at").replace("status", "o.status").replace("(flags", "(o.flags")
    where = cond if counted else f"NOT ({cond})"
    return con.execute(f"SELECT coalesce(sum(r.amount), 0), count(*) FROM orders_refund r JOIN orders_order o "
                       f"ON o.id = r.order_id WHERE r.at >= ? AND r.at < ? AND {where}", (frm, to)).fetchone()


def expected_bookings(con, frm: int, to: int):
    """From the booking.changed events as emitted: the last one of each booking wins."""
    last = {}
    for (payload,) in con.execute("SELECT payload FROM wh_events WHERE event = 'booking.changed' ORDER BY id"):
        p = json.loads(payload)
        if isinstance(p.get("booking_id"), int) and p.get("v") == 1:
            last[p["booking_id"]] = p
    n = s = 0
    for p in last.values():
        if p.get("status") == "completed":
            at = p["completed_at"] if p.get("completed_at") is not None else p["starts_at"]
            if frm <= at < to:
                n += 1
                s += p["price"]
    return s, n


def expected_manual(con, frm: int, to: int):
    return con.execute("SELECT coalesce(sum(amount), 0), count(*) FROM analytics_manual WHERE deleted = 0 "
                       "AND day >= ? AND day < ?", (frm, to)).fetchone()


def expected_revenue(con, frm: int, to: int) -> dict:
    sales = expected_sales(con, frm, to)
    orders = sum(o["total"] for o in sales if o["source"] != 2)
    b2b = sum(o["total"] for o in sales if o["source"] == 2)
    refunds = expected_refunds(con, frm, to)[0]
    bookings = expected_bookings(con, frm, to)[0]
    manual = expected_manual(con, frm, to)[0]
    return {"orders": orders, "b2b": b2b, "refunds": refunds, "bookings": bookings, "manual": manual,
            "total": orders + b2b + bookings + manual - refunds, "count": len(sales)}


def expected_cogs(con, order_ids) -> int:
    if not order_ids:
        return 0
    q = ",".join("?" * len(order_ids))
    return con.execute(f"SELECT coalesce(sum(-qty * unit_cost), 0) FROM warehouse_ledger "
                       f"WHERE kind IN ('sale', 'b2b') AND order_id IN ({q})", list(order_ids)).fetchone()[0]


def expected_writeoffs(con, frm: int, to: int) -> int:
    return con.execute("SELECT coalesce(sum(-qty * unit_cost), 0) FROM warehouse_ledger "
                       "WHERE kind = 'writeoff' AND at >= ? AND at < ?", (frm, to)).fetchone()[0]


# ---------------------------------------------------------------- the staff side

def bp(u, text: str) -> str:
    """bookprobe's one-line answer ("bp:<rc>") to a command."""
    before = len(u.bot_messages())
    u.send(text, wait=False)
    return u.wait_for(lambda chat: next((m["text"] for m in [m for m in chat["messages"] if m["from"] == "bot"][before:]
                                         if (m.get("text") or "").startswith("bp:")), None),
                      what=f"bookprobe's answer to {text!r}")


def stats(boss):
    boss.send("/stats")
    return boss.expect("📊 Статистика")


def figures(text: str) -> dict:
    """The summary's figures by their label."""
    out = {}
    for label, key in (("Сегодня", "today"), ("Неделя", "week"), ("Месяц", "month"),
                       ("За всё время", "all"), ("Средний чек", "avg")):
        m = re.search(r"(?m)^\W*" + re.escape(label) + r"[^:\n]*:\s*([−\d\u00a0 ,]+₽)", text)
        assert m, (label, text)
        out[key] = parse_rub(m.group(1))
    for label, key in (("Заказов сегодня", "orders_today"), ("Новых покупателей", "new")):
        m = re.search(re.escape(label) + r"[^:\n]*:\s*(\d+)", text)
        assert m, (label, text)
        out[key] = int(m.group(1))
    return out


def documents(boss):
    return [m for m in boss.bot_messages() if m.get("document")]


def photos(boss):
    return [m for m in boss.bot_messages() if m.get("photo")]


def wait_document(boss, before: int):
    docs = hk.wait_until(lambda: (lambda d: d if len(d) > before else None)(documents(boss)), timeout=30,
                         what="the report document")
    return docs[-1]


def report(sim, boss, button: str, period_button: str | None = None):
    """Asks for a report from the summary and returns (message, workbook)."""
    import openpyxl
    before = len(documents(boss))
    stats(boss)
    boss.press(button)
    if period_button:
        boss.press(period_button)
    boss.expect("⏳ Готовлю")
    doc = wait_document(boss, before)
    data = sim.file_bytes(doc["document"]["file_id"])
    return doc, openpyxl.load_workbook(io.BytesIO(data), data_only=True)  # totals: the cached values of their SUM formulas


def rows(ws, first=2):
    return [r for r in ws.iter_rows(min_row=first, values_only=True)]


def kop(v) -> int:
    return int(round((v or 0) * 100))


def summary_value(ws, label: str):
    """The Сводка sheet's value of the line whose label starts with `label`."""
    for r in ws.iter_rows(min_row=1, values_only=True):
        if isinstance(r[0], str) and r[0].startswith(label):
            return r[1]
    raise AssertionError(f"no line {label!r} in {ws.title}")


# ---------------------------------------------------------------- PNG (zlib only)

def png_decode(data: bytes):
    """8-bit RGB / RGBA non-interlaced PNG → (width, height, rows of (r,g,b))."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    out, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        out.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, out


BAR = (0x3B, 0x82, 0xF6)   # chart.h AN_CHART_BAR_RGB
NEG = (0xEF, 0x44, 0x44)


def bar_columns(img, color=BAR, y0=220, y1=800):
    """Clusters of x columns that hold the bar colour: one per bar, left to right, with its top y."""
    w, h, px = img
    cols = []
    for x in range(w):
        top = next((y for y in range(y0 - 5, min(h, y1 + 5)) if px[y][x] == color), None)
        cols.append(top)
    bars, cur = [], None
    for x, top in enumerate(cols):
        if top is not None:
            if cur is None:
                cur = [x, x, top]
            cur[1] = x
            cur[2] = min(cur[2], top)
        elif cur is not None:
            bars.append(tuple(cur))
            cur = None
    if cur is not None:
        bars.append(tuple(cur))
    return bars
