"""The toolbar's drawn icons: each is its own shape on a transparent ground, in the palette's
text colour (the disabled one when the action is disabled)."""

from __future__ import annotations

import itertools
import os

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPalette

from graphapp.gui.actions import ACTIONS
from graphapp.gui.icons import DRAWINGS, icon
from tests.helpers import fresh_python

SIDE = 48


def _image(name: str, mode: QIcon.Mode = QIcon.Mode.Normal) -> QImage:
    return icon(name).pixmap(QSize(SIDE, SIDE), mode).toImage()


def _pixels(image: QImage) -> list[QColor]:
    return [image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width())]


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_each_icon_is_drawn_in_the_text_colour_on_a_transparent_ground(qapp, name):
    image = _image(name)
    assert (image.width(), image.height()) == (SIDE, SIDE)
    pixels = _pixels(image)
    # the ground stays transparent (Qt's own pixmap for a drawn icon leaves it unset: noise)
    for x, y in ((0, 0), (SIDE - 1, 0), (0, SIDE - 1), (SIDE - 1, SIDE - 1)):
        assert image.pixelColor(x, y).alpha() == 0, (x, y)
    inked = [p for p in pixels if p.alpha() > 0]
    assert 0.04 * SIDE**2 < len(inked) < 0.6 * SIDE**2  # a shape, neither a dot nor a block
    text = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    solid = [p for p in inked if p.alpha() == 255]
    assert solid and all(p.rgb() == text.rgb() for p in solid)


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_a_disabled_icon_takes_the_disabled_text_colour(qapp, name):
    palette = QGuiApplication.palette()
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    assert disabled.rgb() != palette.color(QPalette.ColorRole.WindowText).rgb()
    solid = [p for p in _pixels(_image(name, QIcon.Mode.Disabled)) if p.alpha() == 255]
    assert solid and all(p.rgb() == disabled.rgb() for p in solid)


def test_the_icons_differ_from_one_another(qapp):
    shapes = {name: [p.alpha() for p in _pixels(_image(name))] for name in DRAWINGS}
    for a, b in itertools.combinations(sorted(shapes), 2):
        assert shapes[a] != shapes[b], (a, b)


def test_an_unknown_icon_name_fails_at_once(qapp):
    with pytest.raises(KeyError):
        icon("no-such-icon")


def test_the_window_shows_each_actions_drawing(window):
    named = [spec for spec in ACTIONS if spec.icon]
    assert {spec.icon for spec in named} | {"undo", "redo"} == set(DRAWINGS)
    for spec in named:
        shown = getattr(window, f"act_{spec.name}").icon().pixmap(QSize(SIDE, SIDE)).toImage()
        assert shown == _image(spec.icon), spec.name
    for name in ("undo", "redo"):
        shown = getattr(window, f"act_{name}").icon().pixmap(QSize(SIDE, SIDE)).toImage()
        assert shown == _image(name), name


def test_an_empty_size_gives_an_empty_pixmap(qapp):
    """Qt asks for it now and then; painting into nothing would print ten painter warnings
    (which fail the test)."""
    for size in (QSize(0, 0), QSize(0, 5), QSize()):
        assert icon("page").pixmap(size).isNull()


def test_a_changed_copy_of_a_drawn_icon_keeps_its_drawing():
    """Changing one of two copies makes Qt clone the drawing; PySide6 leaves the clone owned
    by Python, which would free it at once (a crash at the next paint or change): in a fresh
    process, which must end well."""
    code = (
        "import gc\n"
        "from PySide6.QtCore import QSize\n"
        "from PySide6.QtGui import QColor, QIcon, QPixmap\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from graphapp.gui.icons import icon\n"
        "drawn = icon('page')\n"
        "changed = QIcon(drawn)\n"
        "small = QPixmap(8, 8)\n"
        "small.fill(QColor('red'))\n"
        "changed.addPixmap(small)\n"
        "gc.collect()\n"
        "image = changed.pixmap(QSize(48, 48)).toImage()\n"
        "print(sum(image.pixelColor(x, y).alpha() == 255 and image.pixelColor(x, y) != "
        "QColor('red') for x in range(48) for y in range(48)))\n"
        "del drawn, changed\n"
        "gc.collect()\n")
    done = fresh_python(code, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.stderr == ""
    assert int(done.stdout) > 100  # the page, drawn at 48 px beside the added 8 px pixmap
