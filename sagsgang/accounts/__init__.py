"""Accounts: web users and their passwords, personal calendar subscriptions."""
