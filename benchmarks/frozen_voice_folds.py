"""Frozen-embedding baselines on the very folds of ``experiment=lovo cv.folds=5``, per seed.

The fine-tuned runs scored by ``voice_folds.py`` hold out about a fifth of the voices per fold.
Their folds are a function of the seed (``framing.cv.folds`` over train + validation, grouped
by voice), so this script rebuilds them without the run directories, fits logistic regression
on frozen mean-pooled embeddings of each fold's training voices, and scores the held-out
voices as they are and with the deployment-prior adjustment. This puts the frozen baselines on
the same folds as the fine-tuned models, instead of the 26-fold LOVO of ``transfer.py frozen``.

    python benchmarks/frozen_voice_folds.py --seeds 42 1 7 [--backbones mpnet minilm] [--check RUN_DIR]

``--check`` compares the rebuilt folds with a run's ``fold_<i>/data/test.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from transfer import LABELS, adjust, embeddings, read, scores  # noqa: E402


def voice_folds(pool: list[dict], seed: int, n_folds: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    from framing.cv import folds

    return folds([str(r["voice"]) for r in pool], n_folds, seed)


def score_seed(x: np.ndarray, pool: list[dict], seed: int, balanced: bool) -> dict:
    from sklearn.linear_model import LogisticRegression

    gold = np.array([LABELS.index(r["label"]) for r in pool])
    voice = np.array([r["voice"] for r in pool])
    out = {variant: {"folds": [], "logits": np.zeros((len(pool), 3))} for variant in ("plain", "prior")}
    for train_idx, held_idx in voice_folds(pool, seed):
        model = LogisticRegression(max_iter=3000, C=1.0, class_weight="balanced" if balanced else None)
        model.fit(x[train_idx], gold[train_idx])
        logits = np.log(np.clip(model.predict_proba(x[held_idx]), 1e-12, 1))
        prior = np.full(3, 1 / 3) if balanced else np.bincount(gold[train_idx], minlength=3) / len(train_idx)
        for variant, z in (("plain", logits), ("prior", adjust(logits, prior))):
            out[variant]["folds"].append(scores(gold[held_idx], z))
            out[variant]["logits"][held_idx] = z
    summary = {}
    for variant, o in out.items():
        per_voice = {v: scores(gold[voice == v], o["logits"][voice == v])["macro_f1"] for v in sorted(set(voice))}
        f1 = [f["macro_f1"] for f in o["folds"]]
        summary[variant] = {"fold_mean_macro_f1": float(np.mean(f1)), "fold_std_macro_f1": float(np.std(f1)),
                            "fold_macro_f1": f1, "voice_mean_macro_f1": float(np.mean(list(per_voice.values()))),
                            "neutral_false_framing": float(np.mean([f["neutral_false_framing"] for f in o["folds"]])),
                            "per_voice": per_voice}
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[42, 1, 7])
    parser.add_argument("--backbones", nargs="+", default=["mpnet", "minilm"])
    parser.add_argument("--cache", default=str(ROOT / "outputs" / "cache" / "embeddings"))
    parser.add_argument("--check", type=Path, help="a lovo run directory whose folds must match the rebuilt ones")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "frozen_voice_folds.json")
    args = parser.parse_args(argv)
    pool = read("train") + read("validation")
    if args.check:
        seed = json.loads((args.check / "fold_0" / "export" / "run.json").read_text())["seed"]
        for i, (_, held_idx) in enumerate(voice_folds(pool, seed)):
            shipped = [json.loads(line)["text"] for line in
                       (args.check / f"fold_{i}" / "data" / "test.jsonl").read_text(encoding="utf-8").splitlines()]
            if shipped != [pool[j]["text"] for j in held_idx]:
                raise SystemExit(f"error: fold {i} of seed {seed} differs from {args.check}/fold_{i}")
        print(f"the rebuilt folds of seed {seed} match {args.check}")
    results = []
    for backbone in args.backbones:
        x = embeddings(backbone, [r["text"] for r in pool], Path(args.cache))
        for balanced in (False, True):
            name = f"frozen_{backbone}_logreg{'_balanced' if balanced else ''}"
            for seed in args.seeds:
                summary = score_seed(x, pool, seed, balanced)
                results.append({"recipe": name, "seed": seed, **summary})
                print(f"{name:<30} seed {seed:<3} " + "  ".join(
                    f"{v}: {s['fold_mean_macro_f1']:.3f} ± {s['fold_std_macro_f1']:.3f} "
                    f"(FF {s['neutral_false_framing']:.1%})"
                    for v, s in summary.items()), flush=True)
    print("\nmean over seeds of the fold means")
    for name in dict.fromkeys(r["recipe"] for r in results):
        runs = [r for r in results if r["recipe"] == name]
        print(f"{name:<30} " + "  ".join(f"{v}: {np.mean([r[v]['fold_mean_macro_f1'] for r in runs]):.3f}"
                                         for v in ("plain", "prior")))
    args.json.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
