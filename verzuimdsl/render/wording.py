"""Dutch wording for generated text: dates, quantities, triggers, deadlines and conditions.

Pure functions, shared by the handbook, the stroomschema's and other commands (compare, the
interpreter's tables), so every output says the same thing in the same words. No locale is
used: month names and typography are spelled out here, so output is identical everywhere.
"""

from __future__ import annotations

import datetime as _dt
import textwrap
from collections.abc import Callable, Iterable, Sequence

from .. import ir
from ..units import Unit, format_number

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")

# the words a built-in measure reads as after a quantity: "16 uur ongeoorloofd"
MEASURE_WORDS: dict[str, str] = {
    "ongeoorloofd": "ongeoorloofd",
    "geoorloofd": "geoorloofd",
    "afwezig": "afwezig",
    "ziek": "ziek",
    "te_laat": "te laat",
    "luxe": "luxe verzuim",
    "no_show": "niet verschenen",
    "geschorst": "geschorst",
    "ingeschreven": "ingeschreven",
    "uitgeschreven": "uitgeschreven",
    "vrijstelling": "vrijstelling",
    "verlof": "verlof",
    "uitkomst": "uitkomst",
}

# the noun a built-in measure reads as when it is one event: "schorsing van meer dan 1 schooldag"
EVENT_WORDS: dict[str, str] = {
    "ongeoorloofd": "ongeoorloofde afwezigheid",
    "geoorloofd": "geoorloofde afwezigheid",
    "afwezig": "afwezigheid",
    "ziek": "ziekmelding",
    "te_laat": "te laat komen",
    "luxe": "luxe verzuim",
    "no_show": "niet verschijnen op een afspraak",
    "geschorst": "schorsing",
    "ingeschreven": "inschrijving",
    "uitgeschreven": "uitschrijving",
    "vrijstelling": "vrijstelling",
    "verlof": "verlof",
    "uitkomst": "uitkomst",
}

STATUS_WORDS: dict[str, str] = {
    "leerplichtig": "leerplichtig",
    "kwalificatieplichtig": "kwalificatieplichtig",
    "achttien_plus": "18 jaar of ouder",
    "niet_leerplichtig": "niet leerplichtig",
}

SCHOOL_TYPE_WORDS: dict[str, str] = {
    "po": "PO",
    "so": "SO",
    "vo": "VO",
    "vso": "VSO",
    "mbo": "MBO",
}

MODALITY_WORDS: dict[ir.Modality, str] = {
    ir.Modality.MUST: "moet",
    ir.Modality.SHOULD: "zou moeten",
    ir.Modality.MAY: "kan",
}

# colour codes of classifications: Dutch name -> (fill, text) colours for print and screen
COLOURS: dict[str, tuple[str, str]] = {
    "geel": ("#ffe066", "#1a1a1a"),
    "oranje": ("#f4a340", "#1a1a1a"),
    "rood": ("#d9534f", "#ffffff"),
    "groen": ("#7bc47f", "#1a1a1a"),
    "blauw": ("#6fa8dc", "#1a1a1a"),
    "grijs": ("#b7b7b7", "#1a1a1a"),
    "paars": ("#9b72cf", "#ffffff"),
}

# a name for a reference, e.g. an actor's or a rule's display name; None means "use the id"
Namer = Callable[[ir.Ref], "str | None"]


# ---------------------------------------------------------------------- small helpers


def dutch_date(day: _dt.date, *, weekday: bool = False) -> str:
    """`2 oktober 2025`, or `donderdag 2 oktober 2025`: no leading zero, lower-case month."""
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def school_year(text: str) -> str:
    """`2025-2026` reads `2025–2026`: a range takes an en dash."""
    return text.replace("-", "\u2013")


def quantity(value: float, unit: Unit) -> str:
    """`1 werkdag`, `5 werkdagen`, `5,5 uur`."""
    return unit.with_number(value)


def plural(n: float, singular: str, plural_form: str) -> str:
    """`1 regel`, `3 regels`: the count with the right form of a noun."""
    return f"{format_number(n)} {singular if float(n) == 1 else plural_form}"


def join(items: Iterable[str], last: str = "en") -> str:
    """`a, b en c`; pass last="of" for alternatives."""
    words = [i for i in items if i]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the word is an abbreviation (DUO, M@ZL, 18+)."""
    if not text:
        return text
    if len(text) > 1 and not text[1].islower():
        return text
    return text[0].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def humanise(name: str) -> str:
    """An identifier as words: `proces_verbaal` reads `proces verbaal`."""
    return name.replace("_", " ")


def wrap(text: str, width: int = 28) -> list[str]:
    """Lines of at most `width` characters, never breaking inside a word."""
    lines = textwrap.wrap(
        " ".join(text.split()), width=width, break_long_words=False, break_on_hyphens=False
    )
    return lines or [""]


def _name(ref: ir.Ref | None, namer: Namer | None) -> str:
    if ref is None:
        return ""
    if namer is not None:
        named = namer(ref)
        if named:
            return named
    return humanise(str(ref))


# ---------------------------------------------------------------------- triggers


def bound_text(bound: ir.Bound, unit: Unit) -> str:
    """`minstens 16 uur`, `meer dan 5 schooldagen`, `de 4e keer`."""
    if bound.ordinal:
        return f"de {format_number(bound.value)}e {unit.label(1)}"
    amount = quantity(bound.value, unit)
    return f"meer dan {amount}" if bound.strict else f"minstens {amount}"


def window_text(window: ir.Window | None) -> str:
    """`binnen 4 schoolweken`, `per kwartaal`, or nothing without a window."""
    if window is None:
        return ""
    if window.kind is ir.WindowKind.CALENDAR:
        return f"per {window.unit.label(1)}"
    return f"binnen {quantity(window.size, window.unit)}"


def measure_text(flt: ir.Filter, namer: Namer | None = None, *, event: bool = False) -> str:
    """What a trigger counts, in words: `ziek`, `te laat`, `niet verschenen bij Jeugdarts`."""
    if flt.label:
        base = flt.label
    else:
        table = EVENT_WORDS if event else MEASURE_WORDS
        base = table.get(flt.name) or lower_first(_name(ir.Ref(parts=(flt.name,)), namer))
    if flt.with_actor is not None:
        base = f"{base} bij {lower_first(_name(flt.with_actor, namer))}"
    return base


def trigger_text(trigger: ir.Trigger, namer: Namer | None = None) -> str:
    """One trigger as a phrase.

    `minstens 16 uur ongeoorloofd binnen 4 schoolweken`,
    `meer dan 5 schooldagen aaneengesloten ziek`,
    `schorsing van meer dan 1 schooldag`.
    """
    if isinstance(trigger, ir.ThresholdTrigger):
        parts = [bound_text(trigger.bound, trigger.unit), measure_text(trigger.filter, namer)]
        parts.append(window_text(trigger.window))
        return " ".join(p for p in parts if p)
    if isinstance(trigger, ir.RunTrigger):
        text = (
            f"{bound_text(trigger.bound, trigger.unit)} aaneengesloten "
            f"{measure_text(trigger.filter, namer)}"
        )
        if trigger.upper is not None:
            text += f", tot {quantity(trigger.upper.value, trigger.upper.unit)}"
        return text
    text = measure_text(trigger.filter, namer, event=True)
    if trigger.size is not None and trigger.size_unit is not None:
        text += f" van {bound_text(trigger.size, trigger.size_unit)}"
    if trigger.near_holiday:
        text += " rond een schoolvakantie"
    if trigger.without_enrolment:
        text += " zonder nieuwe inschrijving"
    return text


def triggers_text(triggers: Sequence[ir.Trigger], namer: Namer | None = None) -> str:
    """Several triggers are alternatives: any one of them sets the rule off."""
    return join((trigger_text(t, namer) for t in triggers), last="of")


def trigger_weight(trigger: ir.Trigger) -> float:
    """A rough size in lesson hours, only to put thresholds of one measure in escalation order."""
    per_unit = {
        Unit.HOUR: 1.0,
        Unit.DAYPART: 3.0,
        Unit.COUNT: 1.0,
        Unit.PERCENT: 1.0,
        Unit.SCHOOL_DAY: 5.0,
        Unit.WORKING_DAY: 5.0,
        Unit.CALENDAR_DAY: 25.0 / 7,
        Unit.SCHOOL_WEEK: 25.0,
        Unit.WEEK: 25.0,
        Unit.MONTH: 100.0,
        Unit.QUARTER: 300.0,
        Unit.SCHOOL_YEAR: 1000.0,
    }
    if isinstance(trigger, ir.EventTrigger):
        if trigger.size is None or trigger.size_unit is None:
            return 0.0
        return trigger.size.minimum * per_unit[trigger.size_unit]
    weight = trigger.bound.minimum * per_unit[trigger.unit]
    if isinstance(trigger, ir.RunTrigger):
        weight *= 1.5  # an unbroken run weighs more than the same amount spread out
    return weight


def trigger_family(trigger: ir.Trigger) -> str | None:
    """Which escalation ladder a threshold belongs to; one-off events belong to none."""
    if isinstance(trigger, ir.EventTrigger):
        return None
    name = trigger.filter.name
    if name in ("ongeoorloofd", "afwezig", "luxe"):
        return "ongeoorloofd"
    if name in ("ziek", "geoorloofd"):
        return "ziek"
    return name


# ---------------------------------------------------------------------- conditions


def condition_text(cond: ir.Condition, namer: Namer | None = None) -> str:
    """`vanaf 12 jaar`, `leerplichtig of kwalificatieplichtig`, `na Officiële waarschuwing`."""
    if isinstance(cond, ir.AgeCondition):
        if cond.minimum is not None and cond.below is not None:
            return f"van {cond.minimum} tot {cond.below} jaar"
        if cond.minimum is not None:
            return f"vanaf {cond.minimum} jaar"
        return f"jonger dan {cond.below} jaar"
    if isinstance(cond, ir.StatusCondition):
        return join((STATUS_WORDS.get(s, humanise(s)) for s in cond.statuses), last="of")
    if isinstance(cond, ir.SchoolTypeCondition):
        types = join((SCHOOL_TYPE_WORDS.get(s, s.upper()) for s in cond.school_types), last="of")
        return f"in het {types}"
    if isinstance(cond, ir.AfterCondition):
        target = _name(cond.ref, namer)
        return f"niet na {lower_first(target)}" if cond.negated else f"na {lower_first(target)}"
    if isinstance(cond, ir.OutcomeCondition):
        return f"uitkomst \u2018{cond.label}\u2019"
    if isinstance(cond, ir.FirstTimeCondition):
        return "de eerste keer"
    return cond.text


def conditions_text(conds: Sequence[ir.Condition], namer: Namer | None = None) -> str:
    """All conditions must hold: `leerplichtig of kwalificatieplichtig, vanaf 12 jaar`."""
    return ", ".join(condition_text(c, namer) for c in conds)


# ---------------------------------------------------------------------- actions


def deadline_text(deadline: ir.Deadline | None) -> str:
    """`binnen 5 werkdagen`, `vóór 10:00 uur`, or nothing."""
    if deadline is None:
        return ""
    if deadline.clock is not None:
        hours, _, minutes = deadline.clock.partition(":")
        return f"vóór {int(hours)}:{minutes} uur"
    if deadline.within is not None:
        return f"binnen {quantity(deadline.within.value, deadline.within.unit)}"
    return ""


def modality_text(modality: ir.Modality) -> str:
    return MODALITY_WORDS[modality]


def is_optional(modality: ir.Modality) -> bool:
    """`kan`, `mag` and `evt` are optional; `moet` and `zou moeten` are expected."""
    return modality is ir.Modality.MAY


def action_text(action: ir.Action) -> str:
    """An action as the Parkstad card writes it: plain when it must, `Evt.` when it may."""
    text = action.text.strip()
    if action.modality is ir.Modality.MAY and not text.lower().startswith(("evt", "eventueel")):
        return f"Evt. {lower_first(text)}"
    return text


def repeat_text(repeat: ir.Repeat | None) -> list[str]:
    """What happens after a report: new count, at most one report per week, no end date."""
    if repeat is None:
        return []
    out = []
    if repeat.new_count:
        out.append("direct een nieuwe teltermijn")
    if repeat.rate_limit is not None:
        n, per = repeat.rate_limit
        out.append(
            f"hooguit {plural(n, 'melding', 'meldingen')} per {quantity(per.value, per.unit)}"
        )
    if repeat.contiguous:
        out.append("teltermijnen sluiten op elkaar aan")
    if repeat.once:
        out.append("eenmalig")
    if repeat.open_ended:
        out.append("zonder einddatum, tot de leerling weer op school is")
    return out


def colour_text(colour: str | None) -> str:
    """`code geel`: how the RUW protocol names its colour codes."""
    return f"code {colour}" if colour else ""
