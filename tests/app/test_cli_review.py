"""``limner images``, ``limner status`` and ``limner queue`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from limner.app import cli_review
from limner.app.cli import main
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow import review as rv


@pytest.fixture
def proj(tmp_path: Path, image_dir: Path, capsys: pytest.CaptureFixture) -> Path:
    path = tmp_path / "p"
    assert main(["new", str(path), "--images", str(image_dir), "--classes", "cat"]) == 0
    capsys.readouterr()
    return path


def run_json(capsys: pytest.CaptureFixture, *args: str) -> object:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def history_of(path: Path, name: str) -> list[rv.StatusChange]:
    with ProjectStore.open(path) as store, store.read() as conn:
        record = queries.image_by_name(conn, name)
        assert record is not None
        return rv.status_history(conn, record.id)


def test_images_lists_name_id_status_and_count(proj: Path, capsys: pytest.CaptureFixture) -> None:
    listed = run_json(capsys, "images", str(proj), "--json")
    assert isinstance(listed, list)
    assert [x["name"] for x in listed] == [f"img{i}.png" for i in range(1, 6)]
    assert listed[0] == {
        "name": "img1.png",
        "id": listed[0]["id"],
        "status": "new",
        "annotations": 0,
    }
    assert main(["images", str(proj)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "id", "status", "annotations"]
    assert lines[3].split() == ["img3.png", str(listed[2]["id"]), "new", "0"]


def test_images_pages_through_everything(
    proj: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_review, "PAGE", 2)
    listed = run_json(capsys, "images", str(proj), "--json")
    assert [x["name"] for x in listed] == [f"img{i}.png" for i in range(1, 6)]
    assert main(["status", str(proj), "img2.png", "--set", "submitted"]) == 0
    assert main(["queue", str(proj), "add", "q", "--role", "review"]) == 0
    names = ["img5.png", "img2.png", "img4.png", "img1.png", "img3.png"]
    assert main(["queue", str(proj), "assign", "q", *names]) == 0
    capsys.readouterr()
    in_queue = run_json(capsys, "images", str(proj), "--queue", "q", "--json")
    assert [x["name"] for x in in_queue] == names  # queue order, over three pages
    assert run_json(capsys, "images", str(proj), "--queue", "q", "--status", "new", "--json") == [
        {"name": n, "id": x["id"], "status": "new", "annotations": 0}
        for n, x in zip(names, in_queue, strict=True)
        if n != "img2.png"
    ]


def test_status_set_records_history_with_the_actor(
    proj: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIMNER_USER", "ann")
    assert main(["status", str(proj), "img2.png", "--set", "submitted"]) == 0
    assert capsys.readouterr().out.strip() == "img2.png: new -> submitted"
    monkeypatch.setenv("LIMNER_USER", "rev")
    assert main(["status", str(proj), "img2.png", "--set", "rejected", "--comment", "loose"]) == 0
    monkeypatch.setenv("LIMNER_USER", "ann")
    assert main(["status", str(proj), "img2.png", "--set", "submitted"]) == 0
    monkeypatch.setenv("LIMNER_USER", "rev")
    assert main(["status", str(proj), "img2.png", "--set", "approved"]) == 0
    capsys.readouterr()

    shown = run_json(capsys, "status", str(proj), "img2.png", "--json")
    assert isinstance(shown, dict) and shown["status"] == "approved"
    assert [(h["from"], h["to"], h["actor"], h["comment"]) for h in shown["history"]] == [
        ("new", "submitted", "ann", ""),
        ("submitted", "rejected", "rev", "loose"),
        ("rejected", "submitted", "ann", ""),
        ("submitted", "approved", "rev", ""),
    ]
    assert all(h["time"] for h in shown["history"])
    with ProjectStore.open(proj) as store, store.read() as conn:
        image_id = shown["id"]
        assert [r.decision for r in rv.reviews(conn, image_id)] == ["reject", "approve"]

    assert main(["status", str(proj), "img2.png"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0] == "img2.png: approved"
    assert "submitted -> rejected  (loose)" in text[2]


def test_status_errors_are_one_line_and_change_nothing(
    proj: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["status", str(proj), "img1.png", "--set", "rejected"]) == 2
    err = capsys.readouterr().err
    assert err == "limner: a rejection needs a comment\n"
    assert main(["status", str(proj), "nope.png", "--set", "submitted"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no image named 'nope.png'" in err
    assert history_of(proj, "img1.png") == []
    with pytest.raises(SystemExit) as bad_status:
        main(["status", str(proj), "img1.png", "--set", "done"])
    assert bad_status.value.code == 2


def test_status_accepts_the_listed_id(proj: Path, capsys: pytest.CaptureFixture) -> None:
    listed = run_json(capsys, "images", str(proj), "--json")
    assert isinstance(listed, list)
    image_id = str(listed[3]["id"])
    assert main(["status", str(proj), image_id, "--set", "skipped", "--comment", "blurry"]) == 0
    assert capsys.readouterr().out.strip() == "img4.png: new -> skipped"
    (step,) = history_of(proj, "img4.png")
    assert (step.to_status, step.kind, step.comment) == ("skipped", "skip", "blurry")


def test_queue_add_assign_list_and_info(proj: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        main(["queue", str(proj), "add", "batch", "--role", "annotate", "--assignee", "ann"]) == 0
    )
    assert main(["queue", str(proj), "add", "check", "--role", "review"]) == 0
    assert main(["queue", str(proj), "assign", "batch", "img1.png", "img2.png", "img3.png"]) == 0
    assert "3 images added to 'batch' (3 in the queue)" in capsys.readouterr().out
    assert main(["queue", str(proj), "assign", "batch", "img3.png", "img4.png"]) == 0
    assert "1 image added to 'batch' (4 in the queue)" in capsys.readouterr().out
    assert main(["status", str(proj), "img1.png", "--set", "submitted"]) == 0
    assert main(["queue", str(proj), "unassign", "batch", "img4.png"]) == 0
    capsys.readouterr()

    assert main(["queue", str(proj), "add", "batch", "--role", "review"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["queue", str(proj), "assign", "nope", "img1.png"]) == 2
    assert "no queue named 'nope' (queues: batch, check)" in capsys.readouterr().err
    assert main(["queue", str(proj), "assign", "batch", "img1.png", "zzz.png"]) == 2
    assert "no image named 'zzz.png'" in capsys.readouterr().err

    listed = run_json(capsys, "queue", str(proj), "list", "--json")
    assert listed == [
        {
            "name": "batch",
            "role": "annotate",
            "assignee": "ann",
            "source": "local",
            "images": 3,
            "by_status": {"new": 2, "submitted": 1},
        },
        {
            "name": "check",
            "role": "review",
            "assignee": None,
            "source": "local",
            "images": 0,
            "by_status": {},
        },
    ]
    info = run_json(capsys, "info", str(proj), "--json")
    assert isinstance(info, dict)
    assert info["images"] == 5 and info["by_status"] == {"new": 4, "submitted": 1}
    assert {"annotations", "by_kind", "by_class"} <= set(info)
    assert info["queues"] == {"batch": {"new": 2, "submitted": 1}, "check": {}}
    assert info["status_changes"] == 1
    assert main(["info", str(proj)]) == 0
    text = capsys.readouterr().out
    assert "  batch        new 2, submitted 1" in text
    assert "  check        empty" in text
    assert "status changes 1" in text


def test_images_json_in_a_separate_process(proj: Path) -> None:
    assert main(["status", str(proj), "img5.png", "--set", "submitted"]) == 0
    result = subprocess.run(
        [sys.executable, "-m", "limner", "images", str(proj), "--status", "submitted", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    (only,) = json.loads(result.stdout)
    assert (only["name"], only["status"], only["annotations"]) == ("img5.png", "submitted", 0)
    missing = subprocess.run(
        [sys.executable, "-m", "limner", "status", str(proj), "ghost.png", "--set", "skipped"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "Traceback" not in missing.stderr


def test_the_review_cli_does_not_load_qt() -> None:
    code = (
        "import sys, limner.app.cli_review, limner.models.workflow.review_commands\n"
        "loaded = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_unreadable_files_are_not_counted_as_added_nor_listed_as_new(
    tmp_path: Path, image_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    (image_dir / "broken.png").write_text("not a picture")
    assert main(["new", str(tmp_path / "p"), "--images", str(image_dir)]) == 0
    assert "5 images added, 1 unreadable" in capsys.readouterr().out
    assert main(["images", str(tmp_path / "p")]) == 0
    rows = {line.split()[0]: line.split()[2] for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["broken.png"] == "unreadable" and rows["img1.png"] == "new"
    listed = run_json(capsys, "images", str(tmp_path / "p"), "--json")
    broken = next(r for r in listed if r["name"] == "broken.png")
    fine = next(r for r in listed if r["name"] == "img1.png")
    assert broken["error"] and "error" not in fine
