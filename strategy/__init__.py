"""The joint action plan: plans, measures, indicators, meetings and reminders (may read reporting.statistics)."""
