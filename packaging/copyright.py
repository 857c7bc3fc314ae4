"""debian/copyright for the bundle (machine-readable format 1.0), made from what PyInstaller put into it.

Every Python distribution whose files the build analysed (PYZ-00.toc, COLLECT-00.toc under the work folder) is
listed with its version and licence, read from its metadata in the build's Python; the licence texts come from the
distributions' own licence files, or from /usr/share/common-licenses where Debian has them.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import sys
from pathlib import Path

COMMON = {
    "Apache-2.0": "Apache-2.0",
    "LGPL-3.0-only": "LGPL-3",
    "LGPL-3.0-or-later": "LGPL-3",
    "LGPL-2.1-or-later": "LGPL-2.1",
    "GPL-3.0-only": "GPL-3",
    "GPL-2.0-only": "GPL-2",
    "MPL-2.0": "MPL-2.0",
}
# Distributions whose metadata names no licence the way the others do (PySide6's says "LGPL"; Qt's is LGPL-3;
# python-xlib's says "LGPLv2+").
KNOWN = {
    "pyside6_essentials": "LGPL-3.0-only",
    "shiboken6": "LGPL-3.0-only",
    "pyside6": "LGPL-3.0-only",
    "python_xlib": "LGPL-2.1-or-later",
}
CLASSIFIERS = {
    "MIT License": "MIT",
    "BSD License": "BSD-3-Clause",
    "Apache Software License": "Apache-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "ISC License (ISCL)": "ISC",
}
OWN = "opt/flowdeck/_internal"
# Licence files that go on with the licences of the libraries the wheel carries, after this line; the .deb links
# Debian's copies of those libraries instead (debian.use_system_for_wheel_copies), so only the first part applies.
WHEEL_LIBRARIES_FROM = {"pillow": "\n----\n"}


def licence_of(dist: md.Distribution) -> str:
    meta = dist.metadata
    if meta["Name"].lower().replace("-", "_") in KNOWN:
        return KNOWN[meta["Name"].lower().replace("-", "_")]
    expr = meta.get("License-Expression")
    if expr:  # one short name for the copyright format: "A OR B" becomes "A-or-B"
        return expr.strip().replace(" OR ", "-or-")
    for c in meta.get_all("Classifier") or []:
        if c.startswith("License :: ") and c.split(" :: ")[-1] in CLASSIFIERS:
            return CLASSIFIERS[c.split(" :: ")[-1]]
    short = (meta.get("License") or "").strip()
    return short if short and "\n" not in short and len(short) < 40 else "unknown"


def licence_text(dist: md.Distribution) -> str | None:
    for f in dist.files or []:
        name = f.name.upper()
        if name.startswith(("LICENSE", "LICENCE", "COPYING")) and "dist-info" in str(f):
            path = Path(str(dist.locate_file(f)))
            if path.is_file():
                text = path.read_text(errors="replace")
                cut = WHEEL_LIBRARIES_FROM.get(dist.metadata["Name"].lower())
                return text.split(cut, 1)[0] if cut else text
    return None


def bundled_distributions(workdir: Path) -> list[md.Distribution]:
    """The installed distributions owning a file the build's tables list."""
    sources: set[str] = set()
    for toc in ("PYZ-00.toc", "COLLECT-00.toc"):
        data = ast.literal_eval((workdir / toc).read_text())
        entries = data[1] if toc.startswith("PYZ") else data
        sources.update(str(Path(e[1]).resolve()) for e in entries if isinstance(e, tuple) and len(e) > 1 and e[1])
    found = {}
    for dist in md.distributions():
        name = dist.metadata["Name"]
        if not name or name.lower() in found or name.lower() in ("flowdeck", "pyinstaller"):
            continue
        for f in dist.files or []:
            if str(Path(str(dist.locate_file(f))).resolve()) in sources:
                found[name.lower()] = dist
                break
    return sorted(found.values(), key=lambda d: d.metadata["Name"].lower())


def _indent(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(f" {line}" if line else " ." for line in lines)


def render(workdir: Path, project_licence: str) -> str:
    dists = bundled_distributions(workdir)
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    names: dict[str, str | None] = {"MIT": project_licence, "PSF-2.0": None, "LGPL-3.0-only": None}
    listed = []
    for dist in dists:
        lic = licence_of(dist)
        names.setdefault(lic, licence_text(dist))
        if names[lic] is None:
            names[lic] = licence_text(dist)
        listed.append(f"{dist.metadata['Name']} {dist.version}: {lic}")
    parts = [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: flowdeck\nUpstream-Contact: Flowdeck developers <flowdeck@users.noreply.github.com>\n"
        "Source: https://github.com/flowdeck/flowdeck\n",
        "Files: *\nCopyright: Flowdeck developers\nLicense: MIT\n",
        f"Files: opt/flowdeck/flowdeck {OWN}/*\n"
        "Copyright: Flowdeck developers, the Python Software Foundation and the authors of the bundled components\n"
        f"License: MIT and PSF-2.0 and {' and '.join(sorted({licence_of(d) for d in dists} - {'MIT'}))}\n"
        f"Comment: A PyInstaller bundle: Python {py} and these Python distributions (version: licence):\n"
        + _indent("\n".join(listed))
        + "\n",
        f"Files: {OWN}/PySide6/* {OWN}/shiboken6/* {OWN}/libpyside6* {OWN}/libshiboken6* {OWN}/libQt6* {OWN}/libicu*\n"
        "Copyright: The Qt Company Ltd. and other contributors; Unicode, Inc. (ICU)\n"
        "License: LGPL-3.0-only\n"
        "Comment: Qt 6 and PySide6 from the PySide6-Essentials wheel; ICU is under the Unicode licence\n"
        " (see the licence files inside PySide6/).\n",
        f"Files: {OWN}/python{py}/* {OWN}/base_library.zip {OWN}/libpython{py}*\n"
        "Copyright: Python Software Foundation\nLicense: PSF-2.0\n",
    ]
    for name, text in sorted(names.items()):
        if name in COMMON:
            body = f"On Debian systems the full text is in /usr/share/common-licenses/{COMMON[name]}."
        elif text:
            body = text
        elif name == "PSF-2.0":
            body = (Path(sys.prefix) / "lib" / f"python{py}" / "LICENSE.txt").read_text(errors="replace")
        else:
            body = "See the licence file of the distribution (its metadata names no text)."
        parts.append(f"License: {name}\n{_indent(body)}\n")
    return "\n".join(parts)
