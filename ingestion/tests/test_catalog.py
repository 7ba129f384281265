"""The board catalog: the shipped file reads, `setup_sources` loads it once and keeps staff edits."""

from __future__ import annotations

import collections
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ingestion.models import CatalogBoard
from ingestion.services.catalog import CatalogError, catalog_entries, catalog_setup
from jobs.choices import AtsKind
from jobs.models import Company
from jobs.rules import normalize_company_name
from jobs.tests.factories import CompanyFactory

HEADER = "name,website,ats_kind,board_token\n"


def write(tmp_path, rows: str, name: str = "boards.csv"):
    path = tmp_path / name
    path.write_text("# a comment line\n" + HEADER + rows)
    return path


def load(*args: str, **kwargs) -> str:
    out = io.StringIO()
    call_command("setup_sources", *args, verbosity=2, stdout=out, **kwargs)
    return out.getvalue()


def test_the_shipped_catalog_has_a_hundred_boards_of_known_kinds_with_well_formed_tokens():
    entries = catalog_entries()
    assert len(entries) >= 100
    kinds = collections.Counter(e.ats_kind for e in entries)
    assert set(kinds) == {
        AtsKind.GREENHOUSE,
        AtsKind.LEVER,
        AtsKind.ASHBY,
        AtsKind.MICROSOFT,
        AtsKind.WORKDAY,
        AtsKind.SMARTRECRUITERS,
    }
    assert kinds[AtsKind.LEVER] >= 20 and kinds[AtsKind.ASHBY] >= 20
    formats = {
        AtsKind.GREENHOUSE: r"[a-z0-9]+",  # boards.greenhouse.io/<token>
        AtsKind.LEVER: r"[A-Za-z0-9][A-Za-z0-9-]*",  # jobs.lever.co/<token>
        AtsKind.ASHBY: r"[a-z0-9][a-z0-9.-]*",  # jobs.ashbyhq.com/<token>
        AtsKind.MICROSOFT: r"microsoft\.com",  # its search API's domain parameter
        AtsKind.WORKDAY: r"[a-z0-9]+\.wd[0-9]+\.myworkdayjobs\.com/[a-z0-9]+/[A-Za-z0-9_]+",  # host/tenant/site
        AtsKind.SMARTRECRUITERS: r"[A-Za-z0-9]+",  # jobs.smartrecruiters.com/<company identifier> (case matters)
    }
    for entry in entries:
        assert re.fullmatch(formats[entry.ats_kind], entry.board_token), entry
        assert entry.website.startswith("https://"), entry
    tokens = [(e.ats_kind, e.board_token.lower()) for e in entries]
    assert len(set(tokens)) == len(tokens)
    names = [normalize_company_name(e.name) for e in entries]
    assert len(set(names)) == len(names)  # one Company each


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ("Acme,https://acme.test,taleo,acme\n", "line 3: ATS kind 'taleo' is not one of greenhouse, lever, ashby"),
        ("Acme,https://acme.test,workday,acme\n", "line 3: 'acme' is not a workday board token"),
        ("Acme,https://acme.test,greenhouse,acme-eu\n", "line 3: 'acme-eu' is not a greenhouse board token"),
        ("Acme,ftp://acme.test,lever,acme\n", "line 3: website 'ftp://acme.test' is not an http(s) URL"),
        ("Acme,,lever,acme\nOther,,lever,ACME\n", "line 4: the same board as line 3"),
        ("Acme Inc.,,lever,acme\nACME,,ashby,acme\n", "line 4: the same company as line 3"),
        (",,lever,acme\n", "line 3: no company name"),
    ],
)
def test_a_bad_row_is_refused_with_its_line(tmp_path, rows, error):
    with pytest.raises(CatalogError, match=re.escape(error)):
        catalog_entries(path=write(tmp_path, rows))


@pytest.mark.django_db
def test_the_command_says_what_is_wrong_in_one_line(tmp_path):
    with pytest.raises(CommandError, match=r"^boards.csv line 3: 'a b' is not a lever board token$"):
        call_command("setup_sources", "--file", str(write(tmp_path, "Acme,,lever,a b\n")), stdout=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("setup_sources", "--file", str(tmp_path / "missing.csv"), stdout=io.StringIO())
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_setup_sources_creates_every_catalog_company_once():
    entries = catalog_entries()
    out = load()
    assert f"board catalog: {len(entries)} companies ({len(entries)} created)" in out
    assert Company.objects.count() == len(entries)
    loaded = {(c.ats_kind, c.board_token): c for c in Company.objects.all()}
    for entry in entries:
        company = loaded[(entry.ats_kind, entry.board_token)]
        assert (company.name, company.website, company.is_enabled) == (entry.name, entry.website, True)
    stamps = dict(Company.objects.values_list("pk", "updated_at"))

    again = load()

    assert f"({len(entries)} kept)" in again
    assert dict(Company.objects.values_list("pk", "updated_at")) == stamps  # nothing written
    assert CatalogBoard.objects.count() == len(entries)


@pytest.mark.django_db
def test_staff_edits_survive_a_reload_and_reset_puts_the_catalog_back(tmp_path):
    catalog = write(
        tmp_path,
        "Acme Robotics,https://acme.test,greenhouse,acme\n"
        "Brightwave,https://brightwave.test,lever,brightwave\n"
        "Cobalt Labs,https://cobalt.test,ashby,cobalt\n",
    )
    load("--file", str(catalog))
    # Staff disable one, move another to a new board, delete the third.
    Company.objects.filter(board_token="acme").update(is_enabled=False)
    Company.objects.filter(board_token="brightwave").update(ats_kind=AtsKind.ASHBY, board_token="bright")
    Company.objects.filter(board_token="cobalt").delete()

    out = load("--file", str(catalog))

    assert "kept: Acme Robotics" in out and "kept: Brightwave" in out and "deleted: Cobalt Labs" in out
    assert not Company.objects.get(name="Acme Robotics").is_enabled
    assert Company.objects.get(name="Brightwave").board_token == "bright"
    assert not Company.objects.filter(name="Cobalt Labs").exists()  # a deletion is not undone by a deploy

    out = load("--reset", "--file", str(catalog))

    assert "reset: Acme Robotics" in out and "reset: Brightwave" in out and "created: Cobalt Labs" in out
    rows = set(Company.objects.values_list("name", "ats_kind", "board_token", "is_enabled"))
    assert rows == {
        ("Acme Robotics", AtsKind.GREENHOUSE, "acme", True),
        ("Brightwave", AtsKind.LEVER, "brightwave", True),
        ("Cobalt Labs", AtsKind.ASHBY, "cobalt", True),
    }
    assert "(3 kept)" in load("--file", str(catalog))


@pytest.mark.django_db
def test_an_untouched_company_follows_its_board_to_a_new_catalog_entry(tmp_path):
    load("--file", str(write(tmp_path, "Acme Robotics,https://acme.test,lever,acme\nBrightwave,,lever,bw\n")))
    Company.objects.filter(board_token="bw").update(website="https://bw.test")  # staff edit

    # The next release: both boards moved to Ashby.
    out = load("--file", str(write(tmp_path, "Acme Robotics,https://acme.test,ashby,acme\nBrightwave,,ashby,bw\n")))

    assert "updated: Acme Robotics" in out and "kept: Brightwave" in out
    assert Company.objects.get(name="Acme Robotics").ats_kind == AtsKind.ASHBY
    assert Company.objects.get(name="Brightwave").ats_kind == AtsKind.LEVER


@pytest.mark.django_db
def test_a_company_postings_created_gets_its_board_and_one_with_its_own_board_keeps_it(tmp_path):
    named = CompanyFactory(
        name="Acme Robotics Inc.",
        normalized_name=normalize_company_name("Acme Robotics Inc."),
        website="https://acme.example",
    )
    own = CompanyFactory(name="Brightwave", ats_kind=AtsKind.GREENHOUSE, board_token="brightwavejobs")
    catalog = write(tmp_path, "Acme Robotics,https://acme.test,lever,acme\nBrightwave,,lever,brightwave\n")

    out = load("--file", str(catalog))

    assert "filled: Acme Robotics" in out and "kept: Brightwave" in out
    named.refresh_from_db()
    own.refresh_from_db()
    assert (named.name, named.website, named.ats_kind, named.board_token) == (
        "Acme Robotics Inc.",
        "https://acme.example",  # its own website stays
        AtsKind.LEVER,
        "acme",
    )
    assert (own.ats_kind, own.board_token) == (AtsKind.GREENHOUSE, "brightwavejobs")
    assert "(2 kept)" in load("--file", str(catalog))  # and a later run does not take its board either
    own.refresh_from_db()
    assert own.board_token == "brightwavejobs"


@pytest.mark.django_db
def test_catalog_setup_returns_an_outcome_per_entry(tmp_path):
    outcome = catalog_setup(path=write(tmp_path, "Acme Robotics,,greenhouse,acme\n"))
    assert outcome == [("Acme Robotics", "created")]
