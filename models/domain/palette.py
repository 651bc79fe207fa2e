"""Default class colors: distinct, readable on photos, in a stable order."""

from __future__ import annotations

PALETTE: tuple[str, ...] = (
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#42d4f4",
    "#f032e6",
    "#bfef45",
    "#fabed4",
    "#469990",
    "#dcbeff",
    "#9a6324",
    "#fffac8",
    "#800000",
    "#aaffc3",
    "#808000",
    "#ffd8b1",
    "#000075",
)


def color_for_index(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def is_color(text: str) -> bool:
    """``#rrggbb`` (what the class table stores)."""
    if len(text) != 7 or not text.startswith("#"):
        return False
    try:
        int(text[1:], 16)
    except ValueError:
        return False
    return True
