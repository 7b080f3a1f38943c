"""Arrears, collection-rate reports, and the resident's own fees page."""
