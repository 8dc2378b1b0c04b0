"""The users' journeys over the demo portal as make run builds it (issue 14)."""
