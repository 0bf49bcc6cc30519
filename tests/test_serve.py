"""The HTTP service: endpoints and limits in-process, then the real server process over loopback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import ROOT
from test_runtime import ARTICLE, LABELS, build_bundle

from framing.serving.runtime import FramingClassifier
from framing.serving.service import Limits, create_app


@pytest.fixture(scope="module")
def bundle(tiny_bert, tmp_path_factory) -> Path:
    return build_bundle(tmp_path_factory.mktemp("serve"), tiny_bert)


@pytest.fixture(scope="module")
def client(bundle):
    from fastapi.testclient import TestClient

    classifier = FramingClassifier.load(bundle, "onnx")  # fp32: batch-independent to 1e-6 (int8 is not quite)
    limits = Limits(max_texts=4, max_chars=100, max_article_chars=2_000, max_body_bytes=4_000)
    with TestClient(create_app(classifier, limits)) as client:
        yield client


def test_classify_returns_labels_and_probabilities(client):
    texts = ["The leaders hailed the treaty.", "Analysts fear escalation.", "They met on Tuesday."]
    response = client.post("/v1/classify", json={"texts": texts})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["labels"] == LABELS and len(body["predictions"]) == 3
    assert all(p["label"] in LABELS and sum(p["probabilities"].values()) == pytest.approx(1.0)
               for p in body["predictions"])
    alone = client.post("/v1/classify", json={"texts": texts[1:2]}).json()["predictions"][0]
    assert alone["probabilities"] == pytest.approx(body["predictions"][1]["probabilities"], abs=1e-6)


def test_limits_answer_413_and_bad_bodies_422_with_clear_messages(client):
    response = client.post("/v1/classify", json={"texts": ["a"] * 5})
    assert response.status_code == 413
    assert "5 texts exceed the limit of 4 per request" in response.json()["detail"]
    response = client.post("/v1/classify", json={"texts": ["fine", "x" * 101]})
    assert response.status_code == 413
    assert "exceed the limit of 100 characters: #1 (101)" in response.json()["detail"]
    response = client.post("/v1/classify", content=json.dumps({"texts": ["y" * 5_000]}),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413 and "4,000 bytes" in response.json()["detail"]
    response = client.post("/v1/classify-article", json={"text": "z " * 1_500})
    assert response.status_code == 413 and "over the limit of 2,000" in response.json()["detail"]
    for bad in ({"texts": []}, {"texts": "not a list"}, {"texts": [1, 2]}, {"sentences": ["a"]}):
        assert client.post("/v1/classify", json=bad).status_code == 422, bad
    assert client.post("/v1/classify", content=b"{not json", headers={"content-type": "application/json"}
                       ).status_code == 422


def test_empty_texts_are_refused_with_422_not_labelled(client):
    response = client.post("/v1/classify", json={"texts": ["The leaders met.", "", "   "]})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("2 text(s) are empty or whitespace: #1, #2")


def test_article_model_and_probes(client, bundle):
    response = client.post("/v1/classify-article", json={"text": ARTICLE})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["n_sentences"] == len(body["sentences"]) >= 3
    assert sum(body["distribution"].values()) == pytest.approx(1.0)
    assert client.post("/v1/classify-article", json={"text": ""}).json()["n_sentences"] == 0
    assert client.get("/v1/model").json() == json.loads((bundle / "manifest.json").read_text())
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["backend"] == "onnx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(command: list[str], log: Path, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", str(port)], stdout=log.open("w"),
                            stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"server not ready after 60 s:\n{log.read_text()[-3000:]}")


def test_real_server_process_over_loopback_with_graceful_shutdown(bundle, tmp_path):
    log = tmp_path / "server.log"
    proc, url = _start([sys.executable, "-m", "framing.serving.service", str(bundle)], log)
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            response = http.post("/v1/classify", json={"texts": ["The leaders hailed the treaty."]})
            assert response.status_code == 200 and response.json()["predictions"][0]["label"] in LABELS
            assert http.post("/v1/classify-article", json={"text": ARTICLE}).json()["n_sentences"] >= 3
            assert http.get("/v1/model").json()["labels"] == LABELS
            assert http.get("/healthz").status_code == 200

        # A request still arriving when SIGTERM comes is answered; then the process exits 0.
        body = json.dumps({"texts": ["A slow client."]}).encode()
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=30) as sock:
            sock.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:5])
            time.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            sock.sendall(body[5:])
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 200"), reply[:300]
        assert b'"predictions"' in reply
        # uvicorn re-raises SIGTERM once shutdown is complete, so the status is 0 or -SIGTERM; the log tells
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM), log.read_text()[-3000:]
        assert "framing.serving.service: stopped" in log.read_text() and "Finished server process" in log.read_text()
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/healthz", timeout=1)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_server_refuses_a_tampered_bundle_with_a_message(bundle, tmp_path):
    tampered = shutil.copytree(bundle, tmp_path / "tampered")
    with (tampered / "onnx" / "model.int8.onnx").open("ab") as f:
        f.write(b"\0")
    proc = subprocess.run([sys.executable, "-m", "framing.serving.service", str(tampered), "--port", str(_free_port())],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "model.int8.onnx does not match its sha256" in proc.stderr
    assert "Traceback" not in proc.stderr


NO_INDEX = ("NewConnectionError", "Network is unreachable", "Temporary failure in name resolution",
            "No matching distribution found")


@pytest.mark.slow
def test_fresh_venv_with_only_the_serve_extra_loads_and_serves(bundle, tmp_path):
    """``pip install '.[serve]'`` into an empty virtual environment: no torch, and it serves.

    Needs the package index (skipped, saying so, when it cannot be reached).
    """
    source = tmp_path / "src-copy"  # build from a copy: an in-tree build would leave build/ in the checkout
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    venv = tmp_path / "venv"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", f"{source}[serve]"],
                         capture_output=True, text=True, timeout=900)
    if pip.returncode != 0 and any(sign in pip.stderr for sign in NO_INDEX):
        pytest.skip(f"no package index reachable: {pip.stderr.strip().splitlines()[-1]}")
    assert pip.returncode == 0, pip.stderr[-3000:]
    print(f"fresh venv + pip install '.[serve]': {time.monotonic() - started:.0f} s")
    check = ("import importlib.util, sys\n"
             "assert importlib.util.find_spec('torch') is None and importlib.util.find_spec('transformers') is None\n"
             "from framing.serving.runtime import FramingClassifier\n"
             "for backend in ('onnx', 'onnx-int8'):\n"
             "    clf = FramingClassifier.load(sys.argv[1], backend)\n"
             "    assert clf.predict(['The leaders met.'])[0]['label'] in clf.labels\n"
             "assert clf.predict_article('The leaders met. They signed a treaty.')['n_sentences'] == 2\n"
             "print('ok')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", check, str(bundle)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]
    server, url = _start([str(venv / "bin" / "framing-serve"), str(bundle)], tmp_path / "fresh.log", env=env)
    try:
        response = httpx.post(f"{url}/v1/classify", json={"texts": ["The leaders met."]}, timeout=30)
        assert response.status_code == 200 and response.json()["predictions"][0]["label"] in LABELS
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
