"""The bundled executable's entry: the ``flowdeck`` script (gui.launch: no command opens the app, else the CLI)."""

import multiprocessing

from gui.launch import entry

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen app must not re-run itself when a child process starts
    entry()
