"""Periods and time: the one clock the portal reads, the communities' zone, calendar months.

Times are stored in UTC and shown in Asia/Shanghai, where the communities are. Billing periods
are calendar months kept as yyyymm integers (202611); `Month` is the same month as an object
whose boundaries are Shanghai midnights, for queries over timestamps.

Every rule that depends on "today" (the month to bill, late fees, expiries, quarters) reads
`utcnow()` or the helpers built on it, never `datetime.now()`: tests and the demo move the
clock with `travel_to()`, so the suite passes on every day of the year.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Shanghai"
SHANGHAI = ZoneInfo(TIMEZONE)
_PERIOD = re.compile(r"^([0-9]{4})-([0-9]{2})$")

# How far the clock is set from the real one: zero in production. A shift, not a stopped
# clock, so that events recorded one after the other keep their order.
_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _offset


def shanghai_now() -> datetime:
    return utcnow().astimezone(SHANGHAI)


def shanghai_today() -> date:
    return shanghai_now().date()


@contextmanager
def travel_to(moment: datetime) -> Iterator[None]:
    """Run the portal as if it were `moment` (timezone-aware); the clock keeps ticking."""
    global _offset
    previous = _offset
    _offset = moment - datetime.now(UTC)
    try:
        yield
    finally:
        _offset = previous


# The months the portal bills and records: bills, rates and leases live in this century.
FIRST_PERIOD, LAST_PERIOD = 200001, 209912


class PeriodOutOfRange(ValueError):
    """A well-formed month outside FIRST_PERIOD … LAST_PERIOD."""


def parse_period(text: str | None) -> int:
    """'2026-11' → 202611. Raises ValueError for anything else, PeriodOutOfRange for a month
    outside the portal's window."""
    match = _PERIOD.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"not a month: {text!r}")
    period = int(match.group(1)) * 100 + int(match.group(2))
    if not FIRST_PERIOD <= period <= LAST_PERIOD:
        raise PeriodOutOfRange(f"outside the portal's months: {text!r}")
    return period


def format_period(period: int) -> str:
    return f"{period // 100:04d}-{period % 100:02d}"


def add_months(period: int, months: int) -> int:
    index = (period // 100) * 12 + (period % 100 - 1) + months
    return (index // 12) * 100 + index % 12 + 1


def months_between(first: int, last: int) -> int:
    """How many months `last` is after `first` (0 for the same month)."""
    return (last // 100 - first // 100) * 12 + last % 100 - first % 100


def current_period(now: datetime | None = None) -> int:
    """This month in Asia/Shanghai."""
    local = (now or utcnow()).astimezone(SHANGHAI)
    return local.year * 100 + local.month


@dataclass(frozen=True)
class Month:
    """A calendar month (2026-11), whose boundaries are midnights in Asia/Shanghai."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month | None:
        try:
            period = parse_period(text)
        except ValueError:
            return None
        return cls(period // 100, period % 100) if period < 2101_00 else None

    @classmethod
    def containing(cls, moment: datetime) -> Month:
        local = moment.astimezone(SHANGHAI)
        return cls(local.year, local.month)

    def shifted(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """The month's first instant and the next month's, in UTC."""
        following = self.shifted(1)
        return (
            datetime(self.year, self.month, 1, tzinfo=SHANGHAI).astimezone(UTC),
            datetime(following.year, following.month, 1, tzinfo=SHANGHAI).astimezone(UTC),
        )

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
