"""Output into a pipe that closes early, or onto a full disk, ends quietly in one line.

``limner images P --json | head`` is how people read a long listing: when ``head`` has
seen enough it closes the pipe, and limner must stop there without a traceback, with
exit status 141 (128 + SIGPIPE, what the shell reports for any program stopped by a
closed pipe), so ``set -o pipefail`` scripts see limner like ``cat``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from limner.app import cli
from limner.app.cli import EXIT_PIPE, main
from limner.models.imaging.imageio import ImageProbe
from limner.models.store.store import ProjectStore
from limner.models.store.tx import insert_images

IMAGES = 3000  # about 250 KB of JSON: several times any pipe's buffer


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pipes") / "p"
    probes = [
        ImageProbe(
            path=folder / f"i{i}.png",
            name=f"i{i}.png",
            width=64,
            height=48,
            format="PNG",
            content_hash=f"{i:064x}",
            size_bytes=1,
            orientation=1,
            error=None,
        )
        for i in range(IMAGES)
    ]
    with ProjectStore.create(folder) as store, store.transaction() as (conn, changes):
        insert_images(conn, changes, probes)
    return folder


def _into_closed_pipe(*args: str) -> tuple[int, str]:
    """Run limner with its stdout a pipe whose reading end is already closed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "limner", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `head` that has read enough, before limner writes a byte
    err = proc.stderr.read()
    return proc.wait(timeout=120), err


@pytest.mark.parametrize(
    "args",
    [
        ("images", "{p}", "--json"),
        ("images", "{p}"),
        ("info", "{p}"),
        ("info", "{p}", "--json"),
        ("status", "{p}", "i7.png"),
    ],
)
def test_a_closed_pipe_stops_quietly_with_141(big_project: Path, args: tuple[str, ...]) -> None:
    code, err = _into_closed_pipe(*(a.format(p=big_project) for a in args))
    assert err == ""
    assert code == EXIT_PIPE == 141


def test_head_reads_the_start_and_limner_stops(big_project: Path) -> None:
    result = subprocess.run(
        f"{sys.executable} -m limner images {big_project} --json | head -n 3",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.splitlines()[0] == "["
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_under_the_output_is_one_line(big_project: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "limner", "images", str(big_project), "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("limner: ") and "No space left on device" in result.stderr


def test_an_unexpected_failure_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_args: object) -> int:
        raise RuntimeError("something limner did not foresee")

    monkeypatch.setitem(cli.HANDLERS, "info", broken)
    assert main(["info", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unexpected problem (RuntimeError: something limner did not foresee)" in err
    assert "-v" in err
