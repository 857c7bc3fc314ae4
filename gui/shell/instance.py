"""One Flowdeck per user: a lock file says who runs, a local socket carries a second launch's request to it.

The lock (QLockFile) decides; the socket (QLocalServer) only talks. After a crash (kill -9) the lock holds a dead
process id, which QLockFile recognises as stale, and the left-over socket file is removed before listening again.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLockFile, QObject, Signal

if TYPE_CHECKING:  # QtNetwork is imported when it is used: listening starts after the window's first paint
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux, 104 on macOS


def runtime_folder() -> Path:
    """The per-user folder for the lock and the socket (XDG_RUNTIME_DIR on Linux), created private."""
    from platformdirs import user_runtime_path

    folder = user_runtime_path("flowdeck", appauthor=False)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        folder = Path(tempfile.gettempdir()) / f"flowdeck-{_user_tag()}"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _user_tag() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")


class SingleInstance(QObject):
    """Decides whether this process is the one Flowdeck, and passes requests from later launches to it.

    ``request_received(dict)`` fires in the first instance for every request a later launch sends.
    """

    request_received = Signal(dict)

    def __init__(self, folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder or runtime_folder()
        self.lock_path = self.folder / "flowdeck.lock"
        self.socket_name = str(self.folder / "flowdeck.sock")
        if sys.platform == "win32" or len(self.socket_name.encode()) > _MAX_SOCKET_PATH:
            self.socket_name = f"flowdeck-{_user_tag()}"  # a named pipe on Windows; a short name in the temp folder
        self._lock = QLockFile(str(self.lock_path))
        self._lock.setStaleLockTime(0)  # held for the app's whole life; staleness is judged by the process id
        self._server: QLocalServer | None = None

    @property
    def is_primary(self) -> bool:
        return self._server is not None

    def acquire(self) -> bool:
        """Become the one instance: True if this process now holds the lock and listens for requests."""
        return self.lock() and self.listen()

    def lock(self) -> bool:
        """Take the lock (needs no Qt application): True if this process is the one Flowdeck."""
        if self._lock.isLocked():
            return True
        if not self._lock.tryLock(200):
            if self._lock.error() != QLockFile.LockError.LockFailedError:
                log.warning(
                    "cannot take the lock %s (%s); running without single-instance", self.lock_path, self._lock.error()
                )
                return True
            # A lock whose process id was reused by an unrelated program looks alive; try once to clear it.
            if not (self._lock.removeStaleLockFile() and self._lock.tryLock(0)):
                return False
        return True

    def listen(self) -> bool:
        """Serve later launches (call once the Qt application exists: the server needs its event loop)."""
        if self._server is not None:
            return True
        from PySide6.QtNetwork import QLocalServer

        QLocalServer.removeServer(self.socket_name)  # a socket file left by a crashed instance
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.socket_name):
            log.warning("cannot listen on %s: %s", self.socket_name, server.errorString())
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()

    def send(self, request: dict[str, Any], timeout: float = 5.0) -> bool:
        """Hand ``request`` to the running instance; True once it confirmed. Retries while it is still starting."""
        from PySide6.QtNetwork import QLocalSocket

        payload = (json.dumps(request) + "\n").encode()
        deadline = time.monotonic() + timeout
        while True:
            socket = QLocalSocket()
            socket.connectToServer(self.socket_name)
            if socket.waitForConnected(500):
                socket.write(payload)
                socket.waitForBytesWritten(1000)
                ok = False
                while time.monotonic() < deadline and not ok:
                    if (
                        not socket.waitForReadyRead(250)
                        and socket.state() != QLocalSocket.LocalSocketState.ConnectedState
                    ):
                        break
                    ok = bytes(socket.readAll().data()).startswith(b"ok")
                socket.disconnectFromServer()
                return ok
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.setParent(self)
            buffer = bytearray()

            def read(sock: QLocalSocket = socket, buf: bytearray = buffer) -> None:
                buf.extend(bytes(sock.readAll().data()))
                if b"\n" not in buf:
                    return
                line = bytes(buf.split(b"\n", 1)[0])
                try:
                    request = json.loads(line)
                except ValueError:
                    log.warning("ignored a malformed request from another launch: %r", line[:200])
                    sock.disconnectFromServer()
                    return
                sock.write(b"ok\n")
                sock.flush()
                sock.disconnectFromServer()
                if isinstance(request, dict):
                    self.request_received.emit(request)

            socket.readyRead.connect(read)
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                read()
