"""Reminders, escalations and digests: what is due, the outbox, mail."""
