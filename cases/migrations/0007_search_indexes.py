"""Full-text search indexes for the DSL's search (cases/search.py), on PostgreSQL only: a GIN
index over what was reported (the same vector as `search.incident_vector`) and over case notes,
the free text that grows most. SQLite (development) searches without them.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEXES = (
    (
        "incidents",
        "Incident",
        GinIndex(
            SearchVector("account", "adults_description", "device_details", config="english"),
            name="incident_text_search",
        ),
    ),
    (
        "cases",
        "CaseNote",
        GinIndex(SearchVector("text", config="english"), name="casenote_text_search"),
    ),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for app, model, index in INDEXES:
            schema_editor.add_index(apps.get_model(app, model), index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for app, model, index in INDEXES:
            schema_editor.remove_index(apps.get_model(app, model), index)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_links_and_pupil_changes"),
        ("incidents", "0007_pupil_referral_details"),
    ]

    operations = [migrations.RunPython(create, drop)]
