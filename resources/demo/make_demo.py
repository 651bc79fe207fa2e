"""Generate limner's demo images and their ground-truth labels.

Every picture of the demo project is painted by this script from simple shapes and
smoothed noise, so the demo carries no third-party image rights. The output is checked
in next to the script; run it again only to change the demo::

    python resources/demo/make_demo.py

It writes, into this folder, the JPEG images, one 1-bit PNG per labelled mask under
``masks/`` and ``labels.json``. All randomness comes from generators seeded with fixed
numbers, so the geometry and ``labels.json`` are reproducible exactly; JPEG bytes may still
differ between builds of libjpeg.

The labels use the geometry the shapes were painted from, not a detector's guess, so they
are exact. Coordinates are continuous pixel coordinates: (0, 0) is the top-left corner of
the top-left pixel, and pixel (i, j) covers [j, j + 1] x [i, i + 1].
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
JPEG_QUALITY = 88

RGB = tuple[float, float, float]
Shader = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Colour of each pixel of a window, from the continuous x and y of the pixel centres."""

SKELETON: dict[str, Any] = {
    "names": [
        "head",
        "neck",
        "l_shoulder",
        "r_shoulder",
        "l_hip",
        "r_hip",
        "l_knee",
        "r_knee",
        "l_foot",
        "r_foot",
    ],
    "edges": [[0, 1], [1, 2], [1, 3], [2, 4], [3, 5], [4, 5], [4, 6], [5, 7], [6, 8], [7, 9]],
    "flip_pairs": [[2, 3], [4, 5], [6, 7], [8, 9]],
}

CLASSES: list[dict[str, Any]] = [
    {"name": "apple", "color": "#e6194b", "kind": "box"},
    {"name": "orange", "color": "#ffe119", "kind": "box"},
    {"name": "donut", "color": "#911eb4", "kind": "polygon"},
    {"name": "car", "color": "#3cb44b", "kind": "polygon"},
    {"name": "cell", "color": "#4363d8", "kind": "mask"},
    {"name": "person", "color": "#f58231", "kind": "keypoints", "skeleton": SKELETON},
]


# ================================================================================ geometry


def ellipse_ring(
    cx: float, cy: float, rx: float, ry: float | None = None, angle: float = 0.0, n: int = 96
) -> np.ndarray:
    """Points of an ellipse, counter-clockwise on screen, rotated by ``angle`` radians."""
    ry = rx if ry is None else ry
    t = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
    x, y = rx * np.cos(t), ry * np.sin(t)
    c, s = math.cos(angle), math.sin(angle)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def wobbly_ring(
    cx: float, cy: float, r: float, rng: np.random.Generator, amp: float = 0.08, n: int = 120
) -> np.ndarray:
    """A roundish organic outline: a circle whose radius varies by a few low harmonics."""
    t = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
    radius = np.ones_like(t)
    for k in (2, 3, 4, 5):
        radius += amp / k * rng.uniform(0.4, 1.0) * np.cos(k * t + rng.uniform(0, 2 * math.pi))
    return np.stack([cx + r * radius * np.cos(t), cy + r * radius * np.sin(t)], axis=1)


def rounded_rect_ring(
    x0: float, y0: float, x1: float, y1: float, r: float, n_arc: int = 10
) -> np.ndarray:
    """Rectangle with circular corners of radius ``r``."""
    r = min(r, (x1 - x0) / 2, (y1 - y0) / 2)
    corners = [(x1 - r, y1 - r, 0.0), (x0 + r, y1 - r, 0.5), (x0 + r, y0 + r, 1.0)]
    corners.append((x1 - r, y0 + r, 1.5))
    points: list[tuple[float, float]] = []
    for cx, cy, start in corners:
        for t in np.linspace(start * math.pi, (start + 0.5) * math.pi, n_arc):
            points.append((cx + r * math.cos(t), cy + r * math.sin(t)))
    return np.array(points)


def capsule_ring(
    p0: Sequence[float], p1: Sequence[float], r0: float, r1: float | None = None
) -> np.ndarray:
    """Outline of a limb: the convex hull of two discs, possibly of different radii."""
    r1 = r0 if r1 is None else r1
    pts = np.concatenate([ellipse_ring(*p0, r0, n=40), ellipse_ring(*p1, r1, n=40)])
    hull = cv2.convexHull(pts.astype(np.float32))
    return hull.reshape(-1, 2).astype(np.float64)


def place(ring: np.ndarray, angle: float, cx: float, cy: float) -> np.ndarray:
    """Rotate a ring defined around the origin by ``angle`` and move it to (cx, cy)."""
    c, s = math.cos(angle), math.sin(angle)
    x, y = ring[:, 0], ring[:, 1]
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


# ================================================================================= raster

SHIFT = 4
"""Fractional bits handed to OpenCV's polygon filling, for sub-pixel accurate edges."""


def _fixed(ring: np.ndarray, ox: float, oy: float, scale: float = 1.0) -> np.ndarray:
    """Continuous coordinates to OpenCV's fixed point, where integers are pixel centres."""
    pts = ((np.asarray(ring, dtype=np.float64) - (ox, oy)) * scale - 0.5) * (1 << SHIFT)
    return np.round(pts).astype(np.int32).reshape(-1, 1, 2)


def smooth_noise(
    rng: np.random.Generator,
    h: int,
    w: int,
    cell: float,
    octaves: int = 4,
    persistence: float = 0.5,
    stretch: float = 1.0,
) -> np.ndarray:
    """Fractal value noise in [0, 1]; ``stretch`` > 1 elongates features horizontally."""
    total = np.zeros((h, w), np.float32)
    amplitude, norm = 1.0, 0.0
    for octave in range(octaves):
        size = max(1.0, cell / 2**octave)
        gh = max(2, round(h / size) + 2)
        gw = max(2, round(w / (size * stretch)) + 2)
        grid = rng.random((gh, gw), dtype=np.float32)
        total += amplitude * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        norm += amplitude
        amplitude *= persistence
    return np.clip(total / norm, 0.0, 1.0)


class Canvas:
    """A float RGB picture with the few painting operations the scenes need.

    Every operation works in the window around its shape only, so painting a small
    object on a large picture stays cheap.
    """

    def __init__(self, width: int, height: int, color: RGB = (0.0, 0.0, 0.0)) -> None:
        self.px = np.empty((height, width, 3), np.float32)
        self.px[:] = color

    @property
    def width(self) -> int:
        return self.px.shape[1]

    @property
    def height(self) -> int:
        return self.px.shape[0]

    def window(self, rings: Sequence[np.ndarray], pad: int) -> tuple[int, int, int, int] | None:
        pts = np.concatenate(rings)
        x0 = max(0, math.floor(pts[:, 0].min()) - pad)
        y0 = max(0, math.floor(pts[:, 1].min()) - pad)
        x1 = min(self.width, math.ceil(pts[:, 0].max()) + pad)
        y1 = min(self.height, math.ceil(pts[:, 1].max()) + pad)
        return None if x0 >= x1 or y0 >= y1 else (x0, y0, x1, y1)

    def coverage(
        self, rings: Sequence[np.ndarray], pad: int = 2, aa: bool = True
    ) -> tuple[np.ndarray, tuple[int, int, int, int]] | None:
        """Anti-aliased coverage of a shape; later rings of the list cut holes."""
        box = self.window(rings, pad)
        if box is None:
            return None
        x0, y0, x1, y1 = box
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        kind = cv2.LINE_AA if aa else cv2.LINE_8
        cv2.fillPoly(mask, [_fixed(r, x0, y0) for r in rings], 255, kind, SHIFT)
        return mask.astype(np.float32) / 255.0, box

    @staticmethod
    def grid(box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
        x0, y0, x1, y1 = box
        xs = np.arange(x0, x1, dtype=np.float32) + 0.5
        ys = np.arange(y0, y1, dtype=np.float32) + 0.5
        return np.meshgrid(xs, ys)

    def paint(
        self,
        rings: Sequence[np.ndarray] | np.ndarray,
        color: RGB | Shader,
        opacity: float = 1.0,
        feather: float = 0.0,
    ) -> None:
        """Cover a shape with a colour or a shader; ``feather`` blurs its edge (pixels)."""
        if isinstance(rings, np.ndarray):
            rings = [rings]
        pad = 2 + math.ceil(3 * feather)
        found = self.coverage(rings, pad)
        if found is None:
            return
        alpha, box = found
        if feather > 0:
            alpha = cv2.GaussianBlur(alpha, (0, 0), feather)
        x0, y0, x1, y1 = box
        if callable(color):
            xs, ys = self.grid(box)
            fill = color(xs, ys).astype(np.float32)
        else:
            fill = np.array(color, np.float32)
        a = (alpha * opacity)[..., None]
        region = self.px[y0:y1, x0:x1]
        region *= 1.0 - a
        region += a * fill

    def shadow(
        self,
        rings: Sequence[np.ndarray] | np.ndarray,
        dx: float,
        dy: float,
        blur: float,
        strength: float,
    ) -> None:
        """Darken the ground under a shape: its outline moved, blurred and multiplied in."""
        if isinstance(rings, np.ndarray):
            rings = [rings]
        moved = [r + np.array((dx, dy)) for r in rings]
        found = self.coverage(moved, pad=2 + math.ceil(3 * blur))
        if found is None:
            return
        alpha, (x0, y0, x1, y1) = found
        if blur > 0:
            alpha = cv2.GaussianBlur(alpha, (0, 0), blur)
        self.px[y0:y1, x0:x1] *= (1.0 - strength * alpha)[..., None]

    def to_uint8(self) -> np.ndarray:
        return np.clip(np.rint(self.px * 255.0), 0, 255).astype(np.uint8)


def vertical_gradient(h: int, w: int, stops: Sequence[tuple[float, RGB]]) -> np.ndarray:
    """An (h, w, 3) image whose colour changes from top to bottom through ``stops``."""
    ys = np.linspace(0.0, 1.0, h)
    positions = [p for p, _ in stops]
    columns = [np.interp(ys, positions, [c[i] for _, c in stops]) for i in range(3)]
    column = np.stack(columns, axis=1).astype(np.float32)
    return np.repeat(column[:, None, :], w, axis=1)


def silhouette(shapes: Sequence[np.ndarray], ss: int = 4, eps: float = 0.4) -> np.ndarray:
    """Outer outline of the union of several shapes, as one polygon ring.

    The shapes are filled at ``ss`` times the resolution and traced, which is simpler
    than computing polygon unions and accurate to a fraction of a pixel.
    """
    pts = np.concatenate(shapes)
    x0, y0 = math.floor(pts[:, 0].min()) - 2, math.floor(pts[:, 1].min()) - 2
    x1, y1 = math.ceil(pts[:, 0].max()) + 2, math.ceil(pts[:, 1].max()) + 2
    mask = np.zeros(((y1 - y0) * ss, (x1 - x0) * ss), np.uint8)
    for shape in shapes:
        cv2.fillPoly(mask, [_fixed(shape, x0, y0, ss)], 255, cv2.LINE_8, SHIFT)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    outer = max(contours, key=cv2.contourArea)
    outer = cv2.approxPolyDP(outer, eps * ss, True)
    return (outer.reshape(-1, 2).astype(np.float64) + 0.5) / ss + (x0, y0)


# ================================================================================ shaders

LIGHT = np.array([-0.45, -0.6, 0.66])
LIGHT /= np.linalg.norm(LIGHT)
HALF = LIGHT + np.array((0.0, 0.0, 1.0))
HALF /= np.linalg.norm(HALF)


def lit(
    nx: np.ndarray,
    ny: np.ndarray,
    nz: np.ndarray,
    base: np.ndarray,
    ambient: float = 0.35,
    gloss: float = 0.35,
    shininess: float = 30.0,
) -> np.ndarray:
    """Lambert plus Blinn highlight for a normal field; ``base`` is (..., 3) or (3,)."""
    diffuse = np.clip(nx * LIGHT[0] + ny * LIGHT[1] + nz * LIGHT[2], 0.0, 1.0)
    spec = np.clip(nx * HALF[0] + ny * HALF[1] + nz * HALF[2], 0.0, 1.0) ** shininess
    shade = ambient + (1.0 - ambient) * diffuse
    return base * shade[..., None] + gloss * spec[..., None]


def dome_shader(
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    base: RGB | Callable[[np.ndarray, np.ndarray], np.ndarray],
    **light: float,
) -> Shader:
    """Shading of an ellipsoid seen from above (fruit, tree crowns, heads)."""

    def shader(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        nx, ny = (xs - cx) / rx, (ys - cy) / ry
        nz = np.sqrt(np.clip(1.0 - nx * nx - ny * ny, 0.0, 1.0))
        colour = base(xs, ys) if callable(base) else np.array(base, np.float32)
        return lit(nx, ny, nz, colour, **light)

    return shader


def limb_shader(p0: Sequence[float], p1: Sequence[float], r: float, base: RGB) -> Shader:
    """Cylinder shading across a limb, lit from the upper left like everything else."""
    ax, ay = p1[0] - p0[0], p1[1] - p0[1]
    length = math.hypot(ax, ay) or 1.0
    px, py = -ay / length, ax / length  # unit normal of the axis, in the image plane

    def shader(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        t = ((xs - p0[0]) * px + (ys - p0[1]) * py) / r
        t = np.clip(t, -1.0, 1.0)
        nz = np.sqrt(1.0 - t * t)
        return lit(t * px, t * py, nz, np.array(base, np.float32), ambient=0.55, gloss=0.06)

    return shader


def flat(base: RGB, top: float = 1.08, bottom: float = 0.9, y0: float = 0, y1: float = 1) -> Shader:
    """A colour that darkens from ``top`` to ``bottom`` between y0 and y1."""

    def shader(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        t = np.clip((ys - y0) / max(1e-6, y1 - y0), 0.0, 1.0)
        factor = top + (bottom - top) * t
        return np.array(base, np.float32) * factor[..., None]

    return shader


def scaled(colour: RGB, factor: float) -> RGB:
    """A colour made darker (factor < 1) or lighter."""
    return (colour[0] * factor, colour[1] * factor, colour[2] * factor)


# ============================================================================= annotations


def _r(value: float) -> float:
    return round(float(value), 2)


def box_label(name: str, ring: np.ndarray, w: int, h: int) -> dict[str, Any]:
    x0, y0 = ring.min(axis=0)
    x1, y1 = ring.max(axis=0)
    box = [max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)]
    return {"class": name, "box": [_r(v) for v in box]}


def polygon_label(name: str, rings: Sequence[np.ndarray]) -> dict[str, Any]:
    return {"class": name, "polygon": [[[_r(x), _r(y)] for x, y in ring] for ring in rings]}


def keypoint_label(name: str, points: Sequence[tuple[float, float, int]]) -> dict[str, Any]:
    return {
        "class": name,
        "keypoints": [[_r(x), _r(y), v] if v else [0, 0, 0] for x, y, v in points],
    }


@dataclass
class Scene:
    """One demo image, its labels, and the mask PNGs those labels point to."""

    file: str
    pixels: np.ndarray
    status: str = "new"
    annotations: list[dict[str, Any]] = field(default_factory=list)
    masks: dict[str, np.ndarray] = field(default_factory=dict)

    def add_mask(self, name: str, ring: np.ndarray) -> None:
        """Label a shape as a mask: the pixels whose centre lies inside the outline."""
        h, w = self.pixels.shape[:2]
        mask = np.zeros((h, w), np.uint8)
        cv2.fillPoly(mask, [_fixed(ring, 0, 0)], 1, cv2.LINE_8, SHIFT)
        rel = f"masks/{Path(self.file).stem}_{len(self.masks)}.png"
        self.masks[rel] = mask.astype(bool)
        self.annotations.append({"class": name, "mask_png": rel})


# ======================================================================== shared painting


@dataclass(frozen=True)
class Look:
    skin: RGB
    hair: RGB
    shirt: RGB
    pants: RGB
    shoes: RGB


def person(
    cv: Canvas,
    x: float,
    feet_y: float,
    height: float,
    look: Look,
    arms: tuple[float, float, float, float] = (0.25, 0.1, 0.25, 0.1),
    stance: float = 0.0,
) -> list[tuple[float, float]]:
    """Paint a simple figure facing the viewer and return its ten keypoints.

    The keypoints are the joints the limbs were drawn between, so they are exact. The
    figure faces the viewer, hence its left side (``l_*``) is on the image's right.
    ``arms`` are the outward angles (radians) of the right upper arm, right forearm, left
    upper arm and left forearm; ``stance`` spreads the feet.
    """
    u = height
    head = (x, feet_y - 0.925 * u)
    neck = (x, feet_y - 0.835 * u)
    l_sh, r_sh = (x + 0.115 * u, feet_y - 0.8 * u), (x - 0.115 * u, feet_y - 0.8 * u)
    l_hip, r_hip = (x + 0.062 * u, feet_y - 0.5 * u), (x - 0.062 * u, feet_y - 0.5 * u)
    spread = stance * u
    l_knee = (x + 0.07 * u + 0.5 * spread, feet_y - 0.27 * u)
    r_knee = (x - 0.07 * u - 0.5 * spread, feet_y - 0.27 * u)
    l_foot = (x + 0.075 * u + spread, feet_y - 0.035 * u)
    r_foot = (x - 0.075 * u - spread, feet_y - 0.035 * u)

    def arm_points(
        shoulder: tuple[float, float], side: float, upper: float, fore: float
    ) -> tuple[tuple[float, float], tuple[float, float]]:
        elbow = (
            shoulder[0] + side * math.sin(upper) * 0.16 * u,
            shoulder[1] + math.cos(upper) * 0.16 * u,
        )
        hand = (
            elbow[0] + side * math.sin(fore) * 0.15 * u,
            elbow[1] + math.cos(fore) * 0.15 * u,
        )
        return elbow, hand

    r_elbow, r_hand = arm_points(r_sh, -1.0, arms[0], arms[1])
    l_elbow, l_hand = arm_points(l_sh, 1.0, arms[2], arms[3])

    ground = ellipse_ring(x, feet_y - 0.01 * u, 0.2 * u + spread, 0.03 * u)
    cv.shadow(ground, 0.03 * u, 0.0, 0.02 * u, 0.35)
    for hip, knee, foot in ((r_hip, r_knee, r_foot), (l_hip, l_knee, l_foot)):
        thigh = capsule_ring(hip, knee, 0.05 * u, 0.04 * u)
        shin = capsule_ring(knee, foot, 0.04 * u, 0.03 * u)
        cv.paint(thigh, limb_shader(hip, knee, 0.05 * u, look.pants))
        cv.paint(shin, limb_shader(knee, foot, 0.04 * u, look.pants))
        shoe = ellipse_ring(foot[0], foot[1] + 0.012 * u, 0.045 * u, 0.025 * u)
        cv.paint(shoe, dome_shader(foot[0], foot[1], 0.05 * u, 0.04 * u, look.shoes, gloss=0.2))
    pelvis = np.array(
        [
            (x - 0.105 * u, feet_y - 0.56 * u),
            (x + 0.105 * u, feet_y - 0.56 * u),
            (x + 0.11 * u, feet_y - 0.47 * u),
            (x, feet_y - 0.44 * u),
            (x - 0.11 * u, feet_y - 0.47 * u),
        ]
    )
    cv.paint(pelvis, flat(look.pants))
    torso = np.array(
        [
            (x - 0.13 * u, feet_y - 0.805 * u),
            (x + 0.13 * u, feet_y - 0.805 * u),
            (x + 0.09 * u, feet_y - 0.62 * u),
            (x + 0.105 * u, feet_y - 0.52 * u),
            (x - 0.105 * u, feet_y - 0.52 * u),
            (x - 0.09 * u, feet_y - 0.62 * u),
        ]
    )
    shirt_shade = flat(look.shirt, 1.08, 0.85, feet_y - 0.82 * u, feet_y - 0.52 * u)
    cv.paint(torso, shirt_shade)
    for shoulder in (l_sh, r_sh):
        cv.paint(ellipse_ring(*shoulder, 0.045 * u), shirt_shade)
    cv.paint(
        capsule_ring(neck, (x, feet_y - 0.87 * u), 0.028 * u),
        limb_shader(neck, head, 0.028 * u, look.skin),
    )
    for shoulder, elbow, hand in ((r_sh, r_elbow, r_hand), (l_sh, l_elbow, l_hand)):
        cv.paint(
            capsule_ring(shoulder, elbow, 0.037 * u, 0.032 * u),
            limb_shader(shoulder, elbow, 0.037 * u, look.shirt),
        )
        cv.paint(
            capsule_ring(elbow, hand, 0.032 * u, 0.026 * u),
            limb_shader(elbow, hand, 0.032 * u, look.shirt),
        )
        cv.paint(ellipse_ring(*hand, 0.027 * u), dome_shader(*hand, 0.03 * u, 0.03 * u, look.skin))
    hx, hy = head
    cv.paint(
        ellipse_ring(hx, hy, 0.056 * u, 0.066 * u),
        dome_shader(hx, hy, 0.06 * u, 0.07 * u, look.skin, gloss=0.1),
    )
    hair = ellipse_ring(hx, hy - 0.022 * u, 0.062 * u, 0.052 * u)
    hair = hair[hair[:, 1] <= hy - 0.012 * u]
    cv.paint(hair, dome_shader(hx, hy - 0.02 * u, 0.065 * u, 0.06 * u, look.hair, gloss=0.15))
    for side in (-1, 1):
        cv.paint(ellipse_ring(hx + side * 0.021 * u, hy + 0.005 * u, 0.007 * u), (0.1, 0.08, 0.07))
    cv.paint(
        ellipse_ring(hx, hy + 0.034 * u, 0.016 * u, 0.006 * u), (0.55, 0.25, 0.22), opacity=0.7
    )
    return [head, neck, l_sh, r_sh, l_hip, r_hip, l_knee, r_knee, l_foot, r_foot]


def tree(cv: Canvas, x: float, ground: float, size: float, rng: np.random.Generator) -> None:
    """A side-view tree: a tapered trunk and a crown of shaded overlapping balls."""
    trunk = np.array(
        [
            (x - 0.09 * size, ground),
            (x + 0.09 * size, ground),
            (x + 0.05 * size, ground - 1.05 * size),
            (x - 0.05 * size, ground - 1.05 * size),
        ]
    )
    cv.shadow(ellipse_ring(x, ground, 0.5 * size, 0.07 * size), 0.15 * size, 0, 0.05 * size, 0.3)
    cv.paint(trunk, limb_shader((x, ground), (x, ground - size), 0.09 * size, (0.36, 0.25, 0.16)))
    cy = ground - 1.35 * size
    greens = [(0.2, 0.42, 0.16), (0.26, 0.5, 0.2), (0.3, 0.55, 0.22), (0.22, 0.46, 0.18)]
    balls = []
    for _ in range(11):
        a = rng.uniform(0, 2 * math.pi)
        d = rng.uniform(0.0, 0.42) * size
        r = rng.uniform(0.3, 0.45) * size
        balls.append((x + math.cos(a) * d * 1.2, cy + math.sin(a) * d * 0.8, r))
    for bx, by, r in sorted(balls, key=lambda b: b[1]):  # lower balls overlap higher ones
        colour = greens[rng.integers(len(greens))]
        cv.paint(ellipse_ring(bx, by, r), dome_shader(bx, by, r, r, colour, gloss=0.04))


# ============================================================================= fruit table


def wood(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Planks of a wooden table top seen from above, running left to right."""
    img = np.zeros((h, w, 3), np.float32)
    edges = [0]
    while edges[-1] < h:
        edges.append(edges[-1] + int(rng.integers(150, 200)))
    warp = smooth_noise(rng, h, w, 90, octaves=3, stretch=6.0)
    fine = smooth_noise(rng, h, w, 6, octaves=2, stretch=10.0)
    ys = np.arange(h, dtype=np.float32)[:, None]
    xs = np.arange(w, dtype=np.float32)[None, :]
    for top, bottom in itertools.pairwise(edges):
        bottom = min(bottom, h)
        tint = np.array([0.62, 0.42, 0.25]) * rng.uniform(0.85, 1.08)
        tint[1] *= rng.uniform(0.95, 1.05)
        freq = rng.uniform(0.045, 0.07)
        phase = rng.uniform(0, 100)
        sl = slice(top, bottom)
        rings = np.sin(
            (ys[sl] * freq + warp[sl] * 9.0 + phase + 0.0008 * xs * rng.uniform(-1, 1)) * math.pi
        )
        grain = 0.5 + 0.5 * np.sign(rings) * np.abs(rings) ** 0.6
        shade = 0.8 + 0.14 * grain + 0.12 * (fine[sl] - 0.5)
        img[sl] = tint[None, None, :] * shade[..., None]
        img[top : top + 3] *= 0.55  # seam between planks
        img[top + 3 : top + 6] *= 0.85
    return img


def torus_shader(
    cx: float, cy: float, ring_r: float, tube: float, base: RGB, **light: float
) -> Shader:
    """Shading of a ring-shaped object lying flat (a donut), seen from above."""

    def shader(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        dx, dy = xs - cx, ys - cy
        rho = np.sqrt(dx * dx + dy * dy) + 1e-6
        t = np.clip((rho - ring_r) / tube, -1.0, 1.0)  # -1 inner edge, 0 top, 1 outer edge
        nz = np.sqrt(1.0 - t * t)
        return lit(t * dx / rho, t * dy / rho, nz, np.array(base, np.float32), **light)

    return shader


def donut(cv: Canvas, cx: float, cy: float, r: float, icing: RGB, seed: int) -> list[np.ndarray]:
    """Paint a glazed donut with sprinkles; return its outline and hole rings."""
    rng = np.random.default_rng(seed)
    outer = wobbly_ring(cx, cy, r, rng, amp=0.05, n=96)
    inner = wobbly_ring(cx, cy, r * 0.34, rng, amp=0.06, n=48)
    cv.shadow([outer, inner], 9, 12, 7, 0.45)
    ring_r, tube = r * 0.67, r * 0.33
    dough = torus_shader(cx, cy, ring_r, tube, (0.82, 0.55, 0.28), ambient=0.4, gloss=0.1)
    cv.paint([outer, inner], dough)
    glaze = [
        wobbly_ring(cx, cy, r * 0.86, rng, amp=0.12, n=96),
        wobbly_ring(cx, cy, r * 0.45, rng, amp=0.1, n=48),
    ]
    cv.paint(glaze, torus_shader(cx, cy, ring_r, tube * 1.15, icing, ambient=0.5, gloss=0.45))
    colours = [(0.95, 0.9, 0.2), (0.3, 0.7, 0.95), (0.98, 0.98, 0.95), (0.4, 0.85, 0.4)]
    sprinkle = rounded_rect_ring(-5, -1.6, 5, 1.6, 1.6, 4)
    for _ in range(26):
        a = rng.uniform(0, 2 * math.pi)
        d = rng.uniform(0.5, 0.8) * r
        piece = place(sprinkle, rng.uniform(0, math.pi), cx + d * math.cos(a), cy + d * math.sin(a))
        cv.paint(piece, colours[rng.integers(len(colours))])
    return [outer, inner]


def apple(cv: Canvas, cx: float, cy: float, r: float, seed: int) -> np.ndarray:
    """Paint a red apple with golden streaks seen from above; return its outline."""
    rng = np.random.default_rng(seed)
    phases = rng.uniform(0, 2 * math.pi, 2)
    blush = rng.uniform(0.1, 0.35)

    def skin(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        angle = np.arctan2(ys - cy, xs - cx)
        streaks = 0.5 + 0.5 * np.sin(angle * 23 + phases[0]) * np.sin(angle * 7 + phases[1])
        rho = np.hypot(xs - cx, ys - cy) / r
        yellow = np.clip(blush + 0.25 * streaks * rho - 0.2 * (1 - rho), 0.0, 0.7)[..., None]
        red = np.array((0.78, 0.08, 0.07), np.float32)
        gold = np.array((0.93, 0.62, 0.14), np.float32)
        return red * (1 - yellow) + gold * yellow

    ring = ellipse_ring(cx, cy, r, r * 0.93, 0.3)
    cv.shadow(ring, 11, 15, 9, 0.5)
    cv.paint(ring, dome_shader(cx, cy, r, r * 0.93, skin, gloss=0.55))
    sx, sy = cx + 0.1 * r, cy - 0.08 * r
    cv.paint(ellipse_ring(sx, sy, 0.2 * r), (0.35, 0.25, 0.1), opacity=0.35, feather=4)
    cv.paint(capsule_ring((sx, sy), (sx + 0.18 * r, sy - 0.3 * r), 2.6, 2.0), (0.32, 0.2, 0.1))
    return ring


def orange(cv: Canvas, cx: float, cy: float, r: float, seed: int) -> np.ndarray:
    """Paint an orange with a dimpled peel; return its outline."""
    rng = np.random.default_rng(seed)
    ring = ellipse_ring(cx, cy, r, r * 0.97, rng.uniform(0, math.pi))
    pores = smooth_noise(rng, 2 * round(r) + 8, 2 * round(r) + 8, 2.5, octaves=2)

    def peel(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        ix = np.clip((xs - cx + r + 4).astype(int), 0, pores.shape[1] - 1)
        iy = np.clip((ys - cy + r + 4).astype(int), 0, pores.shape[0] - 1)
        dimples = pores[iy, ix][..., None]
        return np.array((0.98, 0.52, 0.06), np.float32) * (0.88 + 0.22 * dimples)

    cv.shadow(ring, 10, 14, 9, 0.5)
    cv.paint(ring, dome_shader(cx, cy, r, r, peel, gloss=0.25, shininess=18))
    cv.paint(ellipse_ring(cx + 0.08 * r, cy - 0.05 * r, 3.5), (0.45, 0.35, 0.1), feather=1)
    return ring


def fruit_table() -> Scene:
    """Fruit and donuts on a wooden table, from above: boxes and a polygon with a hole."""
    rng = np.random.default_rng(101)
    w, h = 1024, 768
    cv = Canvas(w, h)
    cv.px[:] = wood(rng, w, h)
    scene = Scene("fruit_table.jpg", np.zeros((h, w, 3), np.uint8), status="in_progress")

    plate = ellipse_ring(565, 420, 190)
    cv.shadow(plate, 14, 18, 12, 0.45)
    cv.paint(plate, dome_shader(565, 420, 400, 400, (0.95, 0.95, 0.93), gloss=0.1))
    cv.paint(ellipse_ring(565, 420, 150), (0.9, 0.9, 0.88), feather=5)
    cv.paint(ellipse_ring(565, 420, 140), dome_shader(565, 420, 600, 600, (0.97, 0.97, 0.96)))
    pink = donut(cv, 505, 370, 88, (0.96, 0.55, 0.7), seed=1)
    donut(cv, 640, 490, 82, (0.36, 0.2, 0.12), seed=2)

    oranges = [
        orange(cv, cx, cy, r, seed)
        for cx, cy, r, seed in ((880, 410, 64, 21), (345, 120, 58, 22), (110, 690, 62, 23))
    ]
    apples = [
        apple(cv, cx, cy, r, seed)
        for cx, cy, r, seed in (
            (190, 235, 70, 11),
            (300, 580, 76, 12),
            (150, 455, 66, 13),
            (880, 190, 72, 14),
            (905, 625, 70, 15),
        )
    ]
    leaf = place(ellipse_ring(0, 0, 30, 12), -0.6, 918, 142)
    cv.paint(leaf, dome_shader(918, 142, 40, 40, (0.25, 0.55, 0.15), gloss=0.2))
    cv.paint(capsule_ring((895, 158), (942, 126), 0.9), (0.18, 0.4, 0.1), opacity=0.7)
    vignette(cv, 0.25)
    scene.pixels = cv.to_uint8()

    # Label most of it, as someone halfway through the image would have.
    scene.annotations.append(polygon_label("donut", pink))
    scene.annotations.extend(box_label("apple", ring, w, h) for ring in apples[:4])
    scene.annotations.extend(box_label("orange", ring, w, h) for ring in oranges[:2])
    return scene


def vignette(cv: Canvas, strength: float) -> None:
    """Darken the corners a little, as real lenses do; it makes flat renders look shot."""
    h, w = cv.height, cv.width
    ys, xs = np.ogrid[:h, :w]
    d = ((xs - w / 2) / (w / 2)) ** 2 + ((ys - h / 2) / (h / 2)) ** 2
    cv.px *= (1.0 - strength * np.clip(d / 2, 0, 1) ** 1.5)[..., None].astype(np.float32)


# ================================================================================= street


def chaikin(ring: np.ndarray, iterations: int = 2) -> np.ndarray:
    """Round the corners of a closed polygon by corner cutting."""
    for _ in range(iterations):
        nxt = np.roll(ring, -1, axis=0)
        ring = np.stack([0.75 * ring + 0.25 * nxt, 0.25 * ring + 0.75 * nxt], axis=1)
        ring = ring.reshape(-1, 2)
    return ring


def car_side(
    cv: Canvas, x0: float, ground: float, length: float, colour: RGB, facing: int
) -> np.ndarray:
    """Paint a car seen from the side and return the outline of all of it.

    Parts are designed in units of the car's length, x from the rear (0) to the front
    (1) and y upwards from the road, then mapped into the picture.
    """

    def to_img(ring: Sequence[Sequence[float]]) -> np.ndarray:
        arr = np.asarray(ring, np.float64)
        xs = arr[:, 0] if facing > 0 else 1.0 - arr[:, 0]
        return np.stack([x0 + xs * length, ground - arr[:, 1] * length], axis=1)

    def px(x: float, y: float) -> tuple[float, float]:
        point = to_img([(x, y)])[0]
        return float(point[0]), float(point[1])

    body = to_img(
        chaikin(
            np.array(
                [
                    (0.02, 0.055),
                    (0.0, 0.1),
                    (0.012, 0.19),
                    (0.13, 0.212),
                    (0.78, 0.205),
                    (0.95, 0.172),
                    (1.0, 0.125),
                    (0.99, 0.055),
                ]
            )
        )
    )
    cabin = to_img(chaikin(np.array([(0.16, 0.19), (0.3, 0.31), (0.62, 0.315), (0.8, 0.19)])))
    wheels = [(0.19, 0.073), (0.81, 0.073)]
    tyre_r = 0.073
    cv.shadow(
        ellipse_ring(x0 + 0.5 * length, ground, 0.52 * length, 0.03 * length),
        0,
        0,
        0.012 * length,
        0.6,
    )
    dark = scaled(colour, 0.55)
    cv.paint(cabin, flat(dark, 1.0, 0.85, px(0, 0.315)[1], px(0, 0.2)[1]))
    windows = [
        [(0.22, 0.215), (0.315, 0.293), (0.47, 0.298), (0.47, 0.215)],
        [(0.5, 0.215), (0.5, 0.298), (0.61, 0.298), (0.745, 0.215)],
    ]
    top_y, bottom_y = px(0, 0.3)[1], px(0, 0.215)[1]
    for window in windows:
        cv.paint(
            to_img(chaikin(np.array(window), 1)),
            flat((0.55, 0.68, 0.8), 1.25, 0.6, top_y, bottom_y),
        )
    body_top, body_bottom = px(0, 0.215)[1], px(0, 0.05)[1]

    def paintwork(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        t = np.clip((ys - body_top) / (body_bottom - body_top), 0, 1)
        factor = 1.15 - 0.45 * t + 0.35 * np.exp(-(((t - 0.22) / 0.05) ** 2))
        return np.array(colour, np.float32) * factor[..., None]

    cv.paint(body, paintwork)
    for wx, _ in wheels:
        cv.paint(to_img(ellipse_ring(wx, 0.073, 0.09, n=64)), (0.06, 0.06, 0.07))
    for wx, wy in wheels:
        cx, cy = px(wx, wy)
        r = tyre_r * length
        cv.paint(ellipse_ring(cx, cy, r), (0.1, 0.1, 0.11))
        cv.paint(ellipse_ring(cx, cy, 0.62 * r), dome_shader(cx, cy, r, r, (0.72, 0.73, 0.75)))
        cv.paint(ellipse_ring(cx, cy, 0.2 * r), (0.35, 0.35, 0.38))
        for k in range(5):
            a = k * 2 * math.pi / 5
            hole = (cx + 0.4 * r * math.cos(a), cy + 0.4 * r * math.sin(a))
            cv.paint(ellipse_ring(*hole, 0.1 * r), (0.25, 0.25, 0.27))
    seam = (0.1, 0.1, 0.1)
    for x, y0_, y1_ in ((0.485, 0.06, 0.208), (0.27, 0.1, 0.208), (0.695, 0.1, 0.205)):
        cv.paint(capsule_ring(px(x, y0_), px(x, y1_), 0.0018 * length), seam, opacity=0.6)
    for x in (0.42, 0.67):
        a, b = px(x, 0.175), px(x + 0.045, 0.175)
        cv.paint(capsule_ring(a, b, 0.005 * length), scaled(colour, 0.6))
    cv.paint(to_img(ellipse_ring(0.965, 0.155, 0.03, 0.016)), (1.0, 0.95, 0.75))
    cv.paint(to_img(ellipse_ring(0.018, 0.165, 0.016, 0.022)), (0.85, 0.08, 0.06))
    sill = to_img(rounded_rect_ring(0.27, 0.05, 0.73, 0.068, 0.008))
    cv.paint(sill, scaled(colour, 0.45))
    tyres = [to_img(ellipse_ring(wx, wy, tyre_r, n=64)) for wx, wy in wheels]
    return silhouette([body, cabin, *tyres])


def building(
    cv: Canvas,
    x0: float,
    x1: float,
    top: float,
    ground: float,
    wall: RGB,
    rng: np.random.Generator,
) -> None:
    """A city facade: wall, cornice, rows of windows, and a shop front with an awning."""
    cv.paint(
        np.array([(x0, top), (x1, top), (x1, ground), (x0, ground)]),
        flat(wall, 1.05, 0.9, top, ground),
    )
    cv.paint(
        np.array([(x0 - 6, top - 18), (x1 + 6, top - 18), (x1 + 6, top + 12), (x0 - 6, top + 12)]),
        scaled(wall, 0.75),
    )
    shop_top = ground - 200
    n_cols = max(2, int((x1 - x0 - 60) // 135))
    step = (x1 - x0) / n_cols
    row = top + 60
    while row + 110 < shop_top - 40:
        for c in range(n_cols):
            wx = x0 + (c + 0.5) * step
            frame = np.array(
                [(wx - 34, row - 4), (wx + 34, row - 4), (wx + 34, row + 104), (wx - 34, row + 104)]
            )
            cv.paint(frame, (0.92, 0.9, 0.86))
            glass = np.array(
                [(wx - 28, row), (wx + 28, row), (wx + 28, row + 98), (wx - 28, row + 98)]
            )
            if rng.random() < 0.18:
                cv.paint(glass, flat((1.0, 0.85, 0.5), 1.0, 0.8, row, row + 98))
            else:
                cv.paint(glass, flat((0.45, 0.58, 0.72), 1.3, 0.7, row, row + 98))
        row += 175
    shop = np.array(
        [(x0 + 40, shop_top + 50), (x1 - 40, shop_top + 50), (x1 - 40, ground), (x0 + 40, ground)]
    )
    cv.paint(shop, flat((0.3, 0.38, 0.45), 1.2, 0.7, shop_top + 50, ground))
    door_x = x0 + (x1 - x0) * rng.uniform(0.25, 0.75)
    cv.paint(
        np.array(
            [
                (door_x - 40, shop_top + 70),
                (door_x + 40, shop_top + 70),
                (door_x + 40, ground),
                (door_x - 40, ground),
            ]
        ),
        (0.22, 0.16, 0.12),
    )
    stripes = (
        [(0.85, 0.2, 0.2), (0.95, 0.95, 0.9)]
        if rng.random() < 0.5
        else [(0.15, 0.45, 0.35), (0.95, 0.95, 0.9)]
    )
    n_stripes = int((x1 - x0 - 40) // 60)
    sw = (x1 - x0 - 40) / n_stripes
    for k in range(n_stripes):
        sx = x0 + 20 + k * sw
        cv.paint(
            np.array(
                [
                    (sx, shop_top),
                    (sx + sw, shop_top),
                    (sx + sw + 6, shop_top + 70),
                    (sx + 6, shop_top + 70),
                ]
            ),
            flat(stripes[k % 2], 1.05, 0.8, shop_top, shop_top + 70),
        )
    cv.shadow(
        np.array(
            [
                (x0 + 26, shop_top + 70),
                (x1 - 14, shop_top + 70),
                (x1 - 14, shop_top + 80),
                (x0 + 26, shop_top + 80),
            ]
        ),
        0,
        0,
        6,
        0.4,
    )


def band(cv: Canvas, y0: float, y1: float, colour: RGB | Shader, opacity: float = 1.0) -> None:
    """Paint a full-width horizontal strip (pavement, kerb, paint line)."""
    w = cv.width
    cv.paint(np.array([(0, y0), (w, y0), (w, y1), (0, y1)], np.float64), colour, opacity)


STREET_LOOKS = [
    Look(
        skin=(0.93, 0.76, 0.62),
        hair=(0.25, 0.16, 0.1),
        shirt=(0.85, 0.3, 0.25),
        pants=(0.2, 0.25, 0.4),
        shoes=(0.15, 0.12, 0.1),
    ),
    Look(
        skin=(0.62, 0.43, 0.3),
        hair=(0.08, 0.06, 0.05),
        shirt=(0.25, 0.55, 0.6),
        pants=(0.3, 0.3, 0.32),
        shoes=(0.9, 0.9, 0.9),
    ),
    Look(
        skin=(0.85, 0.65, 0.5),
        hair=(0.6, 0.45, 0.2),
        shirt=(0.95, 0.8, 0.3),
        pants=(0.25, 0.3, 0.5),
        shoes=(0.3, 0.2, 0.12),
    ),
    Look(
        skin=(0.75, 0.55, 0.42),
        hair=(0.3, 0.2, 0.12),
        shirt=(0.45, 0.35, 0.6),
        pants=(0.15, 0.15, 0.18),
        shoes=(0.1, 0.1, 0.1),
    ),
]


def street() -> Scene:
    """A city street from the kerb: car polygons and person skeletons, one partly hidden."""
    rng = np.random.default_rng(202)
    w, h = 3000, 2000
    cv = Canvas(w, h)
    scene = Scene("street.jpg", np.zeros((h, w, 3), np.uint8), status="in_progress")
    sky = [(0.0, (0.3, 0.52, 0.85)), (0.5, (0.72, 0.84, 0.95)), (1.0, (0.85, 0.9, 0.95))]
    cv.px[:] = vertical_gradient(h, w, sky)
    clouds = smooth_noise(rng, h // 4, w // 4, 120, octaves=3, stretch=2.5)
    clouds = cv2.resize(clouds, (w, h), interpolation=cv2.INTER_CUBIC)
    cover = np.clip((clouds - 0.55) * 4.0, 0, 1)[..., None] * 0.85
    cv.px = cv.px * (1 - cover) + cover * np.float32(0.98)

    # Facades along the far pavement, then pavement, kerb, road, kerb, near pavement.
    far_top, kerb_top, road_top, road_bottom, near_top = 1040, 1130, 1148, 1700, 1722
    walls = [
        (0.78, 0.55, 0.42),
        (0.88, 0.82, 0.68),
        (0.62, 0.68, 0.6),
        (0.55, 0.6, 0.7),
        (0.82, 0.7, 0.55),
        (0.7, 0.45, 0.38),
    ]
    x, k = -30.0, 0
    while x < w:
        width = float(rng.integers(400, 620))
        top = float(rng.integers(260, 620))
        building(cv, x, min(x + width, w + 30), top, far_top, walls[k % len(walls)], rng)
        x += width + float(rng.integers(0, 2)) * 30  # an alley now and then
        k += 1
    band(cv, far_top, h, flat((0.7, 0.69, 0.66), 1.05, 0.95, far_top, kerb_top))
    band(cv, kerb_top, road_top, (0.55, 0.54, 0.52))
    asphalt = smooth_noise(rng, (road_bottom - road_top) // 4, w // 4, 40, octaves=2)
    asphalt = cv2.resize(asphalt, (w, road_bottom - road_top), interpolation=cv2.INTER_CUBIC)
    road = np.array([0.3, 0.3, 0.32], np.float32) * (0.95 + 0.1 * asphalt)[..., None]
    cv.px[road_top:road_bottom] = road
    for dash in range(0, w, 420):
        centre_line = rounded_rect_ring(dash + 40, 1412, dash + 300, 1428, 4)
        cv.paint(centre_line, (0.92, 0.88, 0.7), opacity=0.9)
    band(cv, road_bottom, near_top, (0.6, 0.59, 0.57))
    band(cv, near_top, h, (0.74, 0.72, 0.69))
    joint = (0.55, 0.54, 0.52)
    for jx in range(-60, w, 300):
        cv.paint(np.array([(jx, near_top), (jx + 4, near_top), (jx + 4, h), (jx, h)]), joint, 0.7)
    band(cv, 1860, 1864, joint, opacity=0.7)

    for tx in (420.0, 1850.0, 2560.0):
        tree(cv, tx, 1090, 240, rng)
    for lx in (1100.0, 2250.0):  # street lamps
        cv.paint(capsule_ring((lx, 1100), (lx, 640), 9), (0.2, 0.22, 0.24))
        cv.paint(capsule_ring((lx, 645), (lx + 70, 625), 7), (0.2, 0.22, 0.24))
        cv.paint(ellipse_ring(lx + 75, 632, 26, 12), (0.95, 0.92, 0.8))

    # Back to front: people on the far pavement, one crossing behind the red car, the cars,
    # and someone waving on the near pavement.
    looks = STREET_LOOKS
    far = person(cv, 1330, 1108, 290, looks[1], arms=(0.15, 0.05, 0.35, 1.2))
    person(cv, 2420, 1112, 280, looks[3], arms=(0.2, 0.3, 0.15, 0.1), stance=0.02)
    crossing = person(cv, 700, 1500, 300, looks[2], arms=(0.3, 0.1, 0.25, 0.0))
    blue = car_side(cv, 1500, 1395, 650, (0.12, 0.32, 0.62), -1)
    red = car_side(cv, 280, 1655, 800, (0.78, 0.12, 0.1), 1)
    car_side(cv, 1980, 1665, 780, (0.86, 0.86, 0.84), -1)
    waving = person(cv, 2780, 1955, 620, looks[0], arms=(0.2, 0.1, 2.3, 2.9), stance=0.03)

    vignette(cv, 0.2)
    cv.px = cv2.GaussianBlur(cv.px, (0, 0), 0.6)  # lens softness, and a lighter JPEG
    scene.pixels = cv.to_uint8()
    scene.annotations.append(polygon_label("car", [red]))
    scene.annotations.append(polygon_label("car", [blue]))
    for joints in (waving, far):
        scene.annotations.append(keypoint_label("person", [(x, y, 2) for x, y in joints]))
    hidden = {"l_knee", "r_knee", "l_foot", "r_foot"}  # behind the red car: visibility 1
    scene.annotations.append(
        keypoint_label(
            "person",
            [
                (x, y, 1 if name in hidden else 2)
                for name, (x, y) in zip(SKELETON["names"], crossing, strict=True)
            ],
        )
    )
    return scene


# ============================================================================ parking lot


def car_top(
    cv: Canvas, cx: float, cy: float, angle: float, length: float, colour: RGB
) -> np.ndarray:
    """Paint a car seen from above, its front towards ``angle``; return its outline."""
    half_l, half_w = length / 2, length * 0.205

    def put(ring: np.ndarray) -> np.ndarray:
        return place(ring, angle, cx, cy)

    def part(points: Sequence[tuple[float, float]], rounding: int = 2) -> np.ndarray:
        """A part given in fractions of the half length (along) and half width (across)."""
        return put(chaikin(np.array(points) * (half_l, half_w), rounding))

    body = put(rounded_rect_ring(-half_l, -half_w, half_l, half_w, half_w * 0.5, 8))
    mirrors = [
        put(
            ellipse_ring(
                0.3 * half_l, side * (half_w + 0.025 * length), 0.03 * length, 0.02 * length, n=24
            )
        )
        for side in (-1, 1)
    ]
    outline = silhouette([body, *mirrors])
    cv.shadow(outline, 0.05 * length, 0.07 * length, 0.03 * length, 0.55)
    c, s = math.cos(angle), math.sin(angle)

    def paintwork(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        across = (-(xs - cx) * s + (ys - cy) * c) / half_w  # -1..1 from side to side
        along = ((xs - cx) * c + (ys - cy) * s) / half_l
        nz = np.sqrt(np.clip(1 - 0.6 * across**2, 0, 1))
        nx, ny = -across * s * 0.7, across * c * 0.7
        base = np.array(colour, np.float32) * (1 - 0.08 * np.abs(along))[..., None]
        return lit(nx, ny, nz, base, ambient=0.55, gloss=0.25, shininess=12)

    for mirror in mirrors:
        cv.paint(mirror, scaled(colour, 0.8))
    cv.paint(body, paintwork)
    glass = (0.13, 0.16, 0.22)
    cv.paint(part([(0.14, -0.76), (0.5, -0.86), (0.56, 0), (0.5, 0.86), (0.14, 0.76)], 1), glass)
    cv.paint(part([(-0.76, -0.7), (-0.5, -0.78), (-0.5, 0.78), (-0.76, 0.7), (-0.79, 0)], 1), glass)
    for side in (-1, 1):
        cv.paint(
            part(
                [
                    (-0.46, side * 0.8),
                    (0.08, side * 0.82),
                    (0.08, side * 0.95),
                    (-0.46, side * 0.93),
                ],
                1,
            ),
            glass,
            opacity=0.85,
        )
    roof = part([(-0.5, -0.78), (0.12, -0.8), (0.12, 0.8), (-0.5, 0.78)], 1)
    cv.paint(roof, paintwork)
    cv.paint(roof, (1.0, 1.0, 1.0), opacity=0.07)
    for side in (-1, 1):
        lamp = put(
            ellipse_ring(0.93 * half_l, side * 0.68 * half_w, 0.018 * length, 0.045 * length, n=24)
        )
        cv.paint(lamp, (1.0, 0.97, 0.85))
        tail = put(
            ellipse_ring(-0.96 * half_l, side * 0.7 * half_w, 0.012 * length, 0.045 * length, n=24)
        )
        cv.paint(tail, (0.75, 0.08, 0.06))
    return outline


def tree_top(cv: Canvas, x: float, y: float, r: float, rng: np.random.Generator) -> None:
    """A tree crown from above: clustered shaded balls with a long soft shadow."""
    balls = [(x, y, r)]
    for _ in range(7):
        a = rng.uniform(0, 2 * math.pi)
        balls.append(
            (x + 0.45 * r * math.cos(a), y + 0.45 * r * math.sin(a), r * rng.uniform(0.45, 0.65))
        )
    for bx, by, br in balls:
        cv.shadow(ellipse_ring(bx, by, br), 0.35 * r, 0.5 * r, 0.15 * r, 0.35)
    greens = [(0.2, 0.45, 0.17), (0.28, 0.52, 0.2), (0.24, 0.48, 0.15)]
    for bx, by, br in balls:
        colour = greens[rng.integers(len(greens))]
        cv.paint(ellipse_ring(bx, by, br), dome_shader(bx, by, br, br, colour, gloss=0.05))


def parking_lot() -> Scene:
    rng = np.random.default_rng(303)
    w, h = 1024, 768
    cv = Canvas(w, h)
    scene = Scene("parking_lot.jpg", np.zeros((h, w, 3), np.uint8), status="in_progress")
    tone = smooth_noise(rng, h, w, 60, octaves=4)
    cv.px[:] = np.array([0.36, 0.36, 0.37], np.float32) * (0.9 + 0.2 * tone)[..., None]
    for _ in range(7):
        sx, sy = rng.uniform(60, w - 60), rng.uniform(120, h - 120)
        stain = wobbly_ring(sx, sy, rng.uniform(8, 22), rng, amp=0.4)
        cv.paint(stain, (0.2, 0.2, 0.21), opacity=0.35, feather=3)

    # Grass verge with trees along the top, a kerb, and a pavement along the bottom.
    grass_tone = smooth_noise(rng, 70, w, 12, octaves=3)
    cv.px[:62] = np.array([0.3, 0.52, 0.2], np.float32) * (0.85 + 0.3 * grass_tone[:62])[..., None]
    cv.px[62:70] = np.array([0.72, 0.71, 0.68], np.float32)
    cv.px[722:730] = np.array([0.72, 0.71, 0.68], np.float32)
    cv.px[730:] = np.array([0.66, 0.64, 0.6], np.float32)
    for jx in range(0, w, 64):
        cv.paint(np.array([(jx, 730), (jx + 2, 730), (jx + 2, h), (jx, h)]), (0.5, 0.49, 0.46))

    stall_w = 92.0
    first = 46.0
    rows = [(78.0, 318.0, 1), (476.0, 716.0, -1)]  # y range, direction the cars face
    paint_white = (0.93, 0.93, 0.9)
    for y0, y1, _ in rows:
        for k in range(11):
            lx = first + k * stall_w
            cv.paint(
                np.array([(lx - 2.5, y0), (lx + 2.5, y0), (lx + 2.5, y1), (lx - 2.5, y1)]),
                paint_white,
                opacity=0.85,
            )
    cv.paint(
        np.array(
            [
                (first, 318 - 2.5),
                (first + 10 * stall_w, 318 - 2.5),
                (first + 10 * stall_w, 318 + 2.5),
                (first, 318 + 2.5),
            ]
        ),
        paint_white,
        opacity=0.4,
    )
    arrow = np.array([(0, -9), (60, -9), (60, -24), (95, 0), (60, 24), (60, 9), (0, 9)], float)
    for ax in (180.0, 640.0):
        cv.paint(arrow + np.array((ax, 397.0)), paint_white, opacity=0.8)

    colours = [
        (0.75, 0.1, 0.1),
        (0.9, 0.9, 0.88),
        (0.15, 0.3, 0.6),
        (0.1, 0.1, 0.12),
        (0.6, 0.62, 0.65),
        (0.85, 0.65, 0.15),
        (0.2, 0.45, 0.35),
        (0.55, 0.1, 0.35),
    ]
    labelled: list[np.ndarray] = []
    for row_index, (y0, y1, facing) in enumerate(rows):
        for k in range(10):
            if rng.random() < 0.2:
                continue  # an empty stall
            cx = first + (k + 0.5) * stall_w + rng.uniform(-6, 6)
            cy = (y0 + y1) / 2 + rng.uniform(-8, 8) + facing * 10
            angle = -facing * math.pi / 2 + rng.uniform(-0.06, 0.06)  # parked nose first
            colour = colours[int(rng.integers(len(colours)))]
            outline = car_top(cv, cx, cy, angle, rng.uniform(165, 182), colour)
            if (row_index, k) in {(0, 1), (0, 2), (0, 6), (1, 3), (1, 4), (1, 8), (1, 9)}:
                labelled.append(outline)
    driving = car_top(cv, 420, 398, 0.03, 178, (0.95, 0.95, 0.93))
    labelled.append(driving)
    for tx in (90.0, 330.0, 600.0, 880.0):
        tree_top(cv, tx + rng.uniform(-20, 20), 30 + rng.uniform(-8, 8), 46, rng)
    vignette(cv, 0.15)
    scene.pixels = cv.to_uint8()
    for outline in labelled:
        scene.annotations.append(polygon_label("car", [outline]))
    return scene


# =============================================================================== park walk


def park_walk() -> Scene:
    rng = np.random.default_rng(404)
    w, h = 768, 1024
    horizon = 430
    cv = Canvas(w, h)
    scene = Scene("park_walk.jpg", np.zeros((h, w, 3), np.uint8), status="in_progress")
    cv.px[:] = vertical_gradient(
        h, w, [(0.0, (0.38, 0.6, 0.9)), (0.42, (0.8, 0.89, 0.97)), (1.0, (0.8, 0.89, 0.97))]
    )
    clouds = smooth_noise(rng, h, w, 110, octaves=4, stretch=2.0)
    cover = (np.clip((clouds - 0.52) * 3.5, 0, 1) * 0.9)[..., None]
    cv.px = cv.px * (1 - cover) + cover * np.float32(0.99)

    # Distant wood: a bumpy band of dark balls on the horizon.
    for _ in range(60):
        bx = rng.uniform(-30, w + 30)
        r = rng.uniform(25, 55)
        by = horizon - rng.uniform(0, 45)
        colour = (0.17, 0.33, 0.2) if rng.random() < 0.6 else (0.22, 0.4, 0.22)
        cv.paint(
            ellipse_ring(bx, by, r, r * 0.9),
            dome_shader(bx, by, r, r, colour, gloss=0.0, ambient=0.55),
        )
    lawn = vertical_gradient(h - horizon, w, [(0.0, (0.45, 0.62, 0.3)), (1.0, (0.3, 0.55, 0.18))])
    patches = smooth_noise(rng, h - horizon, w, 80, octaves=4)
    lawn *= (0.86 + 0.28 * patches)[..., None]
    cv.px[horizon:] = lawn

    # A gravel path winding from the bottom edge towards the wood.
    ts = np.linspace(0.0, 1.0, 60)
    centre = 395 + 120 * np.sin(ts * 2.6 + 0.4) * (1 - ts) ** 1.2 - 30 * ts
    ys = horizon + 6 + (h + 10 - horizon - 6) * ts**1.6
    half = 10 + 300 * ts**1.6
    path = np.concatenate(
        [np.stack([centre - half, ys], axis=1), np.stack([centre + half, ys], axis=1)[::-1]]
    )
    gravel = smooth_noise(rng, h, w, 5, octaves=2)

    def path_colour(xs: np.ndarray, ys_: np.ndarray) -> np.ndarray:
        grain = gravel[ys_.astype(int).clip(0, h - 1), xs.astype(int).clip(0, w - 1)]
        return np.array((0.8, 0.72, 0.58), np.float32) * (0.9 + 0.14 * grain)[..., None]

    cv.shadow(path, 0, 0, 3, 0.25)
    cv.paint(path, path_colour)

    tree(cv, 640, 610, 150, rng)
    tree(cv, 120, 560, 110, rng)
    # A bench beside the path, to the right.
    bx0, by0 = 560.0, 700.0
    wood_c = (0.55, 0.36, 0.2)
    cv.shadow(
        np.array(
            [(bx0, by0 + 80), (bx0 + 170, by0 + 80), (bx0 + 175, by0 + 95), (bx0 - 5, by0 + 95)]
        ),
        10,
        0,
        6,
        0.4,
    )
    for lx in (bx0 + 12, bx0 + 150):
        cv.paint(
            np.array([(lx, by0 + 20), (lx + 10, by0 + 20), (lx + 10, by0 + 88), (lx, by0 + 88)]),
            (0.15, 0.15, 0.16),
        )
    for k in range(3):
        y = by0 - 30 + 15 * k
        cv.paint(
            rounded_rect_ring(bx0, y, bx0 + 172, y + 10, 3), flat(wood_c, 1.1, 0.85, y, y + 10)
        )
    for k in range(2):
        y = by0 + 22 + 12 * k
        cv.paint(
            rounded_rect_ring(bx0 - 6, y, bx0 + 178, y + 11, 3), flat(wood_c, 1.15, 0.8, y, y + 11)
        )

    walker_look = Look(
        (0.9, 0.72, 0.58),
        (0.45, 0.25, 0.12),
        (0.18, 0.55, 0.55),
        (0.22, 0.26, 0.38),
        (0.4, 0.25, 0.15),
    )
    far_look = Look(
        (0.6, 0.42, 0.3), (0.1, 0.08, 0.07), (0.85, 0.35, 0.2), (0.2, 0.2, 0.22), (0.1, 0.1, 0.1)
    )
    person(cv, 470, 505, 120, far_look, arms=(0.15, 0.1, 0.15, 0.1))
    walker = person(cv, 390, 975, 560, walker_look, arms=(0.12, 0.35, 0.22, 0.55), stance=0.02)
    cut_look = Look(
        skin=(0.7, 0.5, 0.38),
        hair=(0.15, 0.1, 0.08),
        shirt=(0.9, 0.75, 0.2),
        pants=(0.35, 0.3, 0.25),
        shoes=(0.2, 0.2, 0.2),
    )
    cut = person(cv, 92, 1210, 620, cut_look, arms=(0.1, 0.1, 0.3, 0.6))
    vignette(cv, 0.25)
    scene.pixels = cv.to_uint8()
    scene.annotations.append(keypoint_label("person", [(x, y, 2) for x, y in walker]))
    # Joints below the bottom edge are not labelled at all: visibility 0, as in COCO.
    scene.annotations.append(keypoint_label("person", [(x, y, 2 if y < h else 0) for x, y in cut]))
    return scene


# =================================================================================== cells


@dataclass
class Cell:
    outline: np.ndarray
    nucleus: np.ndarray
    second_nucleus: np.ndarray | None


def scatter_cells(rng: np.random.Generator, w: int, h: int, count: int) -> list[Cell]:
    """Place non-overlapping cells of organic shapes, some of them dividing."""
    cells: list[Cell] = []
    centres: list[tuple[float, float, float]] = []
    attempts = 0
    while len(cells) < count and attempts < 5000:
        attempts += 1
        r = rng.uniform(24, 44)
        x, y = rng.uniform(-10, w + 10), rng.uniform(-10, h + 10)
        if any(math.hypot(x - cx, y - cy) < (r + cr) * 1.08 for cx, cy, cr in centres):
            continue
        centres.append((x, y, r))
        outline = wobbly_ring(x, y, r, rng, amp=0.35)
        dividing = rng.random() < 0.12
        off = rng.uniform(0, 0.25 * r)
        a = rng.uniform(0, 2 * math.pi)
        nx, ny = x + off * math.cos(a), y + off * math.sin(a)
        if dividing:
            d = 0.32 * r
            nucleus = wobbly_ring(nx + d * math.cos(a), ny + d * math.sin(a), 0.27 * r, rng, 0.2)
            second = wobbly_ring(nx - d * math.cos(a), ny - d * math.sin(a), 0.27 * r, rng, 0.2)
        else:
            nucleus = wobbly_ring(nx, ny, rng.uniform(0.38, 0.5) * r, rng, amp=0.2)
            second = None
        cells.append(Cell(outline, nucleus, second))
    return cells


def fluorescence(seed: int, file: str) -> tuple[Scene, list[Cell]]:
    """Cells under a fluorescence microscope: green cytoplasm, blue nuclei, dark field."""
    rng = np.random.default_rng(seed)
    w, h = 1024, 768
    emission = Canvas(w, h)
    haze = smooth_noise(rng, h, w, 200, octaves=3)
    emission.px[:] = np.array([0.01, 0.025, 0.03], np.float32) * (0.6 + 0.8 * haze)[..., None]
    texture = smooth_noise(rng, h, w, 7, octaves=3)
    chromatin = smooth_noise(rng, h, w, 3, octaves=2)

    def textured(base: RGB, tex: np.ndarray, depth: float) -> Shader:
        def shader(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
            t = tex[ys.astype(int).clip(0, h - 1), xs.astype(int).clip(0, w - 1)]
            return np.array(base, np.float32) * (1 - depth + 2 * depth * t)[..., None]

        return shader

    cells = scatter_cells(rng, w, h, 34)
    blurred = Canvas(w, h)
    for cell in cells[:8]:  # out-of-focus cells behind the focal plane
        ring = cell.outline * 1.0 + rng.uniform(-30, 30, size=2)
        blurred.paint(ring, (0.05, 0.16, 0.08), feather=9)
    emission.px += blurred.px
    for cell in cells:
        brightness = rng.uniform(0.55, 1.0)
        green = (0.18 * brightness, 0.72 * brightness, 0.3 * brightness)
        emission.paint(cell.outline, textured(green, texture, 0.3), feather=0.8)
        for nucleus in (cell.nucleus, cell.second_nucleus):
            if nucleus is not None:
                emission.paint(nucleus, textured((0.3, 0.55, 1.0), chromatin, 0.25), feather=1.2)
    glow = cv2.GaussianBlur(emission.px, (0, 0), 7)
    image = emission.px + 0.45 * glow
    image += rng.normal(0, 0.012, size=image.shape).astype(np.float32)
    emission.px = cv2.GaussianBlur(image, (0, 0), 0.7)
    scene = Scene(file, emission.to_uint8())
    return scene, cells


def cells_01() -> Scene:
    scene, cells = fluorescence(505, "cells_01.jpg")
    h, w = scene.pixels.shape[:2]
    scene.status = "in_progress"
    inside = [
        c
        for c in cells
        if c.outline[:, 0].min() > 2
        and c.outline[:, 1].min() > 2
        and c.outline[:, 0].max() < w - 2
        and c.outline[:, 1].max() < h - 2
    ]
    for cell in inside[:9]:
        scene.add_mask("cell", cell.outline)
    return scene


def cells_02() -> Scene:
    """A stained tissue section in bright field; left unlabelled for the user to try."""
    rng = np.random.default_rng(606)
    w, h = 1024, 768
    fibres = smooth_noise(rng, h, w, 40, octaves=4, stretch=4.0)
    density = Canvas(w, h)
    density.px[:] = np.array([0.25, 0.55, 0.3], np.float32) * (0.4 + 0.9 * fibres)[..., None]
    texture = smooth_noise(rng, h, w, 4, octaves=2)
    for cell in scatter_cells(rng, w, h, 40):
        density.paint(cell.outline, (0.35, 0.75, 0.45), opacity=0.8, feather=1.0)
        for nucleus in (cell.nucleus, cell.second_nucleus):
            if nucleus is not None:
                density.paint(nucleus, (1.25, 1.45, 0.75), feather=1.0)
    density.px *= (0.85 + 0.3 * texture)[..., None]
    light = np.array([0.97, 0.95, 0.96], np.float32)
    image = light * np.exp(-density.px)
    image += rng.normal(0, 0.01, size=image.shape).astype(np.float32)
    density.px = cv2.GaussianBlur(image, (0, 0), 0.8)
    return Scene("cells_02.jpg", density.to_uint8(), status="new")


# ============================================================================== main


def write_labels(scenes: Sequence[Scene]) -> None:
    """Write labels.json with coordinate lists kept on one line each, for diffs."""
    doc = {
        "classes": CLASSES,
        "images": [
            {"file": s.file, "status": s.status, "annotations": s.annotations} for s in scenes
        ],
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    number_list = re.compile(r"\[\s*(-?[\d.]+(?:,\s*-?[\d.]+)*)\s*\]")
    text = number_list.sub(lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1))) + "]", text)
    list_of_lists = re.compile(r"\[\s*(\[[^\[\]]*\](?:,\s*\[[^\[\]]*\])*)\s*\]")
    text = list_of_lists.sub(lambda m: "[" + re.sub(r",\s+\[", ", [", m.group(1)) + "]", text)
    (HERE / "labels.json").write_text(text + "\n", encoding="utf-8")


def save_scene(scene: Scene) -> None:
    Image.fromarray(scene.pixels).save(
        HERE / scene.file, quality=JPEG_QUALITY, optimize=True, progressive=False
    )
    for rel, mask in scene.masks.items():
        (HERE / rel).parent.mkdir(exist_ok=True)
        Image.fromarray(mask).save(HERE / rel, optimize=True)


SCENES: list[Callable[[], Scene]] = [
    fruit_table,
    street,
    parking_lot,
    park_walk,
    cells_01,
    cells_02,
]


def main() -> None:
    scenes = [make() for make in SCENES]
    for scene in scenes:
        save_scene(scene)
        size = (HERE / scene.file).stat().st_size
        print(f"{scene.file}: {scene.pixels.shape[1]}x{scene.pixels.shape[0]}, {size // 1024} KB")
    write_labels(scenes)


if __name__ == "__main__":
    main()
