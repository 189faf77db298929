"""Dutch wording: dates, numbers, triggers and deadlines read the way a school reads them."""

from __future__ import annotations

import datetime as dt

import pytest

from verzuimdsl import ir
from verzuimdsl.render import wording
from verzuimdsl.units import Unit


def q(value: float, unit: Unit) -> ir.Quantity:
    return ir.Quantity(value=value, unit=unit)


def flt(name: str, **kw: object) -> ir.Filter:
    return ir.Filter(name=name, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2025, 10, 2), "2 oktober 2025"),
        (dt.date(2026, 1, 31), "31 januari 2026"),
        (dt.date(2026, 3, 1), "1 maart 2026"),
    ],
)
def test_dutch_dates_without_locale(day: dt.date, text: str) -> None:
    assert wording.dutch_date(day) == text


def test_dutch_date_with_weekday() -> None:
    assert wording.dutch_date(dt.date(2025, 10, 2), weekday=True) == "donderdag 2 oktober 2025"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1, Unit.WORKING_DAY, "1 werkdag"),
        (5, Unit.WORKING_DAY, "5 werkdagen"),
        (1, Unit.SCHOOL_WEEK, "1 schoolweek"),
        (4, Unit.SCHOOL_WEEK, "4 schoolweken"),
        (16, Unit.HOUR, "16 uur"),
        (5.5, Unit.HOUR, "5,5 uur"),
        (1, Unit.QUARTER, "1 kwartaal"),
    ],
)
def test_quantities_have_the_right_number(value: float, unit: Unit, text: str) -> None:
    assert wording.quantity(value, unit) == text


def test_plural_and_join() -> None:
    assert wording.plural(1, "melding", "meldingen") == "1 melding"
    assert wording.plural(3, "melding", "meldingen") == "3 meldingen"
    assert wording.join(["a", "b", "c"]) == "a, b en c"
    assert wording.join(["a", "b"], last="of") == "a of b"
    assert wording.join(["a"]) == "a"


def test_lower_first_keeps_abbreviations() -> None:
    assert wording.lower_first("Langdurig relatief verzuim") == "langdurig relatief verzuim"
    assert wording.lower_first("DUO-melding") == "DUO-melding"
    assert wording.lower_first("M@ZL") == "M@ZL"


def test_school_year_takes_an_en_dash() -> None:
    assert wording.school_year("2025-2026") == "2025\u20132026"


def test_threshold_trigger_sentence() -> None:
    t = ir.ThresholdTrigger(
        bound=ir.Bound(value=16),
        unit=Unit.HOUR,
        filter=flt("ongeoorloofd"),
        window=ir.Window(kind=ir.WindowKind.SLIDING, size=4, unit=Unit.SCHOOL_WEEK),
    )
    assert wording.trigger_text(t) == "minstens 16 uur ongeoorloofd binnen 4 schoolweken"


def test_run_trigger_sentence() -> None:
    t = ir.RunTrigger(
        bound=ir.Bound(value=5, strict=True), unit=Unit.SCHOOL_DAY, filter=flt("ziek"), upper=None
    )
    assert wording.trigger_text(t) == "meer dan 5 schooldagen aaneengesloten ziek"
    t2 = ir.RunTrigger(
        bound=ir.Bound(value=4), unit=Unit.WEEK, filter=flt("ziek"), upper=q(3, Unit.MONTH)
    )
    assert wording.trigger_text(t2) == "minstens 4 weken aaneengesloten ziek, tot 3 maanden"


def test_ordinal_and_calendar_window() -> None:
    t = ir.ThresholdTrigger(
        bound=ir.Bound(value=4, ordinal=True),
        unit=Unit.COUNT,
        filter=flt("ziek"),
        window=ir.Window(kind=ir.WindowKind.CALENDAR, size=1, unit=Unit.QUARTER),
    )
    assert wording.trigger_text(t) == "de 4e keer ziek per kwartaal"


def test_event_trigger_sentence() -> None:
    t = ir.EventTrigger(
        filter=flt("geschorst"), size=ir.Bound(value=1, strict=True), size_unit=Unit.SCHOOL_DAY
    )
    assert wording.trigger_text(t) == "schorsing van meer dan 1 schooldag"
    t2 = ir.EventTrigger(filter=flt("uitgeschreven"), without_enrolment=True)
    assert wording.trigger_text(t2) == "uitschrijving zonder nieuwe inschrijving"


def test_filter_with_actor_uses_the_names() -> None:
    t = ir.ThresholdTrigger(
        bound=ir.Bound(value=2),
        unit=Unit.COUNT,
        filter=flt("no_show", with_actor=ir.Ref(parts=("jeugdarts",))),
        window=None,
    )
    assert (
        wording.trigger_text(t, lambda r: "Jeugdarts (GGD)")
        == "minstens 2 keer niet verschenen bij jeugdarts (GGD)"
    )


def test_triggers_are_alternatives() -> None:
    a = ir.RunTrigger(
        bound=ir.Bound(value=7, strict=True), unit=Unit.SCHOOL_DAY, filter=flt("ziek"), upper=None
    )
    b = ir.ThresholdTrigger(
        bound=ir.Bound(value=4, ordinal=True),
        unit=Unit.COUNT,
        filter=flt("ziek"),
        window=ir.Window(kind=ir.WindowKind.SLIDING, size=12, unit=Unit.SCHOOL_WEEK),
    )
    assert wording.triggers_text([a, b]) == (
        "meer dan 7 schooldagen aaneengesloten ziek of de 4e keer ziek binnen 12 schoolweken"
    )


@pytest.mark.parametrize(
    ("deadline", "text"),
    [
        (ir.Deadline(within=q(5, Unit.WORKING_DAY)), "binnen 5 werkdagen"),
        (ir.Deadline(within=q(1, Unit.WORKING_DAY)), "binnen 1 werkdag"),
        (ir.Deadline(clock="10:00"), "vóór 10:00 uur"),
        (ir.Deadline(clock="8:30"), "vóór 8:30 uur"),
        (None, ""),
    ],
)
def test_deadlines(deadline: ir.Deadline | None, text: str) -> None:
    assert wording.deadline_text(deadline) == text


def test_conditions() -> None:
    assert wording.condition_text(ir.AgeCondition(minimum=12, below=None)) == "vanaf 12 jaar"
    assert wording.condition_text(ir.AgeCondition(minimum=None, below=18)) == "jonger dan 18 jaar"
    assert (
        wording.condition_text(
            ir.StatusCondition(statuses=("leerplichtig", "kwalificatieplichtig"))
        )
        == "leerplichtig of kwalificatieplichtig"
    )
    assert (
        wording.condition_text(ir.SchoolTypeCondition(school_types=("po", "so")))
        == "in het PO of SO"
    )
    after = ir.AfterCondition(ref=ir.Ref(parts=("waarschuwing",)))
    assert (
        wording.condition_text(after, lambda r: "Officiële waarschuwing")
        == "na officiële waarschuwing"
    )
    assert wording.condition_text(ir.FirstTimeCondition()) == "de eerste keer"


def test_optional_actions_read_evt() -> None:
    may = ir.Action(
        label=None,
        actor=ir.Ref(parts=("school",)),
        modality=ir.Modality.MAY,
        text="Knooppunt organiseren",
    )
    must = ir.Action(
        label=None, actor=ir.Ref(parts=("school",)), modality=ir.Modality.MUST, text="Registreren"
    )
    assert wording.action_text(may) == "Evt. knooppunt organiseren"
    assert wording.action_text(must) == "Registreren"
    assert wording.is_optional(may.modality) and not wording.is_optional(must.modality)


def test_repeat() -> None:
    rep = ir.Repeat(new_count=True, rate_limit=(1, q(7, Unit.CALENDAR_DAY)), open_ended=True)
    assert wording.repeat_text(rep) == [
        "direct een nieuwe teltermijn",
        "hooguit 1 melding per 7 dagen",
        "zonder einddatum, tot de leerling weer op school is",
    ]


def test_wrap_never_breaks_words() -> None:
    lines = wording.wrap("Melding via het digitaal verzuimloket DUO zonder einddatum", 20)
    assert all(len(line) <= 20 for line in lines)
    assert " ".join(lines) == "Melding via het digitaal verzuimloket DUO zonder einddatum"
