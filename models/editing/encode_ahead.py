"""Image encodings for click to segment, computed before the annotator asks for them.

A SAM-family encoder takes seconds per image on a CPU and depends on the image alone, so
:class:`EncodeAhead` runs it on one worker thread for the image on screen and then for the
next images of the list (the ones the window reads ahead), and keeps the outputs in the
project's embedding cache. Stepping to the next image then finds its encoding on disk,
and the first click there answers at the decoder's speed.

* **Order.** The image on screen first, then the upcoming ones in list order. Every call
  of :meth:`follow` replaces what is waiting: encodings of images nobody will reach soon
  are dropped before they start, and one already running for an image that is no longer
  wanted is stopped in the middle (onnxruntime's run options let another thread end a
  run), so moving quickly through the list never queues up stale work.
* **Bounded.** Only the images :meth:`follow` names are ever queued, as many as the
  window reads ahead, plus the one on screen; the finished encodings of upcoming images
  are kept on disk only, never in memory.
* **Lowest priority.** The worker lowers its own CPU priority to the least there is (on
  Linux a thread has its own nice value, and the encoder's threads, started from it,
  inherit it), so the window, the decoder and the other tools always run first.
* **Never in the caller's way.** :meth:`follow` only rearranges the list and
  :meth:`embedding` returns a future; pixels are decoded on the worker, never on the
  thread that asks.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from limner.models.assist.errors import AssistError
from limner.models.assist.runtime import run_options
from limner.models.assist.sam import Embedding, EmbeddingCache, Segmenter
from limner.models.domain.entities import ImageRecord
from limner.models.errors import LimnerError
from limner.models.imaging.imageio import load_rgb
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import resolve_image_path

__all__ = ["LOWEST_PRIORITY", "EncodeAhead", "embedding_key"]

log = logging.getLogger("limner.encode_ahead")

LOWEST_PRIORITY = 19
"""The nice value of the worker thread where threads have their own (Linux)."""


def embedding_key(record: ImageRecord) -> str:
    """What an image's encoding is filed under: its content, else its identity."""
    return record.content_hash or f"image-{record.uuid}"


@dataclass(eq=False)
class _Job:
    image_id: int
    key: str
    size: tuple[int, int]
    path: Path
    future: Future[Embedding] | None = None  # only when someone waits for the embedding
    options: Any = None  # the run options of the encoder run, once it started
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True
        if self.options is not None:
            self.options.terminate = True
        if self.future is not None:
            self.future.cancel()


class _Stopped(Exception):
    """The job was stopped: the image is no longer wanted."""


def _lower_priority() -> None:
    """The least CPU priority for the calling thread, where threads have their own."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere the call would apply to a whole process
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_PRIORITY)
    except OSError as error:
        log.info("the encoder keeps its priority: %s", error)


class EncodeAhead:
    """Encodes the open image and the next ones for one project; see the module's text."""

    def __init__(
        self, store: ProjectStore, cache: EmbeddingCache, *, pixel_limit: int = 120_000_000
    ) -> None:
        self.store = store
        self.cache = cache
        self.pixel_limit = pixel_limit
        self.model: Segmenter | None = None
        self._cond = threading.Condition()
        self._waiting: list[_Job] = []
        self._running: _Job | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self.encoded: list[str] = []
        """The keys the encoder ran for, in order (the cache answered the others)."""
        self.stopped = 0
        """Encoder runs stopped halfway because their image was no longer wanted."""

    # -- asking ------------------------------------------------------------------------
    def use_model(self, model: Segmenter | None) -> None:
        """Encode with ``model`` from now on (None: stop encoding)."""
        with self._cond:
            if model is self.model:
                return
            self.model = model
            self._drop(self._waiting)
            self._waiting = []
            if self._running is not None:
                self._running.stop()

    def follow(self, current: ImageRecord | None, upcoming: Sequence[ImageRecord]) -> None:
        """``current`` is on screen and ``upcoming`` come next: encode them in that order,
        and nothing else."""
        with self._cond:
            if self.model is None or self._closed:
                return
            known = {job.image_id: job for job in self._waiting}
            wanted: list[_Job] = []
            for record in (current, *upcoming):
                if record is None or not self._encodable(record):
                    continue
                if all(job.image_id != record.id for job in wanted):
                    wanted.append(known.pop(record.id, None) or self._job(record))
            self._drop(known.values())
            running = self._running
            if running is not None:
                if running.image_id in {job.image_id for job in wanted}:
                    wanted = [job for job in wanted if job.image_id != running.image_id]
                else:
                    running.stop()
            self._waiting = wanted
            self._wake()

    def embedding(self, image_id: int) -> Future[Embedding] | None:
        """The future encoding of the image ``image_id``, moved to the front of the list;
        None without a model or when the image cannot be encoded."""
        with self._cond:
            if self.model is None or self._closed:
                return None
            running = self._running
            if running is not None and running.image_id == image_id and not running.stopped:
                running.future = running.future or Future()
                return running.future
            job = next((j for j in self._waiting if j.image_id == image_id), None)
            if job is None:
                with self.store.read() as conn:
                    record = queries.image_by_id(conn, image_id)
                if record is None or not self._encodable(record):
                    return None
                job = self._job(record)
            else:
                self._waiting.remove(job)
            if job.future is None or job.future.cancelled():
                job.future = Future()
            self._waiting.insert(0, job)
            self._wake()
            return job.future

    def idle(self) -> bool:
        """Nothing is waiting or running."""
        with self._cond:
            return not self._waiting and self._running is None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until :meth:`idle` (tests, and a script that wants every encoding)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._waiting and self._running is None, timeout)

    @property
    def native_id(self) -> int | None:
        """The worker thread's system id, once it runs."""
        thread = self._thread
        return thread.native_id if thread is not None else None

    def shutdown(self) -> None:
        """Stop the worker; what runs now is stopped too (the caller does not wait)."""
        with self._cond:
            self._closed = True
            self._drop(self._waiting)
            self._waiting = []
            if self._running is not None:
                self._running.stop()
            self._cond.notify_all()

    # -- internals ---------------------------------------------------------------------
    def _encodable(self, record: ImageRecord) -> bool:
        width, height = record.width or 0, record.height or 0
        return record.error is None and 0 < width * height <= self.pixel_limit

    def _job(self, record: ImageRecord) -> _Job:
        size = (int(record.width or 0), int(record.height or 0))
        path = resolve_image_path(self.store, record.path)
        return _Job(record.id, embedding_key(record), size, path)

    @staticmethod
    def _drop(jobs: Any) -> None:
        for job in list(jobs):
            job.stop()

    def _wake(self) -> None:
        if self._thread is None and self._waiting:
            self._thread = threading.Thread(target=self._work, name="encode-ahead", daemon=True)
            self._thread.start()
        self._cond.notify_all()

    def _next(self) -> tuple[_Job, Segmenter] | None:
        with self._cond:
            while not self._closed and not (self._waiting and self.model is not None):
                self._cond.wait()
            if self._closed:
                return None
            job = self._waiting.pop(0)
            if job.stopped:
                return self._next()
            self._running = job
            assert self.model is not None
            return job, self.model

    def _work(self) -> None:
        _lower_priority()
        while (picked := self._next()) is not None:
            job, model = picked
            try:
                found = self._encode(job, model)
            except _Stopped:
                found = None
            except (LimnerError, OSError) as error:
                log.info("no encoding for image %s: %s", job.image_id, error)
                with self._cond:
                    if job.future is not None and not job.future.cancelled():
                        job.future.set_exception(error)
                found = None
            with self._cond:
                self._running = None
                waited = job.future is not None and not job.future.done()
                if waited and found is not None:
                    job.future.set_result(found)  # type: ignore[union-attr]
                elif waited and not job.stopped:
                    # Asked for while it only made sure of the file: read it back next.
                    self._waiting.insert(0, job)
                self._cond.notify_all()

    def _encode(self, job: _Job, model: Segmenter) -> Embedding | None:
        """The job's embedding when it has a future, else None once it is on disk."""
        if job.future is None and self.cache.has(model.model_id, job.key):
            return None
        stored = self.cache.get(model.model_id, job.key)
        if stored is not None and stored.image_size == job.size:
            return stored
        pixels = load_rgb(job.path)
        with self._cond:
            if job.stopped:
                raise _Stopped
            job.options = run_options()
        try:
            embedding = model.encode(pixels, job.options)
        except AssistError:
            if job.stopped:
                with self._cond:
                    self.stopped += 1
                raise _Stopped from None
            raise
        self.encoded.append(job.key)
        try:
            self.cache.put(model.model_id, job.key, embedding)
        except OSError as error:
            log.info("the encoding of image %s is not kept: %s", job.image_id, error)
        return embedding if job.future is not None else None
