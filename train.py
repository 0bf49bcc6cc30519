"""Train, export and evaluate a framing classifier.

    python train.py [group=option ...] [key=value ...]     (see configs/train.yaml)
"""

import logging
import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from framing.config import register_configs
from framing.errors import FramingError

log = logging.getLogger("framing")


@hydra.main(version_base="1.3", config_path="configs", config_name="train")
def main(cfg: DictConfig) -> float:
    from framing.training import run

    try:
        result = run(cfg, HydraConfig.get().runtime.output_dir)
    except FramingError as err:
        log.error("%s", err)
        sys.exit(2)
    return result.metrics["val"][cfg.trainer.optimized_metric]  # the value a sweeper maximizes


if __name__ == "__main__":
    register_configs()
    main()
