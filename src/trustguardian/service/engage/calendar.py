"""Italian public holidays, for contact windows."""

from __future__ import annotations

import functools
from datetime import date, timedelta

from dateutil.easter import easter

# New Year, Epiphany, Liberation, Labour, Republic, Assumption, All Saints, Immaculate
# Conception, Christmas, St Stephen; Easter Monday is computed.
FIXED = ((1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26))


@functools.lru_cache(maxsize=64)
def italian_holidays(year: int) -> frozenset[date]:
    """The national public holidays of a year (Law 260/1949 and later amendments)."""
    days = {date(year, m, d) for m, d in FIXED} | {easter(year) + timedelta(days=1)}
    if year >= 2026:  # St Francis of Assisi, a national holiday again from 2026 (Law 151/2025)
        days.add(date(year, 10, 4))
    return frozenset(days)
