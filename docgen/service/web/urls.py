from django.contrib.auth import views as auth
from django.urls import path

from docgen.service.web import edits, exchange, jobs, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("filings/", views.file_monthly, name="file_monthly"),
    path("login/", auth.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<str:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<str:case_id>/reveal/", views.reveal_id, name="reveal_id"),
    path("cases/<str:case_id>/persuasions/new/", edits.add_persuasion, name="add_persuasion"),
    path("cases/<str:case_id>/teaching/new/", edits.add_teaching, name="add_teaching"),
    path("cases/<str:case_id>/notices/<int:index>/service/", edits.record_service, name="record_service"),
    path("cases/<str:case_id>/evidence/new/", edits.add_evidence_view, name="add_evidence"),
    path("cases/<str:case_id>/evidence/<str:evidence_id>/", views.evidence_file, name="evidence_file"),
    path("cases/<str:case_id>/evidence/<str:evidence_id>/preview/", views.evidence_preview, name="evidence_preview"),
    path("cases/<str:case_id>/documents/new/", edits.issue_document, name="issue_document"),
    path("cases/<str:case_id>/documents/<int:pk>/", views.document_file, name="document_file"),
    path("ledger/", exchange.ledger, name="ledger"),
    path("ledger/confirm/", exchange.ledger_confirm, name="ledger_confirm"),
    path("ledger/export/", exchange.ledger_export, name="ledger_export"),
    path("numbers/", exchange.numbers, name="numbers"),
    path("numbers/<int:pk>/void/", exchange.void, name="void_number"),
    path("accounts/", exchange.accounts, name="accounts"),
    path("accounts/<str:username>/reset/", exchange.reset, name="reset_password"),
    path("audit/", exchange.audit_log, name="audit_log"),
    path("audit/export/", exchange.audit_export, name="audit_export"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status/", jobs.job_status, name="job_status"),
    path("jobs/<int:pk>/cancel/", jobs.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/result/", jobs.job_result, name="job_result"),
    path("audits/", jobs.audit_runs, name="audits"),
    path("audits/<int:pk>/", jobs.audit_run, name="audit_run"),
    path("audits/compare/<int:before>/<int:after>/", jobs.audit_compare, name="audit_compare"),
]
