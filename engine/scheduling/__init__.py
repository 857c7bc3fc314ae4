"""Schedules and triggers; APScheduler is imported by one module only, engine.scheduling.jobs."""
