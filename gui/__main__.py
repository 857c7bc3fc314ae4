"""``python -m gui …`` is the ``flowdeck`` command from a checkout: the app with no command, else the CLI."""

from gui.launch import entry

if __name__ == "__main__":  # not when a spawned process imports the main module again
    entry()
