"""A third-party block package made on disk for a test: a module plus its dist-info with a ``flowdeck.blocks`` entry
point, found by every Flowdeck process that has the folder on its PYTHONPATH (pass ``env=plugin_env(...)``)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

# A block whose parameter check is a real piece of third-party code: "boom" makes it raise while the file is
# validated, "wait:PATH" makes it write PATH.reading and wait (up to 30 s) until PATH exists: a slow file.
GATE_BLOCKS = """
import os, time
from dataclasses import dataclass
from engine.registry import Kind, Param, block

@dataclass(frozen=True)
class GateParam(Param):
    def check(self, value):
        if value == "boom":
            raise RuntimeError("the gate plugin blew up")
        if isinstance(value, str) and value.startswith("wait:"):
            gate = value[5:]
            open(gate + ".reading", "a").close()
            deadline = time.monotonic() + 30
            while not os.path.exists(gate) and time.monotonic() < deadline:
                time.sleep(0.05)
        return None

@block("gate.pass", title="Gate", category="Test", help="Checks its value with third-party code.",
       params=[GateParam("value", Kind.TEXT, required=True, help="boom, or wait:PATH")])
def gate(ctx, value):
    return {}
"""


def install_plugin(folder: Path, name: str = "gate_blocks", code: str = GATE_BLOCKS) -> Path:
    """Write the plugin module ``name`` and its dist-info into ``folder``; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    dist = folder / f"{name}-1.0.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[flowdeck.blocks]\n{name} = {name}\n")
    return folder


def plugin_env(pythonpath: str, folder: Path) -> dict[str, str]:
    """The environment override that adds ``folder`` to a product's PYTHONPATH."""
    return {"PYTHONPATH": os.pathsep.join((pythonpath, str(folder)))}
