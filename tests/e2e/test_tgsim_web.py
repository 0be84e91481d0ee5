"""tgsim's web chat in a real browser (Debian's chromium driven by
playwright-core from tests/e2e/web, installed by packaging/install-deps.sh):
multi-line messages (Shift+Enter, pasted lines), the 📍 location picker with
the demo's cities and typed coordinates, and message times in the viewer's
time zone. Screenshots go to the test's tmp_path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tgsim import Sim, SimError, TgsimProcess
from test_tgsim import TOKEN, _exe, api

WEB = Path(__file__).resolve().parent / "web"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def run_browser(url: str, user_id: int, out: Path) -> dict:
    for need, what in ((WEB / "node_modules" / "playwright-core", "npm ci in tests/e2e/web"),
                       (Path(CHROMIUM), "chromium"), (Path(shutil.which("node") or "/nonexistent"), "node")):
        if not need.exists():
            pytest.fail(f"{need} is missing: packaging/install-deps.sh installs {what}", pytrace=False)
    p = subprocess.run(["node", str(WEB / "webchat.mjs"), url, str(user_id), str(out)], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ, CHROMIUM=CHROMIUM))
    assert p.returncode == 0, p.stdout + p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.mark.infra
def test_web_chat_sends_lines_and_locations_and_shows_the_viewers_time(tmp_path):
    with TgsimProcess(_exe(), tokens=[TOKEN], args=["--quiet"]) as proc:
        sim = Sim(proc.url)
        u = sim.user("Анна")
        u.send("/start", wait=False)
        api(sim, "getUpdates", offset=-1)
        sent = [api(sim, "sendMessage", chat_id=u.id, text=t)["result"] for t in ("Оплатите до 19:10", "Ещё")]
        got = run_browser(proc.url, u.id, tmp_path)
        msgs = [m for m in u.chat()["messages"] if m["from"] == "user"][1:]

    # Enter sends, Shift+Enter was a new line: one message of two lines, and the box is empty again
    assert msgs[0]["text"] == "Мыло 3\nШампунь 2", msgs
    assert got["after_send"] == "" and got["height_two_lines"] > 40, got
    # pasted lines stay lines, in one message (a supply or stock-take form)
    assert msgs[1]["text"] == "p1 10\np2 20\np3 30", msgs
    # 📍: the preset place, then typed coordinates (a decimal comma is fine); 100° was refused in the page
    assert msgs[2]["location"] == {"latitude": 55.7893, "longitude": 49.121}, msgs
    assert got["bad_toast"] == "Широта — число от −90 до 90", got
    assert msgs[3]["location"] == {"latitude": 56.8387, "longitude": 60.603}, msgs
    assert len(msgs) == 4 and not got["geo_open_after"], msgs
    # times as the viewer's browser tells them, zone named in the tooltip
    for zone, times in got["times"].items():
        want = [datetime.fromtimestamp(m["date"], ZoneInfo(zone)).strftime("%H:%M") for m in sent]
        assert times == want, (zone, times, want)
        assert got["titles"][zone].endswith(f"({zone})"), got["titles"]
    assert got["times"]["Europe/Moscow"] != got["times"]["Asia/Novosibirsk"]


@pytest.mark.infra
def test_location_off_the_globe_is_refused_by_the_control_api(tmp_path):
    with TgsimProcess(_exe(), tokens=[TOKEN], args=["--quiet"]) as proc:
        sim = Sim(proc.url)
        u = sim.user("Анна")
        for lat, lon in ((91, 0), (-90.5, 10), (0, 180.01), (0, -181)):
            with pytest.raises(SimError) as e:
                sim.send_location(u.id, lat, lon)
            assert e.value.status == 400 and e.value.body["error"] == \
                "latitude must be -90..90 and longitude -180..180"
        u.send_location(-90, 180, wait=False)      # the edges are places
        assert u.chat()["messages"][-1]["location"] == {"latitude": -90, "longitude": 180}
