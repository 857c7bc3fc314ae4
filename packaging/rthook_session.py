"""The bundle's first runtime hook: keep the person's Qt variables before PySide6's hook points them into the bundle.

Programs a workflow starts get them back (engine/runtime/childenv.py); PyInstaller itself keeps LD_LIBRARY_PATH.
"""

from engine.runtime.childenv import record_originals

record_originals()
