"""Routes of the match endpoints (included at the root by gigm8/urls.py)."""

from django.urls import path

from matching.api import views

urlpatterns = [
    path("api/match/resume/", views.ResumeMatchView.as_view(), name="match-resume"),
    path("api/match/jd/", views.JdMatchView.as_view(), name="match-jd"),
    path("api/jobs/<int:job_id>/similar/", views.JobSimilarView.as_view(), name="job-similar"),
    # The older API's routes.
    path("match/resume", views.LegacyResumeMatchView.as_view(), name="legacy-match-resume"),
    path("match/jd", views.LegacyJdMatchView.as_view(), name="legacy-match-jd"),
]
