"""``./dev package --check``: install the .deb in a clean Debian 12 chroot and see its window there under Xvfb.

The base (debootstrap --variant=minbase bookworm) is made once and kept in build/chroot/bookworm-minbase; each
check works on a fresh copy. Steps, each of which must pass:
1. ``apt-get install ./flowdeck_*.deb`` with no recommends: only what Depends names comes in;
2. ``ldd`` finds every library of the bundle's binaries and Qt plugins, before any other package is added;
3. ``flowdeck --version`` and a headless ``flowdeck run`` of a workflow that starts a program work;
4. with Xvfb and xdotool added, ``flowdeck`` shows its window.
Needs root (chroot, mount) and debootstrap. Prints one line per step, and ``chroot check: passed`` at the end.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
MOUNTS = ("proc", "dev", "dev/pts", "sys")


def sh(root: Path, script: str, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}
    env["DEBIAN_FRONTEND"] = "noninteractive"
    return subprocess.run(
        ["chroot", str(root), "sh", "-ec", script], env=env, capture_output=True, text=True, timeout=timeout
    )


def step(name: str, result: subprocess.CompletedProcess) -> str:
    if result.returncode != 0:
        sys.exit(f"chroot check: {name}: FAILED\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    print(f"chroot check: {name}: ok", flush=True)
    return result.stdout


def base(cache: Path) -> Path:
    target = cache / f"{SUITE}-minbase"
    if not target.is_dir():
        if not shutil.which("debootstrap"):
            sys.exit("chroot check: debootstrap is not installed (apt-get install debootstrap)")
        tmp = cache / f"{SUITE}-minbase.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(tmp), MIRROR], check=True)
        tmp.rename(target)
    return target


def mount(root: Path) -> None:
    subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], check=True)
    for name in ("dev", "dev/pts", "sys"):
        subprocess.run(["mount", "--bind", f"/{name}", str(root / name)], check=True)


def unmount(root: Path) -> None:
    for name in reversed(MOUNTS):
        subprocess.run(["umount", "-l", str(root / name)], capture_output=True)


def check(deb: Path, cache: Path) -> None:
    started = time.monotonic()
    root = cache / "check"
    if root.exists():
        unmount(root)
        shutil.rmtree(root)
    subprocess.run(["cp", "-a", str(base(cache)), str(root)], check=True)
    shutil.copy2("/etc/resolv.conf", root / "etc" / "resolv.conf")
    shutil.copy2(deb, root / "tmp" / deb.name)
    mount(root)
    try:
        step("apt-get update", sh(root, "apt-get update -qq"))
        before = set(sh(root, "dpkg-query -W -f '${Package}\\n'").stdout.split())
        step(f"install {deb.name}", sh(root, f"apt-get install -y -qq --no-install-recommends /tmp/{deb.name}"))
        after = set(sh(root, "dpkg-query -W -f '${Package}\\n'").stdout.split())
        print(f"chroot check: {len(after - before)} packages installed with it", flush=True)
        libs = step(
            "every library found",
            sh(root, "find /opt/flowdeck -name '*.so*' -type f -exec ldd {} + 2>/dev/null | grep 'not found' || true"),
        )
        if libs.strip():
            sys.exit(f"chroot check: libraries not found:\n{libs[-3000:]}")
        step("flowdeck --version", sh(root, "flowdeck --version"))
        # not the bundled hello.yaml: it runs python3, which is only recommended
        (root / "tmp" / "w.yaml").write_text(
            "flowdeck: 1\nname: Check\nsteps:\n  a: {do: program.run, with: {command: [uname, -s]}, next: b}\n"
            "  b: {do: log, with: {message: '{{ steps.a.stdout }}'}}\n"
        )
        run = "cd /tmp && PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring flowdeck run --no-history w.yaml"
        step("flowdeck run (headless)", sh(root, run))
        step("add xvfb, xdotool", sh(root, "apt-get install -y -qq --no-install-recommends xvfb xauth xdotool"))
        window = (
            "Xvfb :77 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & X=$!; sleep 2; "
            "export DISPLAY=:77 HOME=/tmp/home XDG_RUNTIME_DIR=/tmp/run; "
            "export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring; "
            "mkdir -p $HOME; mkdir -m 700 -p $XDG_RUNTIME_DIR; flowdeck >/tmp/app.log 2>&1 & A=$!; "
            "found=; for i in $(seq 60); do if xdotool search --onlyvisible --name '^Flowdeck — ' >/dev/null; "
            "then found=1; break; fi; sleep 1; done; kill $A $X 2>/dev/null || true; "
            '[ -n "$found" ] || { cat /tmp/app.log; exit 1; }'
        )
        step("window shown under Xvfb", sh(root, window, timeout=300))
    finally:
        unmount(root)
    print(f"chroot check: passed ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    check(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else Path("build/chroot"))
