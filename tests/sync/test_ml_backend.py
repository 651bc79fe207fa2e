"""The ML backend's /predict, against a tiny local server speaking its JSON."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from limner.models.domain.geometry import Box
from limner.sync.adapters.labelstudio_config import parse_label_config
from limner.sync.ml_backend import BackendError, predict

CONFIG = """<View><Image name="image" value="$image"/>
<RectangleLabels name="bbox" toName="image"><Label value="Car"/></RectangleLabels></View>"""


@pytest.fixture
def backend() -> Iterator[tuple[list[dict], str]]:
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"path": self.path, "body": body})
            if self.path != "/predict":
                self.send_response(404)
                self.end_headers()
                return
            task = body["tasks"][0]
            # Like a real backend, answer with the control the label config names.
            control = re.search(r'RectangleLabels name="(\w+)"', body["label_config"]).group(1)
            answer = {"results": [{"model_version": "backend-v5", "score": 0.66, "result": [
                {"id": "r1", "from_name": control, "to_name": "image", "type": "rectanglelabels",
                 "original_width": 200, "original_height": 100,
                 "value": {"x": 25, "y": 10, "width": 50, "height": 50,
                           "rectanglelabels": ["Car"]}}]}]}  # fmt: skip
            answer["results"][0]["task"] = task["id"]
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield received, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_predict_sends_the_task_and_reads_suggestions(backend) -> None:
    received, url = backend
    task = {"id": 7, "data": {"image": "http://files.example/cat.png"}}
    (found,) = predict(url, task, parse_label_config(CONFIG), CONFIG, (200, 100))
    assert received[0]["path"] == "/predict"
    assert received[0]["body"]["tasks"] == [task]
    assert received[0]["body"]["label_config"] == CONFIG
    assert found.source == "model:backend-v5" and found.score == 0.66
    assert found.class_name == "Car"
    assert isinstance(found.geometry, Box)
    assert (found.geometry.x0, found.geometry.y0, found.geometry.x1) == pytest.approx((50, 10, 150))


def test_a_bad_backend_is_reported(backend) -> None:
    _, url = backend
    with pytest.raises(BackendError, match="failed"):
        predict(url + "/nowhere", {"id": 1, "data": {}}, parse_label_config(CONFIG), CONFIG,
                (10, 10))  # fmt: skip
    with pytest.raises(BackendError, match="web address"):
        predict("ftp://x", {"id": 1, "data": {}}, parse_label_config(CONFIG), CONFIG, (10, 10))


def test_suggest_for_an_image_of_a_project_stores_the_answer(backend, project) -> None:
    from limner.models.store import queries, suggestions
    from limner.sync.ml_backend import label_config_for, suggest_for_image

    received, url = backend
    with project.read() as conn:
        image = queries.image_page(conn, 0, 1)[0]
    with project.transaction() as (conn, _changes):
        conn.execute(schema_update_kind())
    assert suggest_for_image(project, image.id, url) == 1
    assert suggest_for_image(project, image.id, url) == 1  # asked again: replaced, not added
    sent = received[-1]["body"]["tasks"][0]
    assert sent["data"]["image"].startswith("file://")
    assert (
        '<RectangleLabels name="box" toName="image"><Label value="Car"/>'
        in (received[-1]["body"]["label_config"])
    )
    with project.read() as conn:
        (found,) = suggestions.for_image(conn, image.id)
        classes = {c.id: c.name for c in queries.label_classes(conn)}
    assert found.source == "model:backend-v5" and classes[found.class_id] == "Car"
    assert label_config_for([("a&b", "polygon")]).count("a&amp;b") == 1


def schema_update_kind():
    """Rename the fixture project's first class to the backend's label."""
    from limner.models.store import schema

    cls = schema.label_class
    return cls.update().where(cls.c.name == "cat").values(name="Car", kind="box")
