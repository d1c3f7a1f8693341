"""User management for school admins, under /s/<school>/people/, and the public invitation link."""

from django.urls import path

from . import people_views

app_name = "people"

urlpatterns = [
    path("", people_views.people_list, name="list"),
    path("invite/", people_views.invite, name="invite"),
    path("pastoral-tasks/", people_views.pastoral_tasks, name="pastoral_tasks"),
    path("<uuid:person_id>/", people_views.person, name="person"),
    path("<uuid:person_id>/roles/add/", people_views.add_role, name="add_role"),
    path("<uuid:person_id>/roles/remove/", people_views.remove_role, name="remove_role"),
    path("<uuid:person_id>/deactivate/", people_views.deactivate, name="deactivate"),
    path(
        "<uuid:person_id>/two-factor/reset/",
        people_views.reset_two_factor,
        name="reset_two_factor",
    ),
    path(
        "invitations/<uuid:invitation_id>/withdraw/",
        people_views.withdraw_invitation,
        name="withdraw_invitation",
    ),
    # DSLs and deputies are given their role when a second person confirms it.
    path("lead-requests/", people_views.lead_requests, name="lead_requests"),
    path(
        "lead-requests/<uuid:request_id>/",
        people_views.decide_lead_request,
        name="decide_lead_request",
    ),
    path("join/<str:token>/", people_views.join, name="join"),
]
