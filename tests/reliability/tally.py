"""The figures of one run of the suite, gathered per kind of trial, and the table of them.

Each crash trial, race and bad input adds its counts to the row of its kind; the
suite's ``conftest`` prints the table at the end of the run (``make soak`` shows it
after two hundred trials of each kind). A figure that does not apply to a kind (no edit
is acknowledged in a bad-input run) shows as a dash.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    kind: str
    trials: int = 0
    acknowledged: int | None = None
    lost: int | None = None
    integrity: int = 0
    tracebacks: int = 0
    notes: list[str] = field(default_factory=list)

    def ack(self, count: int) -> None:
        self.acknowledged = (self.acknowledged or 0) + count

    def lose(self, count: int) -> None:
        self.lost = (self.lost or 0) + count


ROWS: dict[str, Row] = {}
SEEDS: dict[str, int] = {}


def row(kind: str) -> Row:
    return ROWS.setdefault(kind, Row(kind))


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


def render() -> list[str]:
    """The table, one string per line (empty when nothing ran)."""
    if not ROWS:
        return []
    header = ("kind", "trials", "acknowledged", "lost", "integrity failures", "tracebacks")
    body = [
        (
            r.kind,
            str(r.trials),
            _cell(r.acknowledged),
            _cell(r.lost),
            str(r.integrity),
            str(r.tracebacks),
        )
        for r in ROWS.values()
    ]
    widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header))]

    def fmt(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    lines = [fmt(header), "  ".join("-" * w for w in widths), *(fmt(b) for b in body)]
    if SEEDS:
        lines.append("seeds: " + ", ".join(f"{k} {v}" for k, v in SEEDS.items()))
    for r in ROWS.values():
        lines.extend(f"{r.kind}: {note}" for note in r.notes)
    return lines
