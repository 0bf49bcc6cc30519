"""Evaluate an export bundle on a labeled file.

    python evaluate.py [export_dir=PATH] [eval_file=PATH] [output_dir=PATH]   (see configs/evaluate.yaml)
"""

import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from framing.config import register_configs
from framing.errors import FramingError


@hydra.main(version_base="1.3", config_path="configs", config_name="evaluate")
def main(cfg: DictConfig) -> None:
    from framing.evaluation import run

    try:
        report = run(cfg, HydraConfig.get().runtime.output_dir)
    except FramingError as err:  # the user's to fix: a clear message, no traceback
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    print(f"macro_f1 = {report['macro_f1']:.4f} on {report['n']} rows -> {report['output_dir']}")


if __name__ == "__main__":
    register_configs()
    main()
