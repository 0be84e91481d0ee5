"""The SDK example plugin builds out of tree against an installed SDK, as a
third-party plugin would (ARCHITECTURE.md §3 "Examples"), with its own
CMakeLists.txt and with its plain Makefile, and walord loads and runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import walor_harness as wh

EXAMPLE = wh.REPO_ROOT / "sdk" / "examples" / "hello"


def _run(cmd, env=None, cwd=None):
    p = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    return p


@pytest.fixture(scope="module")
def sdk_prefix(tmp_path_factory):
    """`cmake --install build --prefix <tmp>`: the SDK as a distribution installs it."""
    if shutil.which("cmake") is None:
        pytest.skip("cmake is not installed")
    prefix = tmp_path_factory.mktemp("sdk-prefix")
    _run(["cmake", "--install", wh.build_dir(), "--prefix", prefix])
    pcs = sorted(prefix.rglob("walor-plugin.pc"))
    assert pcs, f"cmake --install put no walor-plugin.pc under {prefix}"
    assert (prefix / "include" / "walor" / "plugin.h").is_file(), "SDK headers not installed"
    text = pcs[0].read_text()
    # the installed .pc must point into the prefix, not into the source tree
    assert str(wh.REPO_ROOT / "sdk" / "include") not in text, text
    env = dict(os.environ)
    env["PKG_CONFIG_PATH"] = os.pathsep.join(str(p.parent) for p in pcs)
    env.pop("PKG_CONFIG_LIBDIR", None)
    return prefix, env


def _use_hello(walord, tgsim, plugin_dir: Path, name: str):
    w = walord(plugins=["hello"], plugin_dir=plugin_dir)
    w.wait_log(r"plugin hello \S+ loaded", timeout=5)
    u = tgsim.user(name)
    u.send("/hello")
    u.expect("Привет! Вы нажали кнопку 0 раз.")
    u.press("➕ Ещё")
    u.expect("Вы нажали кнопку 1 раз.")
    w.stop()
    return w


@pytest.mark.features("F-HOST-07")
def test_hello_builds_out_of_tree_with_cmake(sdk_prefix, tmp_path, tgsim, walord):
    prefix, env = sdk_prefix
    bdir = tmp_path / "hello-cmake"
    _run(["cmake", "-S", EXAMPLE, "-B", bdir, f"-DCMAKE_PREFIX_PATH={prefix}",
          "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], env=env)
    _run(["cmake", "--build", bdir], env=env)
    so = bdir / "hello.so"
    assert so.is_file(), sorted(p.name for p in bdir.iterdir())
    plugin_dir = tmp_path / "plugins-cmake"
    plugin_dir.mkdir()
    shutil.copy2(so, plugin_dir / "hello.so")
    _use_hello(walord, tgsim, plugin_dir, "Кира")


@pytest.mark.features("F-HOST-07")
def test_hello_builds_out_of_tree_with_make(sdk_prefix, tmp_path, tgsim, walord):
    _prefix, env = sdk_prefix
    if shutil.which("make") is None or shutil.which(env.get("CC", "cc")) is None:
        pytest.skip("make or a C compiler is not installed")
    src = tmp_path / "hello-make"
    src.mkdir()
    for f in ("hello.c", "Makefile"):
        shutil.copy2(EXAMPLE / f, src / f)
    _run(["make", "-C", src], env=env)
    so = src / "hello.so"
    assert so.is_file()
    _use_hello(walord, tgsim, src, "Лев")
