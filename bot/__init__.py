"""Candidate Lookup: a Slack app that shows ATS candidates as Block Kit cards, privately."""

__version__ = "0.1.0"
