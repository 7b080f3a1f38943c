"""What the alliance's figures count: the one definition every total reads.

An upgrade counts with the revision an officer approved — its investment, its dates — and
nothing else: a draft, a submitted or a returned revision counts for nothing, and an edit after
approval leaves the approved figures counted until the new revision is approved in its turn.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, func, select

from app.models import Shop, Upgrade, UpgradeRevision


def counted_upgrades(where: ColumnElement[bool] | None = None) -> Select:
    """One row per counted upgrade: its shop's alliance, category and origin, the approved
    investment in fen and when the approved work finishes; `where` narrows it (a scope)."""
    query = (
        select(
            Upgrade.id.label("upgrade_id"),
            Upgrade.shop_id,
            Shop.alliance_id,
            Shop.category,
            Shop.origin,
            UpgradeRevision.investment_fen,
            UpgradeRevision.finishes_on,
            Upgrade.approved_at,
        )
        .join(UpgradeRevision, UpgradeRevision.id == Upgrade.approved_revision_id)
        .join(Shop, Shop.id == Upgrade.shop_id)
    )
    return query.where(where) if where is not None else query


def summary(where: ColumnElement[bool] | None = None) -> Select:
    """Totals over the counted upgrades by shop origin (upgraded existing shops, new shops):
    origin, shops, upgrades, investment_fen."""
    rows = counted_upgrades(where).subquery()
    return select(
        rows.c.origin,
        func.count(func.distinct(rows.c.shop_id)).label("shops"),
        func.count().label("upgrades"),
        func.coalesce(func.sum(rows.c.investment_fen), 0).label("investment_fen"),
    ).group_by(rows.c.origin)
