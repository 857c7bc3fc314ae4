"""How the history table words its cells."""

from gui.shell.history_model import SOURCE, RunsModel, duration_text, error_message, source_text


def test_words_for_sources_durations_and_errors() -> None:
    assert source_text("manual") == "by hand" and source_text("schedule") == "by schedule"
    assert source_text(None) == "somehow (not recorded)"
    assert duration_text(0.0004) == "<1 ms" and duration_text(0.25) == "250 ms" and duration_text(3.21) == "3.2 s"
    assert duration_text(125) == "2 min 5 s" and duration_text(None) == "—"
    assert error_message({"error": {"step": "fetch", "message": "HTTP 500"}}) == "fetch: HTTP 500"
    assert error_message({"error": None}) == ""


def test_source_column_is_short(qapp) -> None:
    model = RunsModel(history=None)
    assert model._text({"source": "manual"}, SOURCE) == "you"
    assert model._text({"source": "webhook"}, SOURCE) == "webhook"


def test_step_fields_read_from_any_record_shape() -> None:
    from gui.shell.history_model import step_name, step_status
    from gui.shell.history_page import step_text

    assert step_name({"step_id": "fetch"}) == "fetch" and step_name({"step": "save"}) == "save"
    assert step_status({"error": {"message": "x"}}) == "failed" and step_status({"output": {}}) == "succeeded"
    text = step_text({"inputs": {"url": "http://x"}, "output": {"status": 200}, "logs": [(0.0, "warning", "slow")]})
    assert "url: http://x" in text and "status: 200" in text and "warning: slow" in text


def test_time_filters_go_to_the_history_as_epoch_seconds() -> None:
    from datetime import datetime

    from gui.shell.history_model import RunFilter

    when = datetime(2026, 1, 2, 3, 4)
    assert RunFilter(workflow="W", since=when).query() == {"workflow": "W", "since": when.timestamp()}


def test_version_column_names_the_version_a_run_ran(qapp) -> None:
    from gui.shell.history_model import COLUMNS, VERSION

    model = RunsModel(history=None)
    assert COLUMNS[VERSION] == "Version"
    assert model._text({"version": 3}, VERSION) == "v3" and model._text({"version": None}, VERSION) == ""
