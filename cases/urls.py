from django.urls import path

from . import pastoral_views, referral_pdf, views

app_name = "cases"

urlpatterns = [
    path("cases/", views.my_schools, name="my_schools"),
    path("cases/search/", views.search, name="search"),
    path("s/<slug:school>/cases/", views.inbox, name="inbox"),
    # Pastoral staff's own tasks (where the school allows tasks to be given to them).
    path("s/<slug:school>/my-tasks/", pastoral_views.my_tasks, name="my_tasks"),
    path(
        "s/<slug:school>/my-tasks/<int:task>/done/",
        pastoral_views.my_task_done,
        name="my_task_done",
    ),
    path("s/<slug:school>/pupils/<uuid:pupil>/", views.pupil_file, name="pupil_file"),
    path(
        "s/<slug:school>/pupils/<uuid:pupil>/details/",
        views.pupil_details,
        name="pupil_details",
    ),
    path("cases/<str:reference>/", views.case_detail, name="detail"),
    path("cases/<str:reference>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("cases/<str:reference>/status/", views.change_status, name="status"),
    path("cases/<str:reference>/assign/", views.assign, name="assign"),
    path("cases/<str:reference>/initial-review/", views.review_meeting, name="review_meeting"),
    path("cases/<str:reference>/referral/", views.referral, name="referral"),
    path("cases/<str:reference>/decision/", views.decision, name="decision"),
    path("cases/<str:reference>/parents/", views.parents_informed, name="parents_informed"),
    path("cases/<str:reference>/removal/", views.removal_offered, name="removal_offered"),
    path("cases/<str:reference>/device/", views.device_secured, name="device_secured"),
    path("cases/<str:reference>/device/confirm/", views.confirm_device, name="confirm_device"),
    path(
        "cases/<str:reference>/staff-saw-imagery/",
        views.staff_saw_imagery,
        name="staff_saw_imagery",
    ),
    path(
        "cases/<str:reference>/staff-saw-imagery/confirm/",
        views.confirm_staff_saw_imagery,
        name="confirm_staff_saw_imagery",
    ),
    path("cases/<str:reference>/imagery-viewing/", views.imagery_viewing, name="imagery_viewing"),
    path("cases/<str:reference>/tasks/", views.add_task, name="add_task"),
    path("cases/<str:reference>/tasks/<int:task>/done/", views.task_done, name="task_done"),
    path("cases/<str:reference>/triage/", views.triage_override, name="triage_override"),
    path("cases/<str:reference>/notes/", views.add_note, name="add_note"),
    path("cases/<str:reference>/pupils/add/", views.add_pupil, name="add_pupil"),
    path("cases/<str:reference>/pupils/remove/", views.remove_pupil, name="remove_pupil"),
    path("cases/<str:reference>/link/", views.link_case, name="link_case"),
    path("cases/<str:reference>/duplicate/", views.close_duplicate, name="close_duplicate"),
    path(
        "cases/<str:reference>/referral-summary.pdf",
        referral_pdf.referral_summary,
        name="referral_summary",
    ),
]
