"""Lobby and counter screens, the rating screen and the voice announcer."""
