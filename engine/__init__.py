"""Flowdeck's engine: workflow files, validation, running and scheduling. Never imports Qt."""

__version__ = "0.1.0"
