import pytest

from skills.extract import _TOKEN, extract_skills, job_skill_split, skill_counts


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("5 years of JS and TypeScript", "JavaScript"),
        ("ran k8s clusters", "Kubernetes"),
        ("Postgres tuning", "PostgreSQL"),
        ("services in golang", "Go"),
        ("applied ML to fraud", "Machine Learning"),
        ("Node.js and Express", "Node.js"),
        ("C++ and C# on .NET", "C++"),
        ("C++ and C# on .NET", "C#"),
        ("C++ and C# on .NET", ".NET"),
        ("built CI/CD pipelines", "CI/CD"),
        ("sklearn models", "scikit-learn"),
        ("Hypertext markup language HTML pages", "HTML"),
        ("Autodesk AutoCAD drawings", "AutoCAD"),
        ("care home RGN", "Nursing"),
    ],
)
def test_aliases_give_the_canonical_name(text, skill):
    assert skill in extract_skills(text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Let's go to the office", "Go"),
        ("R&D department", "R"),
        ("pour 10 ml of water", "Machine Learning"),
        ("we excel at service", "Microsoft Excel"),
        ("in spring 2020", "Spring Framework"),
    ],
)
def test_common_words_are_not_skills_unless_written_as_one(text, absent):
    assert absent not in extract_skills(text)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("C++ and C# on .NET", ["C++", "and", "C#", "on", ".NET"]),
        ("Node.js, R&D, FP&A; CI/CD", ["Node.js", "R&D", "FP&A", "CI", "CD"]),
        ("end. ..net a.b. & + # x&", ["end", ".net", "a.b", "x"]),
        ("e-mail_v2 \u212a \u0130t", ["e", "mail", "v2", "t"]),
    ],
)
def test_tokens_keep_what_makes_a_skill_name(text, tokens):
    assert _TOKEN.findall(text) == tokens


def test_case_sensitive_aliases_match_as_written():
    assert extract_skills("Go, R and C") == ["Go", "R", "C"]


def test_longest_match_wins_and_order_is_first_mention():
    assert extract_skills("React Native apps, then Java, then JavaScript, then Java again") == [
        "React",
        "Java",
        "JavaScript",
    ]
    assert extract_skills("Apache Spark and PySpark") == ["Apache Spark"]


def test_counts_every_mention():
    assert skill_counts("Python, python and Python3")["Python"] == 3


def test_required_skills_come_from_the_requirements_section_and_title():
    description = (
        "About the role\nYou will work with Kafka and Terraform.\n\n"
        "Requirements\nPython and PostgreSQL.\n\nNice to have\nKubernetes."
    )
    required, mentioned = job_skill_split(description=description, title="Django Developer")
    assert required == ["Python", "PostgreSQL", "Django"]
    assert mentioned == ["Apache Kafka", "Terraform", "Kubernetes"]


def test_without_a_requirements_section_every_skill_is_required():
    required, mentioned = job_skill_split(description="We use Python and Docker.", known=["Git"])
    assert required == ["Python", "Docker", "Git"]
    assert mentioned == []
