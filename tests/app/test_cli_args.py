"""``limner --version`` and ``--help`` load no database, sync or numpy code, and the
literal choices of the command line agree with the model's constants."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from limner.app import cli_args
from limner.models.domain.entities import ImageStatus
from limner.models.store import queries
from limner.models.workflow import queues
from limner.sync import conflicts, factory

HEAVY = ("sqlalchemy", "alembic", "numpy", "PIL", "PySide6", "httpx", "limner.models.store")

_CHILD = """
import json, sys
from limner.app.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_after(*argv: str) -> tuple[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *argv], capture_output=True, text=True, check=True
    )
    return done.stdout, set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("argv", [("--version",), ("--help",), ("info", "--help")])
def test_version_and_help_import_nothing_heavy(argv: tuple[str, ...]) -> None:
    out, modules = _modules_after(*argv)
    assert out.strip()
    loaded = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert loaded == []


def test_a_command_still_imports_what_it_needs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out, modules = _modules_after("new", str(tmp_path / "p"))
    assert "created" in out
    assert "sqlalchemy" in modules


def test_literal_choices_match_the_model() -> None:
    assert cli_args.STATUSES == tuple(s.value for s in ImageStatus)
    assert cli_args.ERROR_FILTER == queries.ERROR_FILTER
    assert cli_args.ROLES == queues.ROLES
    assert cli_args.KINDS == factory.KINDS
    assert cli_args.CHOICES == conflicts.CHOICES


def test_every_command_has_a_handler() -> None:
    import importlib

    sub = next(a for a in cli_args.parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(cli_args.COMMANDS)  # type: ignore[arg-type]
    for name, module in cli_args.COMMANDS.items():
        assert name in importlib.import_module(module).HANDLERS
