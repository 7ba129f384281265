"""The curator the browser tests sign in as (the curator group's permissions, as staff get them)."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

USERNAME, PASSWORD = "cora", "curator-pw-1"


def log_in_curator(page, base_url: str, *, next_path: str = "") -> User:
    """Create the curator and sign in through the admin's login form; the page ends where `next_path` leads."""
    user = User.objects.create_user(USERNAME, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="curator"))
    page.goto(f"{base_url}/admin/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(USERNAME)
    return user
