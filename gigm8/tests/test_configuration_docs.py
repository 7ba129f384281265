"""Every environment variable the settings read is documented in the README and .env.example."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"env\.(?:env_[a-z]+|is_set)\(\s*\"([A-Z][A-Z0-9_]*)\"")


def _variables_read() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "gigm8" / "settings").glob("*.py"):
        names |= set(READ.findall(path.read_text()))
    return names


def test_the_settings_read_the_variables_the_issue_names():
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "JOB_REFRESH_TIME", "MATCH_BACKEND"} <= _variables_read()


def test_every_variable_is_in_the_readme_table_and_the_example_file():
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    undocumented = sorted(name for name in _variables_read() if f"`{name}`" not in readme)
    missing = sorted(name for name in _variables_read() if not re.search(rf"^#? ?{name}=", example, re.M))
    assert undocumented == [], f"add to README's configuration table: {undocumented}"
    assert missing == [], f"add to .env.example: {missing}"
