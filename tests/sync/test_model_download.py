"""Model downloads against a real local HTTP server: resume, progress, checksum."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from limner.sync.model_download import ChecksumError, DownloadCancelled, DownloadError, download

BODY = bytes(range(256)) * 4096  # 1 MiB
DIGEST = hashlib.sha256(BODY).hexdigest()


class Server:
    def __init__(self) -> None:
        self.cut_after: int | None = None  # close the connection after this many bytes, once
        self.ranges: list[str | None] = []
        self.honour_range = True


@pytest.fixture
def server() -> Iterator[tuple[Server, str]]:
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            asked = self.headers.get("Range")
            state.ranges.append(asked)
            start = int(asked[6:-1]) if asked and state.honour_range else 0
            body = BODY[start:]
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(BODY) - 1}/{len(BODY)}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if state.cut_after is not None:
                self.wfile.write(body[: state.cut_after])
                self.wfile.flush()
                state.cut_after = None
                self.close_connection = True
                return
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{httpd.server_address[1]}/model.onnx"
    httpd.shutdown()
    httpd.server_close()


def test_a_whole_download_reports_progress_and_lands_in_place(server, tmp_path: Path) -> None:
    _, url = server
    seen: list[tuple[int, int | None]] = []
    path = download(
        url, tmp_path / "m" / "model.onnx", DIGEST, progress=lambda n, t: seen.append((n, t))
    )
    assert path.read_bytes() == BODY
    assert seen[-1] == (len(BODY), len(BODY))
    assert not (tmp_path / "m" / "model.onnx.part").exists()


def test_an_interrupted_transfer_resumes_from_where_it_stopped(server, tmp_path: Path) -> None:
    state, url = server
    state.cut_after = 300_000
    target = tmp_path / "model.onnx"
    with pytest.raises(DownloadError, match="resume"):
        download(url, target, DIGEST)
    part = tmp_path / "model.onnx.part"
    assert part.stat().st_size == 300_000 and not target.exists()
    download(url, target, DIGEST)
    assert target.read_bytes() == BODY
    assert state.ranges == [None, "bytes=300000-"]


def test_a_server_ignoring_the_range_starts_over(server, tmp_path: Path) -> None:
    state, url = server
    state.honour_range = False
    (tmp_path / "model.onnx.part").write_bytes(b"garbage" * 10)
    assert download(url, tmp_path / "model.onnx", DIGEST).read_bytes() == BODY


def test_a_wrong_checksum_deletes_the_file(server, tmp_path: Path) -> None:
    _, url = server
    with pytest.raises(ChecksumError, match="SHA-256"):
        download(url, tmp_path / "model.onnx", "0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_cancel_keeps_the_part_and_bad_input_is_refused(server, tmp_path: Path) -> None:
    _, url = server
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DownloadCancelled):
        download(url, tmp_path / "model.onnx", DIGEST, cancel=cancel)
    with pytest.raises(DownloadError, match="hexadecimal"):
        download(url, tmp_path / "model.onnx", "abc")
    with pytest.raises(DownloadError, match="web address"):
        download("file:///etc/passwd", tmp_path / "model.onnx", DIGEST)
