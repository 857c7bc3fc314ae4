"""A replacing write never leaves a half file: file.write, http.download and file.zip under a file-size limit (as on a
full disk) fail their step and keep the old file whole."""

from __future__ import annotations

import json
import os
import resource
import subprocess

import pytest

from tests.support.product import Product
from tests.support.servers import LocalHTTPServer, http_server  # noqa: F401

LIMIT = 1024 * 1024  # the largest file the run may write (RLIMIT_FSIZE), like a disk with 1 MB left

REPLACE = """flowdeck: 1
name: Replace
steps:
  write:
    do: file.write
    with: {path: keep.txt, content: "{{ 'x' * 2000000 }}"}
    on_error: continue
    next: download
  download:
    do: http.download
    with: {url: "{{ vars.base }}/big?bytes=2000000", to: keep.bin}
    on_error: continue
    next: pack
  pack:
    do: file.zip
    with: {path: noise.bin, to: keep.zip, overwrite: true}
    on_error: continue
"""


def _small_disk() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


@pytest.mark.promise("blocks.md", "`file.write` — Write file")
@pytest.mark.promise("blocks.md", "`http.download` — Download")
@pytest.mark.promise("blocks.md", "`file.zip` — Zip")
def test_a_failed_replacement_keeps_the_old_file(product: Product, http_server: LocalHTTPServer) -> None:  # noqa: F811
    """A replaced file is swapped in only once the new content is complete: when the new content cannot be written
    (the disk is full), the step fails and the old file is left as it was, with no temporary file beside it."""
    root = product.workspace
    for name in ("keep.txt", "keep.bin", "keep.zip"):
        (root / name).write_text("the old content")
    (root / "noise.bin").write_bytes(os.urandom(2_000_000))  # 2 MB that do not compress
    flow = product.write("replace.yaml", REPLACE)
    done = subprocess.run(
        product.command("run", "--json", "--no-history", str(flow), "--var", f"base={http_server.url}"),
        env=product.env,
        cwd=product.home,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_small_disk,
    )
    record = json.loads(done.stdout)
    errors = {step: out.get("error", {}).get("message") for step, out in record["steps"].items()}
    assert all(errors.values()), errors  # every replacement failed
    for name in ("keep.txt", "keep.bin", "keep.zip"):
        assert (root / name).read_text() == "the old content", name
    assert sorted(p.name for p in root.iterdir()) == ["keep.bin", "keep.txt", "keep.zip", "noise.bin", "replace.yaml"]
