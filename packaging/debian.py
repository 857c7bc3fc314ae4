"""The Debian side of the build: a bundle tidied for Debian's rules, and the files a .deb must carry.

Used by packaging/build.py. What lintian asks for and how it is met:
- shared libraries not executable, no RUNPATH of the build machine's Python (cleared with patchelf; Qt's
  ``$ORIGIN`` paths stay), no orphaned libraries (those no binary of the bundle needs, as the GTK stack PyInstaller
  collected for Qt's GTK theme plugin, which the spec drops);
- copies of libraries Debian ships are removed from /opt/flowdeck and the package depends on Debian's instead
  (also the renamed copies a wheel carries, as Pillow's libjpeg, libtiff and libopenjp2);
- /usr/share/doc/flowdeck/{copyright,changelog.gz}, the man page, DEBIAN/md5sums.
Dates come from packaging/linux/changelog (the entry of this version), so two builds of a version are the same.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

LINUX = Path(__file__).resolve().parent / "linux"
# Not the system's even where Debian has one: the bundled Python and Qt are built against these exact copies.
ROOT_LIB = re.compile(r"^libpython3|\.cpython-\d+|\.abi3\.so$")
KEEP = re.compile(r"^(libpython3|libpyside6|libshiboken6|libQt6|libicu)")


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def elf_files(bundle: Path) -> list[Path]:
    return [p for p in sorted(bundle.rglob("*")) if p.is_file() and not p.is_symlink() and is_elf(p)]


def needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def prune_orphans(bundle: Path) -> list[str]:
    """Remove the libraries at the top of _internal that no binary of the bundle needs (directly or not)."""
    internal = bundle / "_internal"
    top = {p.name: p for p in internal.iterdir() if ".so" in p.name and (p.is_file() or p.is_symlink())}
    # Roots: the executable, extension modules, Qt's libraries and plugins, and libpython (the bootloader opens it).
    roots = [p for p in elf_files(bundle) if p.parent != internal or ROOT_LIB.search(p.name)]
    keep = {p.name for p in roots if p.parent == internal}
    todo = [n for r in roots for n in needed(r)]
    while todo:
        name = todo.pop()
        if name in keep or name not in top:
            continue
        keep.add(name)
        target = top[name].resolve()
        if target.is_file():
            todo.extend(needed(target))
    dropped = sorted(set(top) - keep)
    for name in dropped:
        top[name].unlink()
    return dropped


def tidy(bundle: Path) -> None:
    """Shared libraries 0644 and without a RUNPATH that points outside the bundle."""
    for path in elf_files(bundle):
        if path == bundle / "flowdeck":
            continue
        path.chmod(0o644)
        out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
        found = re.search(r"\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]", out)
        if found and not all(p.startswith("$ORIGIN") for p in found.group(1).split(":")):
            subprocess.run(["patchelf", "--remove-rpath", str(path)], check=True)


def use_system_libraries(opt: Path) -> list[str]:
    """Remove bundled copies of libraries that a Debian package of this system provides under the same name."""
    internal = opt / "_internal"
    removed = []
    for path in sorted(internal.iterdir()):
        if ".so" not in path.name or KEEP.match(path.name) or path.is_symlink():
            continue
        for libdir in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"):
            system = Path(libdir) / path.name
            if system.exists() and owner(system):
                path.unlink()
                removed.append(path.name)
                break
    return removed


# auditwheel's renamed copies inside a wheel's <name>.libs/ folder: libjpeg-31e2ca52.so.62.4.0
WHEEL_COPY = re.compile(r"^(?P<base>lib[\w+]+?)-[0-9a-f]{8}\.so\.(?P<major>\d+)")
LIBDIRS = ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib")


def use_system_for_wheel_copies(opt: Path) -> list[str]:
    """Link the bundle to Debian's libjpeg, libtiff, libopenjp2… instead of the copies a wheel carries (Pillow's
    pillow.libs/; lintian: embedded-library), when this system has the library with the same major version.

    auditwheel renames each copy (and its SONAME) with a hash, so the binaries that need it are re-pointed with
    ``patchelf --replace-needed`` at Debian's SONAME, and the copy is removed; Depends then names the package.
    """
    copies = {p.name: p for p in opt.rglob("*.libs/*") if WHEEL_COPY.match(p.name) and p.is_file()}
    replaced = {name: soname for name, path in copies.items() if (soname := _system_soname(path.name))}
    if not replaced:
        return []
    for binary in elf_files(opt):
        for name in set(needed(binary)) & set(replaced):
            subprocess.run(["patchelf", "--replace-needed", name, replaced[name], str(binary)], check=True)
    for name in replaced:
        copies[name].unlink()
    for folder in {p.parent for p in copies.values()}:
        if not any(folder.iterdir()):
            folder.rmdir()
    return sorted(replaced)


def _system_soname(copy: str) -> str | None:
    """Debian's SONAME for a wheel's copy (libopenjp2-b07f72ad.so.2.5.4 -> libopenjp2.so.7), if a package has it."""
    match = WHEEL_COPY.match(copy)
    assert match is not None
    for libdir in LIBDIRS:
        for system in sorted(Path(libdir).glob(f"{match['base']}.so.*")):
            real = Path(os.path.realpath(system))
            version = real.name.split(".so.", 1)[-1]
            if version.split(".")[0] != match["major"] or not owner(system):
                continue
            out = subprocess.run(["readelf", "-d", str(real)], capture_output=True, text=True).stdout
            found = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
            if found:
                return found.group(1)
    return None


def owner(path: Path) -> str | None:
    out = subprocess.run(["dpkg", "-S", str(path)], capture_output=True, text=True)
    if out.returncode != 0:
        out = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True)
    return out.stdout.split(":")[0] if out.returncode == 0 and out.stdout else None


def release(version: str) -> datetime:
    """The date of this version's entry in packaging/linux/changelog (a build of a version is reproducible)."""
    text = (LINUX / "changelog").read_text()
    head = re.search(rf"^flowdeck \({re.escape(version)}\) .*?^ -- .+?  (.+)$", text, re.S | re.M)
    if not head:
        raise SystemExit(f"build: packaging/linux/changelog has no entry for version {version}; add one first")
    return email.utils.parsedate_to_datetime(head.group(1)).astimezone(UTC)


def gz(data: bytes, target: Path) -> None:
    """gzip -9n: no name, no time stamp (the same bytes on every build)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, filename="", mtime=0) as f:
        f.write(data)


def write_docs(stage: Path, copyright_text: str) -> None:
    doc = stage / "usr" / "share" / "doc" / "flowdeck"
    doc.mkdir(parents=True, exist_ok=True)
    (doc / "copyright").write_text(copyright_text)
    gz((LINUX / "changelog").read_bytes(), doc / "changelog.gz")


def write_md5sums(stage: Path) -> None:
    lines = []
    for path in sorted(stage.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.relative_to(stage).parts:
            lines.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {path.relative_to(stage).as_posix()}\n")
    (stage / "DEBIAN" / "md5sums").write_text("".join(lines))


def normalise_times(stage: Path, when: datetime) -> None:
    """Every file's time the release date (SOURCE_DATE_EPOCH alone does not reach dpkg-deb's data.tar here)."""
    stamp = when.timestamp()
    for path in [*stage.rglob("*"), stage]:
        os.utime(path, (stamp, stamp), follow_symlinks=False)


def install_service(stage: Path) -> Path:
    target = stage / "usr" / "lib" / "systemd" / "user" / "flowdeck.service"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(LINUX / "flowdeck.service", target)
    target.chmod(0o644)
    return target
