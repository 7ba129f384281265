import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from jobs.choices import Remote
from jobs.models import Job
from matching.tests.conftest import NURSING_JOB, PYTHON_JOB, PYTHON_RESUME
from matching.tests.documents import encrypted_pdf, image_only_pdf, resume_docx, text_pdf

pytestmark = pytest.mark.django_db

RESUME_URL = "/api/match/resume/"
JD_URL = "/api/match/jd/"
RESPONSE_KEYS = {"total_matches", "search_time_ms", "backend", "cached", "jobs"}
# The older routes' job (POST /match/resume, /match/jd).
LEGACY_JOB_KEYS = {
    "job_id",
    "title",
    "company",
    "location",
    "remote",
    "employment_type",
    "job_level",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "relevance_score",
    "matched_skills",
    "missing_skills",
    "score_parts",
    "reasons",
    "is_internship",
    "redirect_url",
    "posted_at",
}
EXPLANATION_KEYS = {"relevance_score", "matched_skills", "missing_skills", "score_parts", "reasons"}


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def jobs(make_job):
    return {
        "python": make_job(**PYTHON_JOB, remote=Remote.REMOTE),
        "nursing": make_job(**NURSING_JOB),
        "intern": make_job(
            title="Python Intern", description="Summer internship: Python and Django.", is_internship=True
        ),
    }


def _upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def assert_error(response, status, code=None, field=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code
    if field:
        assert field in error["fields"]
    return error


def test_resume_text_gets_ranked_explained_jobs(api, jobs):
    response = api.post(RESUME_URL, {"resume_text": PYTHON_RESUME}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    listing = {job["id"]: job for job in api.get("/api/jobs/").json()["results"]}
    first = body["jobs"][0]
    # The listing's job object, plus why it matched: a frontend needs one job card.
    assert set(first) == set(listing[first["id"]]) | EXPLANATION_KEYS
    assert {key: first[key] for key in listing[first["id"]]} == listing[first["id"]]
    assert body["backend"] == "local" and body["cached"] is False
    ids = [job["id"] for job in body["jobs"]]
    assert ids.index(jobs["python"].pk) < ids.index(jobs["nursing"].pk)
    assert "Python" in body["jobs"][0]["matched_skills"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("resume.pdf", text_pdf(PYTHON_RESUME.splitlines())),
        (
            "resume.docx",
            resume_docx(
                heading="Jane Doe",
                sections={"Skills": ["Python, Django, PostgreSQL, Docker"], "Experience": ["Python developer at Acme"]},
            ),
        ),
        ("resume.txt", PYTHON_RESUME.encode()),
        ("misnamed.txt", text_pdf(PYTHON_RESUME.splitlines())),  # a PDF whatever its name says
    ],
)
def test_uploaded_resume_files_are_read_by_content(api, jobs, name, data):
    response = api.post(RESUME_URL, {"resume_file": _upload(name, data)}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["jobs"][0]["id"] in {jobs["python"].pk, jobs["intern"].pk}


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", 400, "empty_file"),
        (b"%PDF-1.7\n garbage", 400, "corrupt_pdf"),
        (encrypted_pdf(["Python developer"]), 400, "encrypted_pdf"),
        (image_only_pdf(), 400, "no_text_layer"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, 415, "unsupported_type"),
    ],
    ids=["empty", "corrupt", "password", "image-only", "png"],
)
def test_bad_uploads_get_a_4xx_naming_the_problem(api, jobs, data, status, code):
    response = api.post(RESUME_URL, {"resume_file": _upload("cv.pdf", data)}, format="multipart")
    assert_error(response, status, code)


def test_upload_over_the_size_limit_is_413(api, jobs, settings):
    settings.MATCH_MAX_UPLOAD_BYTES = 4096
    response = api.post(RESUME_URL, {"resume_file": _upload("cv.txt", b"Python " * 1000)}, format="multipart")
    error = assert_error(response, 413, "file_too_large")
    assert "4,096" in error["message"]


def test_neither_or_both_of_text_and_file_is_400(api, jobs):
    assert_error(api.post(RESUME_URL, {}, format="multipart"), 400, "invalid", "resume_text")
    both = {"resume_text": PYTHON_RESUME, "resume_file": _upload("cv.txt", PYTHON_RESUME.encode())}
    assert_error(api.post(RESUME_URL, both, format="multipart"), 400, "invalid", "resume_text")


def test_filters_are_the_listings(api, jobs):
    body = api.post(RESUME_URL, {"resume_text": PYTHON_RESUME, "remote": ["remote"]}, format="json").json()
    assert [job["id"] for job in body["jobs"]] == [jobs["python"].pk]
    body = api.post(RESUME_URL, {"resume_text": PYTHON_RESUME, "internship_only": True}, format="json").json()
    assert [job["id"] for job in body["jobs"]] == [jobs["intern"].pk]
    body = api.post(
        RESUME_URL, {"resume_text": PYTHON_RESUME, "internship_only": "true", "remote": "remote"}, format="multipart"
    ).json()
    assert body["jobs"] == []


def test_stipend_min_is_monthly(api, jobs):
    Job.objects.filter(pk=jobs["intern"].pk).update(salary_annual_min=20000, salary_annual_max=24000)
    body = api.post(RESUME_URL, {"resume_text": PYTHON_RESUME, "stipend_min": 1500}, format="json").json()
    assert [job["id"] for job in body["jobs"]] == [jobs["intern"].pk]
    body = api.post(RESUME_URL, {"resume_text": PYTHON_RESUME, "stipend_min": 2500}, format="json").json()
    assert body["jobs"] == []


def test_bad_and_unknown_filters_are_400(api, jobs):
    assert_error(
        api.post(RESUME_URL, {"resume_text": PYTHON_RESUME, "remote": "moon"}, format="json"), 400, "invalid", "remote"
    )
    assert_error(
        api.post(RESUME_URL, {"resume_text": PYTHON_RESUME, "remotely": "yes"}, format="json"),
        400,
        "invalid",
        "remotely",
    )
    assert_error(
        api.post(RESUME_URL, {"resume_text": PYTHON_RESUME, "limit": 101}, format="json"), 400, "invalid", "limit"
    )


def test_second_identical_request_says_cached(api, jobs):
    first = api.post(RESUME_URL, {"resume_text": PYTHON_RESUME}, format="json").json()
    second = api.post(RESUME_URL, {"resume_text": PYTHON_RESUME}, format="json").json()
    assert first["cached"] is False and second["cached"] is True
    assert first["jobs"] == second["jobs"]


def test_jd_match(api, jobs):
    body = api.post(
        JD_URL, {"job_description": "Nurse for a care home: patient care, NMC registration."}, format="json"
    ).json()
    assert body["jobs"][0]["id"] == jobs["nursing"].pk
    assert_error(api.post(JD_URL, {}, format="json"), 400, "invalid", "job_description")


def test_jd_match_takes_the_jobs_title_for_its_occupation(api, make_job):
    highway = make_job(
        title="Highway Design Engineer",
        description="Roads, drainage and AutoCAD drawings.",
        occupation_code="17-2051.00",  # Civil Engineers, as the normalizer reads the title
        occupation_confidence=1.0,
    )
    text = "Roads, drainage and AutoCAD drawings for our clients and contractors."
    body = api.post(JD_URL, {"job_description": text, "job_title": "Bridge Engineer"}, format="json").json()
    match = next(job for job in body["jobs"] if job["id"] == highway.pk)
    assert match["score_parts"]["occupation"] == 1.0
    assert "same occupation as the description: Civil Engineers" in match["reasons"]
    # Without it no occupation is read from this text; `title` stays the listing's filter.
    body = api.post(JD_URL, {"job_description": text, "title": "nurse"}, format="json").json()
    assert body["jobs"] == []


def test_similar_jobs(api, jobs):
    response = api.get(f"/api/jobs/{jobs['python'].pk}/similar/?limit=1")
    assert response.status_code == 200, response.content
    assert [job["id"] for job in response.json()["jobs"]] == [jobs["intern"].pk]
    assert_error(api.get("/api/jobs/999999/similar/"), 404, "not_found")
    assert_error(api.get(f"/api/jobs/{jobs['python'].pk}/similar/?remote=moon"), 400, "invalid", "remote")


def test_compat_routes_take_the_older_field_names(api, jobs):
    body = api.post("/match/resume", {"text": PYTHON_RESUME, "top_k": 1}, format="json").json()
    assert [job["job_id"] for job in body["jobs"]] == [jobs["python"].pk]
    assert set(body["jobs"][0]) == LEGACY_JOB_KEYS  # the seed's shape, kept
    upload = {"resume": _upload("cv.pdf", text_pdf(PYTHON_RESUME.splitlines())), "internship": "true"}
    body = api.post("/match/resume", upload, format="multipart").json()
    assert [job["job_id"] for job in body["jobs"]] == [jobs["intern"].pk]
    body = api.post("/match/jd", {"jd": "Registered nurse, elderly care home, NMC registration."}, format="json")
    assert body.json()["jobs"][0]["job_id"] == jobs["nursing"].pk
    assert_error(api.post("/match/jd", {}, format="json"), 400, "invalid", "job_description")


def test_schema_includes_the_match_endpoints(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/match/resume/", "/api/match/jd/", "/api/jobs/{job_id}/similar/"} <= set(paths)


def test_only_staff_may_choose_the_backend(api, jobs, django_user_model):
    body = {"resume_text": PYTHON_RESUME, "backend": "local"}
    assert_error(api.post(RESUME_URL, body, format="json"), 400, "invalid", "backend")
    staff = django_user_model.objects.create_user("staff", "s@example.com", "pw", is_staff=True)
    api.force_authenticate(staff)
    assert api.post(RESUME_URL, body, format="json").json()["backend"] == "local"
    assert_error(api.post(RESUME_URL, {**body, "backend": "moon"}, format="json"), 400, "invalid", "backend")


def test_json_filters_take_one_value_as_the_form_does(api, jobs):
    text = "Python developer: build Django REST APIs on PostgreSQL, write tests, review code, run services."
    one = api.post(JD_URL, {"job_description": text, "remote": "remote"}, format="json")
    many = api.post(JD_URL, {"job_description": text, "remote": ["remote"]}, format="json")
    assert one.status_code == 200, one.content
    assert (
        [job["id"] for job in one.json()["jobs"]] == [job["id"] for job in many.json()["jobs"]] == [jobs["python"].pk]
    )


def test_similar_jobs_documents_the_listing_filters(api):
    schema = api.get("/api/schema/?format=json").json()
    names = {param["name"] for param in schema["paths"]["/api/jobs/{job_id}/similar/"]["get"]["parameters"]}
    assert {"remote", "near", "radius_km", "employment_type", "salary_min", "posted_within_days"} <= names
    assert not {"ordering", "status", "q"} & names


def test_a_docx_resume_is_read_as_a_resume_on_a_tiny_corpus(api, make_job):
    site = make_job(title="Site Engineer", description="Site supervision of concrete works and AutoCAD drawings.")
    make_job(title="Quantity Surveyor", description="Cost plans for concrete works and AutoCAD take-offs.")
    data = resume_docx(
        heading="Ravi Kumar",
        sections={
            "Work Experience": [
                "Site Engineer, Nova Works - May 2016 - Apr 2025",
                "Junior Engineer, Alia Construction - Jun 2014 - May 2015",
            ],
            "Skills": ["AutoCAD, concrete works, site supervision"],
        },
    )
    response = api.post(RESUME_URL, {"resume_file": _upload("cv.docx", data)}, format="multipart")
    assert response.status_code == 200, response.content
    first = response.json()["jobs"][0]
    assert first["id"] == site.pk
    assert first["reasons"] == [
        "10 years of experience; recent role: Site Engineer",
        "matches your recent role: Site Engineer",
    ]
