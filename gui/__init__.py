"""Flowdeck's PySide6 front end: a view over the engine."""
