"""Routes of this part; see the package docstring."""

from app.blueprints.property import bp  # noqa: F401
