"""The alliances' totals on the district office's overview: shops upgraded and new across the
district with what was invested in them, then each alliance's, leading to its totals page."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.blueprints.alliance.totals import services
from app.dashboards import Figure, Panel
from app.models import Role, User
from app.money import format_fen


def _invested(fen: int) -> str:
    return _("%(money)s invested", money=format_fen(fen))


def _figures(user: User) -> list[Figure]:
    where = services.counted_where(user=user)
    overall = services.overall(where)
    district = url_for("alliance.totals.index")
    figures = [
        Figure(
            overall.upgraded.shops,
            _l("Existing shops upgraded"),
            href=district,
            note=_invested(overall.upgraded.investment_fen),
        ),
        Figure(
            overall.new.shops,
            _l("New shops opened"),
            href=district,
            note=_invested(overall.new.investment_fen),
        ),
    ]
    for street in services.by_street(where, user):
        note = _(
            "%(upgraded)s upgraded · %(new)s new · %(money)s",
            upgraded=street.upgraded.shops,
            new=street.new.shops,
            money=format_fen(street.total.investment_fen),
        )
        href = url_for("alliance.totals.alliance_totals", alliance_id=street.key)
        figures.append(Figure(street.total.shops, street.extra, href=href, note=note))
    return figures


PANELS = (Panel(_l("Merchant alliances: shops and investment"), (Role.ADMIN,), _figures),)
