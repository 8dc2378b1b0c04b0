"""Security regressions: secrets, privacy, CSRF, hostile input (issue 14)."""
