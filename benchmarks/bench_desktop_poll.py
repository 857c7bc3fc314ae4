"""What the Windows/macOS-style desktop triggers cost, measured on X11 under a private Xvfb: reading the clipboard
(the polling clipboard trigger reads it twice a second there, X11 keeping no count of copies), the polling
watchers' and pynput's hotkey listener's CPU while nothing happens, and how long arming a hotkey takes.

.venv/bin/python benchmarks/bench_desktop_poll.py    (needs Xvfb, openbox and python3-tk, as the desktop tests;
three Tk windows are open meanwhile)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine  # noqa: E402

PROBE = ROOT / "tests" / "support" / "desk_probe.py"
IDLE = 10.0  # seconds each watcher is left alone


def _xvfb() -> tuple[subprocess.Popen, str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stderr=subprocess.DEVNULL)  # fmt: skip
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        return proc, f":{pipe.readline().strip()}"


def _cpu_while_idle(make: object) -> float:
    """Process CPU milliseconds per second while the watcher ``make()`` gives runs and nothing happens."""
    watch = make()  # type: ignore[operator]
    watch.start()
    time.sleep(0.5)
    cpu, wall = time.process_time(), time.monotonic()
    time.sleep(IDLE)
    used = (time.process_time() - cpu) / (time.monotonic() - wall) * 1000
    watch.stop()
    return used


def main() -> None:
    print(machine(), "load average", " ".join(f"{v:.1f}" for v in os.getloadavg()))
    xvfb, name = _xvfb()
    os.environ["DISPLAY"] = name
    wm = subprocess.Popen(["openbox", "--sm-disable"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    windows = [subprocess.Popen([sys.executable, str(PROBE), f"Window {i}"], stdout=subprocess.DEVNULL)
               for i in range(3)]  # fmt: skip
    time.sleep(2)  # openbox manages them
    try:
        from engine.desktop import backend
        from engine.desktop.poll_clipboard import PollClipboardWatch
        from engine.desktop.poll_watch import PollWindowWatch
        from engine.desktop.pynput_watch import PynputHotkeyWatch
        from engine.desktop.x11_watch import HotkeyWatch

        b = backend()
        empty = [_timed(b.clipboard_text) for _ in range(50)]
        owner = subprocess.Popen([sys.executable, str(PROBE), "--copy", "https://flowdeck.example/" + "x" * 80, "60"])
        while not b.clipboard_text():
            time.sleep(0.05)
        held = [_timed(b.clipboard_text) for _ in range(50)]
        print(f"X11 clipboard_text, no owner: median {_ms(empty)}; owned by a Tk program: median {_ms(held)}")
        clip = _cpu_while_idle(lambda: PollClipboardWatch(b, "^https?://", print))
        win = _cpu_while_idle(lambda: PollWindowWatch(b, "", "*Invoice*", ["opened"], print))
        hot = _cpu_while_idle(lambda: PynputHotkeyWatch("ctrl+alt+r", print))
        print(f"CPU while idle (ms per s): clipboard poll {clip:.2f}, window poll {win:.2f}, pynput hotkey {hot:.2f}")
        owner.terminate()
        arm = [_timed(lambda: _arm_disarm(lambda: PynputHotkeyWatch("ctrl+alt+r", print))) for _ in range(5)]
        grab = [_timed(lambda: _arm_disarm(lambda: HotkeyWatch(name, "ctrl+alt+r", print))) for _ in range(5)]
        print(f"arming and disarming a hotkey: pynput median {_ms(arm)} (0.2 s of it the settle), X11 grab {_ms(grab)}")
    finally:
        for proc in (*windows, wm):
            proc.terminate()
            proc.wait(10)
        xvfb.terminate()
        xvfb.wait(10)


def _arm_disarm(make: object) -> None:
    watch = make()  # type: ignore[operator]
    watch.start()
    watch.stop()


def _timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def _ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.2f} ms ({min(times) * 1000:.2f}-{max(times) * 1000:.2f})"


if __name__ == "__main__":
    main()
