"""What the tests of a real AppController (offscreen, the real service) share: a free port, and closing it for real."""

from __future__ import annotations

import socket

from gui.shell.controller import AppController


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def close_controller(c: AppController) -> None:
    """Close for real, not to the tray (offscreen there is no tray, and closing would ask "quit or minimise?"),
    and stop its timers: no refresh of this controller may fire during a later test."""
    c.quitting = True
    c._takeover.stop()
    if c.window is not None:
        c.window.close()
    c.relay.detach()
    if c.service is not None:
        c.service.stop(0)
    if c.engine is not None:
        c.engine.shutdown(0)
    c.tray.hide()
    c._refresh.stop()
    c._clock.stop()
