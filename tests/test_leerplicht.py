"""Tests for verzuimdsl.leerplicht; expected dates worked out by hand from the rules in
Leerplichtwet art. 3, 4 and 4a (school year 1 August - 31 July)."""

from __future__ import annotations

from datetime import date

import pytest

from verzuimdsl.leerplicht import (
    Status,
    age_on,
    birthday,
    kwalificatieplicht_end,
    leerplicht_end,
    leerplicht_start,
    status_on,
)

BORN = date(2013, 2, 11)


def test_leerplicht_starts_first_of_month_after_fifth_birthday() -> None:
    assert leerplicht_start(BORN) == date(2018, 3, 1)
    assert status_on(BORN, date(2018, 2, 28)) is Status.NIET_LEERPLICHTIG
    assert status_on(BORN, date(2018, 3, 1)) is Status.LEERPLICHTIG


def test_leerplicht_start_edge_months() -> None:
    # Born on the 1st: still the month *after* the birthday month.
    assert leerplicht_start(date(2013, 3, 1)) == date(2018, 4, 1)
    # Fifth birthday in December: 1 January of the next year.
    assert leerplicht_start(date(2013, 12, 15)) == date(2019, 1, 1)


def test_leerplicht_ends_at_end_of_school_year_of_sixteenth_birthday() -> None:
    # Turns 16 on 11 Feb 2029, in school year 2028-2029.
    assert leerplicht_end(BORN) == date(2029, 7, 31)
    assert status_on(BORN, date(2029, 7, 31)) is Status.LEERPLICHTIG
    assert status_on(BORN, date(2029, 8, 1)) is Status.KWALIFICATIEPLICHTIG


def test_leerplicht_end_around_the_school_year_boundary() -> None:
    # Turning 16 on 31 July ends leerplicht that same day; on 1 August, a year later.
    assert leerplicht_end(date(2013, 7, 31)) == date(2029, 7, 31)
    assert leerplicht_end(date(2013, 8, 1)) == date(2030, 7, 31)
    assert leerplicht_end(date(2013, 9, 10)) == date(2030, 7, 31)


def test_twelve_full_school_years_end_leerplicht_earlier() -> None:
    # Born 2 Aug 2012: 4 on 2 Aug 2016, so 2016-2017 can be the first full school year;
    # twelve of them end on 31 July 2028. Turning 16 (2 Aug 2028) would give 31 July 2029.
    born = date(2012, 8, 2)
    assert leerplicht_end(born) == date(2029, 7, 31)
    assert leerplicht_end(born, first_school_year=2016) == date(2028, 7, 31)
    assert status_on(born, date(2028, 8, 1)) is Status.LEERPLICHTIG
    assert status_on(born, date(2028, 8, 1), first_school_year=2016) is (
        Status.KWALIFICATIEPLICHTIG
    )
    # A later start does not extend leerplicht beyond the age rule.
    assert leerplicht_end(born, first_school_year=2018) == date(2029, 7, 31)


def test_first_school_year_before_age_four_is_rejected() -> None:
    with pytest.raises(ValueError):
        leerplicht_end(date(2012, 8, 2), first_school_year=2015)


def test_kwalificatieplicht_runs_to_day_before_eighteenth_birthday() -> None:
    assert kwalificatieplicht_end(BORN) == date(2031, 2, 10)
    assert status_on(BORN, date(2031, 2, 10)) is Status.KWALIFICATIEPLICHTIG
    assert status_on(BORN, date(2031, 2, 11)) is Status.ACHTTIEN_PLUS


def test_eighteen_plus() -> None:
    assert status_on(BORN, date(2035, 6, 1)) is Status.ACHTTIEN_PLUS
    assert (
        status_on(BORN, date(2031, 2, 11), startkwalificatie=date(2030, 6, 15))
        is Status.ACHTTIEN_PLUS
    )


def test_startkwalificatie_ends_kwalificatieplicht() -> None:
    sk = date(2030, 6, 15)
    assert kwalificatieplicht_end(BORN, startkwalificatie=sk) == date(2030, 6, 14)
    assert status_on(BORN, date(2030, 6, 14), startkwalificatie=sk) is (Status.KWALIFICATIEPLICHTIG)
    assert status_on(BORN, date(2030, 6, 15), startkwalificatie=sk) is Status.NIET_LEERPLICHTIG
    # A startkwalificatie after the 18th birthday changes nothing.
    assert kwalificatieplicht_end(BORN, startkwalificatie=date(2032, 1, 1)) == date(2031, 2, 10)


def test_startkwalificatie_does_not_end_leerplicht() -> None:
    # Born 10 Sep 2013: leerplicht until 31 July 2030; diploma on 1 July 2030.
    born, sk = date(2013, 9, 10), date(2030, 7, 1)
    assert status_on(born, date(2030, 7, 10), startkwalificatie=sk) is Status.LEERPLICHTIG
    assert status_on(born, date(2030, 8, 1), startkwalificatie=sk) is Status.NIET_LEERPLICHTIG
    assert status_on(born, date(2030, 8, 1)) is Status.KWALIFICATIEPLICHTIG


def test_age_on() -> None:
    assert age_on(BORN, date(2018, 2, 10)) == 4
    assert age_on(BORN, date(2018, 2, 11)) == 5
    assert age_on(BORN, BORN) == 0
    with pytest.raises(ValueError):
        age_on(BORN, date(2013, 2, 10))
    with pytest.raises(ValueError):
        status_on(BORN, date(2013, 2, 10))


def test_born_on_29_february() -> None:
    born = date(2012, 2, 29)
    # Non-leap years: a year older on 1 March.
    assert age_on(born, date(2013, 2, 28)) == 0
    assert age_on(born, date(2013, 3, 1)) == 1
    # Leap years: on 29 February itself.
    assert age_on(born, date(2016, 2, 28)) == 3
    assert age_on(born, date(2016, 2, 29)) == 4
    assert birthday(born, 5) == date(2017, 3, 1)
    assert birthday(born, 4) == date(2016, 2, 29)
    # Turns 5 on 1 March 2017, so leerplicht starts 1 April 2017.
    assert leerplicht_start(born) == date(2017, 4, 1)
    # Turns 16 on 29 Feb 2028 (leap year), school year 2027-2028.
    assert leerplicht_end(born) == date(2028, 7, 31)
    # Turns 18 on 1 March 2030.
    assert kwalificatieplicht_end(born) == date(2030, 2, 28)
    assert status_on(born, date(2030, 2, 28)) is Status.KWALIFICATIEPLICHTIG
    assert status_on(born, date(2030, 3, 1)) is Status.ACHTTIEN_PLUS


def test_status_values() -> None:
    assert Status("18plus") is Status.ACHTTIEN_PLUS
    assert Status.KWALIFICATIEPLICHTIG.value == "kwalificatieplichtig"
