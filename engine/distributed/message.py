"""The run as data: what the daemon sends a worker, and how the worker checks it before running anything.

A message is a JSON object: the frozen workflow as YAML text and every workflow file its ``workflow.run`` steps
reach (engine.distributed.bundle), each with its SHA-256, the trigger data, the variables, the policy, the worker
tags it needs, and the leader's fencing token. Never a path to open on the daemon's disk, never a pickled object,
never a secret: the worker re-validates and compiles the text with its own blocks and reads secrets from its own
sources.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

SCHEMA = 1  # bumped when a message changes in a way an older worker would misread
MAX_DEPTH = 8  # ``..`` levels a bundled file may sit above the workflow's folder (engine.distributed.bundle)


class Refused(ValueError):
    """A message this worker cannot run; the text says why, for the run's history."""


@dataclass
class Bundle:
    """A checked message: the files to write (relative path → text), which is the workflow, and the rest."""

    run_id: str
    workflow: str
    main: str
    files: dict[str, str]
    states: dict[str, str]  # relative path → the identity its saved values are kept under
    trigger: dict[str, Any]
    variables: dict[str, Any] | None
    source: str
    policy: dict[str, Any]
    needs: list[str]
    fence: int
    sent: float
    labels: dict[str, str] = field(default_factory=dict)  # identity → how `flowdeck state --broker` names it


def identity(path: Path, root: Path | None = None) -> str:
    """The key a workflow file's saved values (and its fires) are known by in the broker, not a path a worker could
    open: its path relative to the workspace ``root`` (the same on two daemons of one broker), else its full path."""
    return known(path, root.resolve() if root is not None else None)[0]


def known(path: Path, top: Path | None) -> tuple[str, str]:
    """``path``'s identity and label (below) in the workspace ``top`` (resolved): one resolve for both."""
    path = path.resolve()
    if top is not None and path.is_relative_to(top):
        inside = path.relative_to(top).as_posix()
        return "wf-" + hashlib.sha256(("ws:" + inside).encode()).hexdigest()[:20], inside
    return "wf-" + hashlib.sha256(str(path).encode()).hexdigest()[:20], path.name


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def workflow_of(plan: Any) -> Any:
    """The frozen Workflow a plan was compiled from (Engine.plan pickles it at compile time)."""
    if plan.snapshot is None:
        raise ValueError("this plan was compiled without its workflow; compile it with the engine")
    return pickle.loads(plan.snapshot)


def build(
    plan: Any,
    *,
    run_id: str,
    trigger: dict | None,
    variables: dict | None,
    source: str,
    fence: int,
    root: Path | None = None,
) -> dict:
    """The message of one run of ``plan``; bundle.Unsendable when a child workflow is named by a template."""
    from engine.distributed.bundle import DESKTOP, collect

    workflow = workflow_of(plan)
    main = plan.path.name if plan.path else "workflow.yaml"
    found = collect(workflow, plan.path, main)
    files = {}
    top = root.resolve() if root is not None else None
    for rel, text in found.texts.items():
        origin = found.sources.get(rel)
        state, shown = known(origin, top) if origin else (run_id, plan.name)  # label: how `flowdeck state` names it
        files[rel] = {"text": text, "sha256": sha(text), "state": state, "label": shown}
    policy = dict(workflow.policy)
    needs = {str(t) for t in policy.get("runs_on") or []}
    if found.desktop:
        needs.add(DESKTOP)
    return {
        "schema": SCHEMA,
        "run_id": run_id,
        "workflow": plan.name,
        "main": main,
        "files": files,
        "trigger": dict(trigger or {}),
        "variables": variables,
        "source": source,
        "policy": policy,
        "needs": sorted(needs),
        "desktop_blocks": sorted(found.desktop),
        "fence": fence,
        "sent": time.time(),
    }


def encode(message: dict) -> str:
    return json.dumps(message, default=str, ensure_ascii=False)


def check(message: Any, worker: str) -> Bundle:
    """A Bundle of ``message``, or Refused saying what is wrong with it (a newer schema, a damaged file)."""
    if not isinstance(message, dict):
        raise Refused("the message is not a Flowdeck run")
    schema = message.get("schema")
    if not isinstance(schema, int) or schema > SCHEMA:
        raise Refused(
            f"{worker} cannot run it: the run was sent in message format {schema} and this worker's Flowdeck reads "
            f"format {SCHEMA} at most; update Flowdeck on {worker}"
        )
    try:
        files = {rel: _checked(rel, entry) for rel, entry in dict(message["files"]).items()}
        states = {rel: str(entry.get("state") or rel) for rel, entry in dict(message["files"]).items()}
        main = str(message["main"])
        if main not in files:
            raise Refused("the message names a workflow it does not hold")
        return Bundle(
            run_id=str(message["run_id"]),
            workflow=str(message.get("workflow") or main),
            main=main,
            files=files,
            states=states,
            trigger=dict(message.get("trigger") or {}),
            variables=message.get("variables"),
            source=str(message.get("source") or "schedule"),
            policy=dict(message.get("policy") or {}),
            needs=[str(t) for t in message.get("needs") or []],
            fence=int(message.get("fence") or 0),
            sent=float(message.get("sent") or 0.0),
            labels={states[rel]: str(entry.get("label") or rel) for rel, entry in dict(message["files"]).items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, Refused):
            raise
        raise Refused(f"the message is damaged ({type(exc).__name__}: {exc})") from None


def _checked(rel: str, entry: dict) -> str:
    text = str(entry["text"])
    if sha(text) != entry.get("sha256"):
        raise Refused(f"{rel}: its text does not match its SHA-256 (damaged on the way)")
    parts = PurePosixPath(rel).parts
    if PurePosixPath(rel).is_absolute() or parts.count("..") > MAX_DEPTH or ".." in parts[parts.count("..") :]:
        raise Refused(f"{rel}: not a path inside the bundle")
    return text


def write(bundle: Bundle, folder: Path) -> dict[Path, str]:
    """Write the bundle's files under ``folder``; returns each file's path → its saved-values identity. The main
    file sits as many folders deep as the bundle reaches up (``..``), so every relative path stays inside."""
    depth = max(PurePosixPath(rel).parts.count("..") for rel in bundle.files)
    base = folder.joinpath(*(["up"] * depth)) if depth else folder
    out: dict[Path, str] = {}
    for rel, text in bundle.files.items():
        path = Path(os.path.normpath(base / rel))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out[path.resolve()] = bundle.states[rel]
    return out


def main_path(bundle: Bundle, folder: Path) -> Path:
    depth = max(PurePosixPath(rel).parts.count("..") for rel in bundle.files)
    return (folder.joinpath(*(["up"] * depth)) if depth else folder) / bundle.main
