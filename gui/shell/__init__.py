"""The app around the editor: it hosts the engine service for its whole life and lives in the tray.

One module per job: controller (wires everything), tray, dashboard and history pages, settings,
single instance, autostart, logging, the desktop host for blocks, and the about dialog.
"""
