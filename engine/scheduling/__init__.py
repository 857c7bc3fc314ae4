"""Schedules and triggers; the only package that imports APScheduler."""
