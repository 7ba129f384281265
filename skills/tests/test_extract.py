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
    assert extract_skills("programming in Go, R and C") == ["Go", "R", "C"]
    assert extract_skills("programming in go, r and c") == []


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


# ---- issue 16: context rules, each measured on the labelled sample (ingestion/tests/data/quality/skills.jsonl)


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Experience with Python, Java or C/C++", "C"),
        ("statistical tools (e.g. MATLAB, R, Python, etc.)", "R"),
        ("microservices written in Node and Go or Python", "Go"),
        ("legacy BASIC and COBOL programming", "BASIC"),
        ("iOS apps in Swift and Objective-C", "Swift"),
        ("Ansible, Puppet or Chef", "Chef"),
        ("data held in Act! CRM", "Act!"),
        ("SAN storage and NAS administration", "SAN"),
        ("AutoCAD and CAD drawings", "CAD"),
        ("must hold a full UK driving licence", "Driving Licence"),
        ("a valid driver's license is required", "Driving Licence"),
        ("deal with all aspects of staff recruitment, disciplinary and appraisals", "Recruitment"),
        ("10 years of experience in internal recruiting or HR", "Recruitment"),
        ("Recruitment experience in a busy agency desk", "Recruitment"),
        ("talent acquisition partner for engineering", "Recruitment"),
        ("developing, testing, documenting and supporting software", "Software Testing"),
        ("Excellent written and verbal communication skills", "Communication"),
        ("delivery of patient centred healthcare", "Healthcare"),
        ("Design of Experiment (DOE) methods", "Design of experiments"),
        ("Microsoft Exchange administration", "Microsoft Exchange"),
        ("You will run the marketing team's campaigns", "Marketing"),
    ],
)
def test_ambiguous_names_count_in_their_own_context(text, skill):
    assert skill in extract_skills(text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("subjects such as mathematics, computer science, economics, etc.", "Electronic Time Clock"),
        ("Act as a trusted advisor to customers", "Act!"),
        ("the Asylum and Immigration Act applies", "Act!"),
        ("engaging C-Level in business and technology transformation", "C"),
        ("Oracle Applications R12 and Oracle Discoverer", "R"),
        ("Oracle Applications R**** support", "R"),
        ("Experience delivering Go-to-Market strategies with Python", "Go"),
        ("Basic salary of 30k plus Basic Qualifications", "BASIC"),
        ("Chef de Partie for a rosette kitchen", "Chef"),
        ("Our offices in San Francisco and San Diego", "SAN"),
        ("a weekly stipend of 4,300 CAD", "CAD"),
        ("driving adoption of emerging technologies", "Driving Licence"),
        ("In Touch Recruitment are working on behalf of a nursing home", "Recruitment"),
        ("we are currently recruiting for an MRI Radiographer", "Recruitment"),
        ("Bee Recruitment is a recruitment agency", "Recruitment"),
        ("we may partner with vetted recruiting agencies", "Recruitment"),
        ("with respect to recruitment, hiring, promotion and other terms", "Recruitment"),
        ("we are hiring an Advanced Data Engineer", "Recruitment"),
        ("part of the recruitment process", "Recruitment"),
        ("excellent benefits including private healthcare and pension", "Healthcare"),
        ("Robust Health Care Plans (Medical, Dental & Vision)", "Healthcare"),
        ("We offer competitive compensation and benefits", "Compensation and Benefits"),
        ("Compensation: 165,000-185,000", "Compensation and Benefits"),
        ("partner with our Product, Marketing and Engineering teams", "Marketing"),
        ("Work with Product Management, and DevOps as needed", "Product Management"),
        ("Partnering with data science peers to identify gaps", "Data Science"),
        ("automate audit testing and develop techniques", "Software Testing"),
        ("If you're ever unsure about a communication, don't click any links", "Communication"),
        ("professional networking opportunities", "Networking"),
        ("work with the rest of the team", "REST APIs"),
        ("the company's first post-sales hire", "Sales"),
        ("In exchange my client is offering a salary", "Microsoft Exchange"),
        ("a bonus scheme and a pension scheme", "Scheme"),
        ("managed by the Senior Director of Data Science", "Adobe Director"),
        ("Hewlett Packard Enterprise (DoE) based in New Jersey", "Design of experiments"),
        ("All hiring and advancement decisions are made on merit", "Recruitment"),
        ("Equal opportunity employer: we do not discriminate on Python skills", "Python"),
    ],
)
def test_boilerplate_and_ordinary_words_are_not_skills(text, absent):
    assert absent not in extract_skills(text)


def test_a_benefits_section_names_no_skill():
    text = (
        "Requirements\nPython and SQL\n\nBenefits\nLife Insurance (Basic)\ncooking classes\nPre-Tax Commuter Benefits"
    )
    assert extract_skills(text) == ["Python", "SQL"]


def test_a_benefits_section_ends_at_the_next_heading():
    text = "Perks:\nWFH flexibility\nWhat you'll be doing:\nBuild machine-learning algorithms"
    assert extract_skills(text) == ["Machine Learning", "Algorithms"]


def test_a_title_names_recruitment_without_a_context():
    assert extract_skills("Recruit top talent across EMEA.", title="Recruiter") == ["Recruitment"]
    assert extract_skills("Recruit top talent across EMEA.") == []


def test_title_skills_come_first_and_once():
    assert extract_skills("Django and Python", title="Python Developer") == ["Python", "Django"]


def test_a_department_named_in_the_title_counts():
    assert extract_skills("", title="Sales Associate, Large Customer Sales") == ["Sales"]


# ---- issue 16, second round: rules checked on skills_check.jsonl and skills_dropped.jsonl


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Influence, provide feedback and oversee data scientist and data engineer outputs", "Data Science"),
        ("A strong support network of nurses as well as former PAs", "Nursing"),
        ("supporting the project manager to ensure high quality service delivery", "Project Management"),
        ("Reporting to the Operations Manager, you will lead an existing staff team", "Operations Management"),
        ("Answer Nurse call system, giving assistance as required", "Nursing"),
        ("more at https://people.com/health/teacher-brain-tumor-week-to-live/ today", "Teaching"),
        ("Approved recruiting agencies must obtain prior approval from ABL, Inc. Human Resources", "Human Resources"),
        ("ability to work cross-functionally with Sales, Customer Success, Product, and Engineering", "Sales"),
        ("influencing stakeholders across Sales, Product, Engineering, Operations, and vendors", "Sales"),
        ("Maintain an understanding of the Google Analytics product roadmap", "Product Management"),
    ],
)
def test_names_of_someone_else_or_of_a_page_are_not_skills(text, absent):
    assert absent not in extract_skills(text)


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("We are looking for a Registered Nurse to join the home", "Nursing"),
        ("3 years of experience as a Customer Success Manager, Account Manager, or related", "Account Management"),
        ("a highly skilled quantitative analyst / data scientist to assist", "Data Science"),
        ("function as a combination of a data scientist, data engineer, and project manager", "Project Management"),
        ("an experienced Project Manager", "Project Management"),
    ],
)
def test_a_name_of_the_hire_counts(text, skill):
    assert skill in extract_skills(text)


def test_a_name_of_a_person_in_the_title_counts():
    assert extract_skills("oversee data scientist outputs", title="Data Scientist") == ["Data Science"]


def test_a_full_stop_after_an_abbreviation_does_not_end_a_boilerplate_sentence():
    text = "We use Python, e.g. in reports. ABL, Inc. is an equal opportunity employer and values Python."
    assert extract_skills(text) == ["Python"]  # the first sentence still counts
    assert extract_skills("ABL, Inc. is an equal opportunity employer and values Python.") == []
