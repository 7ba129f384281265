import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs.tests.factories import STAFF_PERMISSIONS, grant


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def staff_user(db):
    user = get_user_model().objects.create_user("staff", "staff@example.com", "pw", is_staff=True)
    return grant(user, *STAFF_PERMISSIONS)


@pytest.fixture
def staff_client(staff_user) -> APIClient:
    token = Token.objects.create(user=staff_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


@pytest.fixture
def user_client(db) -> APIClient:
    user = get_user_model().objects.create_user("reader", "reader@example.com", "pw")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def all_pages(client: APIClient, url: str) -> list[dict]:
    """Every result, following next links."""
    results = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        body = response.json()
        results.extend(body["results"])
        url = body["next"]
    return results
