"""Staff curation of jobs and companies.

A field a staff member changes in the job form is locked (Job.locked_fields), so the next
refresh keeps the staff's value; the form marks locked fields and can unlock them.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AdminTextareaWidget, AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms.utils import pretty_name
from django.http import HttpRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, smart_split, unescape_string_literal

from gigm8.admin_views import (
    AutocompleteFilter,
    DateRangeFilter,
    EstimatedCountPaginator,
    PermissionMessageMixin,
    confirm_action,
    require_permission,
)
from gigm8.lib.html import sanitize_html
from jobs.choices import LOCKABLE_FIELDS, JobStatus
from jobs.models import Company, Job
from jobs.rules import normalize_company_name
from jobs.services.staff import job_annualize_salary, job_apply_staff_edit, job_status_set, staff_text

# Said in words: a padlock emoji is a blank box on machines without an emoji font.
LOCKED_SUFFIX = " (locked)"
TITLE_CHARS = 48  # the job list's cut of a title, and of a company or location below
PLACE_CHARS = 24
COMPANY_IDS_LIMIT = 1000  # companies a search word may match before it is matched through the join


class HasSalaryFilter(admin.SimpleListFilter):
    title = "salary"
    parameter_name = "has_salary"

    def lookups(self, request, model_admin):
        return [("yes", "Has a salary"), ("no", "No salary")]

    def queryset(self, request, queryset):
        has_salary = Q(salary_min__isnull=False) | Q(salary_max__isnull=False)
        if self.value() == "yes":
            return queryset.filter(has_salary)
        if self.value() == "no":
            return queryset.exclude(has_salary)
        return queryset


class SourceFilter(admin.SimpleListFilter):
    """The sources present, read by skipping through the (source, …) index: a plain DISTINCT
    reads every job."""

    title = "source"
    parameter_name = "source__exact"

    def lookups(self, request, model_admin):
        table = connection.ops.quote_name(Job._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH RECURSIVE sources AS (
                    (SELECT source FROM {table} ORDER BY source LIMIT 1)
                    UNION ALL
                    SELECT (SELECT source FROM {table} WHERE source > sources.source ORDER BY source LIMIT 1)
                    FROM sources WHERE sources.source IS NOT NULL
                )
                SELECT source FROM sources WHERE source IS NOT NULL
                """
            )
            return [(source, source) for (source,) in cursor.fetchall()]

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


class SanitizedHtmlField(forms.CharField):
    """HTML a frontend renders: cleaned to the allow-list as it is read.

    Cleaning in to_python (not clean_<field>) matters for locking: the form's changed_data
    compares the cleaned submission with the stored, already sanitized value, so a description
    sent back untouched (a browser turns its newlines into CRLF, which the parser folds back) or
    only with markup the sanitizer drops is not an edit and does not lock the field.
    """

    def to_python(self, value):
        return sanitize_html(staff_text(super().to_python(value) or ""))


class StaffTextField(forms.CharField):
    """A textarea's text with the line breaks we store: a browser posts them as CRLF, so without
    this a job saved unchanged would have "changed" its description (and locked it)."""

    def to_python(self, value):
        return staff_text(super().to_python(value) or "")


class JobAdminForm(forms.ModelForm):
    description_html = SanitizedHtmlField(
        required=False,
        widget=AdminTextareaWidget,
        label="Description HTML",
        help_text=str(Job._meta.get_field("description_html").help_text)
        + " Kept to an allow-list of text markup (no scripts, styles, images or frames).",
    )
    unlock = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Unlock",
        help_text="Tick a field to let the next refresh update it from the source again.",
    )

    class Meta:
        model = Job
        # The admin narrows this to its fieldsets; listed so nothing unexpected is editable.
        fields = (*LOCKABLE_FIELDS, "status", "is_featured", "source", "external_id")
        field_classes = {"description": StaffTextField}  # description_html: SanitizedHtmlField above

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locked = self.instance.locked_fields if self.instance.pk else []
        cast(forms.MultipleChoiceField, self.fields["unlock"]).choices = [(name, pretty_name(name)) for name in locked]
        for name in locked:
            field = self.fields.get(name)
            if field is not None:
                field.label = f"{field.label or pretty_name(name)}{LOCKED_SUFFIX}"
                field.help_text = "Locked: refreshes keep this value. " + str(field.help_text or "")


def _jobs_update(queryset: QuerySet[Job], **values) -> int:
    return queryset.update(updated_at=timezone.now(), **values)


def _status_set(queryset: QuerySet[Job], status: str) -> int:
    # The domain operation, not a column write: duplicates of a canonical job are promoted.
    return job_status_set(job_ids=queryset.values_list("pk", flat=True), status=status)


class JobChangeList(ChangeList):
    # The list shows a dozen short columns; the page query must not carry (and sort) every
    # job's description, HTML, search vector and embedding.
    HEAVY = ("description", "description_html", "search_vector", "embedding", "skills")

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*self.HEAVY)


@admin.register(Job)
class JobAdmin(PermissionMessageMixin, admin.ModelAdmin):
    form = JobAdminForm
    # Fits a 1366 px screen beside the filters: long texts are cut with the whole text on hover,
    # and level, featured and internship are left to the filters.
    list_display = (
        "title_display",
        "company_display",
        "location_display",
        "kind_display",
        "salary",
        "source",
        "status_display",
        "posted_display",
    )
    list_display_links = ("title_display",)
    list_filter = (
        "status",
        SourceFilter,
        "employment_type",
        "job_level",
        "remote",
        "is_internship",
        "is_featured",
        ("posted_at", DateRangeFilter),
        HasSalaryFilter,
        ("company", AutocompleteFilter),
    )
    search_fields = ("title", "company__name", "location")
    search_help_text = "Search title, company name and location."
    # Newest first by id: the primary key's index answers any page at once, where sorting
    # every job by posted_at (no index covers all statuses) reads the whole table. Clicking
    # the "posted" column still sorts by it.
    ordering = ("-id",)
    list_select_related = ("company",)
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    autocomplete_fields = ("company",)
    actions = (
        "expire_jobs",
        "reactivate_jobs",
        "hide_jobs",
        "feature_jobs",
        "unfeature_jobs",
        "reindex_jobs",
        "resync_cts",
        "unlock_fields",
    )
    readonly_fields = (
        "locked_fields_display",
        "also_posted_on",
        "apply_urls",
        "salary_annual_min",
        "salary_annual_max",
        "salary_source",
        "occupation_code",
        "occupation_confidence",
        "geo_precision",
        "fingerprint",
        "content_hash",
        "duplicate_of",
        "first_seen_at",
        "last_seen_at",
        "expired_at",
        "cts_name",
        "cts_synced_at",
        "embedded_at",
        "created_at",
        "updated_at",
    )

    def get_changelist(self, request, **kwargs):
        return JobChangeList

    def get_search_results(self, request, queryset, search_term):
        """Each word in the title, the location or the company's name.

        Title and location match through their trigram indexes on UPPER(…), which is what
        icontains compiles to. The company part is resolved to ids first: an OR across the
        join would stop PostgreSQL from combining the indexes and scan every job instead.
        """
        for term in _search_terms(search_term):
            match = Q(title__icontains=term) | Q(location__icontains=term)
            company_ids = list(
                Company.objects.filter(name__icontains=term)
                .order_by()
                .values_list("pk", flat=True)[: COMPANY_IDS_LIMIT + 1]
            )
            if len(company_ids) > COMPANY_IDS_LIMIT:
                match |= Q(company__name__icontains=term)  # too many to list: let the join decide
            elif company_ids:
                match |= Q(company_id__in=company_ids)
            queryset = queryset.filter(match)
        return queryset, False

    def get_fieldsets(self, request, obj=None):
        sync = ["source", "external_id", "apply_url", "posted_at", "expires_at"]
        if obj is not None:
            sync.insert(2, "board")
            sync += [
                "also_posted_on",
                "apply_urls",
                "duplicate_of",
                "fingerprint",
                "first_seen_at",
                "last_seen_at",
                "expired_at",
                "cts_name",
                "cts_synced_at",
                "embedded_at",
                "created_at",
                "updated_at",
            ]
        basics = ["title", "company", "status", "is_featured", "category", "skills", "description", "description_html"]
        if obj is not None:
            basics[0:0] = ["locked_fields_display", "unlock"]
        compensation = ["salary_min", "salary_max", "salary_currency", "salary_period", "salary_is_predicted"]
        if obj is not None:
            compensation += ["salary_annual_min", "salary_annual_max", "salary_source"]
        return [
            ("Basics", {"fields": basics}),
            (
                "Location",
                {
                    "fields": [
                        "location",
                        "city",
                        "region",
                        "country",
                        "latitude",
                        "longitude",
                        "geo_precision",
                        "remote",
                    ]
                },
            ),
            ("Compensation", {"fields": compensation}),
            (
                "Classification",
                {
                    "fields": [
                        "employment_type",
                        "job_level",
                        "is_internship",
                        ("occupation_code", "occupation_confidence"),
                    ]
                },
            ),
            ("Source and sync", {"fields": sync}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            # Identity of a posting at its source: changing it would orphan the row.
            readonly += ["source", "external_id", "board"]
        return readonly

    @admin.display(description="Title", ordering="title")
    def title_display(self, obj: Job) -> str:
        return _cut(obj.title, TITLE_CHARS)

    @admin.display(description="Company", ordering="company__name")
    def company_display(self, obj: Job) -> str:
        return _cut(obj.company.name, PLACE_CHARS) if obj.company is not None else "—"

    @admin.display(description="Location", ordering="location")
    def location_display(self, obj: Job) -> str:
        return _cut(obj.location, PLACE_CHARS) if obj.location else "—"

    @admin.display(description="Type", ordering="employment_type")
    def kind_display(self, obj: Job) -> str:
        return " · ".join(part for part in (obj.get_employment_type_display(), obj.get_remote_display()) if part)

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj: Job) -> str:
        featured = format_html(" <small>featured</small>") if obj.is_featured else ""
        if obj.duplicate_of_id is None:
            return format_html("{}{}", obj.get_status_display(), featured)
        return format_html(
            '{}{}<br><small class="gigm8-duplicate">duplicate of <a href="{}">#{}</a></small>',
            obj.get_status_display(),
            featured,
            reverse("admin:jobs_job_change", args=[obj.duplicate_of_id]),
            obj.duplicate_of_id,
        )

    @admin.display(description="Posted", ordering="posted_at")
    def posted_display(self, obj: Job) -> str:
        return f"{timezone.localtime(obj.posted_at):%Y-%m-%d}" if obj.posted_at else "—"

    @admin.display(description="Salary", ordering="salary_annual_max")
    def salary(self, obj: Job) -> str:
        if obj.salary_min is None and obj.salary_max is None:
            return "—"
        low, high = obj.salary_min, obj.salary_max
        if low is not None and high is not None and low != high:
            amount = f"{low:,.0f}-{high:,.0f}"
        else:
            amount = f"{low if low is not None else high:,.0f}"
        period = f"/{obj.salary_period}" if obj.salary_period else ""
        return f"{obj.salary_currency} {amount}{period}".strip()

    @admin.display(description="Locked fields")
    def locked_fields_display(self, obj: Job) -> str:
        if not obj.locked_fields:
            return "None: refreshes may update every field."
        return ", ".join(pretty_name(name) for name in obj.locked_fields)

    @admin.display(description="Also posted on")
    def also_posted_on(self, obj: Job) -> str:
        others = _job_other_sources(job=obj)
        if not others:
            return "No other source lists this job."
        return format_html_join(
            "",
            '<div><a href="{}">{} {}</a>{} — <a href="{}" rel="noopener" target="_blank">apply</a></div>',
            (
                (
                    reverse("admin:jobs_job_change", args=[other.pk]),
                    other.source,
                    other.external_id,
                    " (canonical)" if other.pk == obj.duplicate_of_id else "",
                    other.apply_url or "#",
                )
                for other in others
            ),
        )

    @admin.display(description="Apply URLs")
    def apply_urls(self, obj: Job) -> str:
        urls = [(obj.source, obj.apply_url)] + [(o.source, o.apply_url) for o in _job_other_sources(job=obj)]
        urls = [(source, url) for source, url in urls if url]
        if not urls:
            return "—"
        return format_html_join(
            "", '<div>{}: <a href="{}" rel="noopener" target="_blank">{}</a></div>', ((s, u, u) for s, u in urls)
        )

    def save_model(self, request, obj, form, change):
        if change:
            job_apply_staff_edit(job=obj, changed=form.changed_data, unlock=form.cleaned_data.get("unlock") or ())
        else:
            obj.last_seen_at = timezone.now()
            job_annualize_salary(job=obj)
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        from ingestion.admin_views import START_PERMISSION, run_buttons

        extra_context = {
            **(extra_context or {}),
            # The widest list of the console: the app menu's column goes (the breadcrumbs and the
            # home page lead everywhere it does), so the jobs fit a 1366 px screen beside the filters.
            "is_nav_sidebar_enabled": False,
            "run_buttons": run_buttons(),
            "can_start": request.user.has_perm(START_PERMISSION),
            "can_view_runs": request.user.has_perm("ingestion.view_synclog"),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def get_media(self):
        return AutocompleteSelect(Job._meta.get_field("company"), self.admin_site).media

    @property
    def media(self):
        return super().media + self.get_media()

    # --- bulk actions: each asks first, then says how many changed ---------------------------

    @admin.action(description="Expire selected jobs", permissions=["change"])
    def expire_jobs(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            title="Expire jobs",
            explanation="Expired jobs leave the listing. A refresh that sees them again reactivates them.",
            apply=lambda qs: _status_set(qs, JobStatus.EXPIRED),
            done="{count} job(s) expired.",
            danger=True,
        )

    @admin.action(description="Reactivate selected jobs", permissions=["change"])
    def reactivate_jobs(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            title="Reactivate jobs",
            explanation=(
                "Reactivated jobs return to the listing. A job its source no longer lists expires "
                "again at the next expiry run."
            ),
            apply=lambda qs: _status_set(qs, JobStatus.ACTIVE),
            done="{count} job(s) reactivated.",
        )

    @admin.action(description="Hide selected jobs", permissions=["change"])
    def hide_jobs(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            title="Hide jobs",
            explanation="Hidden jobs leave the listing and stay hidden through refreshes until reactivated.",
            apply=lambda qs: _status_set(qs, JobStatus.HIDDEN),
            done="{count} job(s) hidden.",
            danger=True,
        )

    @admin.action(description="Feature selected jobs", permissions=["change"])
    def feature_jobs(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            title="Feature jobs",
            explanation="Featured jobs are flagged for the frontend to highlight.",
            apply=lambda qs: _jobs_update(qs.filter(is_featured=False), is_featured=True),
            done="{count} job(s) featured.",
        )

    @admin.action(description="Unfeature selected jobs", permissions=["change"])
    def unfeature_jobs(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            title="Unfeature jobs",
            explanation="The featured flag is removed.",
            apply=lambda qs: _jobs_update(qs.filter(is_featured=True), is_featured=False),
            done="{count} job(s) unfeatured.",
        )

    @admin.action(description="Re-index selected jobs for matching", permissions=["change"])
    def reindex_jobs(self, request, queryset):
        def apply(qs: QuerySet[Job]) -> int:
            from matching.tasks import index_job_embeddings

            ids = list(qs.values_list("pk", flat=True))
            if ids:
                transaction.on_commit(lambda: index_job_embeddings.delay(job_ids=ids, rebuild=True))
            return len(ids)

        return confirm_action(
            self,
            request,
            queryset,
            title="Re-index jobs",
            explanation="Their embeddings are computed again by an index worker, so matching sees their current text.",
            apply=apply,
            done="{count} job(s) queued for re-indexing.",
        )

    @admin.action(description="Re-sync selected jobs to CTS", permissions=["change"])
    def resync_cts(self, request, queryset):
        from ingestion.choices import TriggerKind
        from ingestion.services.refresh import source_not_ready
        from ingestion.services.runs import run_enqueue

        not_ready = source_not_ready(source="cts")
        if not_ready is not None:  # the same rule that disables "Sync to CTS now"
            self.message_user(request, f"Re-sync to CTS: {not_ready} Nothing was marked or started.", messages.ERROR)
            return None

        def apply(qs: QuerySet[Job]) -> int:
            # The CTS sync sends jobs changed since their last sync: mark these changed, then
            # start a sync (or leave them to the one already running).
            count = _jobs_update(qs)
            sync_log, started = run_enqueue(source="cts", triggered_by=TriggerKind.STAFF, user=request.user)
            if started:
                self.message_user(request, f"CTS sync started as run #{sync_log.pk}.", messages.INFO)
            else:
                self.message_user(
                    request,
                    f"A CTS sync is already going (run #{sync_log.pk}); these jobs go with the next one.",
                    messages.WARNING,
                )
            return count

        return confirm_action(
            self,
            request,
            queryset,
            title="Re-sync jobs to CTS",
            explanation="These jobs are sent to Cloud Talent Solution again (expired or hidden ones are removed).",
            apply=apply,
            done="{count} job(s) marked for the CTS sync.",
        )

    def get_actions(self, request):
        from ingestion.admin_views import run_button

        actions = super().get_actions(request)
        if run_button("cts") is None or not request.user.has_perm("ingestion.add_synclog"):
            actions.pop("resync_cts", None)
        return actions

    @admin.action(description="Unlock all fields of selected jobs", permissions=["change"])
    def unlock_fields(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            title="Unlock fields",
            explanation="Every staff-edited field of these jobs will be updated from the source by the next refresh.",
            apply=lambda qs: _jobs_update(qs.exclude(locked_fields=[]), locked_fields=[]),
            done="Fields unlocked on {count} job(s).",
            danger=True,
        )


def _cut(text: str, limit: int) -> str:
    """The text, cut to `limit` characters with an ellipsis; the whole text on hover when cut."""
    if len(text) <= limit:
        return text
    return format_html('<span title="{}">{}</span>', text, Truncator(text).chars(limit))


def _search_terms(search_term: str) -> list[str]:
    """Words as the admin splits them ("quoted phrases" kept together)."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            terms.append(bit)
    return terms


def _job_other_sources(*, job: Job) -> list[Job]:
    """The same posting on other sources: its canonical and the canonical's other duplicates."""
    canonical_id = job.duplicate_of_id or job.pk
    return list(
        Job.objects.filter(Q(pk=canonical_id) | Q(duplicate_of_id=canonical_id))
        .exclude(pk=job.pk)
        .only("id", "source", "external_id", "apply_url", "duplicate_of_id")
        .order_by("source", "id")
    )


@admin.register(Company)
class CompanyAdmin(PermissionMessageMixin, admin.ModelAdmin):
    list_display = ("name", "job_count", "ats_kind", "board_token", "careers_url", "is_enabled", "is_blocked")
    list_filter = ("ats_kind", "is_enabled", "is_blocked")
    search_fields = ("name", "normalized_name", "board_token")
    ordering = ("name",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    prepopulated_fields = {"slug": ("name",)}
    actions = ("block_companies", "unblock_companies", "enable_crawling", "disable_crawling")
    fieldsets = (
        (None, {"fields": ("name", "normalized_name", "slug", "website")}),
        ("Crawling", {"fields": ("ats_kind", "board_token", "careers_url", "is_enabled")}),
        ("Visibility", {"fields": ("is_blocked",)}),
        ("Sync", {"fields": ("cts_name", "created_at", "updated_at")}),
    )
    readonly_fields = ("cts_name", "created_at", "updated_at")

    def get_queryset(self, request):
        """Each company with its number of jobs (any status).

        A correlated subquery, not a JOIN with GROUP BY: it runs once per company on the page,
        an index-only count over the job's company index, where the join would count every
        job of every company before the page is cut. Sorting by it counts them all, once.
        """
        jobs = Job.objects.filter(company=OuterRef("pk")).order_by().values("company").annotate(n=Count("pk"))
        return super().get_queryset(request).annotate(job_count=Coalesce(Subquery(jobs.values("n")), 0))

    @admin.display(description="Jobs", ordering="job_count")
    def job_count(self, obj: Company) -> str:
        count = getattr(obj, "job_count", 0)
        if not count:
            return "0"
        url = f"{reverse('admin:jobs_job_changelist')}?company__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, f"{count:,}")

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # derived from the name on add
            return ((None, {"fields": ("name", "slug", "website")}), *self.fieldsets[1:3])
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        # The normalized name is how every source finds this company again; renaming the
        # display name must not change it.
        return self.readonly_fields + (("normalized_name",) if obj is not None else ())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.normalized_name = normalize_company_name(obj.name)
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from ingestion.admin_views import START_PERMISSION, run_button

        extra_context = {
            **(extra_context or {}),
            "can_crawl": run_button("crawl") is not None and request.user.has_perm(START_PERMISSION),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/crawl/",
                self.admin_site.admin_view(self.crawl_view),
                name="jobs_company_crawl",
            ),
            *super().get_urls(),
        ]

    def crawl_view(self, request, object_id):
        """POST: crawl this company's board now, then show the run."""
        from ingestion.admin_views import START_PERMISSION, company_crawl_start, run_button

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        require_permission(request, START_PERMISSION, doing="Crawling a company's board")
        if run_button("crawl") is None:
            raise PermissionDenied("Crawling is not offered on this installation.")
        company = get_object_or_404(Company, pk=object_id)
        try:
            sync_log, started = company_crawl_start(company=company, user=request.user)
        except ValueError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return redirect(reverse("admin:jobs_company_change", args=[company.pk]))
        if started:
            self.message_user(request, f"Crawl of {company.name} started as run #{sync_log.pk}.", messages.SUCCESS)
        else:
            self.message_user(
                request,
                f"A {sync_log.source} crawl is already going (run #{sync_log.pk}); nothing was started.",
                messages.WARNING,
            )
        return redirect(reverse("admin:ingestion_synclog_change", args=[sync_log.pk]))

    def _set(self, request, queryset, *, title, explanation, done, danger=False, **values):
        field, value = next(iter(values.items()))
        return confirm_action(
            self,
            request,
            queryset,
            title=title,
            explanation=explanation,
            apply=lambda qs: qs.exclude(**{field: value}).update(updated_at=timezone.now(), **values),
            done=done,
            danger=danger,
        )

    @admin.action(description="Block selected companies", permissions=["change"])
    def block_companies(self, request: HttpRequest, queryset):
        return self._set(
            request,
            queryset,
            title="Block companies",
            explanation="Every job of a blocked company vanishes from the API.",
            done="{count} company(ies) blocked.",
            danger=True,
            is_blocked=True,
        )

    @admin.action(description="Unblock selected companies", permissions=["change"])
    def unblock_companies(self, request, queryset):
        return self._set(
            request,
            queryset,
            title="Unblock companies",
            explanation="Their active jobs return to the API.",
            done="{count} company(ies) unblocked.",
            is_blocked=False,
        )

    @admin.action(description="Enable crawling of selected companies", permissions=["change"])
    def enable_crawling(self, request, queryset):
        return self._set(
            request,
            queryset,
            title="Enable crawling",
            explanation="Their boards are crawled on refresh.",
            done="Crawling enabled for {count} company(ies).",
            is_enabled=True,
        )

    @admin.action(description="Disable crawling of selected companies", permissions=["change"])
    def disable_crawling(self, request, queryset):
        return self._set(
            request,
            queryset,
            title="Disable crawling",
            explanation="Refreshes skip their boards; their jobs stay until they expire.",
            done="Crawling disabled for {count} company(ies).",
            danger=True,
            is_enabled=False,
        )
