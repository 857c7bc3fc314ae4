"""Windows through ctypes over user32 and kernel32 (no dependency): the clipboard, whether a hotkey is taken, a
process's program name, the time since the last input.

NOT RUN in Flowdeck's tests (no Windows machine here): every line of this module is unrun; written against the
documented Win32 calls (OpenClipboard, GetClipboardData(CF_UNICODETEXT), GetClipboardSequenceNumber,
RegisterHotKey, QueryFullProcessImageNameW, GetLastInputInfo).
"""

from __future__ import annotations

import ctypes
import functools
import time
from ctypes import wintypes
from typing import Any

from engine.desktop.base import CLIPBOARD_LIMIT, DesktopUnavailable
from engine.desktop.keys import Combo

CF_UNICODETEXT = 13
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
_MOD = {"alt": 0x1, "ctrl": 0x2, "shift": 0x4, "super": 0x8}
MOD_NOREPEAT = 0x4000
_PROBE_ID = 0xBFFF  # the highest id an application may give RegisterHotKey


class LastInputInfo(ctypes.Structure):
    _fields_ = [("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD)]


@functools.cache
def _api() -> tuple[Any, Any]:
    user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    for name, args, result in (
        ("OpenClipboard", [wintypes.HWND], wintypes.BOOL),
        ("CloseClipboard", [], wintypes.BOOL),
        ("IsClipboardFormatAvailable", [wintypes.UINT], wintypes.BOOL),
        ("GetClipboardData", [wintypes.UINT], wintypes.HANDLE),
        ("GetClipboardSequenceNumber", [], wintypes.DWORD),
        ("RegisterHotKey", [wintypes.HWND, ctypes.c_int, wintypes.UINT, wintypes.UINT], wintypes.BOOL),
        ("UnregisterHotKey", [wintypes.HWND, ctypes.c_int], wintypes.BOOL),
        ("VkKeyScanW", [wintypes.WCHAR], ctypes.c_short),
        ("GetLastInputInfo", [ctypes.POINTER(LastInputInfo)], wintypes.BOOL),
    ):
        getattr(user32, name).argtypes, getattr(user32, name).restype = args, result
    for name, args, result in (
        ("GlobalLock", [wintypes.HGLOBAL], wintypes.LPVOID),
        ("GlobalUnlock", [wintypes.HGLOBAL], wintypes.BOOL),
        ("GlobalSize", [wintypes.HGLOBAL], ctypes.c_size_t),
        ("OpenProcess", [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD], wintypes.HANDLE),
        ("CloseHandle", [wintypes.HANDLE], wintypes.BOOL),
        ("GetTickCount", [], wintypes.DWORD),
        ("QueryFullProcessImageNameW", [wintypes.HANDLE, wintypes.DWORD, wintypes.LPWSTR,
                                        ctypes.POINTER(wintypes.DWORD)], wintypes.BOOL),
    ):  # fmt: skip
        getattr(kernel32, name).argtypes, getattr(kernel32, name).restype = args, result
    return user32, kernel32


def clipboard_serial() -> int:
    return int(_api()[0].GetClipboardSequenceNumber())


def clipboard_text() -> str:
    """The clipboard's text ("" when it holds none or more than CLIPBOARD_LIMIT characters)."""
    user32, kernel32 = _api()
    if not user32.IsClipboardFormatAvailable(CF_UNICODETEXT):
        return ""
    for _ in range(10):  # another program may hold it open for a moment
        if user32.OpenClipboard(None):
            break
        time.sleep(0.02)
    else:
        raise DesktopUnavailable("the clipboard is held open by another program")
    try:
        handle = user32.GetClipboardData(CF_UNICODETEXT)
        size = kernel32.GlobalSize(handle) if handle else 0
        if not size or size > 2 * CLIPBOARD_LIMIT:  # UTF-16: two bytes a character
            return ""
        pointer = kernel32.GlobalLock(handle)
        if not pointer:
            return ""
        try:
            return ctypes.wstring_at(pointer, size // 2).split("\0", 1)[0]
        finally:
            kernel32.GlobalUnlock(handle)
    finally:
        user32.CloseClipboard()


def hotkey_taken(combo: Combo, vk: int | None) -> bool:
    """Whether another program has registered ``combo`` (``vk``: its key's virtual-key code; None: cannot tell).

    pynput only watches the keyboard, so it would fire beside that program: the probe registers the combination
    for a moment the way such programs do, and RegisterHotKey refuses one that is registered already.
    """
    if vk is None or combo.key in _MOD:
        return False  # a modifier alone cannot be registered
    user32 = _api()[0]
    mods = MOD_NOREPEAT
    for m in combo.modifiers:
        mods |= _MOD[m]
    if user32.RegisterHotKey(None, _PROBE_ID, mods, vk):
        user32.UnregisterHotKey(None, _PROBE_ID)
        return False
    return ctypes.get_last_error() == ERROR_HOTKEY_ALREADY_REGISTERED  # type: ignore[attr-defined]


def char_vk(ch: str) -> int | None:
    """The virtual-key code of a character key on the current keyboard layout."""
    scan = _api()[0].VkKeyScanW(ch)
    return None if scan == -1 else scan & 0xFF


def program_name(pid: int) -> str:
    """The program's file name without .exe ("" when the process is gone or not ours to ask)."""
    kernel32 = _api()[1]
    handle = kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return ""
    try:
        size = wintypes.DWORD(1024)
        buffer = ctypes.create_unicode_buffer(size.value)
        if not kernel32.QueryFullProcessImageNameW(handle, 0, buffer, ctypes.byref(size)):
            return ""
        name = buffer.value.replace("/", "\\").rsplit("\\", 1)[-1]
        return name[:-4] if name.lower().endswith(".exe") else name
    finally:
        kernel32.CloseHandle(handle)


def idle_seconds() -> float:
    """Seconds since the session's last key or mouse input (GetLastInputInfo against GetTickCount)."""
    user32, kernel32 = _api()
    info = LastInputInfo(ctypes.sizeof(LastInputInfo), 0)
    if not user32.GetLastInputInfo(ctypes.byref(info)):
        raise DesktopUnavailable("Windows did not tell the time of the last input (GetLastInputInfo failed)")
    return ((kernel32.GetTickCount() - info.dwTime) & 0xFFFFFFFF) / 1000.0  # both wrap after 49.7 days
