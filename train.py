"""Train, export and evaluate a framing classifier.

    python train.py [group=option ...] [key=value ...]     (see configs/train.yaml)
"""

import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from framing.config import register_configs
from framing.errors import FramingError


@hydra.main(version_base="1.3", config_path="configs", config_name="train")
def main(cfg: DictConfig) -> float:
    from framing.training import close_failed_run, interrupted_message, run

    run_dir = cfg.resume or HydraConfig.get().runtime.output_dir
    try:
        result = run(cfg, HydraConfig.get().runtime.output_dir, overrides=list(HydraConfig.get().overrides.task))
    except FramingError as err:  # the user's to fix: a clear message, no traceback
        note = "" if cfg.resume else close_failed_run(run_dir, err)  # never touch a run being resumed
        print(f"error: {err}{note}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:  # one line, not a traceback of every frame the Trainer was in
        print(interrupted_message(run_dir), file=sys.stderr)
        sys.exit(130)
    finally:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():  # torchrun: leave the process group cleanly
            dist.destroy_process_group()
    return result.metrics["val"][cfg.trainer.optimized_metric]  # the value a sweeper maximizes


if __name__ == "__main__":
    register_configs()
    main()
