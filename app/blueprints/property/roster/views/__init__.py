"""Roster routes, one module per concern: lists with live search and sorting, inline household
editing, dialog forms, the building generator, staff and accounts, history. Managers and the
district office change things; stewards read. Importing this package attaches its routes."""

from app.blueprints.property.roster.views import history, households, places, staff

__all__ = ["history", "households", "places", "staff"]
