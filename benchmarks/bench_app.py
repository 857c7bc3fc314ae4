"""The app's footprint: launch to first paint (cold and warm), idle in the tray, memory after 1,000 runs.

Starts its own Xvfb and trayer and runs the real app (``python -m gui``) as a person's process would, with its
user folders in a temporary place. Run: .venv/bin/python benchmarks/bench_app.py [--quick]
Targets: first paint < 0.5 s; idle with 100 armed workflows < 0.1 % of one core over 60 s and < 100 MB RSS;
memory flat over 1,000 runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import machine

from tests.support.xdisplay import XDisplay, start_xvfb

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def make_home(root: Path, workflows: dict[str, str]) -> dict[str, str]:
    """XDG folders and a workspace holding ``workflows``; returns the environment entries."""
    env = {}
    for var, sub in (("CONFIG", "config"), ("DATA", "data"), ("STATE", "state"), ("CACHE", "cache")):
        (root / sub).mkdir(parents=True, exist_ok=True)
        env[f"XDG_{var}_HOME"] = str(root / sub)
    (root / "runtime").mkdir(mode=0o700, exist_ok=True)
    env["XDG_RUNTIME_DIR"] = str(root / "runtime")
    ws = root / "ws"
    ws.mkdir(exist_ok=True)
    for name, text in workflows.items():
        (ws / f"{name}.yaml").write_text(text)
    conf = root / "config" / "Flowdeck" / "Flowdeck.ini"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(f"[General]\nworkspace={ws}\nwebhook_port=0\ntray_hint_shown=true\n")
    return env


def workflow(name: str, trigger: str) -> str:
    return (
        f"flowdeck: 1\nname: {name}\ntriggers:\n  - schedule: {trigger}\n"
        "steps:\n  note:\n    do: log\n    with: {message: 'tick {{ run.id }}'}\n"
    )


def launch(x: XDisplay, env: dict[str, str], *args: str, mark: Path | None = None) -> subprocess.Popen:
    extra = {**env, **({"FLOWDECK_STARTUP_MARK": str(mark)} if mark else {})}
    full = x.env(**extra)
    # A person's Python keeps compiled modules (__pycache__); a machine set to write none would compile every module
    # at every start, which is not what users get (the bundle carries compiled modules too).
    full.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.Popen(
        [sys.executable, "-m", "gui", *args],
        env=full,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def drop_caches() -> bool:
    """Empty the page cache so the next start reads everything from disk (needs root)."""
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def first_paint(x: XDisplay, cold: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = make_home(Path(tmp), {"hello": (ROOT / "resources/examples/hello.yaml").read_text()})
        mark = Path(tmp) / "painted"
        if cold and not drop_caches():
            raise SystemExit("cold start needs root (to drop the page cache)")
        started = time.time()
        proc = launch(x, env, mark=mark)
        deadline = time.monotonic() + 30
        while not mark.exists() or not mark.read_text().strip():
            if time.monotonic() > deadline or proc.poll() is not None:
                stop(proc)
                raise SystemExit("the app never painted its window")
            time.sleep(0.005)
        painted = float(mark.read_text())
        stop(proc)
        return painted - started


BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QWidget

class Bare(QWidget):
    def paintEvent(self, event):
        if not self.painted:
            self.painted = True
            open(sys.argv[1], "w").write(repr(time.time()))

app = QApplication(sys.argv)
window = Bare()
window.painted = False
window.resize(1100, 720)
window.show()
app.exec()
"""


def bare_paint(x: XDisplay) -> float:
    """The same-run baseline: launch to first paint of a bare PySide6 window (one QWidget, nothing else)."""
    with tempfile.TemporaryDirectory() as tmp:
        mark = Path(tmp) / "painted"
        started = time.time()
        proc = subprocess.Popen([sys.executable, "-c", BARE, str(mark)], env=x.env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 30
        while not mark.exists() or not mark.read_text().strip():
            if time.monotonic() > deadline or proc.poll() is not None:
                stop(proc)
                raise SystemExit("the bare window never painted")
            time.sleep(0.005)
        painted = float(mark.read_text())
        stop(proc)
        return painted - started


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``: the fork server and the run processes of the app's engine."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = [], [pid]
    while todo:
        here = todo.pop()
        kids = [child for child, parent in parents.items() if parent == here]
        found += kids
        todo += kids
    return found


def pss_mb(pid: int, field: str = "Pss") -> float:
    """Proportional set size: pages shared with the fork server count once across the processes sharing them.
    ``field="Pss_Anon"``: its anonymous part (the file-backed rest shrinks when other programs on the machine map
    the same libraries, such as another Qt app or test run)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_for_log(root: Path, text: str, timeout: float = 60) -> None:
    log = root / "state" / "flowdeck" / "log" / "flowdeck.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text():
            return
        time.sleep(0.2)
    raise SystemExit(f"the app's log never said {text!r}")


def count_log(root: Path, text: str) -> int:
    log = root / "state" / "flowdeck" / "log" / "flowdeck.log"
    return sum(p.read_text().count(text) for p in log.parent.glob("flowdeck.log*")) if log.exists() else 0


def idle(x: XDisplay, seconds: float, opened: bool = False) -> tuple[float, float, float, float, float]:
    """CPU % of one core (the app and its run processes), the app's RSS, its run processes' PSS and the PSS of
    everything (app, fork server, spare; MB) and its anonymous part, in the
    tray with 100 armed daily schedules: started at login into the tray (``--minimized``: no window is made), or,
    with ``opened``, after the window was shown and closed to the tray."""
    flows = {f"wf{i:03}": workflow(f"Workflow {i}", f'{{cron: "{i % 60} 3 * * *"}}') for i in range(100)}
    with tempfile.TemporaryDirectory() as tmp:
        env = make_home(Path(tmp), flows)
        proc = launch(x, env) if opened else launch(x, env, "--minimized")
        wait_for_log(Path(tmp), "service started")
        if opened:
            close_window(x, Path(tmp))
        time.sleep(5)  # let start-up work settle
        kids = descendants(proc.pid)
        before, t0 = sum(cpu_seconds(p) for p in [proc.pid, *kids]), time.monotonic()
        time.sleep(seconds)
        used = sum(cpu_seconds(p) for p in [proc.pid, *kids]) - before
        elapsed = time.monotonic() - t0
        rss, workers = rss_mb(proc.pid), sum(pss_mb(p) for p in kids)
        total = workers + pss_mb(proc.pid)
        anon = sum(pss_mb(p, "Pss_Anon") for p in [proc.pid, *kids])
        stop(proc)
        return 100 * used / elapsed, rss, workers, total, anon


def close_window(x: XDisplay, home: Path) -> None:
    """Close the main window as the window manager's close button would (Flowdeck stays in the tray)."""
    from tests.gui.shell.x11 import request_close

    found = subprocess.run(
        ["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Flowdeck — "],
        env=x.env(),
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.split()
    request_close(x.display, int(found[0]))
    wait_for_log(home, "window closed; still running in the tray")


def runs_memory(x: XDisplay, total: int = 1000) -> list[tuple[int, float]]:
    """RSS after every 200 runs while 20 workflows fire every second (the history is in SQLite, not RAM)."""
    flows = {f"tick{i:02}": workflow(f"Tick {i}", "{every: 1s}") for i in range(20)}
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        env = make_home(Path(tmp), flows)
        proc = launch(x, env, "--minimized")
        wait_for_log(Path(tmp), "service started")
        next_mark = 200
        deadline = time.monotonic() + total / 5 + 120
        while next_mark <= total and time.monotonic() < deadline:
            done = count_log(Path(tmp), "run finished: Tick")
            if done >= next_mark:
                points.append((done, rss_mb(proc.pid)))
                next_mark += 200
            time.sleep(0.5)
        stop(proc)
    return points


def shell_runs_memory(total: int = 1000) -> list[tuple[int, float]]:
    """The app's GUI side over ``total`` real runs (offscreen): engine events through the relay into the tray's
    run status and menu, as in the app. RSS of this process after every 200 runs."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from engine.io import read_text
    from engine.runtime import Engine
    from gui.shell.host import GuiHost
    from gui.shell.relay import Relay
    from gui.shell.status import RunStatus
    from gui.shell.tray import Tray

    app = QApplication.instance() or QApplication([])
    wf, _ = read_text(workflow("Tick", "{every: 1h}"), "tick.yaml")
    engine = Engine(workers=4, host=GuiHost())
    relay, status, tray = Relay(), RunStatus(), Tray()
    relay.attach(engine=engine)

    def finished(event) -> None:
        status.finished(event.run_id, event.workflow, event.data.get("status", ""), event.time)
        tray.set_recent(list(status.recent))
        tray.set_state(len(status.running), False, status.last_failed)

    relay.run_finished.connect(finished)
    points = []
    for batch in range(total // 200):
        handles = [engine.submit(wf) for _ in range(200)]
        for handle in handles:
            handle.wait(60)
        engine.bus.flush()
        app.processEvents()
        points.append(((batch + 1) * 200, rss_mb(os.getpid())))
    engine.shutdown(5)
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and a 10 s idle window")
    parser.add_argument("--skip-runs", action="store_true", help="leave out the 1,000-run memory check")
    parser.add_argument("--paint-only", action="store_true", help="measure only launch to first paint")
    parser.add_argument("--idle-only", action="store_true", help="only the two idle measurements")
    parser.add_argument("--no-cold", action="store_true", help="warm start-up only (no page cache dropped)")
    parser.add_argument("--shell-runs", action="store_true", help="only the GUI side's memory over 1,000 runs")
    args = parser.parse_args()
    if args.shell_runs:
        print(f"machine: {machine()}")
        points = shell_runs_memory()
        print("GUI side, RSS by runs finished: " + ", ".join(f"{n}: {mb:.1f} MB" for n, mb in points))
        return
    x = start_xvfb()
    tray = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32"],
        env=x.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        print(f"machine: {machine()}")
        repeat = 3 if args.quick else 7
        if args.idle_only:
            for opened in (False, True):
                cpu, rss, workers, total, anon = idle(x, 10 if args.quick else 60, opened)
                how = "window opened and closed" if opened else "started minimised"
                print(f"idle in the tray ({how}): CPU {cpu:.3f} % of one core, RSS {rss:.0f} MB"
                      f" + run processes {workers:.0f} MB PSS; PSS of everything {total:.0f} MB"
                      f" (anonymous {anon:.0f} MB)")  # fmt: skip
            return
        first_paint(x, cold=False)  # warm-up
        warm = [first_paint(x, cold=False) for _ in range(repeat)]
        print(f"launch to window painted, warm: {statistics.median(warm):.3f} s median of {repeat} {_list(warm)}")
        bare = [bare_paint(x) for _ in range(repeat)]
        print(f"baseline: a bare PySide6 window painted, warm: {statistics.median(bare):.3f} s {_list(bare)}; "
              f"the app takes {statistics.median(warm) / statistics.median(bare):.2f}x")  # fmt: skip
        if args.no_cold:
            return
        try:
            cold = [first_paint(x, cold=True) for _ in range(repeat)]
            print(f"launch to window painted, cold: {statistics.median(cold):.3f} s median of {repeat} {_list(cold)}")
        except SystemExit as exc:
            print(f"cold start: not measured ({exc})")
        if args.paint_only:
            return
        window = 10 if args.quick else 60
        cpu, rss, workers, *_ = idle(x, window)
        print(f"idle in the tray, 100 armed workflows: CPU {cpu:.3f} % of one core over {window} s, RSS {rss:.0f} MB"
              f" + run processes {workers:.0f} MB PSS")  # fmt: skip
        cpu, rss, workers, *_ = idle(x, window, opened=True)
        print(f"same, after the window was opened and closed: CPU {cpu:.3f} %, RSS {rss:.0f} MB"
              f" + run processes {workers:.0f} MB PSS")  # fmt: skip
        if not args.skip_runs:
            points = runs_memory(x)
            print("RSS by runs finished: " + ", ".join(f"{n}: {mb:.0f} MB" for n, mb in points))
    finally:
        tray.terminate()
        x.proc.terminate()


def _list(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.3f}" for v in values) + "]"


if __name__ == "__main__":
    main()
