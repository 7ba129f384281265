"""The list endpoints' filter backend: unknown parameters are a 400, then the view's filter set runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

FORMAT_PARAM = "format"


def check_known_params(request: Request, *, allowed: Iterable[str]) -> None:
    """A misspelt parameter would silently filter nothing: say so instead."""
    allowed = set(allowed)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ValidationError({name: [f"unknown parameter; known: {', '.join(sorted(allowed))}."] for name in unknown})


class FilterSetBackend(DjangoFilterBackend):
    """django-filter's backend, on list actions only (a detail takes no filters), stricter and kept:

    - a parameter that is neither a filter nor read by the pagination is a 400 (check_known_params);
    - the filter set stays on the view (`view.filterset`): the keyset pagination reads its sort
      and counts its facets;
    - errors become a 400 as the form gives them: django-filter's translate_validation formats
      each message with `%`, and a message quoting the client's value ('50%d') would be a 500.
    """

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:  # DRF's Request
        if getattr(view, "action", "list") != "list":
            return queryset
        paginator = getattr(view, "paginator", None)
        filterset_class = self.get_filterset_class(view, queryset)
        check_known_params(
            request,
            allowed={
                *(filterset_class.base_filters if filterset_class else ()),
                *getattr(paginator, "query_params", ()),
                FORMAT_PARAM,
            },
        )
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        view.filterset = filterset
        return filterset.qs
