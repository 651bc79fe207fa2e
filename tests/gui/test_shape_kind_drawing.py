"""Rotated boxes, ellipses, polylines and points on screen: drawn as items (with their
handles when selected) and in the dense-scene raster, each where its geometry says."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import Box, Ellipse, Geometry, Point, Polyline
from limner.models.editing import shape_handles as sh
from limner.widgets.canvas.annotation_item import AnnotationItem, ItemStyle, RenderContext
from limner.widgets.canvas.dense_layer import DenseLayerItem

SIZE = 200
GREEN = QColor(0, 255, 0)


def rendered(scene: QGraphicsScene) -> QImage:
    """The scene painted 1:1 onto a black SIZE x SIZE image."""
    image = QImage(SIZE, SIZE, QImage.Format.Format_RGB32)
    image.fill(QColor(0, 0, 0))
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, SIZE, SIZE), QRectF(0, 0, SIZE, SIZE))
    painter.end()
    return image


def lit(image: QImage, x: float, y: float) -> bool:
    """True when anything was drawn on the pixel holding ``(x, y)``."""
    return image.pixelColor(int(x), int(y)) != QColor(0, 0, 0)


def item_image(geometry: Geometry, selected: bool = False) -> QImage:
    scene = QGraphicsScene(0, 0, SIZE, SIZE)
    render = RenderContext(fill_unselected=False)
    item = AnnotationItem("u", geometry, ItemStyle(GREEN), 0, render=render)
    item.set_highlighted(selected)
    scene.addItem(item)
    return rendered(scene)


def test_rotated_box_item_and_its_rotate_handle(qtbot) -> None:
    box = Box.from_centre(100, 100, 120, 40, 45)
    plain = item_image(box)
    for x, y in box.corners():
        # a corner's pixel, nudged towards the centre
        assert lit(plain, x + (100 - x) * 0.02, y + (100 - y) * 0.02)
    assert not lit(plain, box.x0 + 2, box.y0 + 2)  # the unrotated corner stays empty
    hx, hy = sh.rotate_handle(box, 1.0)
    assert not lit(plain, hx, hy)
    assert lit(item_image(box, selected=True), hx, hy)


def test_ellipse_item_follows_its_angle(qtbot) -> None:
    ellipse = Ellipse(100, 100, 70, 20, 90)  # stands upright
    image = item_image(ellipse)
    assert lit(image, 100, 100 + 70 - 0.5)
    assert not lit(image, 100 + 69, 100)  # where the unturned ellipse's end would be
    selected = item_image(ellipse, selected=True)
    for x, y in sh.ellipse_handles(ellipse):
        assert lit(selected, x, y)


def test_polyline_item_is_open_and_point_item_is_a_dot(qtbot) -> None:
    line = Polyline(((20, 20), (180, 20), (180, 180)))
    image = item_image(line)
    assert lit(image, 100, 20) and lit(image, 180, 100)
    assert not lit(image, 100, 100)  # the closing segment of a polygon would pass here
    dot = item_image(Point(50, 60))
    assert lit(dot, 50, 60) and not lit(dot, 60, 60)


def test_dense_layer_draws_every_new_kind(qtbot) -> None:
    shapes: list[Geometry] = [
        Box.from_centre(50, 50, 60, 16, 45),
        Ellipse(150, 50, 40, 10, 90),
        Polyline(((10, 150), (90, 150), (90, 190))),
        Point(150, 150),
    ]
    annotations = [Annotation(i + 1, f"d{i}", 1, 1, g) for i, g in enumerate(shapes)]
    layer = DenseLayerItem()
    layer.render_later(
        (SIZE, SIZE), lambda: list(annotations), {1: GREEN}, 1.0, lambda _rect: annotations
    )
    assert layer.wait_ready()
    scene = QGraphicsScene(0, 0, SIZE, SIZE)
    scene.addItem(layer)
    image = rendered(scene)
    assert lit(image, 50, 50) and lit(image, 70, 70)  # along the turned box's diagonal
    assert not lit(image, 25, 45)  # inside its unturned extent only
    assert lit(image, 150, 50) and lit(image, 150, 85)
    assert not lit(image, 185, 50)  # the unturned ellipse's end
    assert lit(image, 50, 150) and lit(image, 90, 170)
    assert not lit(image, 50, 170)  # the line is open: no closing segment, no fill
    assert lit(image, 150, 150) and not lit(image, 160, 150)


def test_annotation_rows_name_and_draw_each_new_kind(qtbot) -> None:
    from PySide6.QtCore import Qt

    from limner.models.domain.entities import LabelClass
    from limner.widgets.panels.annotation_list import AnnotationList

    kinds: list[tuple[str, Geometry]] = [
        ("box", Box(0, 0, 10, 10)),
        ("rotated box", Box(0, 0, 10, 10, 30)),
        ("polyline", Polyline(((0, 0), (5, 5)))),
        ("point", Point(3, 3)),
        ("ellipse", Ellipse(5, 5, 4, 2)),
    ]
    shapes = [Annotation(i + 1, f"k{i}", 1, 1, g, z=i) for i, (_n, g) in enumerate(kinds)]
    lst = AnnotationList()
    qtbot.addWidget(lst)
    lst.set_annotations(shapes, {1: LabelClass(1, "road", "#e6194b")})
    model = lst.model()
    rows = [model.index(r) for r in range(model.rowCount())]
    rows = [i for i in rows if i.data() and "road" in i.data()]
    assert [i.data().split(" · ")[1] for i in rows] == [n for n, _g in kinds]
    images = [i.data(Qt.ItemDataRole.DecorationRole).pixmap(14, 14).toImage() for i in rows]
    assert len({bytes(img.constBits()) for img in images}) == len(kinds)  # all different
