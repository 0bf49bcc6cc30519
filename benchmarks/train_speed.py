"""Training speed: this repository's batching against the transformers text-classification example's.

    python benchmarks/train_speed.py [--epochs 1] [--json benchmarks/results/train_speed.json]

Same data (the shipped corpus), backbone (embedded MiniLM), hyperparameters, seed and machine;
one epoch each. "example" pads every batch to 128 tokens and samples at random (the example
script's --pad_to_max_length with max_seq_length=128); "framing" pads each batch to its own
longest text and groups texts of similar length. Reports samples/s, the speed-up, validation
macro-F1 of both, and achieved training FLOP/s as a share of a matmul peak measured here.
Measures and prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from transformers import DataCollatorWithPadding, set_seed

from framing.config import register_configs
from framing.data import tokenize
from framing.training import predict_logits, score

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_MAX_LENGTH = 128


class CountingCollator:
    """Wraps a collator and counts the token positions (padding included) the model computes on."""

    def __init__(self, inner):
        self.inner, self.positions = inner, 0

    def __call__(self, features):
        batch = self.inner(features)
        self.positions += batch["input_ids"].numel()
        return batch


def matmul_peak(n: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start)


def one_setup(name: str, epochs: float, overrides: list[str]) -> dict:
    register_configs()
    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        cfg = compose("train", overrides=[f"trainer.epochs={epochs}", "trainer.early_stopping_patience=0",
                                          "trainer.tensorboard=false", "trainer.progress_bar=false",
                                          "trainer.save_total_limit=1", *overrides])
    set_seed(cfg.seed)
    labels = instantiate(cfg.task)
    run_dir = ROOT / "outputs" / "bench" / name
    splits = instantiate(cfg.data)(labels=labels)
    model, tokenizer = instantiate(cfg.model)(labels=labels)
    encoded = tokenize(splits, tokenizer, cfg.model.max_length)
    trainer = instantiate(cfg.trainer)(model=model, tokenizer=tokenizer, splits=encoded, labels=labels,
                                       run_dir=run_dir, seed=cfg.seed)
    padding = dict(padding="max_length", max_length=EXAMPLE_MAX_LENGTH) if name == "example" else {}
    trainer.data_collator = counter = CountingCollator(DataCollatorWithPadding(tokenizer, **padding))
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    train_positions = counter.positions
    logits, gold = predict_logits(trainer, encoded["validation"])
    metrics = score(logits, gold, labels, {"temperature": 1.0, "thresholds": None})
    body = sum(p.numel() for n, p in model.named_parameters() if "embeddings" not in n)
    # 6 FLOPs per non-embedding parameter per token for forward + backward (Kaplan et al.), eval excluded
    flops = 6 * body * train_positions
    return {
        "setup": name, "samples": len(encoded["train"]) * epochs, "seconds": seconds,
        "samples_per_second": len(encoded["train"]) * epochs / seconds,
        "token_positions": train_positions, "val_macro_f1": metrics["macro_f1"],
        "train_flops_per_second": flops / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "train_speed.json")
    args = parser.parse_args()
    peak = matmul_peak()
    # evaluation inside the timed loop is off for both: eval_strategy=steps with a step never reached
    no_eval = ["trainer.eval_strategy=steps", "trainer.eval_steps=100000"]
    results = [
        one_setup("example", args.epochs, ["trainer.group_by_length=false", *no_eval]),
        one_setup("framing", args.epochs, no_eval),
    ]
    for r in results:
        r["share_of_matmul_peak"] = r["train_flops_per_second"] / peak
    example, ours = results
    report = {
        "machine": {"platform": platform.platform(), "torch_threads": torch.get_num_threads(),
                    "matmul_peak_flops": peak},
        "results": results,
        "speedup": ours["samples_per_second"] / example["samples_per_second"],
        "macro_f1_difference": ours["val_macro_f1"] - example["val_macro_f1"],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print("| setup | samples/s | token positions | val macro-F1 | train GFLOP/s | share of matmul peak |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['setup']} | {r['samples_per_second']:.1f} | {r['token_positions']:,} | {r['val_macro_f1']:.4f} | "
              f"{r['train_flops_per_second'] / 1e9:.1f} | {r['share_of_matmul_peak']:.1%} |")
    print(f"\nspeed-up {report['speedup']:.2f}x, macro-F1 difference {report['macro_f1_difference']:+.4f}, "
          f"matmul peak {peak / 1e9:.1f} GFLOP/s ({torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
