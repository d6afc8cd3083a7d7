"""The emails escalated sends, as Jinja2 templates loaded as package data."""
