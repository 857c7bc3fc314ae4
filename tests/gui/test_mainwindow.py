"""The app opens a main window."""

from pytestqt.qtbot import QtBot


def test_main_window_opens(qtbot: QtBot) -> None:
    from gui.mainwindow import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle().startswith("Flowdeck")
