"""Shared bits of the CRM e2e tests (tests/e2e/test_crm_*.py).

walord runs `orders`, `loyalty` and `crm` with the test plugin `ordprobe`,
which creates and pays orders of the calling user through the orders
service (as checkout does): the CRM sees them only through the orders and
loyalty services, as in production."""

from __future__ import annotations

import hostkit as hk
from test_loyalty_kit import LOYALTY_INI, manager  # noqa: F401  (re-exported)
from test_orders_kit import clock, cmd, new_order  # noqa: F401

SECTION = "👥 Клиенты"


def start(walord, tmp_path, free_port, plugins=("orders", "ordprobe", "loyalty", "crm"), **kw):
    port = free_port()
    conf = {"50-ordprobe.ini": "[plugin.ordprobe]\n", "70-loyalty.ini": LOYALTY_INI}
    conf.update(kw.pop("conf_files", {}))
    w = hk.start(walord, tmp_path, plugins=list(plugins), extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n",
                 conf_files=conf, **kw)
    w.port = port
    return w


def customer(tgsim, name="Анна", first="/start", **kw):
    u = tgsim.user(name, **kw)
    u.send(first)
    return u


def pay(u, oid):
    assert cmd(u, f"/ordprobe_paid {oid}") == "paid:0"


def cancel(u, oid):
    assert cmd(u, f"/ordprobe_cancel {oid} 1") == "cancel:0"


def section(u):
    u.send("/admin")
    u.press(SECTION)
    return u.screen()


def search(u, query):
    """Opens the search from the section and types the query; the answer."""
    section(u)
    u.press("🔎 Найти клиента")
    u.send(query)
    return u.screen()


def open_card(u, query, who):
    """Searches and opens the card whose button names `who`."""
    search(u, query)
    u.press(f"👤 {who}")
    return u.screen()


def settled(w, plugin="crm", timeout=10.0):
    """Waits until `plugin` has handled every event."""
    con = w.db()
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM wh_event_deliveries WHERE plugin = ? "
                                         "AND delivered_at IS NULL", plugin) == 0,
                  timeout=timeout, what=f"{plugin}'s event deliveries")


def bot_texts(u):
    return [m.get("text") or "" for m in u.bot_messages()]


def read_xlsx(data: bytes) -> dict:
    """{sheet name: rows of cell values} of an .xlsx (numbers as float,
    strings inline or shared), enough for the export's checks."""
    import io
    import re
    import zipfile
    from xml.etree import ElementTree as ET
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    z = zipfile.ZipFile(io.BytesIO(data))
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")))
    rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    out = {}
    for sh in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", ns):
        target = rels[sh.get(f"{{{ns['r']}}}id")]
        rows = []
        for row in ET.fromstring(z.read("xl/" + target.lstrip("/").removeprefix("xl/"))).iter(f"{{{ns['m']}}}row"):
            cells = {}
            for cell in row.findall("m:c", ns):
                col = re.match(r"[A-Z]+", cell.get("r")).group(0)
                idx = 0
                for ch in col:
                    idx = idx * 26 + ord(ch) - 64
                t = cell.get("t")
                if t == "inlineStr":
                    v = "".join(x.text or "" for x in cell.iter(f"{{{ns['m']}}}t"))
                elif t == "s":
                    v = shared[int(cell.find("m:v", ns).text)]
                elif t == "str":
                    v = cell.find("m:v", ns).text
                else:
                    e = cell.find("m:v", ns)
                    v = float(e.text) if e is not None else None
                cells[idx - 1] = v
            rows.append([cells.get(i) for i in range(max(cells) + 1)] if cells else [])
        out[sh.get("name")] = rows
    return out
