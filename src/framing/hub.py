"""Opt-in upload of an export bundle to a model hub, byte for byte the bundle written on disk.

``python train.py export.push_to_hub=ORG/NAME`` (or ``framing-export RUN_DIR export.push_to_hub=...``)
pushes the bundle right after it is written; ``python -m framing.hub EXPORT_DIR ORG/NAME`` pushes an
existing one. The bundle's checksums are verified first, so a tampered or half-written bundle is never
uploaded. Nothing here runs unless asked: the default ``export.push_to_hub`` is null. The token comes
from ``huggingface-cli login`` or ``HF_TOKEN``, as for any ``huggingface_hub`` upload.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from framing.errors import FramingError
from framing.serving.bundle import read_manifest

log = logging.getLogger(__name__)


def hub_api() -> Any:
    """The client that uploads (tests replace this with a local stand-in; nothing reaches the network)."""
    from huggingface_hub import HfApi

    return HfApi()


def push_bundle(export_dir: str | Path, repo_id: str, *, private: bool = True, revision: str | None = None,
                api: Any = None) -> str:
    """Upload the verified bundle in ``export_dir`` to the model repo ``repo_id``; returns the commit URL."""
    export_dir = Path(export_dir)
    manifest = read_manifest(export_dir, verify=True)  # refuses changed, missing or extra weight files
    if not repo_id or repo_id.count("/") != 1:
        raise FramingError(f"export.push_to_hub='{repo_id}' must be a model repo id 'owner/name'")
    api = api or hub_api()
    try:
        api.create_repo(repo_id, private=private, repo_type="model", exist_ok=True)
        info = api.upload_folder(repo_id=repo_id, folder_path=str(export_dir), repo_type="model", revision=revision,
                                 commit_message=f"framing export: task {manifest['task']}, labels "
                                                f"{', '.join(manifest['labels'])}")
    except FramingError:
        raise
    except Exception as err:  # no token, no network, no permission: the bundle on disk is intact
        raise FramingError(f"push to the hub repo '{repo_id}' failed ({type(err).__name__}: {err}); the bundle "
                           f"is intact in {export_dir}: retry with python -m framing.hub {export_dir} {repo_id}"
                           ) from None
    url = str(getattr(info, "commit_url", info))
    log.info("pushed %s to %s (%s)", export_dir, repo_id, url)
    return url


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m framing.hub", description=__doc__.split("\n\n")[0])
    parser.add_argument("export_dir", help="an export bundle (<run_dir>/export)")
    parser.add_argument("repo_id", help="the model repo, owner/name (created when missing)")
    parser.add_argument("--public", action="store_true", help="create the repo public (default: private)")
    parser.add_argument("--revision", default=None, help="branch to push to (default: main)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        url = push_bundle(args.export_dir, args.repo_id, private=not args.public, revision=args.revision)
    except FramingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
