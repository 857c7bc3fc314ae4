"""Every parameter kind: the right editor, typing writes through the document, problems shown, undo gives back."""

from __future__ import annotations

import keyring
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from engine.cli import cmd_secret
from engine.registry import MISSING
from gui.document import WorkflowDocument
from gui.inspector import Inspector
from gui.inspector.editors import CodeText
from gui.inspector.fields import FieldRow
from gui.inspector.secrets import NEW, NewSecretDialog, SecretEditor
from gui.inspector.tables import ListEditor, MappingEditor
from tests.gui.inspector.conftest import params


def _row(inspector: Inspector, name: str) -> FieldRow:
    inspector.show_step("kinds")
    inspector.page.more.setChecked(True)  # unfold the optional settings
    return inspector.page.rows[name]


def _undo_all(document: WorkflowDocument) -> None:
    while document.undo_stack.canUndo():
        document.undo_stack.undo()


def test_each_kind_gets_its_input(inspector: Inspector) -> None:
    inspector.show_step("kinds")
    page = inspector.page
    rows = page.rows
    assert rows["title"].isVisibleTo(page) and not rows["body"].isVisibleTo(page)  # optional ones fold away
    assert page.more.text() == "More settings (12)"
    page.more.click()
    assert rows["body"].isVisibleTo(page) and page.more.text() == "Fewer settings (12)"
    expected = {
        "title": QLineEdit, "body": QPlainTextEdit, "ratio": QDoubleSpinBox, "count": QSpinBox,
        "enabled": QCheckBox, "mode": QComboBox, "target": QLineEdit, "wait": QLineEdit,
        "password": QComboBox, "script": CodeText, "items": object, "headers": object, "extra": QLineEdit,
    }  # fmt: skip
    assert list(rows) == list(expected)
    for name, kind in expected.items():
        assert isinstance(rows[name].editor.input_widget(), kind), name
    assert isinstance(rows["items"].editor, ListEditor) and isinstance(rows["headers"].editor, MappingEditor)
    assert "*" in rows["title"].label.text() and "*" not in rows["body"].label.text()
    assert rows["title"].help.text() == "Some text."


def test_text_typing_merges_into_one_undo(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    line = _row(inspector, "title").editor.line
    line.selectAll()
    qtbot.keyClicks(line, "Report")
    assert params(document)["title"] == "Report"
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert params(document)["title"] == "Hello"
    assert line.text() == "Hello"  # the form follows the model


def test_required_text_emptied_shows_required(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    row = _row(inspector, "title")
    row.editor.line.selectAll()
    qtbot.keyClick(row.editor.line, Qt.Key.Key_Backspace)
    assert "title" not in params(document)
    assert row.problem.text() == "required" and not row.problem.isHidden()
    qtbot.waitSignal(document.problemsChanged, timeout=3000)
    qtbot.waitUntil(lambda: inspector.page.rows["title"].problem.text() == "required")


def test_multiline_and_code(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    body = _row(inspector, "body").editor.edit
    body.setFocus()
    qtbot.keyClicks(body, "one")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.keyClicks(body, "two")
    assert params(document)["body"] == "one\ntwo"
    code = inspector.page.rows["script"].editor.edit
    assert QFontInfo(code.font()).fixedPitch()
    code.setFocus()
    qtbot.keyClicks(code, "if x:")
    qtbot.keyClick(code, Qt.Key.Key_Return)
    qtbot.keyClick(code, Qt.Key.Key_Tab)
    qtbot.keyClicks(code, "pass")
    assert params(document)["script"] == "if x:\n    pass"
    _undo_all(document)
    assert "body" not in params(document) and "script" not in params(document)


def test_numbers_keep_their_range_and_type(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    count = _row(inspector, "count").editor.spin
    assert (count.minimum(), count.maximum(), count.value()) == (1, 10, 3)
    count.setValue(7)
    count.setValue(99)  # clamped by the declared maximum
    assert params(document)["count"] == 10 and isinstance(params(document)["count"], int)
    ratio = inspector.page.rows["ratio"].editor.spin
    ratio.setValue(0.25)
    assert params(document)["ratio"] == 0.25
    document.set_param("kinds", "count", 42)  # a value written by hand, out of range
    qtbot.waitUntil(lambda: inspector.page.rows["count"].problem.text() == "must be at most 10, got 42")


def test_bool_choice_and_reset(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    row = _row(inspector, "enabled")
    row.editor.box.click()
    assert params(document)["enabled"] is True
    assert row.reset.isVisibleTo(inspector)
    row.reset.click()
    assert "enabled" not in params(document) and not row.editor.box.isChecked()
    mode = inspector.page.rows["mode"].editor.combo
    mode.setCurrentIndex(1)
    assert params(document)["mode"] == "safe"
    document.undo_stack.undo()
    assert mode.currentText() == "fast"


def test_path_and_duration(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    qtbot.keyClicks(_row(inspector, "target").editor.line, "~/out.csv")
    assert params(document)["target"] == "~/out.csv"
    wait = inspector.page.rows["wait"]
    qtbot.keyClicks(wait.editor.line, "5 minutes")
    assert params(document)["wait"] == "5 m"  # the last text that read as a duration; the rest is only shown
    assert "expected a duration" in wait.problem.text()
    wait.editor.line.clear()
    qtbot.keyClicks(wait.editor.line, "5m")
    assert params(document)["wait"] == "5m" and wait.problem.isHidden()


def test_list_and_mapping_tables(inspector: Inspector, document: WorkflowDocument) -> None:
    items = _row(inspector, "items").editor
    items.add_row()
    items.table.item(0, 0).setText("a.txt")
    items.add_row()
    items.table.item(1, 0).setText("b.txt")
    assert params(document)["items"] == ["a.txt", "b.txt"]
    items.table.selectRow(0)
    items.remove_rows()
    assert params(document)["items"] == ["b.txt"]
    headers = inspector.page.rows["headers"].editor
    headers.add_row()
    headers.table.item(0, 0).setText("Accept")
    headers.table.item(0, 1).setText("text/csv")
    assert params(document)["headers"] == {"Accept": "text/csv"}
    _undo_all(document)
    assert "items" not in params(document) and headers.table.rowCount() == 0


def test_any_reads_inline_yaml(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    row = _row(inspector, "extra")
    qtbot.keyClicks(row.editor.line, "[1, 2")
    assert "not valid YAML" in row.problem.text()
    qtbot.keyClicks(row.editor.line, "]")
    assert params(document)["extra"] == [1, 2] and row.problem.isHidden()


def test_expression_in_a_number_field_gets_a_text_field(inspector: Inspector, document: WorkflowDocument) -> None:
    document.set_param("kinds", "count", "{{ vars.n }}")
    inspector.show_step("kinds")
    assert isinstance(inspector.page.rows["count"].editor.input_widget(), QLineEdit)


def test_secret_picker_stores_in_keyring_and_writes_only_the_name(
    qtbot: QtBot, inspector: Inspector, document: WorkflowDocument
) -> None:
    dialog = NewSecretDialog()
    qtbot.addWidget(dialog)
    dialog.name.setText("bad name!")
    dialog.secret.setText("s3cret")
    dialog.save()
    assert "letters" in dialog.problem.text() and dialog.result() == 0
    dialog.name.setText("inspector_smtp")
    dialog.save()
    assert dialog.result() == NewSecretDialog.DialogCode.Accepted
    assert keyring.get_password(cmd_secret.SERVICE, "inspector_smtp") == "s3cret"
    assert "inspector_smtp" in cmd_secret.read_index()
    editor = _row(inspector, "password").editor
    assert isinstance(editor, SecretEditor)
    combo = editor.combo
    names = [combo.itemText(i) for i in range(combo.count())]
    assert "inspector_smtp" in names and names[-1] == NEW
    combo.setCurrentIndex(names.index("inspector_smtp"))
    combo.activated.emit(names.index("inspector_smtp"))
    assert params(document)["password"] == "inspector_smtp"
    assert "s3cret" not in str(document.workflow)
    assert MISSING is not None


def test_a_wrong_type_from_the_file_is_named_plainly(qtbot: QtBot) -> None:
    from engine.io import read_text
    from tests.gui.inspector.conftest import REGISTRY, WORKFLOW

    wf, _ = read_text(WORKFLOW.replace("with: {title: Hello}", "with: {title: [a, b]}"), "x.yaml", REGISTRY)
    document = WorkflowDocument(wf, REGISTRY)
    widget = Inspector(document)
    qtbot.addWidget(widget)
    widget.show_step("kinds")
    qtbot.waitUntil(lambda: widget.page.rows["title"].problem.text() == "expected text, got a list", timeout=3000)


def test_choice_without_default_and_hand_written_values(qtbot: QtBot) -> None:
    from engine.registry import Kind, Param
    from gui.inspector.editors import ChoiceEditor

    bare = ChoiceEditor(Param("mode", Kind.CHOICE, required=True, choices=("a", "b")))
    qtbot.addWidget(bare)
    assert bare.combo.currentText() == "— choose —" and bare.value() is MISSING
    bare.combo.setCurrentIndex(2)
    assert bare.value() == "b"
    bare.set_value("zzz")  # written by hand in the file: shown as it is, not replaced by a choice
    assert bare.combo.currentText() == "zzz (not a choice)" and bare.value() == "zzz"


def test_two_separate_edits_of_one_field_are_two_undo_steps(
    qtbot: QtBot, inspector: Inspector, document: WorkflowDocument
) -> None:
    line = _row(inspector, "title").editor.line
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    line.end(False)
    qtbot.keyClicks(line, " there")  # one typing session: one undo step
    inspector.page.description.line.setFocus()  # the person leaves the field...
    qtbot.waitUntil(lambda: not line.hasFocus())
    line.setFocus()  # ...and comes back for a second edit
    qtbot.waitUntil(line.hasFocus)
    qtbot.keyClicks(line, "!")
    assert params(document)["title"] == "Hello there!"
    assert document.undo_stack.count() == 2
    document.undo_stack.undo()
    assert params(document)["title"] == "Hello there"
    document.undo_stack.undo()
    assert params(document)["title"] == "Hello"


def test_each_click_on_a_checkbox_is_its_own_undo_step(
    qtbot: QtBot, inspector: Inspector, document: WorkflowDocument
) -> None:
    box = _row(inspector, "enabled").editor.box
    box.click()
    box.click()
    assert document.undo_stack.count() == 2
