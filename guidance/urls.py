from django.urls import path

from . import views

app_name = "guidance"

urlpatterns = [
    path("right-now/", views.right_now, name="right_now"),
    path("checklists/", views.checklist_versions, name="versions"),
    path("checklists/compare/", views.checklist_compare, name="compare"),
    path("checklists/<slug:version>/", views.checklist_detail, name="version"),
]
