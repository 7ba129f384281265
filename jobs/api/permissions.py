"""Who may write through the API: the same model permissions the admin asks for the same change.

Reads are open. A write needs a signed-in staff member (anonymous: 401, not staff: 403) holding the
permission the admin checks for that change: adding a job needs `jobs.add_job`, editing, hiding,
expiring or re-activating one `jobs.change_job` (the admin's bulk actions ask "change"), deleting
one `jobs.delete_job`, starting a refresh `ingestion.add_synclog` (the admin's run buttons). So a
curator (the `curator` group: view, add and change, no delete) deletes nothing here either.

Each view names what its writes need in `write_permissions`, keyed by viewset action or, for a
plain APIView, by lower-case HTTP method. A write the view does not name is refused (fail closed),
so a new route cannot be open by omission; gigm8/tests/test_security.py walks every route.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_permission_codename
from django.db.models import Model
from rest_framework import exceptions, permissions
from rest_framework.request import Request


def model_permission(action: str, model: type[Model]) -> str:
    """`app_label.<action>_<model>`, the name Django's auth (and so the admin) checks."""
    return f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}"


class StaffModelPermissions(permissions.BasePermission):
    """Anyone reads; a write needs staff and each permission the view's `write_permissions` names."""

    message = "Only staff may change data through the API."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False  # DRF answers 401 to the anonymous, 403 with `message` to the others
        key = getattr(view, "action", None) or (request.method or "").lower()
        required: tuple[str, ...] | None = getattr(view, "write_permissions", {}).get(key)
        if required is None:
            raise exceptions.PermissionDenied(f"'{key}' declares no permission; it is refused to everyone.")
        missing = [name for name in required if not user.has_perm(name)]
        if missing:
            raise exceptions.PermissionDenied(
                f"You need the {', '.join(missing)} permission{'s' if len(missing) > 1 else ''} to do this "
                "(the admin asks for the same)."
            )
        return True
