"""Admin building blocks shared by the apps' admins: a paginator that does not count
100,000 rows on every page, list filters (date range, autocomplete), the confirmation
page every bulk action goes through, and 403s that name the permission that is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property

from gigm8.counts import count_rows


class EstimatedCountPaginator(Paginator):
    """Counts exactly when that is cheap, estimates otherwise (gigm8.counts); `is_estimate` says which.

    COUNT(*) over 100,000 jobs reads every row; the admin would run it on every page.
    """

    is_estimate = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        count, self.is_estimate = count_rows(queryset)
        return count


class DateRangeFilter(admin.FieldListFilter):
    """From/to dates for a DateTimeField (the admin's own date filter has only fixed spans)."""

    template = "admin/filters/date_range.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.param_from = f"{field_path}__range_from"
        self.param_to = f"{field_path}__range_to"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = f"{self.title} (range)"

    def expected_parameters(self) -> list[str | None]:
        return [self.param_from, self.param_to]

    def _date(self, name: str):
        value = self.used_parameters.get(name)
        if isinstance(value, list):
            value = value[-1] if value else None
        if not value:
            return None
        try:
            return datetime.strptime(str(value), "%Y-%m-%d").date()
        except ValueError:
            raise IncorrectLookupParameters(f"{name}: expected a date as YYYY-MM-DD, got {value!r}") from None

    def queryset(self, request, queryset):
        start, end = self._date(self.param_from), self._date(self.param_to)
        tz = timezone.get_current_timezone()
        if start:
            queryset = queryset.filter(**{f"{self.field_path}__gte": datetime.combine(start, time.min, tzinfo=tz)})
        if end:
            # "to" is inclusive: the whole of that day.
            end_at = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
            queryset = queryset.filter(**{f"{self.field_path}__lt": end_at})
        return queryset

    def choices(self, changelist):
        def first(name):
            value = self.used_parameters.get(name)
            return (value[-1] if isinstance(value, list) and value else value) or ""

        yield {
            "param_from": self.param_from,
            "param_to": self.param_to,
            "value_from": first(self.param_from),
            "value_to": first(self.param_to),
            "hidden": _other_params(changelist, exclude=self.expected_parameters()),
            "clear_url": changelist.get_query_string(remove=self.expected_parameters()),
            "selected": bool(first(self.param_from) or first(self.param_to)),
        }


def _other_params(changelist, *, exclude: list[str | None]) -> list[tuple[str, str]]:
    """The changelist's other GET parameters, to carry through a filter's own form."""
    return [(key, value) for key, value in changelist.params.items() if key not in exclude and key != "p"]


class AutocompleteFilter(admin.FieldListFilter):
    """A foreign-key filter that searches instead of listing every row (10,000 companies).

    It renders the admin's own autocomplete widget (select2, already shipped with the admin)
    against the related model's admin `search_fields`.
    """

    template = "admin/filters/autocomplete.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__id__exact"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.model_admin = model_admin

    def expected_parameters(self) -> list[str | None]:
        return [self.lookup_kwarg]

    def value(self) -> str:
        value = self.used_parameters.get(self.lookup_kwarg)
        if isinstance(value, list):
            value = value[-1] if value else ""
        return str(value or "")

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(f"{self.lookup_kwarg}: expected an id, got {value!r}")
        return queryset.filter(**{self.lookup_kwarg: int(value)})

    def widget(self) -> AutocompleteSelect:
        return AutocompleteSelect(self.field, self.model_admin.admin_site)

    def choices(self, changelist):
        related_model = self.field.related_model
        assert related_model is not None and not isinstance(related_model, str)  # a relation: its model class
        form_field = forms.ModelChoiceField(
            queryset=related_model._default_manager.all(), required=False, widget=self.widget()
        )
        rendered = form_field.widget.render(self.lookup_kwarg, self.value() or None, attrs={"id": self.lookup_kwarg})
        yield {
            "widget": rendered,
            "param": self.lookup_kwarg,
            "hidden": _other_params(changelist, exclude=self.expected_parameters()),
            "clear_url": changelist.get_query_string(remove=self.expected_parameters()),
            "selected": bool(self.value()),
        }


def confirm_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    explanation: str,
    apply: Callable[[QuerySet], int],
    done: str,
    danger: bool = False,
) -> HttpResponse | None:
    """Ask first, then apply: the bulk-action pattern of the admin's own delete action.

    The first POST (from the action menu) renders a confirmation page listing the rows; its
    "Yes" posts back with `confirm=yes`, and then `apply(queryset)` runs and returns how many
    rows it changed, reported through `done` (a format string with {count}). `danger` styles
    the page as the admin's delete confirmation (a red button): for actions that take jobs
    away or undo staff work, not for harmless ones such as featuring or re-indexing.
    """
    if request.POST.get("confirm") == "yes":
        count = apply(queryset)
        modeladmin.message_user(request, done.format(count=count), messages.SUCCESS)
        return None
    opts = modeladmin.model._meta
    total = queryset.count()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "explanation": explanation,
        "danger": danger,
        "opts": opts,
        "objects": list(queryset[:50]),
        "total": total,
        "more": max(total - 50, 0),
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "query_string": request.GET.urlencode(),
    }
    return TemplateResponse(request, "admin/confirm_action.html", context)


# --- 403s that say what is missing ----------------------------------------------------------


def permission_denied(permission: str, *, doing: str) -> PermissionDenied:
    """A PermissionDenied whose message (shown by templates/403.html) names the permission.

    `permission` is "app_label.codename"; `doing` says what it guards ("Starting a run").
    """
    app_label, _, codename = permission.partition(".")
    name = (
        Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        .values_list("name", flat=True)
        .first()
    )
    named = f"“{name}” ({permission})" if name else permission
    return PermissionDenied(
        f"{doing} needs the permission {named}. "
        "Ask an administrator to give it to your account or to one of its groups."
    )


def require_permission(request: HttpRequest, permission: str, *, doing: str) -> None:
    if not request.user.has_perm(permission):
        raise permission_denied(permission, doing=doing)


class PermissionMessageMixin:
    """For a ModelAdmin: its list and forms refuse with the missing permission named, where
    the admin's own checks raise a bare 403 ("403 Forbidden" and nothing else)."""

    def _require(self, request: HttpRequest, action: str, doing: str) -> None:
        admin_ = cast(admin.ModelAdmin, self)
        opts = admin_.model._meta
        allowed = {
            "view": admin_.has_view_or_change_permission(request),
            "add": admin_.has_add_permission(request),
        }[action]
        if allowed:
            return
        permission = f"{opts.app_label}.{action}_{opts.model_name}"
        if request.user.has_perm(permission):  # a read-only admin: nobody may, whatever their permissions
            raise PermissionDenied(f"{doing} is not possible here: the system writes these records.")
        raise permission_denied(permission, doing=doing)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        opts = cast(admin.ModelAdmin, self).model._meta
        self._require(request, "view", f"Seeing the {opts.verbose_name_plural}")
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        opts = cast(admin.ModelAdmin, self).model._meta
        self._require(request, "view", f"Seeing a {opts.verbose_name}")
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        opts = cast(admin.ModelAdmin, self).model._meta
        self._require(request, "add", f"Adding a {opts.verbose_name}")
        return super().add_view(request, form_url, extra_context)  # type: ignore[misc]
