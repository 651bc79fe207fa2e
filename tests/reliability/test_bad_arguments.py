"""Wrong command lines: malformed server addresses, missing paths, duplicate classes.

A command line that cannot work is refused before anything is made or contacted: one
line naming what is wrong, exit code 2 ("the command line was wrong"), and no project
folder left behind. The message a user should see is written beside each case.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import create_project
from tests.reliability import corpus, tally
from tests.reliability.harness import ROOT, has_traceback
from tests.reliability.runcli import KIND, expect, limner, no_project, one_line_error

TOKEN = {"RELIABILITY_TOKEN": "not-a-real-token"}
REMOTE = ["--kind", "labelstudio", "--project", "1", "--token-env", "RELIABILITY_TOKEN"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    image = corpus.good_png(tmp_path / "a.png")
    store, _ = create_project(tmp_path / "proj", images=[image], classes=["cat"])
    store.close()
    return tmp_path / "proj"


# -- server addresses ----------------------------------------------------------------------
def test_clone_refuses_an_unparsable_url(tmp_path: Path) -> None:
    """Expected: "limner: 'http://[::1' is not a valid server address (...)", exit 2."""
    ran = limner("clone", tmp_path / "c", "--url", "http://[::1", *REMOTE, env=TOKEN)
    expect(ran, 2, r"http://\[::1", r"(?i)not a valid|invalid|malformed")
    one_line_error(ran)
    assert not (tmp_path / "c").exists(), "a project folder was made for a refused address"


def test_clone_refuses_a_url_that_is_not_http(tmp_path: Path) -> None:
    """Expected: "limner: the server address must start with http:// or https:// (got
    ftp://host)", exit 2, nothing made."""
    ran = limner("clone", tmp_path / "c", "--url", "ftp://host", *REMOTE, env=TOKEN)
    expect(ran, 2, r"ftp://host", r"https?://")
    one_line_error(ran)
    assert not (tmp_path / "c").exists(), "a project folder was made for a refused address"


@pytest.mark.parametrize("url", ["http://[::1", "ftp://host"])
def test_remote_add_refuses_a_bad_url(project: Path, url: str) -> None:
    """Expected: the same one line as for ``clone``, exit 2, and no remote stored."""
    ran = limner("remote", "add", project, "--url", url, *REMOTE, env=TOKEN)
    with ProjectStore.open(project) as store, store.read() as conn:
        stored = sync_store.remotes(conn)
    expect(ran, 2, r"(?i)not a valid|invalid|malformed|https?://")
    assert stored == [], f"the bad address was stored: {stored}"


# -- missing paths -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["info", "{missing}"],
        ["images", "{missing}", "--json"],
        ["status", "{missing}", "a.png"],
        ["open", "{missing}"],
        ["sync", "{missing}", "--once"],
    ],
    ids=["info", "images", "status", "open", "sync"],
)
def test_missing_project_is_named(tmp_path: Path, argv: list[str]) -> None:
    """Expected: "limner: no limner project at .../missing", exit 2, nothing created."""
    missing = tmp_path / "missing"
    ran = limner(*(a.format(missing=missing) for a in argv))
    expect(ran, 2, r"no limner project at .*missing")
    one_line_error(ran)
    assert not missing.exists()


def test_unknown_image_of_a_project_is_named(project: Path) -> None:
    """Expected: "limner: no image named 'nope.png' in the project", exit 2."""
    ran = limner("status", project, "nope.png", "--set", "submitted")
    expect(ran, 2, r"nope\.png")
    one_line_error(ran)


# -- a command that fails half-way -------------------------------------------------------
def test_duplicate_classes_leave_no_half_made_project(tmp_path: Path) -> None:
    """Expected: "limner: a class named 'car' exists already", exit 2, and no project (so
    the corrected command works at once)."""
    ran = limner("new", tmp_path / "p", "--classes", "car,car")
    expect(ran, 2, r"car")
    one_line_error(ran)
    no_project(tmp_path / "p")
    expect(limner("new", tmp_path / "p", "--classes", "car,bus"), 0, r"created")


# -- output into a closed pipe -----------------------------------------------------------
@pytest.mark.parametrize(
    "argv", [["images", "--json"], ["info"], ["status", "a.png"]], ids=["images", "info", "status"]
)
def test_closed_pipe_ends_quietly(project: Path, argv: list[str]) -> None:
    """``limner images P --json | head -0``: expected no output on stderr at all, and the
    exit of a command line stopped by its reader (0, 1 or death by SIGPIPE)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "limner", argv[0], str(project), *argv[1:]],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), **_inherited()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    child.stdout.close()  # the reader is gone before the first line is written
    _, err = child.communicate(timeout=300)
    row = tally.row(KIND)
    row.trials += 1
    row.tracebacks += has_traceback(err)
    assert not has_traceback(err), err
    assert "BrokenPipe" not in err and "Exception ignored" not in err, err
    assert child.returncode in (0, 1, -signal.SIGPIPE, 128 + signal.SIGPIPE), child.returncode


def _inherited() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
