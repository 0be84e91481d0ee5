"""SDK stability (docs/plugin-guide.md "SDK stability"): the current walord
loads and runs a plugin built against the frozen SDK 1.0 headers
(sdk/abi/include-1.0, tests/plugins/oldsdk), next to one built against the
current headers."""

from __future__ import annotations

import filecmp
import re

import pytest

import hostkit as hk
import walor_harness as wh

FROZEN = wh.REPO_ROOT / "sdk" / "abi" / "include-1.0" / "walor"


@pytest.mark.infra
def test_oldsdk_headers_are_the_frozen_1_0_copy():
    """The test below means something only if oldsdk really was compiled
    against SDK 1.0 headers: the frozen copy says 1.0, and it is the copy
    oldsdk's CMakeLists.txt puts on its include path."""
    version = (FROZEN / "version.h").read_text()
    assert re.search(r"#define\s+WALOR_SDK_MAJOR\s+1\b", version)
    assert re.search(r"#define\s+WALOR_SDK_MINOR\s+0\b", version)
    for h in ("plugin.h", "version.h", "types.h", "api.h", "wrappers.h"):
        assert (FROZEN / h).is_file(), f"{FROZEN / h} is missing"
    cml = (wh.REPO_ROOT / "tests" / "plugins" / "oldsdk" / "CMakeLists.txt").read_text()
    assert "sdk/abi/include-1.0" in cml and "Walor::sdk" not in cml.split("#")[-1]
    # while the SDK is still 1.0 the frozen copy must equal sdk/include
    current = (wh.REPO_ROOT / "sdk" / "include" / "walor" / "version.h").read_text()
    if re.search(r"#define\s+WALOR_SDK_MINOR\s+0\b", current):
        _, mismatch, errors = filecmp.cmpfiles(FROZEN, wh.REPO_ROOT / "sdk" / "include" / "walor",
                                               ["plugin.h", "version.h", "types.h", "api.h", "wrappers.h"],
                                               shallow=False)
        assert not mismatch and not errors, (
            f"sdk/include/walor changed but SDK is still 1.0; {mismatch or errors} differ from the "
            "frozen copy: bump WALOR_SDK_MINOR when the API grows (the frozen 1.0 copy never changes)")


@pytest.mark.infra
def test_plugin_built_with_sdk_1_0_runs_on_current_host(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["hello", "oldsdk"])
    log = w.log()
    assert re.search(r"plugin oldsdk \S+ loaded", log), w.log_tail(40)
    assert "oldsdk refused" not in log, w.log_tail(40)
    assert re.search(r"oldsdk oldsdk loaded, built with SDK 1\.0", log), w.log_tail(40)

    u = tgsim.user("Семён")
    u.send("/oldsdk проверка <b>")
    m = u.expect("старый SDK работает")
    text = m.get("text") or ""
    # slots from all over the table answered sensibly: DB (count), settings
    # + money formatting (default 1500,50), html_escape (the argument)
    assert "вызов 1" in text, text
    assert "1 500,50 ₽" in text, text
    assert "аргумент «проверка <b>»" in text, text
    s = u.screen()
    assert "🏠 Меню" in [t for row in s.buttons for t, _ in row], s   # keyboard slots
    u.send("/oldsdk")
    u.expect("вызов 2")
    # the current-SDK plugin runs next to it
    u.send("/hello")
    u.expect("Привет! Вы нажали кнопку 0 раз.")
    w.wait_log(r"oldsdk answered user \d+ \(call 2\)", timeout=5)
    w.stop()
