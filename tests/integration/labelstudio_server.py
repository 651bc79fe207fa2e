"""Run a real Label Studio Community server for integration tests.

The sync engine has to be tested against the server it will meet in the field, not a mock of our
reading of its docs. This module starts ``label-studio`` from its own virtualenv (``.venv-ls``, see
``install_labelstudio.sh``) on 127.0.0.1, with a throw-away data dir and a fixed admin user, and
offers the few seeding helpers tests need. It deliberately has no pytest dependency so the same
class can be used from a REPL or ``python tests/integration/labelstudio_server.py`` while
developing the adapter.

Startup cost is dominated by Django migrations (~30 s on 2 cores). A migrated data dir can be kept
as a template (``template_dir``) and copied, which makes a fresh server ready in a few seconds.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
# Same override as install_labelstudio.sh, so both always agree on where the server lives.
DEFAULT_VENV = Path(os.environ.get("LABEL_STUDIO_VENV") or REPO_ROOT / ".venv-ls")
# Kept inside the venv so that reinstalling Label Studio also discards the migrated template.
DEFAULT_TEMPLATE_DIR = DEFAULT_VENV / ".limner-data-template"

DEFAULT_USERNAME = "limner-admin@example.com"
DEFAULT_PASSWORD = "limner-test-password"
# Legacy tokens are 40 hex chars in Label Studio; a fixed one keeps the peer deterministic.
DEFAULT_LEGACY_TOKEN = "0123456789abcdef0123456789abcdef01234567"

# One Image with every region kind limner maps, plus a per-region attribute.
DEFAULT_LABEL_CONFIG = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="bbox" toName="image">
    <Label value="Car"/><Label value="Person"/>
  </RectangleLabels>
  <PolygonLabels name="poly" toName="image">
    <Label value="Car"/><Label value="Person"/>
  </PolygonLabels>
  <BrushLabels name="mask" toName="image">
    <Label value="Car"/><Label value="Person"/>
  </BrushLabels>
  <KeyPointLabels name="kp" toName="image">
    <Label value="nose" model_index="0"/><Label value="tail" model_index="1"/>
  </KeyPointLabels>
  <Choices name="occluded" toName="image" perRegion="true">
    <Choice value="Yes"/><Choice value="No"/>
  </Choices>
</View>
"""

# Only these variables are inherited by the server. Label Studio's settings read many bare names
# as fallbacks (USERNAME, PASSWORD, HOST, PORT, DEBUG, DJANGO_DB, ...), so a developer's or CI's
# environment would otherwise change how the peer behaves.
_INHERITED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR")

_AuthMode = Literal["token", "bearer", "none"]


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGTERM the server when the test process dies.

    Without this a crashed or killed pytest leaves servers holding ports and CPU on a 2-core CI
    machine. (Linux ties this to the thread that started the server.) No-op without prctl.
    """
    with contextlib.suppress(Exception):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class LabelStudioServerError(RuntimeError):
    """The server could not be started, or it does not behave as the tests assume."""


def free_port(host: str = "127.0.0.1") -> int:
    """Ask the kernel for an unused TCP port (there is a small race until the server binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def make_png(
    width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """Encode a small solid-colour PNG, so image tests need no fixture files."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def installed_version(venv: Path = DEFAULT_VENV) -> str | None:
    """Return the label-studio version installed in ``venv`` without importing it here."""
    for dist in (venv / "lib").glob("python3*/site-packages/label_studio-*.dist-info"):
        return dist.name.removeprefix("label_studio-").removesuffix(".dist-info")
    return None


class LabelStudioServer:
    """A local Label Studio process with a known admin user and legacy token.

    ``stop()`` and ``start()`` can be called repeatedly; the data dir and port stay the same, so
    a test can take the server away and bring it back exactly as the client left it.
    """

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        venv: Path | str = DEFAULT_VENV,
        port: int | None = None,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        legacy_token: str = DEFAULT_LEGACY_TOKEN,
        template_dir: Path | str | None = None,
        startup_timeout: float = 180.0,
    ) -> None:
        self._venv = Path(venv)
        self._own_data_dir = data_dir is None
        self._data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="ls-data-"))
        self._port = port or free_port()
        self._username = username
        self._password = password
        self._legacy_token = legacy_token
        self._template_dir = Path(template_dir) if template_dir else None
        self._startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0
        self._pat: str | None = None
        if len(legacy_token) <= 5:
            # Label Studio silently ignores shorter tokens and keeps a random one.
            raise ValueError("legacy_token must be longer than 5 characters")

    # -- properties -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL without a trailing slash; API paths start at the host root."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def username(self) -> str:
        return self._username

    @property
    def password(self) -> str:
        return self._password

    @property
    def legacy_token(self) -> str:
        """Key for ``Authorization: Token <key>`` (enabled for the org at creation time)."""
        return self._legacy_token

    @property
    def log_path(self) -> Path:
        # Beside, not inside, the data dir so copying a template never drags a log along.
        return self._data_dir.with_name(self._data_dir.name + ".log")

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- lifecycle --------------------------------------------------------------------------

    def _command(self, *args: str) -> list[str]:
        exe = self._venv / "bin" / "label-studio"
        if not exe.exists():
            raise LabelStudioServerError(
                f"{exe} not found; run tests/integration/install_labelstudio.sh first"
            )
        return [str(exe), *args]

    def _env(self, data_dir: Path) -> dict[str, str]:
        env = {k: os.environ[k] for k in _INHERITED_ENV if k in os.environ}
        env.update(
            {
                "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
                "LABEL_STUDIO_USERNAME": self._username,
                "LABEL_STUDIO_PASSWORD": self._password,
                "LABEL_STUDIO_USER_TOKEN": self._legacy_token,
                # Applied only when the organization is created (first start on an empty DB).
                "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
                # Keep the peer hermetic: no telemetry, no PyPI version probe.
                "SENTRY_DSN": "",
                "FRONTEND_SENTRY_DSN": "",
                "COLLECT_ANALYTICS": "false",
                "LATEST_VERSION_CHECK": "false",
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        return env

    def _template_matches(self, template: Path) -> bool:
        stamp = template / ".limner-template.json"
        if not (template / "label_studio.sqlite3").exists() or not stamp.exists():
            return False
        try:
            meta = json.loads(stamp.read_text())
        except ValueError:
            return False
        return meta == self._template_meta()

    def _template_meta(self) -> dict[str, Any]:
        return {
            "label_studio": installed_version(self._venv),
            "username": self._username,
            "legacy_token": self._legacy_token,
        }

    def build_template(self, template_dir: Path | str) -> Path:
        """Create a migrated data dir (admin user, org, legacy token enabled) once, for copying.

        ``label-studio init`` migrates the database and creates the user, then exits without
        serving. The result is moved into place atomically so parallel runs never see half a
        template. Rebuilt whenever the Label Studio version or the credentials change.
        """
        template = Path(template_dir)
        if self._template_matches(template):
            return template
        template.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=template.name + ".", dir=template.parent))
        try:
            proc = subprocess.run(
                self._command("init", "--quiet", "--enable-legacy-api-token"),
                env=self._env(staging),
                cwd=staging,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=self._startup_timeout,
                check=False,
            )
            if proc.returncode != 0 or not (staging / "label_studio.sqlite3").exists():
                tail = proc.stdout.decode(errors="replace")[-4000:]
                raise LabelStudioServerError(
                    f"label-studio init failed (exit {proc.returncode}):\n{tail}"
                )
            (staging / ".limner-template.json").write_text(json.dumps(self._template_meta()))
            if template.exists():
                shutil.rmtree(template)
            staging.rename(template)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return template

    def _seed_data_dir(self) -> None:
        """Copy the template into an empty data dir; leave an existing database alone."""
        if (self._data_dir / "label_studio.sqlite3").exists() or self._template_dir is None:
            self._data_dir.mkdir(parents=True, exist_ok=True)
            return
        template = self.build_template(self._template_dir)
        shutil.copytree(
            template,
            self._data_dir,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".limner-template.json"),
        )

    def start(self) -> LabelStudioServer:
        """Start the server (first time or after ``stop()``) and wait until the API answers."""
        if self.running:
            return self
        self._seed_data_dir()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()
            log.write(f"\n=== starting label-studio on port {self._port}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                # --debug only disables the silent "port in use, try the next one" search, so a
                # taken port fails loudly instead of serving somewhere the tests don't look.
                self._command(
                    "start",
                    "--no-browser",
                    "--debug",
                    "--internal-host",
                    "127.0.0.1",
                    "--port",
                    str(self._port),
                    "--enable-legacy-api-token",
                ),
                env=self._env(self._data_dir),
                cwd=self._data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        atexit.register(self.stop)
        try:
            self._wait_ready()
            self._check_legacy_token()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        last_error = "no attempt"
        with httpx.Client(base_url=self.url, timeout=5.0) as client:
            while time.monotonic() < deadline:
                assert self._proc is not None
                code = self._proc.poll()
                if code is not None:
                    raise LabelStudioServerError(
                        f"label-studio exited with code {code} during startup\n{self.log_tail()}"
                    )
                try:
                    response = client.get("/api/version/")
                    if response.status_code == 200:
                        return
                    last_error = f"HTTP {response.status_code}"
                except httpx.TransportError as exc:
                    last_error = repr(exc)
                time.sleep(0.25)
        raise LabelStudioServerError(
            f"label-studio did not answer GET {self.url}/api/version/ within "
            f"{self._startup_timeout:.0f}s (last: {last_error})\n{self.log_tail()}"
        )

    def _check_legacy_token(self) -> None:
        response = self.client().get("/api/current-user/whoami")
        if response.status_code != 200:
            raise LabelStudioServerError(
                "legacy token rejected after startup "
                f"(HTTP {response.status_code}: {response.text[:300]}); a data dir created without "
                "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN keeps legacy tokens disabled"
            )

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the server (SIGTERM, then SIGKILL); the data dir is kept for ``start()``."""
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)

    def restart(self) -> LabelStudioServer:
        self.stop()
        return self.start()

    def cleanup(self) -> None:
        """Stop and, if this object created the data dir, delete it."""
        self.stop()
        if self._own_data_dir:
            shutil.rmtree(self._data_dir, ignore_errors=True)
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> LabelStudioServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    def log_tail(self, chars: int = 4000) -> str:
        """Output of the current (or last) run, for error messages."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(self._log_offset)
                text = log.read().decode(errors="replace")
        except OSError as exc:
            return f"<no server log: {exc}>"
        return text[-chars:]

    # -- auth -------------------------------------------------------------------------------

    def client(self, auth: _AuthMode = "token", *, token: str | None = None) -> httpx.Client:
        """An httpx client for this server.

        ``auth="token"`` sends ``Authorization: Token <token or legacy_token>``; ``"bearer"``
        sends ``Authorization: Bearer <token>`` (an access token); ``"none"`` sends nothing.
        """
        headers: dict[str, str] = {}
        if auth == "token":
            headers["Authorization"] = f"Token {token or self._legacy_token}"
        elif auth == "bearer":
            if not token:
                raise ValueError("bearer auth needs an access token")
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30.0)

    def personal_access_token(self) -> str:
        """Return the user's personal access token (a JWT refresh token), creating it once.

        Label Studio CE allows one live PAT per user: a second ``POST /api/token/`` answers 409,
        and the list endpoint only shows it without its signature. So the token is remembered in
        the data dir, which keeps it valid across ``stop()``/``start()``.
        """
        cache = self._data_dir / ".limner-pat"
        if self._pat is None and cache.exists():
            self._pat = cache.read_text().strip()
        if self._pat is not None:
            return self._pat
        with self.client() as client:
            response = client.post("/api/token/")
        if response.status_code != 201:
            raise LabelStudioServerError(
                f"POST /api/token/ -> {response.status_code}: {response.text[:300]}"
            )
        self._pat = str(response.json()["token"])
        cache.write_text(self._pat)
        return self._pat

    def new_personal_access_token(self) -> str:
        """Revoke the remembered PAT (if any) and create a fresh one.

        For tests that rotate or blacklist tokens: afterwards the remembered one is useless.
        """
        cache = self._data_dir / ".limner-pat"
        old = self._pat or (cache.read_text().strip() if cache.exists() else None)
        if old:
            with self.client() as client:
                # 404 means it was already blacklisted, which is just as good.
                client.post("/api/token/blacklist/", json={"refresh": old})
        self._pat = None
        cache.unlink(missing_ok=True)
        return self.personal_access_token()

    def access_token(self, refresh: str | None = None) -> str:
        """Exchange a PAT (refresh token) for a short-lived (5 min) access token."""
        response = httpx.post(
            f"{self.url}/api/token/refresh/",
            json={"refresh": refresh or self.personal_access_token()},
            timeout=30.0,
        )
        if response.status_code != 200:
            raise LabelStudioServerError(
                f"POST /api/token/refresh/ -> {response.status_code}: {response.text[:300]}"
            )
        return str(response.json()["access"])

    # -- seeding helpers --------------------------------------------------------------------

    def _call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        with self.client() as client:
            response = client.request(method, path, **kwargs)
        if response.status_code != expect:
            raise LabelStudioServerError(
                f"{method} {path} -> {response.status_code} (expected {expect}): "
                f"{response.text[:500]}"
            )
        return response.json() if response.content else None

    def create_project(self, title: str, label_config: str = DEFAULT_LABEL_CONFIG) -> int:
        body = {"title": title, "label_config": label_config}
        return int(self._call("POST", "/api/projects/", 201, json=body)["id"])

    def import_tasks(self, project_id: int, tasks: Sequence[Mapping[str, Any]]) -> list[int]:
        """Import task dicts (``{"image": ...}`` or ``{"data": {...}, "meta": {...}}``).

        CE imports synchronously and, with ``return_task_ids``, returns the new ids in order.
        """
        result = self._call(
            "POST",
            f"/api/projects/{project_id}/import",
            201,
            params={"return_task_ids": "true"},
            json=list(tasks),
        )
        ids = [int(i) for i in result.get("task_ids", [])]
        if len(ids) != len(tasks):
            raise LabelStudioServerError(f"imported {len(tasks)} tasks, got ids {ids}")
        return ids

    def upload_images(self, project_id: int, images: Mapping[str, bytes]) -> dict[str, int]:
        """Upload image files as tasks; returns ``{filename: task_id}``.

        The server stores each file under ``/data/upload/<project>/<8hex>-<filename>`` and puts
        that path in ``task.data.image``, so clients download it from this server with their own
        auth, exactly like user-uploaded images in the field. Every file needs its own multipart
        field name: the importer keeps only the last file of a repeated field.
        """
        files = {
            f"file{i}": (name, content, "application/octet-stream")
            for i, (name, content) in enumerate(images.items())
        }
        result = self._call(
            "POST",
            f"/api/projects/{project_id}/import",
            201,
            params={"return_task_ids": "true"},
            files=files,
        )
        by_name: dict[str, int] = {}
        for task_id in result.get("task_ids", []):
            task = self._call("GET", f"/api/tasks/{task_id}/", 200)
            url = str(task["data"].get("image", ""))
            stored = url.rsplit("/", 1)[-1].split("-", 1)[-1]
            by_name[stored] = int(task_id)
        if set(by_name) != set(images):
            raise LabelStudioServerError(f"uploaded {sorted(images)}, server has {sorted(by_name)}")
        return by_name


@dataclass
class SeededProject:
    """A project on the session server with a few uploaded image tasks."""

    server: LabelStudioServer
    id: int
    label_config: str
    task_ids: list[int]
    # task id -> the exact bytes uploaded, to compare downloads against.
    images: dict[int, bytes] = field(default_factory=dict)
    # task id -> (width, height) of the image, for result original_width/original_height.
    sizes: dict[int, tuple[int, int]] = field(default_factory=dict)


@contextlib.contextmanager
def running_server(**kwargs: Any) -> Iterator[LabelStudioServer]:
    """``with running_server() as ls:`` for scripts; cleans up even on errors."""
    server = LabelStudioServer(**kwargs)
    try:
        yield server.start()
    finally:
        server.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a throw-away peer until Ctrl-C, for poking at the API by hand."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    with running_server(
        port=args.port, data_dir=args.data_dir, template_dir=DEFAULT_TEMPLATE_DIR
    ) as server:
        print(f"url:          {server.url}")
        print(f"user:         {server.username} / {server.password}")
        print(f"legacy token: {server.legacy_token}")
        print(f"PAT:          {server.personal_access_token()}")
        print(f"log:          {server.log_path}")
        with contextlib.suppress(KeyboardInterrupt):
            while server.running:
                time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
