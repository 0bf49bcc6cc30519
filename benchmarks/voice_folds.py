"""Score grouped leave-voices-out runs per held-out voice, beside TF-IDF on the very same folds.

A run of ``python train.py experiment=lovo cv.folds=5`` holds out about a fifth of the voices
per fold (each voice exactly once) and leaves ``fold_<i>/data/{train,test}.jsonl`` and
``fold_<i>/export``. This script labels each fold's held-out sentences with that fold's export
(the torch-free runtime, fp32 ONNX: the deployment prior is in the bias), and fits the TF-IDF +
logistic-regression baseline (``framing.baselines`` settings, with and without the same prior
adjustment) on the fold's training file. It reports macro-F1 per fold (mean ± std), per voice,
and the neutral false-framing rate, for several runs (seeds) at once.

    python benchmarks/voice_folds.py RUN_DIR [RUN_DIR ...] [--json benchmarks/results/voice_folds.json] [--append]
        [--model mpnet]

"default" in the output is the run's own fine-tuned model (``--model`` names its backbone recipe).
Folds still training are skipped and listed, so a run can be scored before it ends.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from transfer import LABELS, deployment_prior, scores  # noqa: E402


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def tfidf_logits(train: list[dict], test: list[dict], seed: int) -> np.ndarray:
    from framing.baselines import baseline_probs
    from framing.labels import LabelSpace

    labels = LabelSpace(name="framing", labels=tuple(LABELS))
    probs = baseline_probs([r["text"] for r in train], [LABELS.index(r["label"]) for r in train],
                           [r["text"] for r in test], labels, seed=seed)["tfidf_logreg"]
    return np.log(np.clip(probs, 1e-12, 1))


def score_run(run_dir: Path) -> dict:
    from framing.serving.runtime import FramingClassifier

    folds, pooled = [], {"default": [], "tfidf": [], "tfidf_prior": [], "gold": [], "voice": []}
    seed = json.loads((run_dir / "fold_0" / "export" / "run.json").read_text()).get("seed", 0)
    fold_dirs = sorted(run_dir.glob("fold_*"), key=lambda p: int(p.name.split("_")[1]))
    unfinished = [d.name for d in fold_dirs if not (d / "export" / "manifest.json").is_file()]
    if unfinished:  # a run still training (or stopped): score the finished folds, say which are missing
        print(f"{run_dir}: {', '.join(unfinished)} not finished; scoring the other folds only", flush=True)
    for fold_dir in [d for d in fold_dirs if d.name not in unfinished]:
        train, test = read(fold_dir / "data" / "train.jsonl"), read(fold_dir / "data" / "test.jsonl")
        gold = np.array([LABELS.index(r["label"]) for r in test])
        clf = FramingClassifier.load(fold_dir / "export", "onnx")
        assert list(clf.labels) == LABELS, clf.labels
        default = np.log(np.clip(clf.predict_proba([r["text"] for r in test]), 1e-12, 1))
        tfidf = tfidf_logits(train, test, seed)
        tfidf_prior = tfidf + np.log(deployment_prior()) - np.log(np.full(3, 1 / 3))  # balanced: uniform prior
        voices = sorted({r["voice"] for r in test})
        folds.append({"fold": fold_dir.name, "voices": voices, "n": len(test),
                      **{name: scores(gold, logits) for name, logits in
                         (("default", default), ("tfidf", tfidf), ("tfidf_prior", tfidf_prior))}})
        for name, logits in (("default", default), ("tfidf", tfidf), ("tfidf_prior", tfidf_prior)):
            pooled[name].append(logits)
        pooled["gold"].append(gold)
        pooled["voice"] += [r["voice"] for r in test]
        print(f"{run_dir.name} {fold_dir.name}: n={len(test)} default {folds[-1]['default']['macro_f1']:.4f} "
              f"tfidf {folds[-1]['tfidf']['macro_f1']:.4f} tfidf+prior {folds[-1]['tfidf_prior']['macro_f1']:.4f}",
              flush=True)
    gold, voice = np.concatenate(pooled["gold"]), np.array(pooled["voice"])
    per_voice = {}
    for name in ("default", "tfidf", "tfidf_prior"):
        logits = np.concatenate(pooled[name])
        per_voice[name] = {v: scores(gold[voice == v], logits[voice == v])["macro_f1"] for v in sorted(set(voice))}
    summary = {name: {"fold_mean_macro_f1": float(np.mean([f[name]["macro_f1"] for f in folds])),
                      "fold_std_macro_f1": float(np.std([f[name]["macro_f1"] for f in folds])),
                      "voice_mean_macro_f1": float(np.mean(list(per_voice[name].values()))),
                      "neutral_false_framing": float(np.mean([f[name]["neutral_false_framing"] for f in folds]))}
               for name in ("default", "tfidf", "tfidf_prior")}
    return {"run": str(run_dir), "seed": seed, "folds": folds, "unfinished_folds": unfinished,
            "per_voice": per_voice, "summary": summary}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="cv run directories (with fold_<i>/)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "voice_folds.json")
    parser.add_argument("--append", action="store_true",
                        help="keep the runs already in --json (their run directories may be gone) and add these")
    parser.add_argument("--model", default="minilm",
                        help="name of the runs' backbone recipe, kept in the results (under --append a run "
                             "replaces the earlier one of its model and seed)")
    args = parser.parse_args(argv)
    results = [{"model": args.model, **score_run(run)} for run in args.runs]
    if args.append and args.json.exists():
        new = {(r["model"], r["seed"]) for r in results}
        kept = [r for r in json.loads(args.json.read_text()) if (r.get("model", "minilm"), r["seed"]) not in new]
        results = kept + results
    for model in dict.fromkeys(r.get("model", "minilm") for r in results):
        runs = [r for r in results if r.get("model", "minilm") == model]
        print(f"\n{model:<14} " + " ".join(f"seed {r['seed']:<22}" for r in runs) + " mean over seeds")
        for name in ("default", "tfidf", "tfidf_prior"):
            cells = [r["summary"][name] for r in runs]
            mean = np.mean([c["fold_mean_macro_f1"] for c in cells])
            print(f"{name:<14} " + " ".join(f"{c['fold_mean_macro_f1']:.3f} ± {c['fold_std_macro_f1']:.3f} "
                                            f"(FF {c['neutral_false_framing']:.1%})" for c in cells) + f" {mean:.3f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
