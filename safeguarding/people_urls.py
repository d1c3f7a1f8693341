"""User management for school admins, under /s/<school>/people/. (Being built.)"""

app_name = "people"

urlpatterns: list = []
