"""Sync with company systems: the outbox dispatcher, signed webhooks, the broker."""
