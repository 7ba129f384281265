"""Build matching/data/skills_vocabulary.tsv from O*NET Technology Skills plus curated skills.

Usage: .venv/bin/python -m matching.build_vocabulary [--onet PATH] [--out PATH]

O*NET 29.2 (CC BY 4.0) names 8,768 technologies; we keep the ones O*NET flags as "hot" or
links to at least three occupations (the rest are niche products that mostly add noise),
give each a short canonical name ("Structured query language SQL" -> "SQL", "Oracle Java"
-> "Java") and keep the long forms as aliases. Then the curated skills below: concepts and
non-software skills that O*NET's technology list lacks, and the aliases people write
("JS", "k8s", "Postgres", "golang"). The output ships with the project (attribution in its
header and in the README); run this again when either input changes.
"""

from __future__ import annotations

import argparse
import collections
import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_ONET = HERE.parent.parent / "shared" / "data" / "skills_taxonomy" / "onet_29_2" / "Technology Skills.txt"
DEFAULT_OUT = HERE / "data" / "skills_vocabulary.tsv"
MIN_OCCUPATIONS = 3

# Company names O*NET puts before a product ("Autodesk AutoCAD"): the product alone is an alias.
VENDORS = (
    "Microsoft",
    "Adobe",
    "Oracle",
    "Apache",
    "Autodesk",
    "IBM",
    "Google",
    "Amazon",
    "Atlassian",
    "Apple",
    "SAP",
    "Dassault Systemes",
    "The MathWorks",
    "Intuit",
    "ESRI",
    "Red Hat",
    "Trimble",
    "Bentley",
    "Cisco",
    "Hewlett Packard",
    "HP",
    "Salesforce",
    "Tableau",
    "Epic Systems",
    "Corel",
    "Sage",
    "Siemens",
    "Facebook",
    "Meta",
    "Elastic",
    "Eclipse",
    "Jenkins",
    "Puppet",
    "VMware",
    "Citrix",
    "Novell",
    "Wolfram Research",
    "Minitab",
    "Blackbaud",
    "Infor",
    "Unit4",
)
# Product names that are also ordinary English words: matched only as written (capitalised),
# and never as an alias without their vendor.
COMMON_WORDS = frozenset(
    [
        "access",
        "office",
        "project",
        "teams",
        "word",
        "windows",
        "outlook",
        "dynamics",
        "database",
        "publisher",
        "paint",
        "excel",
        "visual",
        "server",
        "sharepoint",
        "forms",
        "flow",
        "stream",
        "sheets",
        "docs",
        "drive",
        "slides",
        "calendar",
        "chrome",
        "search",
        "maps",
        "analytics",
        "ads",
        "keep",
        "meet",
        "slack",
        "zoom",
        "chef",
        "puppet",
        "swift",
        "ruby",
        "go",
        "spark",
        "hive",
        "pig",
        "storm",
        "kafka",
        "flask",
        "rails",
        "express",
        "ember",
        "backbone",
        "meteor",
        "react",
        "angular",
        "vue",
        "node",
        "gatsby",
        "next",
        "nuxt",
        "redux",
        "spring",
        "struts",
        "play",
        "akka",
        "camel",
        "ant",
        "maven",
        "gradle",
        "make",
        "bamboo",
        "jira",
        "notes",
        "domino",
        "connect",
        "elements",
        "bridge",
        "premiere",
        "animate",
        "audition",
        "lightroom",
        "dreamweaver",
        "muse",
        "portfolio",
        "sign",
        "acrobat",
        "reader",
        "scan",
        "capture",
        "workbench",
        "studio",
        "designer",
        "builder",
        "manager",
        "center",
        "centre",
        "suite",
        "cloud",
        "enterprise",
        "professional",
        "premium",
        "standard",
        "basic",
        "pro",
        "plus",
        "one",
        "live",
        "portal",
        "desktop",
        "mobile",
        "web",
        "online",
        "express",
        "cash",
        "payroll",
        "money",
        "time",
        "timekeeper",
        "tracker",
        "planner",
        "report",
        "reports",
        "reporting",
        "workforce",
        "business",
        "insight",
        "insights",
        "mail",
        "messenger",
        "explorer",
        "edge",
        "safari",
        "opera",
        "firefox",
        "photos",
        "pages",
        "numbers",
        "keynote",
        "music",
        "books",
        "news",
        "health",
        "quest",
        "focus",
        "target",
        "summit",
        "atlas",
        "compass",
        "genesis",
        "mercury",
        "apollo",
        "oracle",
        "delphi",
        "pascal",
        "logo",
        "basic",
        "scheme",
        "prolog",
        "ada",
        "j",
        "c",
        "r",
        "s",
        "e",
        "d",
        "b",
        "f",
        "m",
        "fortran",
        "cobol",
        "shell",
        "bash",
        "perl",
        "tcl",
        "lua",
        "dart",
        "rust",
        "julia",
        "crystal",
        "elixir",
        "erlang",
        "hack",
        "nim",
        "zig",
    ]
)
# Concepts and skills beyond O*NET's software list, with the spellings people use. Broad on
# purpose (every field a job board sees), not tuned to any evaluation set.
CURATED: dict[str, list[str]] = {
    # Languages and runtimes (aliases O*NET lacks)
    "JavaScript": ["JS", "ECMAScript", "ES6", "Javascript"],
    "TypeScript": [],
    "Go": ["golang"],
    "Python": ["python3"],
    "C++": ["cpp", "c plus plus"],
    "C#": ["csharp", "c sharp"],
    ".NET": ["dotnet", "dot net", ".NET Core", "ASP.NET Core"],
    "Node.js": ["nodejs", "node js", "Node"],
    "Kotlin": [],
    "Rust": [],
    "Scala": [],
    "Objective-C": ["objc"],
    "Shell scripting": ["shell script", "shell scripting", "bash scripting"],
    # Data and ML
    "Machine Learning": ["ML", "machine-learning"],
    "Deep Learning": ["deep neural networks", "neural networks", "neural network"],
    "Natural Language Processing": ["NLP", "text mining", "text analytics"],
    "Computer Vision": ["image processing", "image recognition"],
    "Data Science": ["data scientist"],
    "Data Analysis": ["data analytics", "data analyst", "analysing data", "analyzing data"],
    "Statistics": ["statistical analysis", "statistical modeling", "statistical modelling"],
    "Data Visualization": ["data visualisation", "dashboards", "dashboarding"],
    "Big Data": ["big-data"],
    "ETL": ["extract transform load", "data pipelines", "data pipeline"],
    "Data Engineering": ["data engineer"],
    "Data Warehousing": ["data warehouse", "data warehousing"],
    "Data Mining": [],
    "Predictive Modeling": ["predictive modelling", "predictive analytics"],
    "Regression Analysis": ["regression", "linear regression", "logistic regression"],
    "TensorFlow": ["tensor flow"],
    "PyTorch": ["torch"],
    "Keras": [],
    "scikit-learn": ["sklearn", "scikit learn"],
    "pandas": [],
    "NumPy": [],
    "Apache Spark": ["PySpark", "Spark"],
    "Apache Hadoop": ["Hadoop", "HDFS", "MapReduce"],
    "Apache Kafka": ["Kafka"],
    "Apache Airflow": ["Airflow"],
    "Apache Hive": ["Hive", "HiveQL"],
    "Jenkins": ["Jenkins CI"],
    "A/B Testing": ["AB testing", "split testing", "experimentation"],
    "Large Language Models": ["LLM", "LLMs", "generative AI", "GenAI"],
    "Artificial Intelligence": ["AI"],
    "Recommender Systems": ["recommendation systems", "recommendation engine"],
    "Time Series Analysis": ["time series", "forecasting"],
    # Databases
    "PostgreSQL": ["Postgres", "psql", "postgre"],
    "MySQL": [],
    "MongoDB": ["mongo"],
    "Redis": [],
    "SQL": ["structured query language", "SQL queries"],
    "NoSQL": [],
    "Elasticsearch": ["elastic search", "ELK"],
    # Cloud, ops, architecture
    "Kubernetes": ["k8s", "kube"],
    "Docker": ["containers", "containerization", "containerisation"],
    "Amazon Web Services": ["AWS", "Amazon AWS"],
    "Microsoft Azure": ["Azure"],
    "Google Cloud Platform": ["GCP", "Google Cloud"],
    "Terraform": [],
    "CI/CD": ["continuous integration", "continuous delivery", "continuous deployment", "CICD"],
    "DevOps": ["dev ops"],
    "Microservices": ["micro services", "microservice architecture"],
    "REST APIs": ["REST", "RESTful", "REST API", "RESTful APIs", "web services", "API development"],
    "GraphQL": [],
    "Linux": ["GNU/Linux", "Ubuntu", "CentOS", "Debian"],
    "Git": ["GitHub", "GitLab", "Bitbucket", "version control"],
    "Cloud Computing": ["cloud infrastructure", "cloud services"],
    "Networking": ["TCP/IP", "computer networks", "network administration", "routing and switching"],
    "Cybersecurity": ["information security", "cyber security", "network security", "infosec"],
    "System Administration": ["sysadmin", "systems administration", "system administrator"],
    # Web and mobile
    "React": ["ReactJS", "React.js", "React Native"],
    "Angular": ["AngularJS", "Angular.js"],
    "Vue.js": ["Vue", "VueJS"],
    "HTML": ["HTML5"],
    "CSS": ["CSS3", "SCSS", "Sass"],
    "Django": [],
    "Flask": [],
    "Spring Boot": ["SpringBoot"],
    "Spring Framework": ["Spring MVC", "Spring"],
    "Hibernate": [],
    "J2EE": ["Java EE", "JEE", "Jakarta EE"],
    "Android Development": ["Android", "Android SDK"],
    "iOS Development": ["iOS", "iPhone development"],
    "Web Development": ["web developer", "web design", "web designing"],
    "UX Design": ["user experience", "UX", "UI/UX", "user interface design", "UI design"],
    # Software engineering practice
    "Agile": ["agile methodologies", "agile methodology", "Scrum", "Kanban", "sprint planning"],
    "Object-Oriented Programming": ["OOP", "OOPS", "object oriented programming", "object oriented design"],
    "Software Testing": ["testing", "QA", "quality assurance", "test cases", "test planning", "software QA"],
    "Test Automation": ["automation testing", "automated testing", "test automation framework"],
    "Manual Testing": ["manual test"],
    "Selenium": ["Selenium WebDriver", "WebDriver"],
    "Unit Testing": ["unit tests", "JUnit", "pytest", "TestNG"],
    "Performance Testing": ["load testing", "JMeter", "LoadRunner", "stress testing"],
    "Regression Testing": [],
    "Bug Tracking": ["defect tracking", "defect management", "bug reporting"],
    "Software Development Life Cycle": ["SDLC", "STLC", "software life cycle"],
    "Debugging": ["troubleshooting code"],
    "Code Review": ["code reviews"],
    "System Design": ["software architecture", "system architecture", "solution architecture"],
    "Algorithms": ["data structures", "data structures and algorithms"],
    # Business, management, sales, HR, finance
    "Project Management": ["project manager", "PMP", "Prince2", "project planning", "project delivery"],
    "Product Management": ["product manager", "product roadmap", "product owner"],
    "Program Management": ["programme management", "program manager", "PMO"],
    "Stakeholder Management": ["stakeholder engagement", "stakeholder relations"],
    "Business Analysis": ["business analyst", "requirements gathering", "requirements analysis"],
    "Business Development": ["biz dev", "new business development", "lead generation"],
    "Sales": ["selling", "sales experience", "B2B sales", "B2C sales", "inside sales", "field sales"],
    "Account Management": ["account manager", "key account management", "client management"],
    "Customer Relationship Management": ["CRM"],
    "Negotiation": ["negotiating", "negotiation skills"],
    "Customer Service": ["customer support", "client service", "customer care"],
    "Marketing": ["marketing strategy", "marketing campaigns"],
    "Digital Marketing": ["online marketing", "social media marketing", "email marketing"],
    "Search Engine Optimization": ["SEO", "SEM", "search engine marketing"],
    "Content Writing": ["copywriting", "content creation", "technical writing"],
    "Market Research": ["market analysis", "competitive analysis"],
    "Recruitment": [
        "recruiting",
        "recruiter",
        "talent acquisition",
        "sourcing candidates",
        "headhunting",
        "hiring",
        "interviewing candidates",
    ],
    "Human Resources": ["HR", "HRM", "human resource management", "personnel management"],
    "Employee Relations": ["industrial relations", "labour relations", "labor relations"],
    "Onboarding": ["induction", "employee onboarding"],
    "Payroll": ["payroll processing"],
    "Performance Management": ["performance appraisal", "performance reviews", "appraisals"],
    "Training and Development": ["learning and development", "L&D", "training delivery", "staff training"],
    "Compensation and Benefits": ["compensation", "benefits administration", "C&B"],
    "Accounting": ["bookkeeping", "accounts payable", "accounts receivable", "general ledger"],
    "Financial Analysis": ["financial modelling", "financial modeling", "financial reporting", "FP&A"],
    "Budgeting": ["budget management", "budget planning", "forecasting budgets"],
    "Auditing": ["audit", "internal audit", "external audit"],
    "Taxation": ["tax", "VAT", "tax returns"],
    "Risk Management": ["risk assessment", "risk analysis"],
    "Compliance": ["regulatory compliance", "KYC", "AML", "anti-money laundering"],
    "Supply Chain Management": ["supply chain", "logistics", "procurement", "purchasing", "inventory management"],
    "Operations Management": ["operations manager", "process improvement", "lean", "six sigma", "Kaizen"],
    "Team Leadership": ["team management", "people management", "team lead", "leading teams", "line management"],
    "Communication": ["communication skills", "verbal communication", "written communication"],
    "Presentation Skills": ["presentations", "public speaking"],
    "Problem Solving": ["problem-solving", "analytical skills", "critical thinking"],
    "Time Management": ["prioritisation", "prioritization"],
    "Microsoft Office": ["MS Office", "MS-Office", "Office 365", "Microsoft 365"],
    "Microsoft Excel": ["MS Excel", "Excel", "spreadsheets", "VLOOKUP", "pivot tables"],
    "Legal Research": ["litigation", "legal drafting", "contract law", "drafting contracts"],
    # Engineering (mechanical, civil, electrical) and manufacturing
    "Mechanical Engineering": ["mechanical engineer", "mechanical design"],
    "Electrical Engineering": ["electrical engineer", "electrical design", "power systems"],
    "Civil Engineering": ["civil engineer", "structural engineering", "structural design"],
    "Electronics": ["electronic circuits", "circuit design", "PCB design", "embedded systems"],
    "CAD": ["computer aided design", "computer-aided design", "CAD drawings", "CAD design"],
    "AutoCAD": ["Autodesk AutoCAD", "Auto CAD"],
    "SolidWorks": ["Dassault Systemes SolidWorks", "Solid Works"],
    "CATIA": [],
    "Creo": ["Pro/ENGINEER", "ProE", "PTC Creo"],
    "ANSYS": ["finite element analysis", "FEA", "FEM"],
    "Thermodynamics": ["heat transfer", "thermal engineering"],
    "Fluid Mechanics": ["fluid dynamics", "CFD", "computational fluid dynamics"],
    "Manufacturing": ["production engineering", "manufacturing processes", "machining", "CNC"],
    "Quality Control": ["quality inspection", "QC", "quality management", "ISO 9001"],
    "HVAC": ["heating ventilation and air conditioning"],
    "Maintenance": ["preventive maintenance", "predictive maintenance", "plant maintenance"],
    "PLC Programming": ["PLC", "SCADA", "programmable logic controllers"],
    "Health and Safety": ["HSE", "occupational health and safety", "OSHA", "IOSH", "NEBOSH"],
    "Construction Management": ["site management", "site supervision", "construction"],
    "Surveying": ["land surveying", "quantity surveying"],
    # Healthcare and care
    "Nursing": ["registered nurse", "RGN", "RMN", "staff nurse", "nurse", "nurses", "NMC registration"],
    "Patient Care": ["patient assessment", "clinical care", "bedside care"],
    "Mental Health": ["mental health care", "psychiatric care", "psychiatry"],
    "Elderly Care": ["care of the elderly", "dementia care", "aged care", "care home"],
    "Medication Administration": ["administering medication", "medicines management"],
    "Clinical Research": ["clinical trials", "GCP guidelines"],
    "Pharmacy": ["pharmacist", "dispensing"],
    "First Aid": ["CPR", "basic life support", "BLS"],
    "Healthcare": ["health care", "NHS"],
    "Physiotherapy": ["physical therapy", "physiotherapist", "rehabilitation"],
    "Fitness Training": ["personal training", "personal trainer", "fitness instruction", "nutrition"],
    # Education, hospitality, creative
    "Teaching": ["teacher", "lesson planning", "classroom management", "tutoring"],
    "Graphic Design": ["graphic designer", "visual design", "Photoshop", "Illustrator", "InDesign"],
    "Video Editing": ["video production", "Premiere Pro", "Final Cut Pro"],
    "Photography": ["photo editing"],
    "Hospitality": ["hotel management", "food and beverage", "front of house"],
    "Cooking": ["food preparation", "culinary"],
    "Driving": ["driving licence", "driving license", "HGV", "forklift"],
    "Retail": ["merchandising", "store management", "visual merchandising"],
    # Blockchain, ERP and other platforms that appear in postings as skills
    "Blockchain": ["smart contracts", "Ethereum", "Solidity", "Hyperledger", "cryptocurrency"],
    "SAP": ["SAP ERP", "SAP ABAP", "ABAP", "SAP HANA", "SAP FICO", "SAP MM", "SAP SD"],
    "Salesforce": ["SFDC", "Salesforce.com"],
    "Tableau": [],
    "Power BI": ["PowerBI", "Microsoft Power BI"],
    "Informatica": ["Informatica PowerCenter"],
}

# "X software" rows where X is a kind of software, not a product or a skill ("Database software").
GENERIC_KINDS = frozenset(
    [
        "Antivirus",
        "Billing",
        "Blogging",
        "Calendar",
        "Calibration",
        "Chatbot",
        "Database",
        "Deployment",
        "Diagramming",
        "Disassembler",
        "Drawing",
        "Educational",
        "Email",
        "Encryption",
        "Estimating",
        "Firewall",
        "Graphics",
        "Inventory",
        "Mapping",
        "Mathematical",
        "Medical",
        "Migration",
        "Modeling",
        "Optimization",
        "Photogrammetric",
        "Presentation",
        "Pricing",
        "Recordkeeping",
        "Reporting",
        "Scanning",
        "Scheduling",
        "Simulation",
        "Spreadsheet",
        "Statistical",
        "Survey",
        "Teleconferencing",
        "Timekeeping",
        "Videoconferencing",
        "Workflow",
    ]
)
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9.+#/&-]{1,7}$")


def clean_onet_name(example: str) -> tuple[str, list[str]]:
    """("Structured query language SQL" -> "SQL", its long forms as aliases)."""
    aliases: list[str] = []
    name = example.strip()
    if name.endswith(" software") and len(name) > len(" software") + 1:
        aliases.append(name)
        name = name[: -len(" software")].strip()
    words = name.split()
    if len(words) >= 3 and _ACRONYM.match(words[-1]) and not any(_ACRONYM.match(w) for w in words[:-1]):
        # "Hypertext markup language HTML": the acronym is the name people write.
        aliases.append(name)
        aliases.append(" ".join(words[:-1]))
        name = words[-1]
    for vendor in VENDORS:
        if name.startswith(vendor + " ") and len(name) > len(vendor) + 2:
            product = name[len(vendor) + 1 :]
            if product.lower() not in COMMON_WORDS and len(product) > 2:
                aliases.append(name)
                name = product
            break
    aliases = [alias for alias in dict.fromkeys(aliases) if alias.lower() != name.lower()]
    return name, aliases


def build(onet_path: Path) -> list[tuple[str, list[str], str]]:
    """Rows (canonical, aliases, source) sorted by canonical name."""
    occupations: dict[str, set[str]] = collections.defaultdict(set)
    hot: dict[str, bool] = collections.defaultdict(bool)
    with onet_path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            example = row["Example"].strip()
            occupations[example].add(row["O*NET-SOC Code"])
            hot[example] |= row["Hot Technology"] == "Y"
    entries: dict[str, dict[str, object]] = {}
    index: dict[str, str] = {}  # lower-cased name or alias -> canonical key

    def add(name: str, aliases: list[str], source: str) -> None:
        key = index.get(name.lower())
        if key is None:
            for alias in aliases:
                key = index.get(alias.lower())
                if key is not None:
                    break
        if key is None:
            key = name
            entries[key] = {"aliases": [], "source": source}
            index[name.lower()] = key
        elif source == "curated" and entries[key]["source"] == "onet" and name != key:
            # A curated name is the better display name; keep O*NET's as an alias.
            entry = entries.pop(key)
            entry["aliases"].append(key)  # type: ignore[union-attr]
            entries[name] = entry
            for lowered, target in list(index.items()):
                if target == key:
                    index[lowered] = name
            key = name
            index[name.lower()] = key
        for alias in aliases:
            if alias.lower() not in index:
                index[alias.lower()] = key
                entries[key]["aliases"].append(alias)  # type: ignore[union-attr]
        if source == "curated":
            entries[key]["source"] = "onet+curated" if entries[key]["source"] != "curated" else "curated"

    for example in sorted(occupations):
        if hot[example] or len(occupations[example]) >= MIN_OCCUPATIONS:
            name, aliases = clean_onet_name(example)
            if name in GENERIC_KINDS:
                continue
            add(name, aliases, "onet")
    for name, aliases in CURATED.items():
        add(name, aliases, "curated")
    return sorted(
        ((key, list(entry["aliases"]), str(entry["source"])) for key, entry in entries.items()),  # type: ignore[arg-type]
        key=lambda row: row[0].lower(),
    )


HEADER = """# gigm8 skills vocabulary: canonical name <TAB> aliases (|-separated) <TAB> origin.
# Generated by `python -m matching.build_vocabulary`; do not edit by hand (edit CURATED there).
# Rows marked onet derive from O*NET 29.2 Technology Skills by the U.S. Department of Labor,
# Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 license
# (https://creativecommons.org/licenses/by/4.0/); names were shortened and aliases added.
# O*NET(R) is a trademark of USDOL/ETA. Rows marked curated are gigm8's own.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onet", type=Path, default=DEFAULT_ONET, help="O*NET 'Technology Skills.txt'")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.onet.is_file():
        print(f"O*NET file not found: {args.onet} (the shared data folder is needed to rebuild)", file=sys.stderr)
        return 1
    rows = build(args.onet)
    with args.out.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for name, aliases, source in rows:
            handle.write(f"{name}\t{'|'.join(aliases)}\t{source}\n")
    print(f"{len(rows)} skills, {sum(len(a) for _, a, _ in rows)} aliases -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
