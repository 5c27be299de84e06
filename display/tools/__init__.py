"""Maintenance scripts for the display: run them with `python -m display.tools.<name>`."""
