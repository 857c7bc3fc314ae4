"""The run panel: status line with Stop, run log, per-step results, and a step's last inputs, output and log."""

from gui.runpanel.panel import RunPanel

__all__ = ["RunPanel"]
