"""What is usual for a topic at this hour of the week, learned online from the stream itself.

Peak hours are not incidents: a lunchtime rush that happens every weekday must stop looking
like a surge once it has been seen. The model is an EWMA per hour-of-week slot (168, UTC) of the
mean window-voices in that hour, committed when the hour is over, read together with the same
hour of the day (whichever is higher: a weekday lunch peak is usual on Saturday too, a Monday-only
peak is usual on Mondays). An hour never seen falls back to a slow global level.

Why it cannot poison itself:
- a slot is committed only after its hour ends, and the hour just committed is read with its
  value from the previous period, so the baseline a surge is judged against never contains it;
- the caller clips what it feeds in to the emerging threshold, so one surge can raise next
  week's slot by at most that much, while a peak that really repeats keeps climbing until usual.

Each hour is read together with its neighbours (max of previous, current, next) because the
window lags the clock: a peak building at 11:55 or fading at 14:05 belongs to the next/previous
hour's slot.
"""

from __future__ import annotations

from typing import Any

HOURS_PER_WEEK = 168
HOURS_PER_DAY = 24
_MONDAY_OFFSET_H = 72  # 1970-01-01 00:00 UTC was a Thursday: hour 72 of its week
GLOBAL_ALPHA = 0.05  # the global level is a slow warm-up fallback, not a seasonal signal
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def hour_index(t: float) -> int:
    """Absolute hour number since the epoch."""
    return int(t // 3600)


def hour_of_week(t: float) -> int:
    """0 = Monday 00:00 UTC, 167 = Sunday 23:00 UTC."""
    return (hour_index(t) + _MONDAY_OFFSET_H) % HOURS_PER_WEEK


def slot_label(t: float) -> str:
    """'Tuesday 14:00' for the hour-of-week slot ``t`` falls in."""
    how = hour_of_week(t)
    return f"{WEEKDAYS[how // 24]} {how % 24:02d}:00"


class _Slots:
    """``period`` EWMA slots indexed by absolute hour, remembering each slot's value before its last commit."""

    __slots__ = ("period", "offset", "value", "before", "committed", "count")

    def __init__(self, period: int, offset: int) -> None:
        self.period = period
        self.offset = offset
        self.value: list[float | None] = [None] * period
        self.before: list[float | None] = [None] * period
        self.committed: list[int] = [-1] * period
        self.count: list[int] = [0] * period

    def commit(self, hour: int, x: float, alpha: float) -> None:
        s = (hour + self.offset) % self.period
        old = self.value[s]
        self.before[s] = old
        self.count[s] += 1
        self.value[s] = _ewma(old, x, alpha, self.count[s])
        self.committed[s] = hour

    def _known(self, hour: int, now: int) -> float | None:
        s = (hour + self.offset) % self.period
        return self.before[s] if self.committed[s] >= now - 1 else self.value[s]

    def around(self, hour: int) -> float | None:
        """Max over hour-1, hour, hour+1 of what each slot held before ``hour`` began this period.

        None unless ``hour``'s own slot has history: a lone neighbour is not enough to trust.
        """
        best = self._known(hour, hour)
        if best is None:
            return None
        for h in (hour - 1, hour + 1):
            v = self._known(h, hour)
            if v is not None and v > best:
                best = v
        return best


class SeasonalBaseline:
    """Usual window-voices for each hour of the week; feed it once per bucket, read it any time."""

    __slots__ = ("alpha", "floor", "week", "day", "level", "_levels", "_hour", "_sum", "_n", "_elevated")

    def __init__(self, alpha: float = 0.3, floor: float = 1.0) -> None:
        self.alpha = alpha
        self.floor = floor
        self.week = _Slots(HOURS_PER_WEEK, _MONDAY_OFFSET_H)
        self.day = _Slots(HOURS_PER_DAY, 0)
        self.level: float | None = None
        self._levels = 0
        self._hour: int | None = None
        self._sum = 0.0
        self._n = 0
        self._elevated = False

    def learn_one(self, t: float, voices: float, weight: int = 1, elevated: bool = False) -> None:
        """One (or ``weight`` equal) samples of window voices at event time ``t``, already clipped by the caller.

        ``elevated``: the topic was emerging or in crisis; such hours still reach the seasonal slots
        (clipped), but never the global level, which has no seasonal protection.
        """
        hour = hour_index(t)
        if hour != self._hour:
            self._commit()
            self._hour = hour
        self._sum += voices * weight
        self._n += weight
        self._elevated = self._elevated or elevated

    def _commit(self) -> None:
        if self._hour is None or not self._n:
            return
        mean = self._sum / self._n
        self.week.commit(self._hour, mean, self.alpha)
        self.day.commit(self._hour, mean, self.alpha)
        if not self._elevated:
            self._levels += 1
            self.level = _ewma(self.level, mean, GLOBAL_ALPHA, self._levels)
        self._sum = 0.0
        self._n = 0
        self._elevated = False

    def to_json(self) -> dict[str, Any]:
        """Learned state (committed hours only), so a restarted worker need not warm up again."""
        return {
            "alpha": self.alpha, "floor": self.floor, "level": self.level, "levels": self._levels,
            "week": _slots_json(self.week), "day": _slots_json(self.day),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeasonalBaseline:
        b = cls(float(data["alpha"]), float(data["floor"]))
        b.level, b._levels = data["level"], int(data["levels"])
        for table, key in ((b.week, "week"), (b.day, "day")):
            for name in ("value", "before", "committed", "count"):
                getattr(table, name)[:] = data[key][name]
        return b

    def raw(self, t: float) -> tuple[float | None, str]:
        """The learned value for ``t`` and where it came from ('week', 'day', 'level' or 'none')."""
        hour = hour_index(t)
        week, day = self.week.around(hour), self.day.around(hour)
        if week is not None and (day is None or week >= day):
            return week, "week"
        if day is not None:
            return day, "day"
        return self.level, ("level" if self.level is not None else "none")

    def expected(self, t: float) -> float:
        """Usual window voices at ``t``, never below the floor so ratios stay meaningful."""
        v, _ = self.raw(t)
        return self.floor if v is None or v < self.floor else v


def _ewma(old: float | None, x: float, alpha: float, n: int) -> float:
    """EWMA that is a plain mean for its first 1/alpha samples, so the first one does not dominate."""
    if old is None:
        return x
    return old + max(alpha, 1.0 / n) * (x - old)


def _slots_json(table: _Slots) -> dict[str, list[Any]]:
    return {"value": table.value, "before": table.before, "committed": table.committed, "count": table.count}
