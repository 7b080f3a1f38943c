"""Roster routes, one module per concern: lists with live search and sorting, inline household
editing, dialog forms, the building generator, staff and accounts, history. Managers and the
district office change things; stewards read. `bp` is the part's blueprint, with the routes of
all four modules on it."""

from app.blueprints.property.roster.views import history, households, places, staff
from app.blueprints.property.roster.views.common import bp

__all__ = ["bp", "history", "households", "places", "staff"]
