"""``python -m limner`` runs the ``limner`` command."""

from __future__ import annotations

from limner.app.cli import main

raise SystemExit(main())
