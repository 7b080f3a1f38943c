"""Roster import from Excel and CSV: upload, preview with errors, commit all or nothing."""
