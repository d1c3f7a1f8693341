"""Case records are not editable in the admin: every change goes through cases/services.py."""
