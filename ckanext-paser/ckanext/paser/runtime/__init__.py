"""Settings of the portal's web processes themselves (gc_freeze.py)."""
