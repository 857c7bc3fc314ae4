"""``python -m engine ...`` is the same as ``flowdeck ...``."""

from engine.cli.main import entry

entry()
