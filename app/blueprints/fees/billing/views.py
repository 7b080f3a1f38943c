"""Routes of this part; see the package docstring."""

from app.blueprints.fees import bp  # noqa: F401
