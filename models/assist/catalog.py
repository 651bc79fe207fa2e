"""The models a user has installed: folders of files they own, in their data folder.

Each model is one folder holding its ONNX files and a ``model.json`` that says what it is:
its kind (``segmenter`` or ``detector``), its family (a key of the families' data), the
role of each file, and a name and version to record as the source of what it proposes.
Nothing here downloads: models arrive by copying a file the user chose, or through the
application's download, which writes the same layout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from limner.models.assist.errors import ModelFileError

MANIFEST = "model.json"
ENV_FOLDER = "LIMNER_MODELS_DIR"
KINDS = ("segmenter", "detector")


@dataclass(frozen=True, slots=True)
class InstalledModel:
    id: str
    kind: str
    family: str
    name: str
    version: str
    folder: Path
    files: dict[str, str]  # role ("encoder", "decoder", "model") -> file name in ``folder``
    labels: tuple[str, ...] = ()

    def file(self, role: str) -> Path:
        if role not in self.files:
            raise ModelFileError(f"{self.name} has no {role} file")
        return self.folder / self.files[role]

    @property
    def source(self) -> str:
        """What an annotation made with this model records as its source."""
        return f"model:{self.name}@{self.version}" if self.version else f"model:{self.name}"


def models_folder() -> Path:
    """Where installed models live: ``$LIMNER_MODELS_DIR``, else the user data folder."""
    override = os.environ.get(ENV_FOLDER)
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("limner", appauthor=False) / "models"


def _read(folder: Path) -> InstalledModel:
    try:
        raw: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        model = InstalledModel(
            id=folder.name,
            kind=str(raw["kind"]),
            family=str(raw["family"]),
            name=str(raw.get("name", folder.name)),
            version=str(raw.get("version", "")),
            folder=folder,
            files={str(k): str(v) for k, v in dict(raw["files"]).items()},
            labels=tuple(str(v) for v in raw.get("labels", ())),
        )
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{folder.name}/{MANIFEST} cannot be read: {error}") from error
    if model.kind not in KINDS:
        raise ModelFileError(f"{folder.name}: unknown model kind {model.kind!r}")
    return model


def installed(folder: Path | None = None) -> tuple[list[InstalledModel], list[str]]:
    """The models in ``folder`` (default :func:`models_folder`) and a message per folder
    that is not a readable model, so one broken install never hides the others."""
    root = folder or models_folder()
    found: list[InstalledModel] = []
    problems: list[str] = []
    if not root.is_dir():
        return found, problems
    for child in sorted(p for p in root.iterdir() if (p / MANIFEST).is_file()):
        try:
            found.append(_read(child))
        except ModelFileError as error:
            problems.append(str(error))
    return found, problems


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return slug or "model"


def install(
    kind: str,
    family: str,
    files: dict[str, Path],
    *,
    name: str,
    version: str = "",
    labels: tuple[str, ...] = (),
    folder: Path | None = None,
) -> InstalledModel:
    """Copy the user's model files into a new folder of the models folder."""
    if kind not in KINDS:
        raise ModelFileError(f"unknown model kind {kind!r}")
    for role, path in files.items():
        if not path.is_file():
            raise ModelFileError(f"the {role} file {path} does not exist")
    root = folder or models_folder()
    target = root / _slug(f"{name}-{version}" if version else name)
    suffix = 2
    while target.exists():
        target = root / f"{_slug(name)}-{suffix}"
        suffix += 1
    target.mkdir(parents=True)
    names = {role: f"{role}.onnx" for role in files}
    for role, path in files.items():
        shutil.copyfile(path, target / names[role])
    manifest = {"kind": kind, "family": family, "name": name, "version": version,
                "files": names, "labels": list(labels)}  # fmt: skip
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return _read(target)


def remove(model: InstalledModel) -> None:
    """Delete an installed model's folder (only ever one under the models folder)."""
    if (model.folder / MANIFEST).is_file():
        shutil.rmtree(model.folder)
