"""catalog plugin, F-CAT-11: the optional external image host
(plugins/catalog/imghost.c) against the imgbb-style fake in
tests/fakes/imghost. A photo staff send is kept as a Telegram file_id,
uploaded, and the public URL drives the card's large link preview; when the
host fails, is slow, answers garbage or refuses the key, the file_id stays
and the card shows the photo. The API key never reaches the log or a chat."""

from __future__ import annotations

import hashlib
import struct
import sys
import zlib
from pathlib import Path

import pytest

import hostkit as hk
from test_catalog_browse import Shop

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "imghost"))
from imghost import ImgHost  # noqa: E402

KEY = "IMGKEY-s3cr3t-4242"
PUBLISHED = "🌐 Фото выложено на хостинг картинок"
FAILED = "⚠️ Хостинг картинок не принял фото"


def png(w: int, h: int, shade: int) -> bytes:
    """A valid RGB PNG (tgsim checks what it is sent)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + b"".join(bytes([shade, (x * 7) % 256, (y * 3) % 256]) for x in range(w)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


IMG = png(64, 48, 200)


@pytest.fixture
def imghost():
    h = ImgHost(KEY).start()
    yield h
    h.stop()


def start(walord, tmp_path, url, key=KEY, timeout_ms=1500):
    extra = f"[plugin.catalog]\nimghost_url = {url}\nimghost_key = {key}\nimghost_timeout_ms = {timeout_ms}\n"
    w = hk.start(walord, tmp_path, plugins=["catalog"], extra_ini=extra)
    return w, Shop(w)


def change_photo(boss, pid, data=IMG):
    boss.press_data(f"cadm:p:{pid}", force=True)
    boss.press("🖼 Фото")
    boss.expect("Пришлите новое фото")
    boss.send_photo(data=data)


def no_key_anywhere(w, tgsim, *users):
    assert KEY not in w.log()
    for u in users:
        for m in u.messages():
            assert KEY not in (m.get("text") or "") + (m.get("caption") or "") + (m.get("html") or "")


@pytest.mark.features("F-CAT-05", "F-CAT-11")
def test_photo_published_and_card_uses_large_preview(tgsim, walord, tmp_path, imghost):
    w, shop = start(walord, tmp_path, imghost.url + "/")               # pasted with a trailing slash
    con = shop.con
    pid = shop.product("Роза", variants=[("50 мл", 100000, 300)])
    boss = hk.owner(tgsim)
    boss.send("/start")
    change_photo(boss, pid)
    boss.expect(PUBLISHED)

    up = imghost.uploads()
    assert len(up) == 1
    assert up[0]["key_ok"] and up[0]["name"] == f"p{pid}" and up[0]["size"] == len(IMG)
    assert up[0]["sha256"] == hashlib.sha256(IMG).hexdigest()      # the very bytes the owner sent
    fid, url = con.execute("SELECT photo_file_id, image_url FROM catalog_product WHERE id = ?", (pid,)).fetchone()
    assert fid and url == f"{imghost.url}/i/{up[0]['id']}.jpg"
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what = ?", f"сменил фото товара p{pid} «Роза»") == 1

    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    s = u.screen()
    assert "Роза" in s.text and not s.photo
    assert url in s.html
    opts = s.raw.get("link_preview_options")
    assert opts and opts.get("prefer_large_media") and opts.get("show_above_text"), s.raw

    # a product created with a photo is published as well
    boss.press_data("cadm:np:0", force=True)
    boss.press("🗂 В корень каталога")
    boss.send("Лилия")
    boss.send("900")
    boss.press("⏭ Пропустить")
    boss.send_photo(data=png(32, 32, 10))
    boss.press("✅ Создать")
    boss.expect(PUBLISHED)
    lily = hk.scalar(con, "SELECT id FROM catalog_product WHERE name = 'Лилия'")
    assert hk.scalar(con, "SELECT image_url FROM catalog_product WHERE id = ?", lily).startswith(imghost.url + "/i/")
    assert imghost.uploads()[-1]["name"] == f"p{lily}"

    # removing the photo removes the hosted link too: the card is text again
    boss.press_data(f"cadm:p:{pid}", force=True)
    boss.press("🖼 Фото")
    boss.press("🚫 Убрать фото")
    assert con.execute("SELECT photo_file_id, image_url FROM catalog_product WHERE id = ?", (pid,)).fetchone() == \
        (None, None)
    no_key_anywhere(w, tgsim, boss, u)


@pytest.mark.features("F-CAT-05", "F-CAT-11")
@pytest.mark.parametrize("failure", ["error", "slow", "garbage", "badkey", "down"])
def test_host_failure_keeps_the_telegram_photo(tgsim, walord, tmp_path, imghost, free_port, failure):
    url = imghost.url
    if failure == "down":
        url = f"http://127.0.0.1:{free_port()}"                      # nothing listens there
    w, shop = start(walord, tmp_path, url, key="wrong-key" if failure == "badkey" else KEY)
    if failure in ("error", "garbage"):
        imghost.set_mode(failure, status=503)
    elif failure == "slow":
        imghost.set_mode("slow", delay=4)                             # longer than imghost_timeout_ms
    con = shop.con
    old = "https://old.example/rose.jpg"
    pid = shop.product("Роза", variants=[("50 мл", 100000, 300)], image_url=old)
    boss = hk.owner(tgsim)
    boss.send("/start")
    change_photo(boss, pid)
    msg = boss.expect(FAILED)
    reason = {"error": "ответ 503", "slow": "не ответил вовремя", "garbage": "ответ 200", "badkey": "ответ 400",
              "down": "недоступен"}[failure]
    assert f"({reason})" in msg["text"], msg["text"]
    assert "Сохранено" in "\n".join(m.get("text") or "" for m in boss.messages()[-4:])
    fid, img = con.execute("SELECT photo_file_id, image_url FROM catalog_product WHERE id = ?", (pid,)).fetchone()
    assert fid and img is None                                        # the old photo's link went with it
    if failure != "down":
        assert len(imghost.uploads()) == 1

    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    s = u.screen()
    assert s.photo and "Роза" in s.text and old not in s.html
    no_key_anywhere(w, tgsim, boss, u)
    assert "image host upload of product" in w.log()
