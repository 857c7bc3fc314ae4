"""The palette is generated from the registry: every block, by category, with icon, tooltip and search."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from engine.registry import default_registry
from gui.canvas import BLOCK_MIME, style
from gui.palette import BlockPalette


def test_every_block_by_category(qtbot: QtBot) -> None:
    palette = BlockPalette()
    qtbot.addWidget(palette)
    registry = default_registry()
    assert palette.visible_blocks() == [b.type for group in registry.categories().values() for b in group]
    groups = [palette.tree.topLevelItem(i).text(0) for i in range(palette.tree.topLevelItemCount())]
    assert groups == list(registry.categories())
    item = palette.item_for("http.request")
    assert item is not None and item.text(0) == registry["http.request"].title
    assert registry["http.request"].help[:30] in item.toolTip(0)
    assert not item.icon(0).isNull()


def test_every_declared_icon_has_an_svg() -> None:
    folder = style.icons_folder()
    missing = sorted({b.icon for b in default_registry() if not (folder / f"{b.icon}.svg").is_file()})
    assert missing == []
    assert (folder / "block.svg").is_file()


def test_search_filters_as_you_type(qtbot: QtBot) -> None:
    palette = BlockPalette()
    qtbot.addWidget(palette)
    qtbot.keyClicks(palette.search, "zip")
    assert set(palette.visible_blocks()) == {"file.zip", "file.unzip"}
    palette.search.clear()
    qtbot.keyClicks(palette.search, "send mail")
    assert palette.visible_blocks() == ["email.send"]
    palette.search.setText("no such block at all")
    assert palette.visible_blocks() == []
    palette.search.clear()
    assert len(palette.visible_blocks()) == len(default_registry())


def test_drag_carries_the_block_type_and_double_click_adds(qtbot: QtBot) -> None:
    palette = BlockPalette()
    qtbot.addWidget(palette)
    item = palette.item_for("log")
    data = palette.tree.mimeData([item])
    assert bytes(data.data(BLOCK_MIME).data()) == b"log"
    with qtbot.waitSignal(palette.blockActivated) as activated:
        palette.tree.itemDoubleClicked.emit(item, 0)
    assert activated.args == ["log"]
    palette.search.setText("notif")
    with qtbot.waitSignal(palette.blockActivated) as activated:
        palette.search.returnPressed.emit()
    assert activated.args == ["notify"]


def test_ranking_puts_exact_names_and_prefixes_first() -> None:
    from gui.palette.search import EXACT, HELP, PREFIX, rank, ranked

    registry = default_registry()
    order = [b.type for _r, b in ranked(list(registry), "if")]
    assert order[0] == "if"
    assert order.index("if") < order.index("http.changed")  # "Check for change" only says "if" in its help
    assert rank(registry["if"], "IF") == EXACT
    assert rank(registry["http.request"], "http") == PREFIX
    assert rank(registry["http.changed"], "if") == HELP
    assert rank(registry["log"], "no such thing") is None
    assert [b.type for _r, b in ranked(list(registry), "write")][:3] == ["file.write", "csv.write", "clipboard.write"]


def test_search_shows_the_best_match_on_top_and_enter_adds_it(qtbot: QtBot) -> None:
    palette = BlockPalette()
    qtbot.addWidget(palette)
    palette.show()
    added: list[str] = []
    palette.blockActivated.connect(added.append)
    qtbot.keyClicks(palette.search, "if")
    assert palette.visible_blocks()[0] == "if"
    assert palette.tree.topLevelItem(0).text(0) == default_registry()["if"].category
    assert palette.tree.currentItem() is palette.item_for("if")
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert added == ["if"]
    palette.search.clear()  # the declaration order comes back
    registry = default_registry()
    assert palette.visible_blocks() == [b.type for group in registry.categories().values() for b in group]
