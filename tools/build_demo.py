"""Build the demo postings shipped in ingestion/data/demo/ (what `manage.py load_demo` loads).

Usage: .venv/bin/python -m tools.build_demo [--out DIR] [--count N]

Every posting is written here, for the project: fictional employers, templates per occupation,
combined by a seeded random generator, so the same script gives the same files byte for byte.
Places are real cities (so geocoding and `near=` work); employers, people and apply links are
made up (links point at example.org, a domain reserved for examples). One file per demo source:
`demo.jsonl` (the set) and `demo-mirror.jsonl` (a few of the same postings as a second board
lists them, so de-duplication has something to show). Fields are import_jobs' field names.

Posting dates are written relative to ANCHOR; load_demo moves them so the newest is the day it
loads them (see ingestion/services/demo.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "ingestion" / "data" / "demo"
SEED = 17
COUNT = 360
MIRRORED = 12  # postings the second board lists again
ANCHOR = datetime(2026, 6, 30, tzinfo=UTC)
MIN_WORDS, MAX_WORDS = 150, 400


# --- Places: real cities, by country -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Country:
    code: str
    name: str
    currency: str
    symbol: str  # as a free-text salary writes it
    pay_factor: float  # a salary in this currency for one pound of a UK salary, roughly
    cities: tuple[str, ...]
    monthly_share: float = 0.0  # postings that state a monthly salary (common in some countries)


COUNTRIES = (
    Country(
        "GB",
        "the United Kingdom",
        "GBP",
        "£",
        1.0,
        (
            "London",
            "Manchester",
            "Leeds",
            "Bristol",
            "Birmingham",
            "Glasgow",
            "Edinburgh",
            "Cardiff",
            "Newcastle upon Tyne",
            "Nottingham",
            "Sheffield",
            "Liverpool",
            "Brighton",
        ),
    ),
    Country(
        "US",
        "the United States",
        "USD",
        "$",
        1.45,
        (
            "New York, NY",
            "San Francisco, CA",
            "Austin, TX",
            "Chicago, IL",
            "Seattle, WA",
            "Boston, MA",
            "Denver, CO",
            "Atlanta, GA",
        ),
    ),
    Country("DE", "Germany", "EUR", "€", 1.15, ("Berlin", "Munich", "Hamburg", "Cologne", "Frankfurt"), 0.4),
    Country("FR", "France", "EUR", "€", 1.05, ("Paris", "Lyon", "Toulouse", "Bordeaux"), 0.4),
    Country("NL", "the Netherlands", "EUR", "€", 1.15, ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"), 0.3),
    Country("IE", "Ireland", "EUR", "€", 1.2, ("Dublin", "Cork", "Galway")),
    Country("ES", "Spain", "EUR", "€", 0.85, ("Madrid", "Barcelona", "Valencia", "Seville"), 0.4),
    Country("CA", "Canada", "CAD", "C$", 1.6, ("Toronto, ON", "Vancouver, BC", "Montreal, QC", "Calgary, AB")),
    Country("AU", "Australia", "AUD", "A$", 1.75, ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide")),
    Country("IN", "India", "INR", "₹", 22.0, ("Bengaluru", "Pune", "Hyderabad", "Chennai", "Mumbai"), 0.5),
    Country("SE", "Sweden", "SEK", "kr", 13.0, ("Stockholm", "Gothenburg", "Malmö"), 0.6),
)
BY_CODE = {country.code: country for country in COUNTRIES}


# --- Occupations ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Family:
    key: str
    category: str
    team: str
    base_salary: int  # a mid-level UK salary a year, in pounds
    hourly: float  # share of postings paid by the hour (or day, for contractors)
    remote: tuple[float, float, float]  # onsite, hybrid, remote weights
    types: tuple[tuple[str, float], ...]  # employment type as sources spell it, weight
    titles: dict[str, tuple[str, ...]]  # level -> titles
    about: tuple[str, ...]
    duties: tuple[str, ...]
    needs: tuple[str, ...]
    nice: tuple[str, ...]


FULL, PART, CONTRACT, TEMP = "full-time", "part-time", "contract", "temporary"

FAMILIES = (
    Family(
        key="software",
        category="IT Jobs",
        team="engineering",
        base_salary=58000,
        hourly=0.1,
        remote=(0.25, 0.4, 0.35),
        types=((FULL, 0.75), ("permanent", 0.05), (CONTRACT, 0.15), (TEMP, 0.05)),
        titles={
            "intern": ("Software Engineering Intern", "Summer Intern, Platform Engineering"),
            "entry": ("Junior Software Engineer", "Graduate Software Developer", "Junior Frontend Developer"),
            "mid": (
                "Software Engineer",
                "Backend Engineer (Python)",
                "Full Stack Developer",
                "Frontend Developer (React)",
                "DevOps Engineer",
                "Mobile Developer (iOS)",
                "QA Automation Engineer",
                "Java Developer",
            ),
            "senior": (
                "Senior Software Engineer",
                "Senior Backend Engineer",
                "Lead Frontend Engineer",
                "Senior Site Reliability Engineer",
                "Principal Engineer",
            ),
            "manager": ("Engineering Manager", "Engineering Manager, Payments"),
            "director": ("Head of Engineering", "Director of Platform Engineering"),
        },
        about=(
            "You will build and run the services behind our customer-facing products, working in a small "
            "cross-functional squad with a product manager and a designer.",
            "The team owns a set of APIs that handle millions of requests a day, and we care about tests, "
            "code review and calm on-call rotations.",
            "We ship several times a day behind feature flags and measure what we release.",
        ),
        duties=(
            "Design, build and test features end to end, from the database schema to the user interface",
            "Write clear, well-tested Python and TypeScript code and review your colleagues' pull requests",
            "Improve our CI/CD pipelines and the way we deploy containers with Docker and Kubernetes",
            "Take part in an on-call rotation and help us learn from incidents without blame",
            "Work with product and design to break large problems into small, shippable pieces",
            "Keep our REST APIs fast and documented, and our PostgreSQL queries efficient",
            "Mentor newer engineers and share what you learn in short write-ups",
        ),
        needs=(
            "Experience building web applications in Python, Java, Go or a similar language",
            "Comfort with SQL and relational databases such as PostgreSQL",
            "Working knowledge of Git, automated testing and code review",
            "Some experience with cloud platforms, ideally AWS, and infrastructure as code with Terraform",
            "Familiarity with JavaScript or TypeScript and a modern framework such as React",
            "Clear written communication and a habit of asking questions early",
        ),
        nice=(
            "Experience with Django or FastAPI",
            "Exposure to Kubernetes and observability tools",
            "Interest in accessibility and performance",
        ),
    ),
    Family(
        key="data",
        category="IT Jobs",
        team="data",
        base_salary=52000,
        hourly=0.05,
        remote=(0.25, 0.45, 0.3),
        types=((FULL, 0.85), (CONTRACT, 0.1), (TEMP, 0.05)),
        titles={
            "intern": ("Data Science Intern", "Data Analyst Intern"),
            "entry": ("Junior Data Analyst", "Graduate Data Engineer"),
            "mid": ("Data Analyst", "Data Engineer", "Data Scientist", "BI Developer", "Analytics Engineer"),
            "senior": ("Senior Data Scientist", "Senior Data Engineer", "Lead Data Analyst"),
            "manager": ("Analytics Manager",),
            "director": ("Head of Data",),
        },
        about=(
            "You will turn raw operational data into reliable tables, dashboards and models that the rest "
            "of the business uses every day.",
            "Our data platform runs on a cloud warehouse with scheduled pipelines, and we treat analysis as "
            "code: versioned, reviewed and tested.",
        ),
        duties=(
            "Build and maintain data pipelines with SQL, Python and Apache Airflow",
            "Create dashboards in Tableau or Power BI that answer real questions from the business",
            "Run analyses and experiments, and explain the results to non-technical colleagues",
            "Develop and evaluate machine learning models with pandas and scikit-learn",
            "Improve data quality checks and documentation of our core tables",
            "Work with engineers to make sure new features are measured from day one",
        ),
        needs=(
            "Strong SQL and experience with Python for data analysis",
            "A good grounding in statistics and experimental design",
            "Experience with a BI tool such as Tableau, Power BI or Looker",
            "Advanced Excel for quick checks and sharing results",
            "The ability to explain numbers simply and honestly",
        ),
        nice=(
            "Experience with Apache Spark or a cloud data warehouse",
            "Knowledge of dbt and data modelling",
        ),
    ),
    Family(
        key="nursing",
        category="Healthcare & Nursing Jobs",
        team="nursing",
        base_salary=36000,
        hourly=0.35,
        remote=(1.0, 0.0, 0.0),
        types=((FULL, 0.6), (PART, 0.25), (TEMP, 0.1), ("per diem", 0.05)),
        titles={
            "entry": ("Newly Qualified Nurse", "Graduate Nurse, Surgical Ward"),
            "mid": (
                "Registered Nurse",
                "Staff Nurse, Medical Ward",
                "Community Nurse",
                "Theatre Nurse",
                "Mental Health Nurse",
                "Practice Nurse",
            ),
            "senior": ("Senior Staff Nurse", "Clinical Nurse Specialist", "Lead Nurse, Emergency Department"),
            "manager": ("Ward Manager", "Nurse Manager"),
            "director": ("Director of Nursing",),
        },
        about=(
            "You will join a friendly ward team that cares for adult patients with a wide range of medical "
            "and surgical needs.",
            "Our clinics serve a busy local community, and we are proud of our patient feedback and low "
            "staff turnover.",
        ),
        duties=(
            "Assess, plan and deliver safe, person-centred patient care",
            "Administer medication and keep accurate records in our electronic health record system",
            "Carry out wound care, observations and infection control procedures",
            "Support patients and families with clear, compassionate communication",
            "Supervise healthcare assistants and support student nurses on placement",
            "Take part in clinical audits and continuous improvement",
        ),
        needs=(
            "Current registration as a nurse with the relevant national body",
            "Experience of patient care and medication administration in a hospital or clinic",
            "Basic Life Support training, or willingness to complete it",
            "Good organisation and the ability to stay calm under pressure",
            "A commitment to dignity, safety and teamwork",
        ),
        nice=("Phlebotomy or cannulation experience", "A mentorship qualification"),
    ),
    Family(
        key="care",
        category="Social work Jobs",
        team="care",
        base_salary=24000,
        hourly=0.7,
        remote=(1.0, 0.0, 0.0),
        types=((FULL, 0.4), (PART, 0.45), (TEMP, 0.1), ("contract", 0.05)),
        titles={
            "entry": ("Trainee Care Assistant",),
            "mid": ("Care Assistant", "Support Worker", "Domiciliary Carer", "Night Care Assistant"),
            "senior": ("Senior Care Worker", "Senior Support Worker"),
            "manager": ("Deputy Home Manager", "Registered Care Home Manager"),
        },
        about=(
            "You will help older people and adults with disabilities live the lives they choose, at home "
            "or in one of our small residential homes.",
            "We are a family-run care provider with a reputation for kindness and for looking after our staff.",
        ),
        duties=(
            "Provide personal care with dignity and respect",
            "Support people with meals, medication and daily routines",
            "Help residents take part in activities and stay connected with family",
            "Record care notes accurately and report any concerns",
            "Follow safeguarding, health and safety and infection control procedures",
        ),
        needs=(
            "A caring, patient nature and good communication skills",
            "Experience in care is welcome but not essential: full training is provided",
            "Understanding of safeguarding and first aid, or willingness to learn",
            "A full driving licence for community roles",
        ),
        nice=("Experience of dementia care", "A care certificate or equivalent qualification"),
    ),
    Family(
        key="sales",
        category="Sales Jobs",
        team="sales",
        base_salary=36000,
        hourly=0.05,
        remote=(0.5, 0.35, 0.15),
        types=((FULL, 0.85), (PART, 0.05), (CONTRACT, 0.05), (TEMP, 0.05)),
        titles={
            "intern": ("Sales Intern",),
            "entry": ("Sales Development Representative", "Graduate Sales Executive", "Retail Sales Assistant"),
            "mid": ("Sales Executive", "Account Executive", "Business Development Manager", "Key Account Manager"),
            "senior": ("Senior Account Executive", "Senior Business Development Manager"),
            "manager": ("Sales Manager", "Regional Sales Manager"),
            "director": ("Head of Sales", "Sales Director"),
        },
        about=(
            "You will win and grow relationships with business customers who rely on our products every day.",
            "Our sales team is collaborative rather than cut-throat, with a clear commission plan and honest targets.",
        ),
        duties=(
            "Generate new business through research, calls, email and events",
            "Manage a pipeline of opportunities in Salesforce and keep forecasts accurate",
            "Run discovery meetings and product demonstrations",
            "Negotiate commercial terms and close deals",
            "Look after existing accounts and find ways to grow them",
        ),
        needs=(
            "Experience in B2B sales, account management or a customer-facing role",
            "Confidence using a CRM such as Salesforce or HubSpot",
            "Strong negotiation and presentation skills",
            "Resilience and a structured approach to your week",
        ),
        nice=("Experience selling software or services", "A full driving licence"),
    ),
    Family(
        key="teaching",
        category="Teaching Jobs",
        team="teaching",
        base_salary=37000,
        hourly=0.05,
        remote=(1.0, 0.0, 0.0),
        types=((FULL, 0.7), (PART, 0.2), ("fixed term", 0.1)),
        titles={
            "entry": ("Trainee Teacher", "Early Career Teacher, Primary"),
            "mid": (
                "Primary School Teacher",
                "Secondary Maths Teacher",
                "English Teacher",
                "Science Teacher",
                "Teaching Assistant",
                "Early Years Practitioner",
                "Lecturer in Computer Science",
            ),
            "senior": ("Senior Lecturer in Business", "Lead Practitioner, Mathematics"),
            "manager": ("Head of Year",),
            "director": ("Head of Science", "Head of Sixth Form"),
        },
        about=(
            "You will join a supportive school where pupils are curious and staff share resources and ideas.",
            "Our college serves a diverse community of learners, from school leavers to adults returning to study.",
        ),
        duties=(
            "Plan and teach engaging lessons that meet the needs of every pupil",
            "Assess progress and give clear, timely feedback",
            "Manage the classroom with warmth, consistency and high expectations",
            "Work with colleagues on curriculum development and shared schemes of work",
            "Support pupils with special educational needs alongside our SENCO",
            "Keep parents and carers informed about progress",
        ),
        needs=(
            "Qualified teacher status or an equivalent teaching qualification",
            "Good subject knowledge and a passion for teaching",
            "A strong understanding of safeguarding",
            "Experience using Google Classroom or a similar learning platform",
        ),
        nice=("Experience leading a club or trip", "Experience with special educational needs"),
    ),
    Family(
        key="logistics",
        category="Logistics & Warehouse Jobs",
        team="operations",
        base_salary=28000,
        hourly=0.6,
        remote=(0.95, 0.05, 0.0),
        types=((FULL, 0.5), (TEMP, 0.25), ("seasonal", 0.05), (PART, 0.15), (CONTRACT, 0.05)),
        titles={
            "entry": ("Trainee Warehouse Operative",),
            "mid": (
                "Warehouse Operative",
                "Forklift Driver",
                "HGV Class 1 Driver",
                "Delivery Driver",
                "Logistics Coordinator",
                "Supply Chain Analyst",
            ),
            "senior": ("Senior Supply Chain Analyst", "Lead Warehouse Operative"),
            "manager": ("Warehouse Manager", "Transport Manager"),
            "director": ("Head of Logistics",),
        },
        about=(
            "You will keep goods moving through our regional distribution centre, which ships to shops and "
            "homes across the country.",
            "Our fleet and warehouse teams work in shifts around the clock, and safety comes first on every "
            "one of them.",
        ),
        duties=(
            "Pick, pack and dispatch orders accurately using handheld scanners",
            "Load and unload vehicles safely, including with a counterbalance forklift",
            "Plan delivery routes and keep drivers and customers informed",
            "Keep stock records up to date in our warehouse management system and SAP",
            "Report hazards and help keep the site clean and safe",
        ),
        needs=(
            "Experience in a warehouse, logistics or delivery role",
            "A valid driving licence (and a forklift licence or HGV Class 1 for those roles)",
            "Good attention to detail and basic computer skills",
            "Willingness to work shifts, including some weekends",
        ),
        nice=("Experience of inventory management", "Knowledge of supply chain management software"),
    ),
    Family(
        key="finance",
        category="Accounting & Finance Jobs",
        team="finance",
        base_salary=46000,
        hourly=0.05,
        remote=(0.35, 0.5, 0.15),
        types=((FULL, 0.8), ("permanent", 0.05), (CONTRACT, 0.1), (TEMP, 0.05)),
        titles={
            "intern": ("Finance Intern",),
            "entry": ("Trainee Accountant", "Junior Accounts Assistant", "Accounts Payable Clerk"),
            "mid": ("Accountant", "Financial Analyst", "Payroll Specialist", "Management Accountant", "Auditor"),
            "senior": ("Senior Financial Analyst", "Senior Accountant"),
            "manager": ("Finance Manager", "Financial Controller"),
            "director": ("Head of Finance", "Finance Director"),
        },
        about=(
            "You will keep our numbers accurate and help leaders make decisions with them.",
            "Our finance team is small and close-knit, and we are moving our month-end close onto modern tools.",
        ),
        duties=(
            "Prepare monthly management accounts and financial reporting",
            "Reconcile bank, ledger and balance sheet accounts",
            "Support budgeting and forecasting with business partners",
            "Process accounts payable and payroll accurately and on time",
            "Help with the year-end audit and VAT returns",
        ),
        needs=(
            "Experience in an accounting or finance role",
            "Advanced Microsoft Excel skills",
            "Experience with Xero, Sage or SAP",
            "Part-qualified or qualified ACCA, CIMA or equivalent (for accountant roles)",
        ),
        nice=("Knowledge of IFRS", "Experience improving finance processes"),
    ),
    Family(
        key="trades",
        category="Trade & Construction Jobs",
        team="facilities",
        base_salary=35000,
        hourly=0.5,
        remote=(1.0, 0.0, 0.0),
        types=((FULL, 0.6), (CONTRACT, 0.3), (TEMP, 0.1)),
        titles={
            "entry": ("Apprentice Electrician", "Trainee Maintenance Technician"),
            "mid": ("Electrician", "Plumber", "HVAC Technician", "Carpenter", "Maintenance Technician"),
            "senior": ("Senior Electrician", "Lead Maintenance Engineer"),
            "manager": ("Site Supervisor", "Facilities Manager"),
        },
        about=(
            "You will keep our buildings and equipment safe and working, across a mix of planned and reactive jobs.",
            "Our engineers work from a well-stocked van and are supported by a helpful planning team.",
        ),
        duties=(
            "Install, test and repair electrical, plumbing or HVAC systems",
            "Carry out planned preventive maintenance and fault finding",
            "Complete job sheets and safety checks on a mobile app",
            "Work safely and follow health and safety procedures on every site",
            "Advise customers clearly on repairs and next steps",
        ),
        needs=(
            "A recognised trade qualification (for example the 18th Edition for electricians)",
            "Experience in a maintenance or installation role",
            "A full driving licence",
            "A CSCS card, or willingness to get one",
        ),
        nice=("Experience with PLC controls", "Knowledge of AutoCAD drawings"),
    ),
    Family(
        key="support",
        category="Customer Services Jobs",
        team="customer support",
        base_salary=25000,
        hourly=0.3,
        remote=(0.45, 0.25, 0.3),
        types=((FULL, 0.6), (PART, 0.3), (TEMP, 0.1)),
        titles={
            "entry": ("Customer Service Advisor", "Receptionist", "Trainee Administrator"),
            "mid": ("Office Administrator", "Customer Support Specialist", "Executive Assistant"),
            "senior": ("Senior Customer Support Specialist",),
            "manager": ("Customer Service Team Leader", "Office Manager"),
        },
        about=(
            "You will be the first voice our customers hear, helping them by phone, chat and email.",
            "Our office team keeps the business running smoothly, from diaries and suppliers to visitors.",
        ),
        duties=(
            "Answer customer questions by phone, email and chat in Zendesk",
            "Resolve complaints fairly and follow up until they are fixed",
            "Manage diaries, book meetings and keep records organised",
            "Carry out accurate data entry and prepare simple reports",
            "Share customer feedback with the product and operations teams",
        ),
        needs=(
            "Experience in customer service or administration",
            "Confident use of Microsoft Office, including Outlook and Excel",
            "Clear, friendly written and spoken English",
            "Good organisation and attention to detail",
        ),
        nice=("A second language", "Experience with a ticketing system"),
    ),
    Family(
        key="marketing",
        category="PR, Advertising & Marketing Jobs",
        team="marketing",
        base_salary=40000,
        hourly=0.05,
        remote=(0.25, 0.5, 0.25),
        types=((FULL, 0.8), (PART, 0.05), ("freelance", 0.1), (TEMP, 0.05)),
        titles={
            "intern": ("Marketing Intern",),
            "entry": ("Marketing Assistant", "Junior Graphic Designer"),
            "mid": (
                "Digital Marketing Executive",
                "Content Writer",
                "UX Designer",
                "Graphic Designer",
                "SEO Specialist",
            ),
            "senior": ("Senior Product Designer", "Senior Content Strategist"),
            "manager": ("Marketing Manager", "Design Manager"),
            "director": ("Head of Marketing",),
        },
        about=(
            "You will tell our story clearly and help the right people find us.",
            "Our brand and design team works closely with product, and we test ideas with real users.",
        ),
        duties=(
            "Plan and run campaigns across email, social media and paid search",
            "Write and edit clear content for our website and newsletters",
            "Design pages and assets in Figma and Adobe Photoshop",
            "Improve search engine optimisation and track results in Google Analytics",
            "Run user research and turn findings into wireframes and prototypes",
        ),
        needs=(
            "A portfolio or examples of campaigns, writing or design work",
            "Experience with Google Analytics and at least one design tool such as Figma",
            "Good copywriting and an eye for detail",
            "The ability to manage several projects at once",
        ),
        nice=("Experience with SEO tools", "Basic HTML and CSS"),
    ),
    Family(
        key="hospitality",
        category="Hospitality & Catering Jobs",
        team="kitchen and front-of-house",
        base_salary=25000,
        hourly=0.65,
        remote=(1.0, 0.0, 0.0),
        types=((FULL, 0.5), (PART, 0.35), ("seasonal", 0.1), (TEMP, 0.05)),
        titles={
            "entry": ("Kitchen Porter", "Barista", "Commis Chef"),
            "mid": ("Chef de Partie", "Hotel Receptionist", "Restaurant Supervisor", "Bartender"),
            "senior": ("Sous Chef", "Senior Hotel Receptionist"),
            "manager": ("Restaurant Manager", "Hotel Operations Manager"),
            "director": ("Head Chef",),
        },
        about=(
            "You will help run a busy kitchen and dining room that cooks with seasonal, local produce.",
            "Our hotel welcomes guests from around the world, and we want every stay to feel personal.",
        ),
        duties=(
            "Prepare and present dishes to a consistent standard",
            "Follow food safety and hygiene procedures, including HACCP records",
            "Welcome guests warmly and handle bookings, payments and questions",
            "Help with stock rotation, ordering and keeping the kitchen clean",
            "Work as one team across kitchen and front of house",
        ),
        needs=(
            "Experience in a restaurant, café or hotel (training is available for entry roles)",
            "A food hygiene certificate, or willingness to gain one",
            "Good customer service and communication skills",
            "Flexibility to work evenings and weekends",
        ),
        nice=("Barista skills", "Experience with a booking system"),
    ),
    Family(
        key="people",
        category="HR & Recruitment Jobs",
        team="people",
        base_salary=38000,
        hourly=0.05,
        remote=(0.3, 0.55, 0.15),
        types=((FULL, 0.8), (PART, 0.1), (CONTRACT, 0.1)),
        titles={
            "intern": ("HR Intern",),
            "entry": ("HR Assistant", "Recruitment Coordinator"),
            "mid": ("HR Advisor", "Recruiter", "Talent Acquisition Partner", "HR Business Partner"),
            "senior": ("Senior Recruiter", "Senior HR Business Partner"),
            "manager": ("HR Manager",),
            "director": ("Head of People",),
        },
        about=(
            "You will help us hire well and look after the people who already work here.",
            "Our people team supports a growing organisation across several countries.",
        ),
        duties=(
            "Run recruitment from job description to offer, including interviewing",
            "Advise managers on employee relations and policy",
            "Manage onboarding so new starters feel welcome from day one",
            "Keep our HRIS, Workday, accurate and produce simple reports",
            "Support pay reviews and engagement surveys",
        ),
        needs=(
            "Experience in HR or recruitment",
            "Working knowledge of employment law",
            "Good judgement and discretion with confidential matters",
            "CIPD qualification or working towards it (for HR roles)",
        ),
        nice=("Experience with an applicant tracking system",),
    ),
    Family(
        key="product",
        category="IT Jobs",
        team="product",
        base_salary=58000,
        hourly=0.05,
        remote=(0.25, 0.45, 0.3),
        types=((FULL, 0.85), (CONTRACT, 0.15)),
        titles={
            "entry": ("Associate Product Manager", "Junior Project Coordinator"),
            "mid": ("Product Manager", "Project Manager", "Scrum Master", "Business Analyst"),
            "senior": ("Senior Product Manager", "Senior Project Manager"),
            "manager": ("Programme Manager",),
            "director": ("Head of Product", "Director of Delivery"),
        },
        about=(
            "You will decide what we build next and make sure it gets delivered.",
            "Our product and delivery teams work in short Agile cycles with engineers and designers.",
        ),
        duties=(
            "Own a product area's roadmap and explain the reasons behind it",
            "Run Scrum ceremonies and keep work visible in Jira and Confluence",
            "Manage stakeholders, risks and dependencies across teams",
            "Talk to customers and turn what you learn into clear requirements",
            "Measure outcomes and adjust plans when the evidence changes",
        ),
        needs=(
            "Experience in product management, project management or business analysis",
            "Good knowledge of Agile and Scrum",
            "Excellent stakeholder management and written communication",
            "Comfort with data: you can write a simple SQL query or read a dashboard",
        ),
        nice=("PRINCE2 or a Scrum certification", "Experience with a technical product"),
    ),
)
BY_FAMILY = {family.key: family for family in FAMILIES}
# How often each occupation appears (a job board's mix, not any real one's).
FAMILY_WEIGHTS = {
    "software": 14,
    "data": 7,
    "nursing": 8,
    "care": 7,
    "sales": 8,
    "teaching": 7,
    "logistics": 8,
    "finance": 8,
    "trades": 6,
    "support": 7,
    "marketing": 6,
    "hospitality": 6,
    "people": 4,
    "product": 5,
}
LEVEL_WEIGHTS = {"intern": 7, "entry": 14, "mid": 42, "senior": 22, "manager": 11, "director": 5}
LEVEL_PAY = {"intern": 0.45, "entry": 0.75, "mid": 1.0, "senior": 1.3, "manager": 1.45, "director": 1.9}


# --- Employers: all fictional -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Employer:
    name: str
    blurb: str
    families: tuple[str, ...]
    countries: tuple[str, ...]


# name | what it is | the occupations it hires for | the countries it hires in
_EMPLOYER_TABLE = """
Pebblewick Logistics | a regional parcel and pallet carrier | logistics finance support | GB IE
Quillfeather Analytics | a consultancy that builds forecasting tools for retailers | data software product | GB US
Marrowfield Care Homes | a group of small residential care homes | care nursing hospitality | GB
Bramblegate Health Partnership | a community health provider running clinics and wards | nursing care support | GB
Otterbank Software | a maker of scheduling software for small businesses | software product data marketing | GB DE NL
Thistledown Academy Trust | a trust of primary and secondary schools | teaching support | GB
Lanternbrook Bank | a digital bank for freelancers and small firms | finance software data support | GB US IE
Cinderpine Outfitters | an outdoor clothing retailer | sales marketing logistics support | US CA
Harrowgate & Finch Builders | a building and refurbishment contractor | trades product finance | GB
Moonquarry Games | an independent studio making cosy strategy games | software marketing product | SE DE CA
Saltmarsh Freight Co | a freight forwarder moving containers between ports | logistics trades finance | NL DE US
Velvetfern Hotels | a collection of boutique city hotels | hospitality sales people | FR ES GB
Kestrelmoor Insurance | a home and travel insurer | finance support sales data | GB IE
Brightkettle Foods | a producer of soups and ready meals | hospitality logistics sales | GB AU
Copperwillow Clinics | a network of walk-in and family health clinics | nursing care support | US CA
Ironleaf Energy Systems | an installer of heat pumps and solar panels | trades software product sales | DE US AU
Nimbleheron Robotics | a start-up building warehouse robots | software data product | US IN
Puddlestone Primary Federation | a federation of village primary schools | teaching | GB
Gossamer Ledger Technologies | a maker of accounting software | finance software support | IN GB US
Fablemint Publishing | a publisher of children's books and learning apps | marketing sales people | GB US
Tumbleweed Transit | a bus and coach operator | logistics support trades | US AU
Wrenfield University College | a small university college | teaching support people | GB IE
Applethorn Pharmacy Group | a chain of community pharmacies | nursing support logistics | AU GB
Starling Vale Credit Union | a member-owned credit union | finance support | IE CA
Driftglass Studio | a branding and web design studio | marketing software | ES FR NL
Hollowoak Facilities | a facilities management company | trades support | GB CA
Lumenmarsh Labs | a research lab for energy-efficient computing | data software | DE SE
Parchment & Pine Recruitment | a specialist recruitment agency | people sales | GB AU
Quietriver Home Care | a home care agency | care nursing | US CA AU
Sprocketfen Manufacturing | a maker of bicycle parts | trades logistics finance | DE IN
Tidewhistle Telecom | a broadband and mobile provider | support sales software | IN GB
Umberlight Schools Network | a network of international schools | teaching support | US CA IN
Verdigris Vineyards | a winery with a restaurant and visitor centre | hospitality sales logistics | FR AU
Wobblestone Retail | a homeware retailer | sales support logistics | GB US
Zephyrcombe Consulting | a management consultancy | finance people product data | NL GB US
Glimmerbay Travel | a tour operator for walking holidays | support marketing hospitality | ES GB
Foxhollow Payroll Services | a payroll bureau | finance people | GB IE
Snapdragon Kitchen Collective | a group of neighbourhood restaurants | hospitality | GB NL
Cobblemere Security | a maker of password and identity software | software support sales | US DE
Juniperwharf Medical Staffing | a nursing and care staffing agency | nursing care | GB AU IE
"""
EMPLOYERS = tuple(
    Employer(name, blurb, tuple(families.split()), tuple(countries.split()))
    for name, blurb, families, countries in (
        [cell.strip() for cell in line.split("|")] for line in _EMPLOYER_TABLE.strip().splitlines()
    )
)

OFFERS = (
    "Holiday allowance above the legal minimum, plus your birthday off",
    "A pension or retirement plan with employer contributions",
    "A yearly learning budget and time for training",
    "Flexible working hours where the role allows",
    "An employee assistance programme",
    "Cycle-to-work scheme and discounts with local businesses",
    "Paid parental leave above the statutory minimum",
    "Free meals on shift",
    "Enhanced sick pay",
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _weighted(rng: random.Random, pairs: Mapping[str, float] | tuple[tuple[str, float], ...]) -> str:
    items = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def _round(amount: float, step: float) -> float:
    return round(round(amount / step) * step, 2)


def _number(value: float) -> str:
    """An amount as a file states it: 52500, 24.5, 13.75."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _salary(rng: random.Random, family: Family, level: str, country: Country, employment: str) -> dict[str, object]:
    """Structured pay (most), pay as free text (some), or none at all (about a quarter)."""
    roll = rng.random()
    if roll < 0.25:
        return {}
    yearly_low = family.base_salary * LEVEL_PAY[level] * country.pay_factor * rng.uniform(0.9, 1.1)
    yearly_high = yearly_low * rng.uniform(1.1, 1.3)
    step: float
    if employment in (CONTRACT, "freelance") and rng.random() < 0.6:
        period, divisor, step = "day", 230, 25
    elif rng.random() < family.hourly and country.code != "IN":  # Indian postings state a month or a year
        period, divisor, step = "hour", 1950, 0.25
    elif rng.random() < country.monthly_share:
        period, divisor, step = "month", 12, 50
    elif employment == TEMP and rng.random() < 0.3:
        period, divisor, step = "week", 52, 5
    else:
        period, divisor, step = "year", 1, 500 if country.pay_factor < 5 else 10000
    if period == "hour" and country.pay_factor > 5:
        step = 5  # kronor
    low = _round(yearly_low / divisor, step)
    high = _round(yearly_high / divisor, step)
    if high <= low:
        high = low + step
    amount = (lambda v: f"{v:,.2f}") if step < 1 else (lambda v: f"{v:,.0f}")
    if roll < 0.37:
        # As a careers page writes it; the normalizer parses the range, currency and period.
        words = {"hour": "per hour", "day": "per day", "week": "per week", "month": "per month", "year": "per year"}
        return {"salary": f"{country.symbol}{amount(low)} - {country.symbol}{amount(high)} {words[period]}"}
    if roll < 0.42:
        # One figure only ("from ...").
        return {"salary_min": _number(low), "salary_currency": country.currency, "salary_period": period}
    pay: dict[str, object] = {
        "salary_min": _number(low),
        "salary_max": _number(high),
        "salary_currency": country.currency,
        "salary_period": period,
    }
    if roll > 0.97:
        pay["salary_is_predicted"] = True  # as an aggregator estimates it
    return pay


def _bullets(rng: random.Random, lines: tuple[str, ...], low: int, high: int) -> list[str]:
    return ["- " + line for line in rng.sample(lines, min(len(lines), rng.randint(low, high)))]


def _description(
    rng: random.Random,
    *,
    employer: Employer,
    family: Family,
    title: str,
    city: str,
    country: Country,
    remote: str,
    employment: str,
) -> str:
    place = city.split(",")[0]
    arrangement = {
        "onsite": f"This role is based on site in {place}.",
        "hybrid": f"This is a hybrid role: two or three days a week in our {place} office, the rest from home.",
        "remote": f"This is a fully remote role for people living in {country.name}; we meet in person twice a year.",
    }[remote]
    hours = {
        PART: "Part-time hours, between 16 and 30 a week, agreed with you.",
        TEMP: "A temporary assignment of about six months, with the chance to stay on.",
        "seasonal": "A seasonal position from spring to autumn.",
        "fixed term": "A fixed-term post covering one school year.",
        CONTRACT: "A contract of six to twelve months, outside IR35 where that applies.",
        "freelance": "A freelance engagement of about three days a week.",
        "per diem": "Per diem shifts booked a month ahead.",
    }.get(employment, "A permanent, full-time position.")
    parts = [
        f"{employer.name} is {employer.blurb}. We are looking for a {title} to join our {family.team} team in {place}.",
        "",
        "About the role",
        " ".join(rng.sample(family.about, min(2, len(family.about)))) + " " + arrangement + " " + hours,
        "",
        "What you will do:",
        *_bullets(rng, family.duties, 4, 5),
        "",
        "Requirements:",
        *_bullets(rng, family.needs, 3, 5),
        "",
        "Nice to have:",
        *_bullets(rng, family.nice, 1, 2),
        "",
        "What we offer:",
        *_bullets(rng, OFFERS, 3, 4),
        "",
        f"{employer.name} welcomes applications from everyone and will make reasonable adjustments during "
        "the process. This is a demo posting written for gigm8: the employer is fictional.",
    ]
    return "\n".join(parts)


def _posting(rng: random.Random, number: int) -> dict[str, object]:
    family = BY_FAMILY[_weighted(rng, FAMILY_WEIGHTS)]
    employer = rng.choice([e for e in EMPLOYERS if family.key in e.families])
    country = BY_CODE[rng.choice(employer.countries)]
    city = rng.choice(country.cities)
    levels = {level: weight for level, weight in LEVEL_WEIGHTS.items() if level in family.titles}
    level = _weighted(rng, levels)
    title = rng.choice(family.titles[level])
    remote = _weighted(rng, tuple(zip(("onsite", "hybrid", "remote"), family.remote, strict=True)))
    employment = "internship" if level == "intern" else _weighted(rng, family.types)
    posted = ANCHOR - timedelta(days=rng.randint(0, 44), hours=rng.randint(0, 10), minutes=rng.choice((0, 15, 30, 45)))
    external_id = f"demo-{number:04d}"
    record: dict[str, object] = {
        "external_id": external_id,
        "title": title,
        "company": employer.name,
        "location": "Remote" if remote == "remote" and rng.random() < 0.5 else city,
        "country": country.code,
        "remote": remote,
        "category": family.category,
        "url": f"https://jobs.example.org/{_slug(employer.name)}/{external_id}",
    }
    if rng.random() > 0.04:
        record["employment_type"] = employment  # a few postings state no type
    record.update(_salary(rng, family, level, country, employment))
    if rng.random() > 0.06:
        record["posted_at"] = posted.strftime("%Y-%m-%dT%H:%M:%SZ")  # a few give no date ("date unknown")
        if rng.random() < 0.12:
            record["expires_at"] = (posted + timedelta(days=rng.randint(40, 60))).strftime("%Y-%m-%dT%H:%M:%SZ")
    record["description"] = _description(
        rng,
        employer=employer,
        family=family,
        title=title,
        city=city,
        country=country,
        remote=remote,
        employment=employment,
    )
    words = len(str(record["description"]).split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        raise SystemExit(f"{external_id}: {words} words in the description, outside {MIN_WORDS}-{MAX_WORDS}")
    return record


def _mirror(record: dict[str, object], number: int) -> dict[str, object]:
    """The same posting as a second (fictional) board lists it: its own id and link, the company
    spelled with a legal suffix, the same text with the board's line at the end."""
    external_id = f"mirror-{number:03d}"
    copy = dict(record)
    copy["external_id"] = external_id
    copy["company"] = f"{record['company']} Ltd." if "&" not in str(record["company"]) else record["company"]
    copy["url"] = f"https://board.example.net/jobs/{external_id}"
    copy["description"] = f"{record['description']}\n\nListed on the Demo Mirror board (fictional)."
    return copy


def build(*, count: int = COUNT, seed: int = SEED) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rng = random.Random(seed)
    records = [_posting(rng, number) for number in range(1, count + 1)]
    # Mirrored: located postings of employers with a fixed place (a fingerprint is company + title + place).
    candidates = [r for r in records if r["location"] != "Remote"]
    mirrored = rng.sample(candidates, MIRRORED)
    mirror = [_mirror(record, number) for number, record in enumerate(mirrored, start=1)]
    return records, mirror


def _write(path: Path, records: list[dict[str, object]]) -> None:
    lines = [json.dumps(record, ensure_ascii=False, sort_keys=False) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Directory the .jsonl files go to.")
    parser.add_argument("--count", type=int, default=COUNT, help="Postings in the main set.")
    args = parser.parse_args(argv)
    records, mirror = build(count=args.count)
    args.out.mkdir(parents=True, exist_ok=True)
    _write(args.out / "demo.jsonl", records)
    _write(args.out / "demo-mirror.jsonl", mirror)
    print(f"wrote {len(records)} postings to {args.out / 'demo.jsonl'} and {len(mirror)} to demo-mirror.jsonl")


if __name__ == "__main__":
    main()
