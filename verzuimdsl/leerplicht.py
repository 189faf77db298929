"""Age-based obligation status: leerplicht, kwalificatieplicht and 18+ (pure functions).

Which obligation applies decides which absence must be reported and how (see
/work/shared/domain/NOTES.md, "The school year, leerplicht and kwalificatieplicht"):

* Leerplicht starts on the first day of the month after the 5th birthday (Leerplichtwet
  art. 3 says "de eerste schooldag" of that month; like the domain notes we use the first
  calendar day, which only differs when the 1st is not a school day).
* It ends at the end of the school year (31 July) in which the pupil turns 16, or earlier,
  at the end of the 12th full school year of attendance (art. 4).
* Kwalificatieplicht follows until the 18th birthday or until a startkwalificatie is obtained.
* From the 18th birthday the pupil is 18+ (RMC/Doorstroompunt territory).

Birthdays on 29 February: in a non-leap year the birthday counts as 1 March, i.e. the age
goes up on 1 March. This is the usual Dutch reading (the day after 28 February ends the
year of age) and is what plain (month, day) comparison gives.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

__all__ = [
    "Status",
    "age_on",
    "birthday",
    "kwalificatieplicht_end",
    "leerplicht_end",
    "leerplicht_start",
    "status_on",
]


class Status(enum.Enum):
    """The obligation a pupil is under on a given day."""

    NIET_LEERPLICHTIG = "niet_leerplichtig"
    LEERPLICHTIG = "leerplichtig"
    KWALIFICATIEPLICHTIG = "kwalificatieplichtig"
    ACHTTIEN_PLUS = "18plus"


def birthday(birth: date, years: int) -> date:
    """The day the pupil turns `years`; a 29 February birthday falls on 1 March in other years."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a non-leap year.
        return date(birth.year + years, 3, 1)


def age_on(birth: date, d: date) -> int:
    """Full years of age on `d` (29 February babies turn a year older on 1 March)."""
    if d < birth:
        raise ValueError(f"datum {d.isoformat()} ligt voor de geboortedatum {birth.isoformat()}")
    return d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day))


def leerplicht_start(birth: date) -> date:
    """First day of the month after the month in which the pupil turns 5."""
    fifth = birthday(birth, 5)
    if fifth.month == 12:
        return date(fifth.year + 1, 1, 1)
    return date(fifth.year, fifth.month + 1, 1)


def leerplicht_end(birth: date, first_school_year: int | None = None) -> date:
    """Last day (inclusive) of leerplicht.

    That is 31 July of the school year in which the pupil turns 16, or, when
    `first_school_year` is given, 31 July after 12 full school years if that is earlier.
    `first_school_year` is the start year of the first *full* school year of attendance
    (a pupil who started in the middle of 2017-2018 passes 2018). A pupil cannot attend
    school before turning 4, so an earlier first school year is rejected as a data error.
    """
    sixteenth = birthday(birth, 16)
    sy = sixteenth.year if sixteenth.month >= 8 else sixteenth.year - 1
    end = date(sy + 1, 7, 31)
    if first_school_year is not None:
        fourth = birthday(birth, 4)
        earliest = fourth.year if fourth.month >= 8 else fourth.year - 1
        if first_school_year < earliest:
            raise ValueError(
                f"eerste schooljaar {first_school_year}-{first_school_year + 1} ligt voor het "
                f"schooljaar waarin de leerling 4 wordt ({earliest}-{earliest + 1})"
            )
        end = min(end, date(first_school_year + 12, 7, 31))
    return end


def kwalificatieplicht_end(birth: date, startkwalificatie: date | None = None) -> date:
    """Last day (inclusive) of kwalificatieplicht.

    The day before the 18th birthday, or the day before the startkwalificatie was obtained
    if that is earlier (from the diploma date on, the obligation no longer applies).
    """
    end = birthday(birth, 18) - timedelta(days=1)
    if startkwalificatie is not None:
        end = min(end, startkwalificatie - timedelta(days=1))
    return end


def status_on(
    birth: date,
    d: date,
    *,
    first_school_year: int | None = None,
    startkwalificatie: date | None = None,
) -> Status:
    """The pupil's obligation on `d`.

    A startkwalificatie only ends kwalificatieplicht, not leerplicht; a pupil under 18 with a
    startkwalificatie and past leerplicht is NIET_LEERPLICHTIG (no obligation left).
    """
    if d < birth:
        raise ValueError(f"datum {d.isoformat()} ligt voor de geboortedatum {birth.isoformat()}")
    if d >= birthday(birth, 18):
        return Status.ACHTTIEN_PLUS
    if d < leerplicht_start(birth):
        return Status.NIET_LEERPLICHTIG
    if d <= leerplicht_end(birth, first_school_year):
        return Status.LEERPLICHTIG
    if d <= kwalificatieplicht_end(birth, startkwalificatie):
        return Status.KWALIFICATIEPLICHTIG
    return Status.NIET_LEERPLICHTIG
