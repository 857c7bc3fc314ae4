"""The environment of programs a workflow starts: the person's session, not the frozen bundle's changes."""

from __future__ import annotations

from engine.runtime import childenv

BUNDLE = "/opt/flowdeck/_internal"
FROZEN_ENV = {
    "PATH": "/usr/bin:/bin",
    "LD_LIBRARY_PATH": f"{BUNDLE}:/home/me/lib",
    "LD_LIBRARY_PATH_ORIG": "/home/me/lib",
    "QT_PLUGIN_PATH": f"{BUNDLE}/PySide6/Qt/plugins",
    "QML2_IMPORT_PATH": f"{BUNDLE}/PySide6/Qt/qml",
    "PYSIDE6_OPTION_PYTHON_ENUM": "True",
    "_FLOWDECK_ORIG_RECORDED": "1",
    "_FLOWDECK_ORIG_QT_PLUGIN_PATH": "/home/me/plugins",
    "_PYI_ARCHIVE_FILE": "/opt/flowdeck/flowdeck",
    "_PYI_PARENT_PROCESS_LEVEL": "1",
}


def test_frozen_environment_is_given_back_as_the_session_had_it() -> None:
    env = childenv.session_environ(FROZEN_ENV, frozen=True)
    assert env == {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": "/home/me/lib", "QT_PLUGIN_PATH": "/home/me/plugins"}


def test_variables_the_session_did_not_have_are_dropped() -> None:
    frozen = {k: v for k, v in FROZEN_ENV.items() if k not in ("LD_LIBRARY_PATH_ORIG", "_FLOWDECK_ORIG_QT_PLUGIN_PATH")}
    env = childenv.session_environ(frozen, frozen=True)
    assert env == {"PATH": "/usr/bin:/bin"}


def test_without_the_hook_record_the_qt_variables_are_left_alone() -> None:
    """Only a bundle whose first hook recorded the originals can tell a person's QT_PLUGIN_PATH from its own."""
    env = childenv.session_environ({"QT_PLUGIN_PATH": "/x", "LD_LIBRARY_PATH": f"{BUNDLE}"}, frozen=True)
    assert env == {"QT_PLUGIN_PATH": "/x"}


def test_outside_a_bundle_nothing_changes() -> None:
    assert childenv.session_environ(FROZEN_ENV, frozen=False) == FROZEN_ENV


def test_record_keeps_the_first_values_only() -> None:
    env = {"QT_PLUGIN_PATH": "/home/me/plugins"}
    childenv.record_originals(env)
    env["QT_PLUGIN_PATH"] = f"{BUNDLE}/plugins"  # what PySide6's runtime hook does next
    childenv.record_originals(env)  # a run process of the bundle inherits the record; it must not overwrite it
    assert env["_FLOWDECK_ORIG_QT_PLUGIN_PATH"] == "/home/me/plugins"
    assert "_FLOWDECK_ORIG_QML2_IMPORT_PATH" not in env


def test_popen_options_per_system() -> None:
    assert childenv.popen_options(platform="linux") == {"start_new_session": True}
    assert childenv.popen_options(platform="darwin") == {"start_new_session": True}
    console = childenv.popen_options(platform="win32", has_console=True)["creationflags"]
    windowed = childenv.popen_options(platform="win32", has_console=False)["creationflags"]
    assert console == 0x00000200  # CREATE_NEW_PROCESS_GROUP: a kill reaches what it starts
    assert windowed == 0x00000200 | 0x08000000  # and CREATE_NO_WINDOW: no console window pops up over the app
