"""Units of the protocol language.

School days, working days, calendar days, school weeks, weeks and lesson hours are distinct
units: the type checker refuses to mix them where the law does not, and the interpreter
counts each one in its own calendar.
"""

from __future__ import annotations

import enum


class Dimension(enum.Enum):
    LESSON_TIME = "lestijd"  # hours and dagdelen of missed lessons
    COUNT = "aantal"  # events: times late, sick reports, no-shows
    DAYS = "dagen"  # a span measured in some kind of day
    PERIOD = "periode"  # weeks, months, quarters, school years
    RATIO = "aandeel"  # percent of school time


class Unit(enum.Enum):
    HOUR = "uur"
    DAYPART = "dagdeel"
    COUNT = "keer"
    WORKING_DAY = "werkdag"
    SCHOOL_DAY = "schooldag"
    CALENDAR_DAY = "dag"
    SCHOOL_WEEK = "schoolweek"
    WEEK = "week"
    MONTH = "maand"
    QUARTER = "kwartaal"
    SCHOOL_YEAR = "schooljaar"
    PERCENT = "procent"

    @property
    def dimension(self) -> Dimension:
        return _DIMENSIONS[self]

    def label(self, n: float | int | None = None) -> str:
        """Dutch word with the right number: 1 werkdag, 5 werkdagen."""
        singular, plural = _WORDS_OUT[self]
        return singular if n is not None and float(n) == 1 else plural

    def with_number(self, n: float | int) -> str:
        return f"{format_number(n)} {self.label(n)}"

    def english(self, n: float | int | None = None) -> str:
        singular, plural = _ENGLISH[self]
        return singular if n is not None and float(n) == 1 else plural


def format_number(n: float | int) -> str:
    """Dutch notation: 5,5 rather than 5.5; whole numbers without decimals."""
    if float(n).is_integer():
        return str(int(n))
    return f"{n}".replace(".", ",")


_DIMENSIONS = {
    Unit.HOUR: Dimension.LESSON_TIME,
    Unit.DAYPART: Dimension.LESSON_TIME,
    Unit.COUNT: Dimension.COUNT,
    Unit.WORKING_DAY: Dimension.DAYS,
    Unit.SCHOOL_DAY: Dimension.DAYS,
    Unit.CALENDAR_DAY: Dimension.DAYS,
    Unit.SCHOOL_WEEK: Dimension.PERIOD,
    Unit.WEEK: Dimension.PERIOD,
    Unit.MONTH: Dimension.PERIOD,
    Unit.QUARTER: Dimension.PERIOD,
    Unit.SCHOOL_YEAR: Dimension.PERIOD,
    Unit.PERCENT: Dimension.RATIO,
}

_WORDS_OUT = {
    Unit.HOUR: ("uur", "uur"),
    Unit.DAYPART: ("dagdeel", "dagdelen"),
    Unit.COUNT: ("keer", "keer"),
    Unit.WORKING_DAY: ("werkdag", "werkdagen"),
    Unit.SCHOOL_DAY: ("schooldag", "schooldagen"),
    Unit.CALENDAR_DAY: ("dag", "dagen"),
    Unit.SCHOOL_WEEK: ("schoolweek", "schoolweken"),
    Unit.WEEK: ("week", "weken"),
    Unit.MONTH: ("maand", "maanden"),
    Unit.QUARTER: ("kwartaal", "kwartalen"),
    Unit.SCHOOL_YEAR: ("schooljaar", "schooljaren"),
    Unit.PERCENT: ("procent", "procent"),
}

_ENGLISH = {
    Unit.HOUR: ("hour", "hours"),
    Unit.DAYPART: ("half-day", "half-days"),
    Unit.COUNT: ("time", "times"),
    Unit.WORKING_DAY: ("working day", "working days"),
    Unit.SCHOOL_DAY: ("school day", "school days"),
    Unit.CALENDAR_DAY: ("day", "days"),
    Unit.SCHOOL_WEEK: ("school week", "school weeks"),
    Unit.WEEK: ("week", "weeks"),
    Unit.MONTH: ("month", "months"),
    Unit.QUARTER: ("quarter", "quarters"),
    Unit.SCHOOL_YEAR: ("school year", "school years"),
    Unit.PERCENT: ("percent", "percent"),
}

# the words the grammar accepts, singular and plural
WORDS: dict[str, Unit] = {}
for _unit, (_s, _p) in _WORDS_OUT.items():
    WORDS[_s] = _unit
    WORDS[_p] = _unit
WORDS["uren"] = Unit.HOUR

# units in which a deadline ("binnen 5 werkdagen") may be given
DEADLINE_UNITS = (
    Unit.WORKING_DAY,
    Unit.SCHOOL_DAY,
    Unit.CALENDAR_DAY,
    Unit.SCHOOL_WEEK,
    Unit.WEEK,
    Unit.MONTH,
)

# units in which a counting window ("binnen 4 schoolweken", "per kwartaal") may be given
WINDOW_UNITS = (
    Unit.SCHOOL_DAY,
    Unit.CALENDAR_DAY,
    Unit.SCHOOL_WEEK,
    Unit.WEEK,
    Unit.MONTH,
    Unit.QUARTER,
    Unit.SCHOOL_YEAR,
)

# units in which an unbroken run ("4 schooldagen aaneengesloten") may be measured
RUN_UNITS = (
    Unit.SCHOOL_DAY,
    Unit.CALENDAR_DAY,
    Unit.SCHOOL_WEEK,
    Unit.WEEK,
    Unit.MONTH,
)

# the most school days one window unit can hold, for the reachability check
MAX_SCHOOL_DAYS = {
    Unit.SCHOOL_DAY: 1,
    Unit.CALENDAR_DAY: 1,
    Unit.SCHOOL_WEEK: 5,
    Unit.WEEK: 5,
    Unit.MONTH: 23,
    Unit.QUARTER: 66,
    Unit.SCHOOL_YEAR: 200,
}

# how many calendar days a run unit spans at least, to compare run thresholds
APPROX_CALENDAR_DAYS = {
    Unit.SCHOOL_DAY: 1.4,
    Unit.CALENDAR_DAY: 1,
    Unit.SCHOOL_WEEK: 7,
    Unit.WEEK: 7,
    Unit.MONTH: 30.4,
    Unit.QUARTER: 91.3,
    Unit.SCHOOL_YEAR: 365,
}
