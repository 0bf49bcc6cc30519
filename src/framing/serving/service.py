"""HTTP service over an export bundle: ``framing-serve EXPORT_DIR --host 127.0.0.1 --port 8000``.

FastAPI + uvicorn, torch-free (``pip install 'framing[serve]'``). Endpoints:

- ``POST /v1/classify``: ``{"texts": [...]}`` -> ``{"labels": [...], "predictions": [{"label", "probabilities"}]}``
- ``POST /v1/classify-article``: ``{"text": raw HTML or plain text, "is_html": null}`` -> per-sentence
  predictions and the article's label distribution
- ``GET /v1/model``: the bundle's manifest; ``GET /healthz``: the process is up;
  ``GET /readyz``: the model is loaded and the service is not shutting down (503 otherwise)

Requests over the limits get 413 with a message saying which limit and how to stay under
it; malformed bodies get FastAPI's 422. Inference runs on one worker thread; requests that
arrive while it is busy are merged into its next batch (no added wait when idle), which is
what keeps p99 low under concurrent load on a few cores. SIGTERM/SIGINT stop accepting
connections, let in-flight requests finish (``--shutdown-timeout``), stop the inference
worker, then exit (uvicorn re-raises the signal, so the status is that of SIGTERM).
"""

# No ``from __future__ import annotations``: FastAPI reads the request models of the
# endpoints, defined inside create_app, from live annotations.
import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass

import numpy as np

from framing.errors import FramingError
from framing.serving.runtime import BACKENDS, FramingClassifier

log = logging.getLogger("framing.serving.service")


@dataclass(frozen=True)
class Limits:
    """Per-request limits (flags of ``framing-serve``)."""

    max_texts: int = 256  # texts per /v1/classify request
    max_chars: int = 5_000  # characters per text
    max_article_chars: int = 500_000  # characters of one raw article
    max_body_bytes: int = 4_000_000  # request body, checked before it is parsed
    max_batch: int = 64  # texts merged into one inference call under load


class Batcher:
    """One inference thread; jobs queued while it works are merged into its next call."""

    def __init__(self, predict_proba: Callable[[list[str]], np.ndarray], max_batch: int) -> None:
        self.predict_proba = predict_proba
        self.max_batch = max_batch
        self.queue: asyncio.Queue | None = None
        self.task: asyncio.Task | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="framing-inference")

    async def start(self) -> None:
        self.queue = asyncio.Queue()
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Finish every queued job, then stop the worker."""
        if self.task is not None:
            await self.queue.put(None)
            await self.task
        self.executor.shutdown(wait=True)

    async def submit(self, texts: list[str]) -> np.ndarray:
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((texts, future))
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = False
        while not stopping:
            job = await self.queue.get()
            if job is None:
                break
            jobs, size = [job], len(job[0])
            while size < self.max_batch and not self.queue.empty():
                job = self.queue.get_nowait()
                if job is None:
                    stopping = True
                    break
                jobs.append(job)
                size += len(job[0])
            texts = [text for texts, _ in jobs for text in texts]
            try:
                probs = await loop.run_in_executor(self.executor, self.predict_proba, texts)
            except Exception as err:  # hand the error to every waiting request
                for _, future in jobs:
                    if not future.done():
                        future.set_exception(err)
                continue
            start = 0
            for texts, future in jobs:
                if not future.done():  # a client that went away leaves a cancelled future
                    future.set_result(probs[start : start + len(texts)])
                start += len(texts)


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_bytes``, before the JSON is parsed."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await _send_413(send, f"request body of {int(declared):,} bytes exceeds the limit of "
                                         f"{self.max_bytes:,} bytes (framing-serve --max-body-bytes)")
        received, started = 0, False

        async def limited_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _BodyTooLarge
            return message

        async def tracked_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _BodyTooLarge:
            if not started:
                await _send_413(send, f"request body exceeds the limit of {self.max_bytes:,} bytes "
                                      "(framing-serve --max-body-bytes)")


class _BodyTooLarge(Exception):
    pass


async def _send_413(send, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(classifier: FramingClassifier, limits: Limits = Limits()):
    """The FastAPI app serving ``classifier`` (tests drive it in-process; ``main`` runs it under uvicorn)."""
    from fastapi import FastAPI, HTTPException
    from fastapi.concurrency import run_in_threadpool
    from fastapi.responses import JSONResponse
    from pydantic import BaseModel, Field

    class ClassifyRequest(BaseModel):
        texts: list[str] = Field(min_length=1, description="sentences to classify")

    class ArticleRequest(BaseModel):
        text: str = Field(description="the raw article: an HTML page or pasted/scraped text")
        is_html: bool | None = Field(default=None, description="null: sniff the markup")

    batcher = Batcher(classifier.predict_proba, limits.max_batch)
    state = {"ready": False}

    @asynccontextmanager
    async def lifespan(app):
        await batcher.start()
        await batcher.submit(["Warm-up sentence."])  # first run allocates; keep it off a client's clock
        state["ready"] = True
        log.info("ready: %s (%s backend), limits %s", classifier.export_dir, classifier.backend, asdict(limits))
        yield
        state["ready"] = False
        await batcher.stop()
        log.info("stopped")

    app = FastAPI(title="framing", version="1", lifespan=lifespan,
                  description=f"Task {classifier.manifest['task']}, labels {list(classifier.labels)}")
    labels = list(classifier.labels)

    @app.post("/v1/classify")
    async def classify(request: ClassifyRequest) -> JSONResponse:
        texts = request.texts
        if len(texts) > limits.max_texts:
            raise HTTPException(413, f"{len(texts)} texts exceed the limit of {limits.max_texts} per request; "
                                     "split them over several requests (framing-serve --max-texts)")
        too_long = _too_long(texts, limits.max_chars)
        if too_long:
            raise HTTPException(413, too_long)
        blank = [i for i, text in enumerate(texts) if not text.strip()]
        if blank:  # training rejects empty text too: a label for nothing would be a guess
            raise HTTPException(422, f"{len(blank)} text(s) are empty or whitespace: "
                                     f"{', '.join(f'#{i}' for i in blank[:5])}; send only non-empty sentences")
        probs = await batcher.submit(texts)
        return JSONResponse({"labels": labels, "predictions": classifier.to_predictions(probs)})

    @app.post("/v1/classify-article")
    async def classify_article(request: ArticleRequest) -> JSONResponse:
        if len(request.text) > limits.max_article_chars:
            raise HTTPException(413, f"the article has {len(request.text):,} characters, over the limit of "
                                     f"{limits.max_article_chars:,} (framing-serve --max-article-chars)")
        sentences = await run_in_threadpool(classifier.sentences, request.text, is_html=request.is_html)
        probs = await batcher.submit(sentences) if sentences else classifier.predict_proba([])
        return JSONResponse({"labels": labels, **classifier.summarize_article(sentences, probs)})

    @app.get("/v1/model")
    async def model() -> JSONResponse:
        return JSONResponse(classifier.manifest)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        if not state["ready"]:
            return JSONResponse({"status": "not ready"}, status_code=503)
        return JSONResponse({"status": "ready", **classifier.info()})

    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    return app


def _too_long(texts: Sequence[str], max_chars: int) -> str | None:
    """The 413 message for texts over ``max_chars`` (the first five listed), or None."""
    long = [(i, len(t)) for i, t in enumerate(texts) if len(t) > max_chars]
    if not long:
        return None
    listed = ", ".join(f"#{i} ({n:,})" for i, n in long[:5])
    return (f"{len(long)} text(s) exceed the limit of {max_chars:,} characters: {listed}; send sentences "
            "(POST /v1/classify-article segments a whole article) or raise framing-serve --max-chars")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="framing-serve", description="Serve an export bundle over HTTP (torch-free).")
    p.add_argument("export_dir", help="the export bundle (<run_dir>/export or outputs/latest)")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--backend", choices=BACKENDS, default="onnx-int8",
                   help="onnx-int8 (default, fastest), onnx (fp32), or torch (needs torch and transformers)")
    p.add_argument("--threads", type=int, default=None, help="inference threads (default: one per physical core)")
    defaults = Limits()
    p.add_argument("--max-texts", type=int, default=defaults.max_texts, help="texts per /v1/classify request")
    p.add_argument("--max-chars", type=int, default=defaults.max_chars, help="characters per text")
    p.add_argument("--max-article-chars", type=int, default=defaults.max_article_chars)
    p.add_argument("--max-body-bytes", type=int, default=defaults.max_body_bytes)
    p.add_argument("--max-batch", type=int, default=defaults.max_batch, help="texts merged per inference call")
    p.add_argument("--shutdown-timeout", type=float, default=30.0,
                   help="seconds in-flight requests get to finish after SIGTERM/SIGINT")
    p.add_argument("--access-log", action="store_true", help="log every request (costs throughput)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    import uvicorn

    limits = Limits(max_texts=args.max_texts, max_chars=args.max_chars, max_article_chars=args.max_article_chars,
                    max_body_bytes=args.max_body_bytes, max_batch=args.max_batch)
    try:
        classifier = FramingClassifier.load(args.export_dir, args.backend, threads=args.threads)
    except FramingError as err:
        print(f"framing-serve: {err}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(classifier, limits), host=args.host, port=args.port, log_level=args.log_level,
                access_log=args.access_log, timeout_graceful_shutdown=args.shutdown_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
