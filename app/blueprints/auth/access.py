"""Who sees accounts, sessions and activation codes: everyone their own account and sessions (the
district office too), company staff the accounts of their company and its residents, and the
activation codes of their households."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from app.authz import Audience, Rules, company_communities
from app.models import ActivationCode, Household, LoginSession, ResidentHousehold, User


def _own_sessions(user: User) -> ColumnElement[bool]:
    return LoginSession.user_id == user.id


RULES: Rules = {
    ActivationCode: {
        Audience.STAFF: lambda u: ActivationCode.household_id.in_(
            select(Household.id).where(Household.community_id.in_(company_communities(u)))
        ),
    },
    User: {
        Audience.STAFF: lambda u: (
            (User.company_id == u.company_id)
            | User.id.in_(
                select(ResidentHousehold.user_id).where(
                    ResidentHousehold.household_id.in_(
                        select(Household.id).where(
                            Household.community_id.in_(company_communities(u))
                        )
                    )
                )
            )
        ),
        Audience.RESIDENT: lambda u: User.id == u.id,
        Audience.MERCHANT: lambda u: User.id == u.id,
        Audience.OFFICER: lambda u: User.id == u.id,
    },
    LoginSession: {
        audience: _own_sessions for audience in Audience if audience is not Audience.PUBLIC
    },
}
