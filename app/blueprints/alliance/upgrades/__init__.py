"""Shopfront upgrades (门头改造): registrations, their review and revisions, their photos."""
