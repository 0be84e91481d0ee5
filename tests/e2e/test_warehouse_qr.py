"""warehouse: the QR sheet screen (plugins/warehouse/qr.c, F-WH-08). The
renderer itself (qrsheet.c: layout, every code decodable, the Ё/Е
regression) is tested in tests/unit/plugins/warehouse/test_qrsheet.c; here the staff button
sends one PDF document whose codes are the bot's deep links p<ID> of the
products customers can see, with the bot's real username from getMe."""

from __future__ import annotations

import subprocess

import pytest

import hostkit as hk
from test_warehouse_admin import admin, product, start


def decode(pdf: bytes, tmp_path) -> list[str]:
    (tmp_path / "qr.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "qr.pdf"), str(tmp_path / "page")],
                   check=True, timeout=60)
    pages = sorted(str(p) for p in tmp_path.glob("page*.png"))
    r = subprocess.run(["zbarimg", "-q", "--raw", *pages], capture_output=True, text=True, timeout=60)
    return sorted(r.stdout.split())


@pytest.mark.features("F-WH-08")
def test_qr_sheet_arrives_as_one_pdf_of_active_products(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press("🔳 QR-коды товаров (PDF)")
    boss.expect("нет активных товаров")

    a = product(con, "Ёжик в тумане")
    b = product(con, "Бергамот", variants=("10 мл", "30 мл"))
    product(con, "Скрытый", hidden=1)
    # Telegram does not answer getMe: told, no document, nothing logged
    tgsim.fault("getMe", "500", count=10)
    boss.press("⬅️ Склад")
    boss.press("🔳 QR-коды товаров (PDF)")
    boss.expect("Не удалось узнать имя бота", timeout=60)
    assert not [m for m in boss.bot_messages() if m.get("document")]
    tgsim.clear_faults()

    boss.press("⬅️ Склад")
    boss.press("🔳 QR-коды товаров (PDF)")
    doc = hk.wait_until(lambda: [m for m in boss.bot_messages() if m.get("document")], what="the PDF")[-1]
    assert doc["document"]["file_name"] == "qr-codes.pdf"
    assert "QR-коды 2 товаров" in (doc.get("caption") or "")
    pdf = tgsim.file_bytes(doc["document"]["file_id"])
    assert pdf.startswith(b"%PDF")
    bot = tgsim.bots()[0]["username"]
    assert decode(pdf, tmp_path) == sorted([f"https://t.me/{bot}?start=p{a}", f"https://t.me/{bot}?start=p{b}"])
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what = 'сделал PDF с QR-кодами (2 товара)'") == 1
