"""The running totals of orders (customer_running_totals, migration 0003), read at any date.

Tiers, grading and fluctuation read each customer's orders up to a date through these, one
row per customer instead of a year of orders.
"""
from __future__ import annotations

from datetime import date, timedelta

from dashboard.core.periods import Period


# Per customer and month, every order dated up to the, every order dated up to the
# month's last day (migration 0003). The orders up to any date x are the row of the last month ending on or
# before x plus the orders of x's own month up to x, or, from the nearer end of the month, the
# row of x's own month less its orders after x. A window [a, b] is "up to b" minus "up to
# a - 1". Past the horizon (the latest month with orders) the horizon's row holds.
# Each date's rows are tagged and all dates are summed in one GROUP BY: joining per-date
# subqueries on a coalesced key left the planner blind and it chose nested loops.
def totals_rows(name: str) -> str:
    """Rows (k, customer_id, total, purchases, orders, last_purchase_on) summing to the totals up to :{name}.

    last_purchase_on is the latest purchase up to :{name} only when totals_at was asked for it.
    """
    return f"""
        SELECT '{name}' AS k, customer_id, total, purchases, orders, last_purchase_on
        FROM customer_running_totals
        WHERE month = least(CAST(:{name}_month AS date), (SELECT max(month) FROM customer_running_totals))
        UNION ALL
        SELECT '{name}', customer_id, amount, CAST(amount >= 0 AS integer), 1, CASE WHEN amount >= 0 THEN order_date END
        FROM orders WHERE :{name}_sign > 0 AND order_date BETWEEN :{name}_from AND :{name}_to
        UNION ALL  -- the planner keeps one of the two: the sign is a constant
        SELECT '{name}', customer_id, -amount, -CAST(amount >= 0 AS integer), -1, NULL
        FROM orders WHERE :{name}_sign < 0 AND order_date BETWEEN :{name}_from AND :{name}_to"""


def at(column: str, name: str) -> str:
    """One customer's `column` (total, purchases, orders) up to :{name}, from totals_rows."""
    return f"coalesce(sum({column}) FILTER (WHERE k = '{name}'), 0)"


def between(column: str, before: str, upto: str) -> str:
    """One customer's `column` after :{before} up to :{upto}: one signed sum instead of two."""
    return f"coalesce(sum(CASE k WHEN '{upto}' THEN {column} WHEN '{before}' THEN -{column} END), 0)"


def last_month_ended_by(day: date) -> Period:
    """The latest calendar month whose last day is on or before `day`."""
    month = Period.containing("month", day)
    return month if month.end == day else month.previous()


def totals_at(name: str, day: date, last_purchase: bool = False) -> dict:
    """The parameters of totals_rows(name) for the orders up to and including `day`.

    The orders of `day`'s month are read from whichever end of it is nearer: after the 15th,
    the month's row less the orders after `day` halves the orders read. That row's latest
    purchase may fall after `day`, so `last_purchase` always adds from the month's start.
    """
    month = Period.containing("month", day)
    if not last_purchase and (month.end - day).days < day.day:
        return {f"{name}_month": month.start, f"{name}_from": day + timedelta(days=1), f"{name}_to": month.end,
                f"{name}_sign": -1}
    month = last_month_ended_by(day)
    return {f"{name}_month": month.start, f"{name}_from": month.end + timedelta(days=1), f"{name}_to": day,
            f"{name}_sign": 1}
