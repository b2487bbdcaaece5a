from django.contrib.auth import views as auth
from django.urls import path

from docgen.service.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<str:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<str:case_id>/reveal/", views.reveal_id, name="reveal_id"),
    path("cases/<str:case_id>/persuasions/new/", views.add_persuasion, name="add_persuasion"),
    path("cases/<str:case_id>/notices/<int:index>/service/", views.record_service, name="record_service"),
    path("cases/<str:case_id>/evidence/new/", views.add_evidence_view, name="add_evidence"),
    path("cases/<str:case_id>/evidence/<str:evidence_id>/", views.evidence_file, name="evidence_file"),
    path("numbers/", views.numbers, name="numbers"),
    path("audit/", views.audit_log, name="audit_log"),
]
