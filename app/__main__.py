"""``python -m limner.app`` runs the ``limner`` command too."""

from __future__ import annotations

from limner.app.cli import main

raise SystemExit(main())
