"""The modules of ``app/`` import each other without cycles, checked by import-linter's
``acyclic_siblings`` contract in ``pyproject.toml`` (kept: ``test_layers.py`` runs every
contract). Here a planted pair of modules that need each other, one of them only for type
hints, shows that the contract catches such a cycle and names the import that closes it."""

from __future__ import annotations

from pathlib import Path

from tests.app.test_layers import lint_imports, staged

CONTRACT = "app modules import each other without cycles"


def test_a_planted_cycle_in_app_breaks_the_contract(tmp_path: Path) -> None:
    root = staged(tmp_path)
    app = root / "limner" / "app"
    (app / "planted_window.py").write_text("from limner.app import planted_part\n")
    (app / "planted_part.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from limner.app.planted_window import Window\n"
    )
    result = lint_imports(root)
    assert result.returncode != 0
    assert f"{CONTRACT} BROKEN" in result.stdout
    assert "No cycles are allowed in limner.app." in result.stdout
    assert "planted_part -> .planted_window" in result.stdout or (
        "planted_window -> .planted_part" in result.stdout
    ), result.stdout
