"""The session trigger's login, lock and unlock on Windows: WTSRegisterSessionNotification, whose
WM_WTSSESSION_CHANGE messages reach a hidden message-only window pumped by a thread of its own (ctypes over user32,
wtsapi32 and kernel32: no package).

NOT RUN in Flowdeck's tests (no Windows machine here): every line of this module; written against the documented
calls (RegisterClassExW, CreateWindowExW with HWND_MESSAGE, WTSRegisterSessionNotification with
NOTIFY_FOR_ALL_SESSIONS, GetMessageW, PostMessageW). As logind on Linux: ``login`` is any session logging on,
``lock``/``unlock`` only this session's.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import threading
from collections.abc import Callable
from ctypes import wintypes
from typing import Any

from engine.desktop.base import DesktopUnavailable

log = logging.getLogger("flowdeck.desktop")
WM_CLOSE, WM_DESTROY, WM_WTSSESSION_CHANGE = 0x0010, 0x0002, 0x02B1
WTS_SESSION_LOGON, WTS_SESSION_LOCK, WTS_SESSION_UNLOCK = 5, 7, 8
NOTIFY_FOR_ALL_SESSIONS = 1
HWND_MESSAGE = wintypes.HWND(-3)
LRESULT = ctypes.c_ssize_t
WNDPROC = ctypes.WINFUNCTYPE(LRESULT, wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM)  # type: ignore[attr-defined]
_made = itertools.count(1)  # each watcher registers a window class of its own, bound to its own window procedure


class WNDCLASSEXW(ctypes.Structure):
    _fields_ = [("cbSize", wintypes.UINT), ("style", wintypes.UINT), ("lpfnWndProc", WNDPROC),
                ("cbClsExtra", ctypes.c_int), ("cbWndExtra", ctypes.c_int), ("hInstance", wintypes.HINSTANCE),
                ("hIcon", wintypes.HICON), ("hCursor", wintypes.HANDLE), ("hbrBackground", wintypes.HBRUSH),
                ("lpszMenuName", wintypes.LPCWSTR), ("lpszClassName", wintypes.LPCWSTR),
                ("hIconSm", wintypes.HICON)]  # fmt: skip


def _api() -> tuple[Any, Any, Any]:
    user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
    wtsapi32 = ctypes.WinDLL("wtsapi32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    user32.DefWindowProcW.argtypes = [wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM]
    user32.DefWindowProcW.restype = LRESULT
    user32.RegisterClassExW.argtypes, user32.RegisterClassExW.restype = [ctypes.POINTER(WNDCLASSEXW)], wintypes.ATOM
    user32.CreateWindowExW.argtypes = [wintypes.DWORD, wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.DWORD,
                                       ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, wintypes.HWND,
                                       wintypes.HMENU, wintypes.HINSTANCE, wintypes.LPVOID]  # fmt: skip
    user32.CreateWindowExW.restype = wintypes.HWND
    user32.GetMessageW.argtypes = [ctypes.POINTER(wintypes.MSG), wintypes.HWND, wintypes.UINT, wintypes.UINT]
    user32.DispatchMessageW.argtypes = [ctypes.POINTER(wintypes.MSG)]
    user32.PostMessageW.argtypes = [wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM]
    user32.DestroyWindow.argtypes = [wintypes.HWND]
    user32.UnregisterClassW.argtypes = [wintypes.LPCWSTR, wintypes.HINSTANCE]
    wtsapi32.WTSRegisterSessionNotification.argtypes = [wintypes.HWND, wintypes.DWORD]
    wtsapi32.WTSUnRegisterSessionNotification.argtypes = [wintypes.HWND]
    kernel32.GetModuleHandleW.argtypes, kernel32.GetModuleHandleW.restype = [wintypes.LPCWSTR], wintypes.HMODULE
    kernel32.ProcessIdToSessionId.argtypes = [wintypes.DWORD, ctypes.POINTER(wintypes.DWORD)]
    return user32, wtsapi32, kernel32


class WtsSessionWatch:
    """Login (any session), lock and unlock (this one) for the events in ``on``."""

    def __init__(self, on: list[str], fire: Callable[[dict[str, Any]], None]) -> None:
        self.on, self.fire = set(on), fire
        self.user32, self.wtsapi32, kernel32 = _api()
        mine = wintypes.DWORD()
        kernel32.ProcessIdToSessionId(kernel32.GetCurrentProcessId(), ctypes.byref(mine))
        self.session = mine.value
        self.hinstance = kernel32.GetModuleHandleW(None)
        self.proc = WNDPROC(self._window_proc)  # kept: Windows calls it as long as the window lives
        self.hwnd: Any = None
        self.class_name = f"FlowdeckSessionWatch{next(_made)}"
        self._wc: Any = None  # the class as registered: kept, it holds the procedure and the name
        self._ready = threading.Event()
        self._problem = ""
        # the window belongs to the thread that makes it, and only that thread can pump its messages: so the
        # thread starts here, and a window that cannot be made is a not-armed line, not a silent thread's end
        self._thread = threading.Thread(target=self._run, name="flowdeck-wts-session", daemon=True)
        self._thread.start()
        if not self._ready.wait(5) or self._problem:
            raise DesktopUnavailable(self._problem or "the Windows session message window did not start")

    def start(self) -> None:
        """Already pumping (see __init__)."""

    def stop(self) -> None:
        if self.hwnd:
            self.user32.PostMessageW(self.hwnd, WM_CLOSE, 0, 0)
        self._thread.join(2)

    def _run(self) -> None:
        try:
            self._open()
        except DesktopUnavailable as exc:
            self._problem = str(exc)
            self.user32.UnregisterClassW(self.class_name, self.hinstance)  # refused harmlessly when not registered
            return
        finally:
            self._ready.set()
        msg = wintypes.MSG()
        while self.user32.GetMessageW(ctypes.byref(msg), None, 0, 0) > 0:  # 0: WM_QUIT, -1: an error
            self.user32.DispatchMessageW(ctypes.byref(msg))
        self.user32.UnregisterClassW(self.class_name, self.hinstance)

    def _open(self) -> None:
        self._wc = WNDCLASSEXW(cbSize=ctypes.sizeof(WNDCLASSEXW), lpfnWndProc=self.proc, hInstance=self.hinstance,
                               lpszClassName=self.class_name)  # fmt: skip
        if not self.user32.RegisterClassExW(ctypes.byref(self._wc)):
            raise DesktopUnavailable(f"could not register a window class (error {ctypes.get_last_error()})")  # type: ignore[attr-defined]
        self.hwnd = self.user32.CreateWindowExW(0, self.class_name, self.class_name, 0, 0, 0, 0, 0, HWND_MESSAGE,
                                                None, self.hinstance, None)  # fmt: skip
        if not self.hwnd:
            raise DesktopUnavailable(f"could not make a message window (error {ctypes.get_last_error()})")  # type: ignore[attr-defined]
        if not self.wtsapi32.WTSRegisterSessionNotification(self.hwnd, NOTIFY_FOR_ALL_SESSIONS):
            self.user32.DestroyWindow(self.hwnd)
            raise DesktopUnavailable(f"WTSRegisterSessionNotification failed (error {ctypes.get_last_error()})")  # type: ignore[attr-defined]

    def _window_proc(self, hwnd: Any, message: int, wparam: int, lparam: int) -> int:
        try:
            if message == WM_WTSSESSION_CHANGE:
                self._change(int(wparam), int(lparam))
                return 0
            if message == WM_CLOSE:
                self.wtsapi32.WTSUnRegisterSessionNotification(hwnd)
                self.user32.DestroyWindow(hwnd)
                return 0
            if message == WM_DESTROY:
                self.user32.PostQuitMessage(0)
                return 0
        except Exception:  # an exception must not cross back into Windows
            log.exception("the session trigger failed on a Windows session message")
        return self.user32.DefWindowProcW(hwnd, message, wparam, lparam)

    def _change(self, what: int, session: int) -> None:
        event = {WTS_SESSION_LOGON: "login", WTS_SESSION_LOCK: "lock", WTS_SESSION_UNLOCK: "unlock"}.get(what)
        if event is None or (event != "login" and session != self.session):
            return
        if event in self.on:
            self.fire({"event": event})
