"""Sign-in events written to the audit trail."""
