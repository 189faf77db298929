"""Tests for verzuimdsl.calendar; expected dates are worked out by hand from a paper calendar,
the Algemene termijnenwet and the Regeling vaststelling schoolvakanties 2025-2030."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verzuimdsl.calendar import (
    CalendarError,
    Region,
    SchoolCalendar,
    add_months,
    calendar_for,
    parse_school_year,
    school_year_of,
)

ZUID = calendar_for(Region.ZUID)
MIDDEN = calendar_for(Region.MIDDEN)
NOORD = calendar_for(Region.NOORD)


# --- werkdagen (Algemene termijnenwet) ---------------------------------------------------------


def test_weekend_is_not_a_working_day() -> None:
    assert ZUID.is_working_day(date(2025, 11, 14))  # Friday
    assert not ZUID.is_working_day(date(2025, 11, 15))  # Saturday
    assert not ZUID.is_working_day(date(2025, 11, 16))  # Sunday


def test_koningsdag_on_monday_is_not_a_working_day() -> None:
    # 27 April 2026 is a Monday.
    assert not ZUID.is_working_day(date(2026, 4, 27))
    assert ZUID.holiday_name(date(2026, 4, 27)) == "Koningsdag"


def test_koningsdag_moves_to_saturday_when_27_april_is_sunday() -> None:
    # 27 April 2025 is a Sunday, so Koningsdag is Saturday 26 April: no weekday is lost.
    assert ZUID.holiday_name(date(2025, 4, 26)) == "Koningsdag"
    assert ZUID.holiday_name(date(2025, 4, 27)) == "Meivakantie"  # a Sunday in the break
    assert ZUID.is_working_day(date(2025, 4, 25))  # Friday
    assert ZUID.is_working_day(date(2025, 4, 28))  # Monday


def test_bevrijdingsdag_is_a_holiday_every_year() -> None:
    # 2026 and 2027 are not lustrum years; the Atw still makes 5 mei a holiday.
    assert not ZUID.is_working_day(date(2026, 5, 5))  # Tuesday
    assert not ZUID.is_working_day(date(2027, 5, 5))  # Wednesday
    assert ZUID.holiday_name(date(2027, 5, 5)) == "Bevrijdingsdag"
    assert ZUID.is_working_day(date(2027, 5, 4))


def test_good_friday_is_a_working_day_and_a_school_day() -> None:
    assert ZUID.is_working_day(date(2026, 4, 3))
    assert ZUID.is_school_day(date(2026, 4, 3))
    assert ZUID.holiday_name(date(2026, 4, 3)) is None


def test_easter_monday_ascension_and_whit_monday() -> None:
    assert not ZUID.is_working_day(date(2026, 4, 6))  # tweede paasdag
    assert ZUID.holiday_name(date(2026, 4, 6)) == "Tweede paasdag"
    assert not ZUID.is_working_day(date(2026, 5, 14))  # Hemelvaartsdag (Thursday)
    assert ZUID.holiday_name(date(2026, 5, 14)) == "Hemelvaartsdag"
    assert ZUID.is_working_day(date(2026, 5, 15))  # the Friday after is an ordinary day
    assert not ZUID.is_working_day(date(2026, 5, 25))  # tweede pinksterdag
    assert ZUID.holiday_name(date(2026, 5, 25)) == "Tweede pinksterdag"


def test_christmas_and_new_year() -> None:
    assert not ZUID.is_working_day(date(2025, 12, 25))  # Thursday
    assert not ZUID.is_working_day(date(2025, 12, 26))  # Friday
    assert ZUID.is_working_day(date(2025, 12, 24))
    assert not ZUID.is_working_day(date(2027, 1, 1))  # Friday
    assert ZUID.holiday_name(date(2027, 1, 1)) == "Nieuwjaarsdag"
    # An Atw holiday inside a school holiday is named after the Atw holiday.
    assert ZUID.holiday_name(date(2025, 12, 26)) == "Tweede kerstdag"


def test_working_days_do_not_depend_on_school_holidays() -> None:
    # Monday 20 October 2025 is in Midden's herfstvakantie but still a working day.
    assert MIDDEN.is_working_day(date(2025, 10, 20))
    assert not MIDDEN.is_school_day(date(2025, 10, 20))


def test_add_working_days_across_weekend_and_christmas() -> None:
    # Friday 19 Dec 2025: Mon 22, Tue 23, Wed 24, (Thu 25, Fri 26 holidays, weekend), Mon 29,
    # Tue 30.
    assert ZUID.add_working_days(date(2025, 12, 19), 5) == date(2025, 12, 30)
    assert ZUID.add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 29)
    assert ZUID.working_days_between(date(2025, 12, 19), date(2025, 12, 30)) == 5


def test_add_working_days_across_easter() -> None:
    # Thursday 2 April 2026 -> Good Friday 3 April (working) -> Tuesday 7 April.
    assert ZUID.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 3)
    assert ZUID.add_working_days(date(2026, 4, 2), 2) == date(2026, 4, 7)


def test_add_working_days_from_a_non_working_day() -> None:
    # An event on Saturday 4 April 2026: the 1st working day after it is Tuesday 7 April.
    assert ZUID.add_working_days(date(2026, 4, 4), 1) == date(2026, 4, 7)
    assert ZUID.add_working_days(date(2026, 4, 4), 0) == date(2026, 4, 4)
    # Backwards: the working day before Monday 29 Dec 2025 is Wednesday 24 Dec.
    assert ZUID.add_working_days(date(2025, 12, 29), -1) == date(2025, 12, 24)
    assert ZUID.add_working_days(date(2025, 12, 27), -1) == date(2025, 12, 24)


def test_working_days_between_is_negative_backwards() -> None:
    assert ZUID.working_days_between(date(2025, 12, 30), date(2025, 12, 19)) == -5
    assert ZUID.working_days_between(date(2025, 12, 19), date(2025, 12, 19)) == 0


def test_working_days_outside_school_range_are_available() -> None:
    # Werkdagen only need the Atw, so they work after the school-holiday data ends.
    assert ZUID.is_working_day(date(2035, 1, 2))  # Tuesday
    assert not ZUID.is_working_day(date(2036, 5, 5))  # Monday, Bevrijdingsdag


# --- schooldagen ------------------------------------------------------------------------------


def test_autumn_break_differs_between_regions_2025() -> None:
    # Zuid: 11-19 October 2025; Midden and Noord: 18-26 October 2025.
    assert not ZUID.is_school_day(date(2025, 10, 15))
    assert MIDDEN.is_school_day(date(2025, 10, 15))
    assert NOORD.is_school_day(date(2025, 10, 15))
    assert ZUID.is_school_day(date(2025, 10, 22))
    assert not MIDDEN.is_school_day(date(2025, 10, 22))
    assert not NOORD.is_school_day(date(2025, 10, 22))
    assert ZUID.holiday_name(date(2025, 10, 15)) == "Herfstvakantie"
    assert MIDDEN.holiday_name(date(2025, 10, 22)) == "Herfstvakantie"


def test_consecutive_school_days_across_autumn_break() -> None:
    friday, monday = date(2025, 10, 10), date(2025, 10, 20)
    assert ZUID.is_school_day(friday) and ZUID.is_school_day(monday)
    assert ZUID.add_school_days(friday, 1) == monday
    assert ZUID.add_school_days(monday, -1) == friday
    assert ZUID.school_day_ordinal(monday) == ZUID.school_day_ordinal(friday) + 1


def test_summer_break_spans_the_school_year_boundary() -> None:
    # Zuid summer 2025: 5 July - 17 August. Last school day Friday 4 July (school year
    # 2024-2025), first Monday 18 August (2025-2026): still consecutive.
    last, first = date(2025, 7, 4), date(2025, 8, 18)
    assert school_year_of(last) == 2024 and school_year_of(first) == 2025
    assert not ZUID.is_school_day(date(2025, 8, 1))
    assert ZUID.holiday_name(date(2025, 8, 1)) == "Zomervakantie"
    assert ZUID.add_school_days(last, 1) == first
    assert ZUID.school_day_ordinal(first) - ZUID.school_day_ordinal(last) == 1
    assert ZUID.school_week_ordinal(first) - ZUID.school_week_ordinal(last) == 1


def test_school_day_ordinal_of_non_school_day_is_next_school_day() -> None:
    assert ZUID.school_day_ordinal(date(2025, 10, 15)) == ZUID.school_day_ordinal(
        date(2025, 10, 20)
    )
    assert ZUID.school_day_ordinal(date(2025, 10, 11)) == ZUID.school_day_ordinal(
        date(2025, 10, 20)
    )


def test_school_days_inclusive_list() -> None:
    assert ZUID.school_days(date(2025, 10, 9), date(2025, 10, 21)) == [
        date(2025, 10, 9),
        date(2025, 10, 10),
        date(2025, 10, 20),
        date(2025, 10, 21),
    ]
    assert ZUID.school_days(date(2025, 10, 21), date(2025, 10, 9)) == []


def test_days_off() -> None:
    wednesday = date(2025, 11, 12)
    cal = calendar_for("zuid", days_off=(wednesday,))
    assert ZUID.is_school_day(wednesday)
    assert not cal.is_school_day(wednesday)
    assert cal.is_working_day(wednesday)
    assert cal.holiday_name(wednesday) == "Vrije dag school"
    assert cal.add_school_days(date(2025, 11, 11), 1) == date(2025, 11, 13)


def test_override_autumn_break() -> None:
    # A Zuid school that follows the Midden dates in 2025.
    cal = calendar_for(
        Region.ZUID, holiday_overrides={"herfstvakantie": (date(2025, 10, 18), date(2025, 10, 26))}
    )
    assert cal.is_school_day(date(2025, 10, 13))
    assert cal.is_school_day(date(2025, 10, 15))
    assert not cal.is_school_day(date(2025, 10, 20))
    assert cal.holiday_name(date(2025, 10, 22)) == "Herfstvakantie"
    assert cal.is_school_day(date(2025, 10, 27))
    # Other school years keep the regional dates (Zuid 2026: 17-25 October).
    assert not cal.is_school_day(date(2026, 10, 19))


def test_override_spring_break() -> None:
    # Zuid 2026 spring break is 14-22 February; move it a week later.
    cal = calendar_for(
        "Zuid", holiday_overrides=[("Voorjaarsvakantie", date(2026, 2, 21), date(2026, 3, 1))]
    )
    assert not ZUID.is_school_day(date(2026, 2, 16))
    assert cal.is_school_day(date(2026, 2, 16))
    assert not cal.is_school_day(date(2026, 2, 23))


@pytest.mark.parametrize("name", ["zomervakantie", "Kerstvakantie", "meivakantie"])
def test_override_of_binding_holiday_is_rejected(name: str) -> None:
    with pytest.raises(CalendarError, match="bindend"):
        calendar_for("zuid", holiday_overrides={name: (date(2026, 7, 1), date(2026, 7, 20))})


def test_override_errors() -> None:
    with pytest.raises(CalendarError, match="Onbekende vakantie"):
        calendar_for(
            "zuid", holiday_overrides={"paasvakantie": (date(2026, 4, 1), date(2026, 4, 8))}
        )
    with pytest.raises(CalendarError, match="eindigt"):
        calendar_for(
            "zuid", holiday_overrides={"herfstvakantie": (date(2025, 10, 26), date(2025, 10, 18))}
        )
    with pytest.raises(CalendarError):
        SchoolCalendar(Region.ZUID, (), (("zomervakantie", date(2026, 7, 1), date(2026, 7, 2)),))


def test_calendars_are_cached_and_order_insensitive() -> None:
    a = calendar_for("Zuid", days_off=(date(2025, 11, 12), date(2025, 11, 11)))
    b = calendar_for(Region.ZUID, days_off=[date(2025, 11, 11), date(2025, 11, 12)])
    assert a is b
    assert calendar_for("zuid") is ZUID
    assert a.days_off == (date(2025, 11, 11), date(2025, 11, 12))


def test_region_parse() -> None:
    assert Region.parse("Zuid") is Region.ZUID
    assert Region.parse("MIDDEN") is Region.MIDDEN
    assert Region.parse(Region.NOORD) is Region.NOORD
    with pytest.raises(CalendarError, match="Onbekende regio"):
        Region.parse("oost")


# --- schoolweken ------------------------------------------------------------------------------


def test_school_weeks_consecutive_across_a_holiday() -> None:
    before = ZUID.school_week_ordinal(date(2025, 10, 10))  # week 41
    after = ZUID.school_week_ordinal(date(2025, 10, 20))  # week 43, week 42 is herfstvakantie
    assert after == before + 1
    # A date in the holiday week maps to the next school week.
    assert ZUID.school_week_ordinal(date(2025, 10, 15)) == after
    # Weekend days belong to their ISO week.
    assert ZUID.school_week_ordinal(date(2025, 10, 5)) == before - 1
    assert ZUID.school_week_ordinal(date(2025, 10, 6)) == before


def test_school_weeks_consecutive_across_christmas_and_new_year() -> None:
    # Kerstvakantie 20 Dec 2025 - 4 Jan 2026 (two ISO weeks).
    assert (
        ZUID.school_week_ordinal(date(2026, 1, 5))
        == ZUID.school_week_ordinal(date(2025, 12, 19)) + 1
    )


def test_add_school_weeks() -> None:
    # Wednesday 8 Oct 2025 (Zuid): 1st school week after is 20-24 Oct, 2nd is 27-31 Oct.
    assert ZUID.add_school_weeks(date(2025, 10, 8), 1) == date(2025, 10, 24)
    assert ZUID.add_school_weeks(date(2025, 10, 8), 2) == date(2025, 10, 31)
    # From inside the holiday the next school week is the first one.
    assert ZUID.add_school_weeks(date(2025, 10, 15), 1) == date(2025, 10, 24)
    assert ZUID.add_school_weeks(date(2025, 10, 8), 0) == date(2025, 10, 8)
    assert ZUID.add_school_weeks(date(2025, 10, 22), -1) == date(2025, 10, 10)


def test_add_school_weeks_ends_on_last_school_day_of_the_week() -> None:
    # Week of 11-15 May 2026: Thursday is Hemelvaartsdag; with Friday off as well,
    # the week ends on Wednesday 13 May.
    cal = calendar_for("zuid", days_off=(date(2026, 5, 15),))
    assert cal.add_school_weeks(date(2026, 5, 6), 1) == date(2026, 5, 13)
    assert ZUID.add_school_weeks(date(2026, 5, 6), 1) == date(2026, 5, 15)


# --- range ------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [date(2013, 12, 2), date(2030, 9, 2), date(2031, 3, 3)])
def test_school_dates_out_of_range(d: date) -> None:
    with pytest.raises(CalendarError, match="Schoolvakanties zijn alleen bekend"):
        ZUID.is_school_day(d)
    with pytest.raises(CalendarError):
        ZUID.school_week_ordinal(d)
    with pytest.raises(CalendarError):
        ZUID.add_school_days(d, 1)


def test_working_days_out_of_range() -> None:
    with pytest.raises(CalendarError, match="Werkdagen"):
        ZUID.is_working_day(date(1980, 1, 2))


def test_days_off_out_of_range() -> None:
    with pytest.raises(CalendarError):
        calendar_for("zuid", days_off=(date(2031, 1, 6),))


# --- school years and plain arithmetic --------------------------------------------------------


def test_school_year_of() -> None:
    assert school_year_of(date(2025, 7, 31)) == 2024
    assert school_year_of(date(2025, 8, 1)) == 2025
    assert school_year_of(date(2026, 1, 15)) == 2025


def test_parse_school_year() -> None:
    assert parse_school_year("2025-2026") == 2025
    assert parse_school_year(" 2025/2026 ") == 2025
    assert parse_school_year("2025-26") == 2025
    for bad in ("2025-2027", "2025", "abc", "2026-2025"):
        with pytest.raises(CalendarError):
            parse_school_year(bad)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)  # a quarter
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)
    assert ZUID.add_months(date(2025, 8, 31), 1) == date(2025, 9, 30)


def test_calendar_days_and_weeks() -> None:
    assert ZUID.add_calendar_days(date(2025, 12, 30), 3) == date(2026, 1, 2)
    assert ZUID.add_weeks(date(2025, 12, 30), 2) == date(2026, 1, 13)


# --- properties -------------------------------------------------------------------------------

school_dates = st.dates(min_value=date(2014, 1, 1), max_value=date(2030, 3, 31))


@settings(max_examples=300)
@given(d=school_dates, n=st.integers(min_value=0, max_value=60))
def test_add_working_days_properties(d: date, n: int) -> None:
    r = ZUID.add_working_days(d, n)
    assert ZUID.working_days_between(d, r) == n
    if n > 0:
        assert r > d
        assert ZUID.is_working_day(r)
        # Nothing is skipped: the day before the result is counted n-1 from d.
        assert ZUID.working_days_between(d, r - timedelta(days=1)) == n - 1


@settings(max_examples=300)
@given(d=school_dates, n=st.integers(min_value=1, max_value=60))
def test_add_school_days_properties(d: date, n: int) -> None:
    r = ZUID.add_school_days(d, n)
    assert r > d and ZUID.is_school_day(r)
    start = ZUID.school_day_ordinal(d)
    expected = start + n if ZUID.is_school_day(d) else start + n - 1
    assert ZUID.school_day_ordinal(r) == expected
    assert len(ZUID.school_days(d + timedelta(days=1), r)) == n


@given(d=school_dates)
def test_school_week_ordinal_is_monotone(d: date) -> None:
    w = ZUID.school_week_ordinal(d)
    assert ZUID.school_week_ordinal(d + timedelta(days=1)) in (w, w + 1)


@given(year=st.integers(min_value=1990, max_value=2099))
def test_good_friday_works_easter_monday_does_not(year: int) -> None:
    from dateutil.easter import easter

    e = easter(year)
    assert ZUID.is_working_day(e - timedelta(days=2))
    assert not ZUID.is_working_day(e + timedelta(days=1))


def test_school_weeks_deadline_is_the_same_weekday_n_school_weeks_later() -> None:
    # RUW M@ZL step 5: a Monday 1 Sep 2025 referral, "binnen 2 schoolweken" -> Monday 15 Sep
    midden = calendar_for(Region.MIDDEN)
    assert midden.school_weeks_deadline(date(2025, 9, 1), 2) == date(2025, 9, 15)
    # Midden autumn break 18-26 Oct 2025: from Wed 15 Oct, 1 school week on is Wed 29 Oct
    assert midden.school_weeks_deadline(date(2025, 10, 15), 1) == date(2025, 10, 29)
    # Zuid: the May break 2026 is 25 Apr - 3 May, so from Thursday 23 Apr school week 1 is
    # 4-8 May and week 2 is 11-15 May; Thursday 14 May is Hemelvaartsdag -> Friday 15 May
    assert ZUID.school_weeks_deadline(date(2026, 4, 23), 2) == date(2026, 5, 15)
    assert ZUID.school_weeks_deadline(date(2026, 4, 22), 2) == date(2026, 5, 13)
    # Zuid: 1 school week from Thu 7 May 2026 is Hemelvaartsdag 14 May -> next school day
    assert ZUID.school_weeks_deadline(date(2026, 5, 7), 1) == date(2026, 5, 15)
    assert ZUID.school_weeks_deadline(date(2026, 5, 7), 0) == date(2026, 5, 7)
