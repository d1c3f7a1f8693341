from django.urls import path

from . import views

app_name = "records"

school = "s/<slug:school>/"
pupil = school + "pupils/<uuid:pupil>/"
transfer = school + "transfers/<str:transfer>/"
export = school + "exports/<str:export>/"
sar = school + "subject-access/<str:sar>/"

urlpatterns = [
    path(school + "records/", views.overview, name="overview"),
    path(pupil + "file/", views.pupil_record, name="pupil"),
    path(pupil + "file/preview/", views.preview, name="preview"),
    path(pupil + "leaving/", views.leaving, name="leaving"),
    path(pupil + "send/", views.send, name="send"),
    path(pupil + "export/", views.export, name="export"),
    path(pupil + "review/", views.review, name="review"),
    path(pupil + "dispose/", views.dispose, name="dispose"),
    path(pupil + "legal-hold/", views.legal_hold, name="legal_hold"),
    path(pupil + "legal-hold/<int:hold>/lift/", views.lift_hold, name="lift_hold"),
    path(pupil + "subject-access/", views.new_request, name="new_request"),
    path(transfer, views.transfer_detail, name="transfer"),
    path(transfer + "accept/", views.accept, name="accept"),
    path(transfer + "reject/", views.reject, name="reject"),
    path(transfer + "withdraw/", views.withdraw, name="withdraw"),
    path(school + "received/<uuid:received>/", views.received_file, name="received"),
    path(export, views.export_detail, name="export_detail"),
    path(export + "archive.zip", views.export_download, name="export_download"),
    path(export + "sent/", views.export_sent, name="export_sent"),
    path(export + "received/", views.export_received, name="export_received"),
    path(school + "retention/", views.retention, name="retention"),
    path(school + "retention/rule/", views.retention_rule, name="retention_rule"),
    path(school + "subject-access/", views.requests, name="requests"),
    path(sar, views.request_detail, name="request"),
    path(sar + "extend/", views.extend, name="extend"),
    path(sar + "items/<str:key>/", views.item, name="item"),
    path(sar + "disclosure.pdf", views.disclosure_pdf, name="disclosure_pdf"),
    path(sar + "answered/", views.answered, name="answered"),
    path(sar + "close/", views.end_request, name="end_request"),
]
