#!/usr/bin/env bash
# Builds a one-folder desktop bundle in dist/limner with PyInstaller.
set -euo pipefail
cd "$(dirname "$0")/.."
test -x .venv/bin/python || python3 -m venv .venv
.venv/bin/pip install --quiet -e . pyinstaller
.venv/bin/pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/limner.spec
echo "built dist/limner (run dist/limner/limner)"
