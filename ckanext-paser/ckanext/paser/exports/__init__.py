"""Downloads for analysts: CSV in plain UTF-8 or for Indonesian Excel, streamed row by row (issue 7)."""
