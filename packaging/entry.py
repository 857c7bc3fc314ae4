"""The bundled executable's entry: the same CLI as the ``flowdeck`` script (no command opens the app)."""

import multiprocessing

from engine.cli.main import entry

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen app must not re-run itself when a child process starts
    entry()
