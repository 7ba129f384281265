"""Enumerations shared by every source, the API and the admin.

Employment types and job levels use Google Cloud Talent Solution's enum names so a job
maps onto CTS without a translation table.
"""

from django.db import models


class EmploymentType(models.TextChoices):
    FULL_TIME = "FULL_TIME", "Full time"
    PART_TIME = "PART_TIME", "Part time"
    CONTRACTOR = "CONTRACTOR", "Contractor"
    CONTRACT_TO_HIRE = "CONTRACT_TO_HIRE", "Contract to hire"
    TEMPORARY = "TEMPORARY", "Temporary"
    INTERN = "INTERN", "Intern"
    VOLUNTEER = "VOLUNTEER", "Volunteer"
    PER_DIEM = "PER_DIEM", "Per diem"
    FLY_IN_FLY_OUT = "FLY_IN_FLY_OUT", "Fly-in fly-out"
    OTHER_EMPLOYMENT_TYPE = "OTHER_EMPLOYMENT_TYPE", "Other"


class JobLevel(models.TextChoices):
    ENTRY_LEVEL = "ENTRY_LEVEL", "Entry level"
    EXPERIENCED = "EXPERIENCED", "Experienced"
    MANAGER = "MANAGER", "Manager"
    DIRECTOR = "DIRECTOR", "Director"
    EXECUTIVE = "EXECUTIVE", "Executive"


class Remote(models.TextChoices):
    ONSITE = "onsite", "On site"
    HYBRID = "hybrid", "Hybrid"
    REMOTE = "remote", "Remote"


class JobStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    HIDDEN = "hidden", "Hidden"


class SalaryPeriod(models.TextChoices):
    HOUR = "hour", "Per hour"
    DAY = "day", "Per day"
    WEEK = "week", "Per week"
    MONTH = "month", "Per month"
    YEAR = "year", "Per year"


class SalarySource(models.TextChoices):
    """Where a salary came from: its provenance, shown beside it."""

    NONE = "", "Unknown"
    STRUCTURED = "structured", "Given by the source"
    PREDICTED = "predicted", "Predicted by the source"
    PARSED = "parsed", "Parsed from text"
    DESCRIPTION = "description", "Read from the description"


class GeoPrecision(models.TextChoices):
    """What a job's latitude/longitude stand for: a point, or the centre of the place it names."""

    NONE = "", "No coordinates"
    POINT = "point", "Point given by the source or staff"
    CITY = "city", "City"
    REGION = "region", "Centre of the region"
    COUNTRY = "country", "Centre of the country"


class AtsKind(models.TextChoices):
    """The applicant-tracking system (or page kind) a company's jobs are crawled from."""

    NONE = "", "None"
    GREENHOUSE = "greenhouse", "Greenhouse"
    LEVER = "lever", "Lever"
    ASHBY = "ashby", "Ashby"
    MICROSOFT = "microsoft", "Microsoft Careers"
    WORKDAY = "workday", "Workday"
    SMARTRECRUITERS = "smartrecruiters", "SmartRecruiters"
    WORKABLE = "workable", "Workable"
    RECRUITEE = "recruitee", "Recruitee"
    CAREERS = "careers", "Careers page (JobPosting markup)"


# Fields a staff member may edit and so lock against refreshes. One list, used by the
# model's check, the admin and the API.
LOCKABLE_FIELDS = (
    "title",
    "description",
    "description_html",
    "company",
    "location",
    "city",
    "region",
    "country",
    "latitude",
    "longitude",
    "remote",
    "employment_type",
    "job_level",
    "is_internship",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "salary_is_predicted",
    "category",
    "skills",
    "apply_url",
    "posted_at",
    "expires_at",
)
