"""Build Flowdeck's Linux artefacts into dist/: the PyInstaller one-folder bundle and a .deb.

Run with the project's venv (``./dev package`` does): renders the icons from resources/icons/flowdeck.svg,
runs PyInstaller on packaging/flowdeck.spec, validates the .desktop and AppStream files, stages the Debian
tree (bundle in /opt/flowdeck, launcher in /usr/bin, desktop file, metainfo, hicolor icons) and packs it with
dpkg-deb. Prints what it built, with sizes and the build time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import copyright
import debian
import manpage

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
APP_ID = "io.github.flowdeck.Flowdeck"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
# Qt's xcb platform plugin needs these at run time; some are loaded with dlopen, so ldd cannot find them all.
BASE_DEPENDS = (
    "libegl1",
    "libgl1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libglib2.0-0",
)
# The project's licence (the text of LICENSE, when the checkout has one).
MIT_NOTICE = """Copyright (c) Flowdeck developers

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""
# A font for Qt to draw with; python3 for the "python" block; xdg-utils for opening files, folders and links;
# tesseract-ocr for the screen.read block.
RECOMMENDS = ("fonts-dejavu-core", "python3", "xdg-utils", "tesseract-ocr")


def version() -> str:
    text = (ROOT / "engine" / "__init__.py").read_text()
    return re.search(r'__version__ = "([^"]+)"', text).group(1)  # type: ignore[union-attr]


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run(cmd, check=True, **kw)  # type: ignore[call-overload]


def render_icons(out: Path) -> dict[str, Path]:
    """PNGs at the hicolor sizes and a Windows .ico, drawn from the SVG by Qt (QtSvg is in PySide6-Essentials)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(ROOT / "resources" / "icons" / "flowdeck.svg"))
    if not renderer.isValid():
        sys.exit("build: resources/icons/flowdeck.svg is not a valid SVG")
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        path = out / f"{size}.png"
        if not image.save(str(path)):
            sys.exit(f"build: could not write {path}")
        files[str(size)] = path
    big = QImage(1024, 1024, QImage.Format.Format_ARGB32)
    big.fill(Qt.GlobalColor.transparent)
    painter = QPainter(big)
    renderer.render(painter)
    painter.end()
    big.save(str(out / "1024.png"))
    files["1024"] = out / "1024.png"
    files["icns"] = write_icns(out / "flowdeck.icns", files)
    files["ico"] = write_ico(out / "flowdeck.ico", files)
    return files


def write_ico(path: Path, pngs: dict[str, Path]) -> Path:
    """A Windows .ico holding PNG images at 16…256 px (Qt's ICO writer stores one size only, as a bitmap).

    Layout: ICONDIR (reserved 0, type 1, count), one 16-byte ICONDIRENTRY per image, then the PNG data.
    """
    sizes = ("16", "24", "32", "48", "64", "128", "256")
    data = [pngs[s].read_bytes() for s in sizes]
    offset = 6 + 16 * len(sizes)
    head = (0).to_bytes(2, "little") + (1).to_bytes(2, "little") + len(sizes).to_bytes(2, "little")
    entries = b""
    for size, png in zip(sizes, data, strict=True):
        side = int(size) % 256  # 0 means 256
        entries += bytes([side, side, 0, 0]) + (1).to_bytes(2, "little") + (32).to_bytes(2, "little")
        entries += len(png).to_bytes(4, "little") + offset.to_bytes(4, "little")
        offset += len(png)
    path.write_bytes(head + entries + b"".join(data))
    return path


# icns entry types that hold PNG data, by pixel size (the @2x types reuse the larger PNGs).
ICNS_TYPES = (
    (b"icp4", "16"),
    (b"icp5", "32"),
    (b"ic11", "32"),
    (b"ic12", "64"),
    (b"ic07", "128"),
    (b"ic08", "256"),
    (b"ic13", "256"),
    (b"ic09", "512"),
    (b"ic14", "512"),
    (b"ic10", "1024"),
)


def write_icns(path: Path, pngs: dict[str, Path]) -> Path:
    """A macOS .icns: 'icns' + total length, then (type, length incl. 8-byte header, PNG bytes) per entry.

    Qt cannot write icns; this plain container is what iconutil makes from an .iconset of PNGs.
    """
    body = b""
    for kind, size in ICNS_TYPES:
        data = pngs[size].read_bytes()
        body += kind + (len(data) + 8).to_bytes(4, "big") + data
    path.write_bytes(b"icns" + (len(body) + 8).to_bytes(4, "big") + body)
    return path


def pyinstaller(build: Path, dist: Path, ico: Path | None) -> Path:
    env = {**os.environ, "FLOWDECK_ROOT": str(ROOT), "FLOWDECK_ICON": str(ico or "")}
    env.pop("QT_QPA_PLATFORM", None)
    spec = PACKAGING / "flowdeck.spec"
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN"]
    run([*cmd, "--workpath", str(build / "pyinstaller"), "--distpath", str(dist), str(spec)], env=env)
    return dist / "flowdeck"


def validate_desktop_files(stage_meta: Path) -> None:
    desktop = LINUX / f"{APP_ID}.desktop"
    if shutil.which("desktop-file-validate"):
        run(["desktop-file-validate", str(desktop)])
    else:
        print("build: desktop-file-validate not found; .desktop file not validated", file=sys.stderr)
    if shutil.which("appstreamcli"):
        run(["appstreamcli", "validate", "--no-net", "--explain", str(stage_meta)])
    else:
        print("build: appstreamcli not found; metainfo not validated", file=sys.stderr)


def linked_packages(bundle: Path) -> set[str]:
    """Debian packages that provide the system libraries the bundle's binaries link to (as ldd resolves them)."""
    libs: set[str] = set()
    # Libraries the bundle carries win, as they do at run time (the bootloader and Qt's rpath find them first).
    inside = {p.parent for p in bundle.rglob("*.so*")}
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(str(d) for d in sorted(inside))}
    for path in bundle.rglob("*"):
        if path.is_file() and (path.suffix == ".so" or ".so." in path.name or path.name == "flowdeck"):
            out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
            for match in re.finditer(r"=> (/\S+)", out):
                lib = match.group(1)
                if not lib.startswith(str(bundle)):
                    libs.update(dpkg_names(lib))
    if not libs or not shutil.which("dpkg"):
        return set()
    found = subprocess.run(["dpkg", "-S", *sorted(libs)], capture_output=True, text=True).stdout
    return {line.split(":")[0] for line in found.splitlines() if ":" in line}


def dpkg_names(lib: str) -> set[str]:
    """The names dpkg may know a library by: as ldd found it, its real file, each also under /lib and /usr/lib
    (on a merged-/usr system a package lists /lib/… while ldd and realpath say /usr/lib/…, or the other way)."""
    names = set()
    for path in (lib, os.path.realpath(lib)):
        names.add(path)
        if path.startswith("/usr/lib/"):
            names.add(path.removeprefix("/usr"))
        elif path.startswith("/lib/"):
            names.add("/usr" + path)
    return names


def depends(bundle: Path) -> str:
    skip = {"libc6", "libgcc-s1"}  # always present (libc6 is named first); version pins would only get in the way
    names = sorted((set(BASE_DEPENDS) | linked_packages(bundle)) - skip)
    return ", ".join(["libc6", *names])


def stage_deb(bundle: Path, icons: dict[str, Path], stage: Path, ver: str, released: datetime) -> Path:
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / "opt" / "flowdeck"
    shutil.copytree(bundle, opt, symlinks=True)
    dropped = debian.use_system_libraries(opt)
    wheel_copies = debian.use_system_for_wheel_copies(opt)
    print(f"build: {len(wheel_copies)} wheels' copies of Debian's libraries left out: {' '.join(wheel_copies)}")
    print(f"build: {len(dropped)} bundled copies of Debian's libraries left out (Depends names them)", flush=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    shutil.copy2(LINUX / "flowdeck", stage / "usr" / "bin" / "flowdeck")
    (stage / "usr" / "bin" / "flowdeck").chmod(0o755)
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy2(LINUX / f"{APP_ID}.desktop", apps / f"{APP_ID}.desktop")
    meta = stage / "usr" / "share" / "metainfo" / f"{APP_ID}.metainfo.xml"
    meta.parent.mkdir(parents=True)
    text = (LINUX / f"{APP_ID}.metainfo.xml").read_text()
    meta.write_text(text.replace("@VERSION@", ver).replace("@DATE@", released.date().isoformat()))
    hicolor = stage / "usr" / "share" / "icons" / "hicolor"
    for size in ICON_SIZES:
        target = hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True)
        shutil.copy2(icons[str(size)], target)
    svg = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    svg.parent.mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "icons" / "flowdeck.svg", svg)
    debian.install_service(stage)
    from engine.cli.main import build_parser

    debian.gz(manpage.render(build_parser(), ver, released).encode(), stage / "usr/share/man/man1/flowdeck.1.gz")
    return meta


def write_control(stage: Path, bundle: Path, ver: str) -> None:
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    size_kb = sum(p.stat().st_size for p in stage.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    control = (LINUX / "control.in").read_text()
    for key, value in {
        "@VERSION@": ver,
        "@ARCH@": arch,
        "@SIZE_KB@": str(size_kb),
        "@DEPENDS@": depends(bundle),
    }.items():
        control = control.replace(key, value)
    control = control.replace("Depends:", f"Recommends: {', '.join(RECOMMENDS)}\nDepends:", 1)
    (stage / "DEBIAN").mkdir()
    (stage / "DEBIAN" / "control").write_text(control)
    debian.write_md5sums(stage)


def mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle and .deb go")
    parser.add_argument("--build", type=Path, default=ROOT / "build" / "package", help="scratch folder")
    parser.add_argument("--check", action="store_true", help="then install the .deb in a clean Debian 12 chroot")
    parser.add_argument("--reuse-bundle", action="store_true", help="pack the bundle already in DIST again")
    args = parser.parse_args(argv)
    started = time.monotonic()
    ver = version()
    icons = render_icons(args.build / "icons")
    if args.reuse_bundle and (args.dist / "flowdeck").is_dir():
        bundle = args.dist / "flowdeck"
    else:
        bundle = pyinstaller(args.build, args.dist, icons.get({"win32": "ico", "darwin": "icns"}.get(sys.platform, "")))
    for key in ("ico", "icns"):
        if key in icons:
            shutil.copy2(icons[key], args.dist / icons[key].name)
    if sys.platform != "linux":  # Windows and macOS installers are made from the bundle with their own tools
        print(f"bundle: {bundle} ({mb(bundle):.1f} MB); see docs/packaging.md for the installer step")
        return 0
    orphans = debian.prune_orphans(bundle)
    print(f"build: {len(orphans)} libraries no binary needs left out: {' '.join(orphans)}", flush=True)
    debian.tidy(bundle)
    released = debian.release(ver)
    stage = args.build / "deb"
    meta = stage_deb(bundle, icons, stage, ver, released)
    validate_desktop_files(meta)
    licence = (ROOT / "LICENSE").read_text() if (ROOT / "LICENSE").is_file() else MIT_NOTICE
    debian.write_docs(stage, copyright.render(args.build / "pyinstaller" / "flowdeck", licence))
    write_control(stage, stage / "opt" / "flowdeck", ver)
    debian.normalise_times(stage, released)
    deb = (
        args.dist / f"flowdeck_{ver}_{subprocess.check_output(['dpkg', '--print-architecture'], text=True).strip()}.deb"
    )
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(released.timestamp()))}
    cmd = ["dpkg-deb", "--root-owner-group", "--build", "-Zxz", str(stage), str(deb)]
    run(cmd, stdout=subprocess.DEVNULL, env=env)
    took = time.monotonic() - started
    print(f"bundle: {bundle} ({mb(bundle):.1f} MB)")
    print(f"deb:    {deb} ({mb(deb):.1f} MB)")
    print(f"built in {took:.0f} s")
    if args.check:
        import chroot_check

        chroot_check.check(deb, args.build.parent / "chroot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
