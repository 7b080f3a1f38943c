"""Rendering: one template per page, whose blocks double as its HTMX partials."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask, Response, redirect, render_template, request
from flask_babel import format_datetime, format_decimal, get_locale
from flask_login import current_user
from jinja2_fragments.flask import render_block

from app.i18n import LANGUAGE_NAMES
from app.labels import label
from app.models import Role
from app.money import chinese_capital, format_fen
from app.navigation import MenuEntry, menu
from app.periods import format_period
from app.phones import phone_link


def render_page(template: str, block: str | None = None, **context: Any) -> str:
    """The whole page, or only `block` when htmx asks for part of it (not a boosted navigation,
    nor the back button restoring a URL that hx-push-url recorded: that needs the whole page)."""
    if (
        block
        and request.htmx
        and not request.htmx.boosted
        and not request.htmx.history_restore_request
    ):
        return render_block(template, block, **context)
    return render_template(template, **context)


def format_area(value: Decimal | None) -> str:
    return "" if value is None else f"{format_decimal(value, format='#,##0.00')} m²"


def init_template_helpers(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["datetime"] = lambda value: (
        format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""
    )
    app.jinja_env.filters["area"] = format_area
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["money"] = format_fen
    app.jinja_env.filters["capital"] = chinese_capital
    app.jinja_env.filters["period"] = format_period
    app.jinja_env.filters["tel"] = phone_link
    app.jinja_env.filters["number"] = lambda value: format_decimal(value or 0)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {"nav_items": nav_items() if current_user.is_authenticated else []}


def nav_items() -> list[MenuEntry]:
    """The current user's menu, in order, with the entry they are in marked."""
    return menu(current_user.role, request.endpoint, request.path)


def redirect_to(location: str) -> Response:
    """Redirect a normal request, or tell htmx to navigate the whole page there."""
    if request.htmx:
        response = Response(status=204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)
