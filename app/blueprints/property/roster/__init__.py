"""Roster (花名册): communities, buildings, units, households, residents, staff."""
