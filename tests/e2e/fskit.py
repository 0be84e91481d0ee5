"""Small file systems for the storage tests (test_host_storage.py,
test_host_backup.py): a tmpfs of a given size to fill up, and an ext4 image
on a loop device that the kernel can be made to turn read-only, as it does
after an I/O error with errors=remount-ro.

Both need root (CI runs as root: .ci/run). Where mounting is impossible
the test is skipped with the reason; it never passes without having run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=60)


def _skip_unless_root(what: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"{what} needs root (mount); CI runs as root")


@contextlib.contextmanager
def tmpfs(where: Path, size: str):
    """A tmpfs of `size` (e.g. "4m") mounted at `where` for the block."""
    _skip_unless_root("a small tmpfs")
    where.mkdir(parents=True, exist_ok=True)
    r = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where))
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield where
    finally:
        _run("umount", "-l", str(where))


def fill(where: Path, name: str = "filler") -> Path:
    """Writes zeros into where/name until the file system is full; returns the file."""
    path = where / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for size in (1 << 20, 65536, 4096, 512, 1):
            block = b"\0" * size
            try:
                while os.write(fd, block) > 0:
                    pass
            except OSError:
                pass
    finally:
        os.close(fd)
    return path


def free_bytes(where: Path) -> int:
    st = os.statvfs(where)
    return st.f_bavail * st.f_frsize


class Ext4:
    """An ext4 image on a loop device, mounted with errors=remount-ro."""

    def __init__(self, image: Path, where: Path, dev: str):
        self.image, self.where, self.dev = image, where, dev

    def go_read_only(self) -> None:
        """What the kernel does after an I/O error: the file system turns
        read-only under the processes that have files open on it."""
        name = os.path.basename(self.dev)
        Path(f"/sys/fs/ext4/{name}/trigger_fs_error").write_text("walor test: simulated I/O error\n")

    def repair_and_remount(self) -> None:
        """The operator's way back once nothing has files open on it:
        unmount, check the file system, mount it again."""
        r = _run("umount", str(self.where))
        assert r.returncode == 0, f"umount: {r.stderr}"
        r = _run("e2fsck", "-f", "-y", self.dev)
        assert r.returncode in (0, 1), f"e2fsck: {r.returncode} {r.stdout} {r.stderr}"
        r = _run("mount", "-t", "ext4", "-o", "errors=remount-ro", self.dev, str(self.where))
        assert r.returncode == 0, f"mount: {r.stderr}"

    def read_only(self) -> bool:
        for line in Path("/proc/mounts").read_text().splitlines():
            f = line.split()
            if len(f) > 3 and f[1] == str(self.where):
                return "ro" in f[3].split(",") or "emergency_ro" in f[3].split(",")
        return False


@contextlib.contextmanager
def ext4(tmp_path: Path, size_mb: int = 16):
    """An ext4 file system of size_mb on a loop device, mounted for the block."""
    _skip_unless_root("an ext4 loop device")
    for tool in ("losetup", "mkfs.ext4", "e2fsck"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing (packages mount and e2fsprogs)")
    image = tmp_path / "ext4.img"
    where = tmp_path / "ext4"
    where.mkdir(parents=True, exist_ok=True)
    with open(image, "wb") as f:
        f.truncate(size_mb << 20)
    r = _run("mkfs.ext4", "-q", "-F", str(image))
    if r.returncode != 0:
        pytest.skip(f"mkfs.ext4 failed: {r.stderr.strip()}")
    r = _run("losetup", "-f", "--show", str(image))
    if r.returncode != 0:
        pytest.skip(f"no loop device available: {r.stderr.strip()}")
    dev = r.stdout.strip()
    try:
        r = _run("mount", "-t", "ext4", "-o", "errors=remount-ro", dev, str(where))
        if r.returncode != 0:
            pytest.skip(f"cannot mount ext4 from {dev}: {r.stderr.strip()}")
        try:
            fs = Ext4(image, where, dev)
            if not Path(f"/sys/fs/ext4/{os.path.basename(dev)}/trigger_fs_error").exists():
                pytest.skip("this kernel has no /sys/fs/ext4/<dev>/trigger_fs_error")
            yield fs
        finally:
            _run("umount", "-l", str(where))
    finally:
        _run("losetup", "-d", dev)
