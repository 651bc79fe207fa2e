"""Fixtures that give integration tests a real Label Studio peer.

The server is installed on demand (so a bare ``pytest`` works on a fresh checkout) and started
once per session; each test that needs data gets its own project, which keeps tests independent
without paying for a server per test.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.labelstudio_server import (
    DEFAULT_LABEL_CONFIG,
    DEFAULT_TEMPLATE_DIR,
    LabelStudioServer,
    LabelStudioServerError,
    SeededProject,
    make_png,
)

INSTALL_SCRIPT = Path(__file__).with_name("install_labelstudio.sh")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration: needs the real Label Studio server (installed on demand)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark everything in this folder so ``-m "not integration"`` gives a quick unit run."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.integration)


def _ensure_installed() -> None:
    """Run the idempotent installer; a broken install must fail the run, never skip it."""
    try:
        proc = subprocess.run(
            ["bash", str(INSTALL_SCRIPT)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=1800,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{INSTALL_SCRIPT} did not finish within 30 minutes", pytrace=False)
    if proc.returncode != 0:
        output = proc.stdout.decode(errors="replace")
        # pip's "Location ... is ignored" warnings from the machine's pip config are noise here.
        lines = [ln for ln in output.splitlines() if "is neither a file nor a directory" not in ln]
        pytest.fail(
            f"installing Label Studio failed (exit {proc.returncode}); run "
            f"{INSTALL_SCRIPT} by hand to debug:\n" + "\n".join(lines[-60:]),
            pytrace=False,
        )


@pytest.fixture(scope="session")
def labelstudio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabelStudioServer]:
    """A running Label Studio CE server for the whole session, stopped at the end.

    Tests may ``stop()`` and ``start()`` it (same port, same data) but must leave it running.
    """
    _ensure_installed()
    server = LabelStudioServer(
        tmp_path_factory.mktemp("labelstudio") / "data",
        template_dir=DEFAULT_TEMPLATE_DIR,
    )
    try:
        server.start()
    except LabelStudioServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def labelstudio_running(labelstudio: LabelStudioServer) -> LabelStudioServer:
    """The session server, restarted first if an earlier test left it stopped."""
    if not labelstudio.running:
        labelstudio.start()
    return labelstudio


_IMAGES = {
    "red.png": ((64, 48), (220, 40, 40)),
    "green.png": ((80, 60), (40, 200, 40)),
    "blue.png": ((32, 32), (40, 40, 220)),
}


@pytest.fixture
def ls_project(
    labelstudio_running: LabelStudioServer, request: pytest.FixtureRequest
) -> SeededProject:
    """A fresh project with every region kind in its config and three uploaded PNG tasks."""
    server = labelstudio_running
    title = f"limner {request.node.name}"[:50]
    project_id = server.create_project(title, DEFAULT_LABEL_CONFIG)
    payloads = {name: make_png(w, h, color) for name, ((w, h), color) in _IMAGES.items()}
    by_name = server.upload_images(project_id, payloads)
    return SeededProject(
        server=server,
        id=project_id,
        label_config=DEFAULT_LABEL_CONFIG,
        task_ids=[by_name[name] for name in _IMAGES],
        images={by_name[name]: payloads[name] for name in _IMAGES},
        sizes={by_name[name]: size for name, (size, _) in _IMAGES.items()},
    )


TOKEN_ENV = "LIMNER_TEST_LS_TOKEN"


@pytest.fixture
def project50(labelstudio_running: LabelStudioServer, request: pytest.FixtureRequest):
    """A project with 50 uploaded images of different sizes."""
    server = labelstudio_running
    project_id = server.create_project(f"limner {request.node.name}"[:50], DEFAULT_LABEL_CONFIG)
    images = {
        f"img{i:02d}.png": make_png(60 + i, 40 + (i * 3) % 37, (i * 5 % 255, 90, 200 - i))
        for i in range(50)
    }
    by_name = server.upload_images(project_id, images)
    return server, project_id, by_name


@pytest.fixture
def token_env(labelstudio_running: LabelStudioServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(TOKEN_ENV, labelstudio_running.legacy_token)
    return TOKEN_ENV
