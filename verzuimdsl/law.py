"""Conformance with the national base (`vzc check --law`).

A region may be stricter than the law, never weaker. Only a regional rule that replaces a
rule of `nl.leerplichtwet` (`vervangt`) or suppresses it (`gaat_voor`) can make the region
weaker: a rule beside the base adds duties while the base rule still applies. Such a rule
is compared with the base rule it displaces. A rule that carries an `afwijking "<reden>"`
has its deviation recorded and is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import ir
from .diagnostics import Diagnostic
from .protocol import Protocol
from .units import Unit, format_number

BASE_MODULE = "nl.leerplichtwet"
LAW_DEADLINE_WORKING_DAYS = 5
LAW_WINDOW_SCHOOL_WEEKS = 4
LAW_HOURS = 16


def _deadline_within_law(d: ir.Deadline | None) -> bool:
    """Whether a deadline always falls on or before 5 working days."""
    if d is None:
        return False
    if d.clock is not None:
        return True
    q = d.within
    assert q is not None
    if q.unit is Unit.WORKING_DAY:
        return q.value <= LAW_DEADLINE_WORKING_DAYS
    if q.unit is Unit.CALENDAR_DAY:
        return q.value <= 7  # 5 working days never end sooner than 7 calendar days
    if q.unit is Unit.WEEK:
        return q.value <= 1
    return False  # school days, school weeks and months can stretch over a holiday


def _deadline_text(d: ir.Deadline | None, lang: str) -> str:
    if d is None:
        return "zonder termijn" if lang == "nl" else "without a deadline"
    if d.clock is not None:
        return f"voor {d.clock}"
    assert d.within is not None
    if lang == "en":
        return f"within {format_number(d.within.value)} {d.within.unit.english(d.within.value)}"
    return f"binnen {d.within}"


class _LawChecker:
    def __init__(self, protocol: Protocol) -> None:
        self.p = protocol
        self.diagnostics: list[Diagnostic] = []
        base = next((m for m in protocol.modules if m.name == BASE_MODULE), None)
        self.base_rules = (
            {i.id: i for i in base.items if isinstance(i, ir.Rule)} if base is not None else {}
        )
        self.has_base = base is not None

    def report(
        self, code: str, rule: ir.Rule, law: ir.Rule | None, span: object = None, **args: object
    ) -> None:
        related = ()
        if law is not None:
            related = ((f"de wet: regel `{law.id}`", f"the law: rule `{law.id}`", law.span),)
        self.diagnostics.append(
            Diagnostic(code, span or rule.span, {"name": rule.id, **args}, related=related)  # type: ignore[arg-type]
        )

    def law_rule(self, rule: ir.Rule) -> ir.Rule | None:
        """The base rule this rule displaces: the one it replaces or takes precedence over."""
        if rule.overrides is not None and rule.overrides.last in self.base_rules:
            return self.base_rules[rule.overrides.last]
        for ref in rule.precedes:
            if ref.last in self.base_rules:
                return self.base_rules[ref.last]
        return None

    def own_rules(self) -> Iterator[ir.Rule]:
        for item in self.p.main.items:
            if isinstance(item, ir.Rule) and not item.deviations:
                yield item

    # ------------------------------------------------------------------ the checks
    def check_reporting(self, rule: ir.Rule, law: ir.Rule) -> None:
        law_duos = {a.duo.last for a in law.actions if a.duo is not None}
        for a in rule.actions:
            if a.duo is None or a.duo.last not in law_duos or a.modality is not ir.Modality.MUST:
                continue
            if not _deadline_within_law(a.deadline):
                category = self.p.duo_category(a.duo.last).name
                self.report(
                    "VZ050",
                    rule,
                    law,
                    a.deadline.span if a.deadline else a.span,
                    category=f"'{category}'",
                    deadline=_deadline_text(a.deadline, "nl"),
                    deadline_en=_deadline_text(a.deadline, "en"),
                )

    def check_counting(self, rule: ir.Rule, law: ir.Rule) -> None:
        for t in rule.triggers:
            if not isinstance(t, ir.ThresholdTrigger) or t.filter.name != "ongeoorloofd":
                continue
            if t.unit is Unit.HOUR and t.bound.minimum > LAW_HOURS:
                self.report(
                    "VZ052",
                    rule,
                    law,
                    t.bound.span,
                    threshold=f"{'meer dan ' if t.bound.strict else ''}{t.unit.with_number(t.bound.value)}",
                )
            if t.unit is Unit.DAYPART and t.bound.minimum > 5:
                self.report(
                    "VZ052", rule, law, t.bound.span, threshold=t.unit.with_number(t.bound.value)
                )
            w = t.window
            if w is not None and not (
                w.kind is ir.WindowKind.SLIDING
                and w.unit is Unit.SCHOOL_WEEK
                and w.size <= LAW_WINDOW_SCHOOL_WEEKS
            ):
                text = (
                    f"binnen {w.unit.with_number(w.size)}"
                    if w.kind is ir.WindowKind.SLIDING
                    else f"per {w.unit.label(1)}"
                )
                self.report("VZ051", rule, law, w.span, window=text)

    def check_luxe(self, rule: ir.Rule, law: ir.Rule) -> None:
        for t in rule.triggers:
            if t.filter.name != "luxe" or isinstance(t, ir.EventTrigger):
                continue
            if isinstance(t, ir.ThresholdTrigger) and t.unit is Unit.COUNT and t.bound.minimum <= 1:
                continue
            self.report(
                "VZ053",
                rule,
                law,
                t.span,
                threshold=f"{'meer dan ' if t.bound.strict else ''}{t.unit.with_number(t.bound.value)}",
            )

    def check_suspension(self, rule: ir.Rule, law: ir.Rule) -> None:
        for t in rule.triggers:
            if (
                isinstance(t, ir.EventTrigger)
                and t.filter.name == "geschorst"
                and t.size is not None
            ):
                days = t.size.minimum
                if t.size_unit is Unit.SCHOOL_DAY and days > 2:
                    self.report(
                        "VZ054",
                        rule,
                        law,
                        t.span,
                        problem=f"meldt een schorsing pas vanaf {t.size_unit.with_number(days)}",
                        problem_en=f"reports a suspension only from {format_number(days)} school days",
                    )
        told = {str(r) for a in rule.actions for r in a.recipients + a.copies}
        told = {self.p.resolve(t.split(".")[0], "actor") for t in told}
        needed = {
            self.p.resolve("inspectie", "actor"),
            self.p.resolve("leerplichtambtenaar", "actor"),
        }
        missing = sorted(needed - told)
        if missing:
            self.report(
                "VZ054",
                rule,
                law,
                problem="informeert niet: " + ", ".join(missing),
                problem_en="does not inform: " + ", ".join(missing),
            )

    def check_duties(self, rule: ir.Rule, law: ir.Rule) -> None:
        if rule.overrides is None or rule.overrides.last != law.id:
            return
        missing = []
        kept_duos = {
            a.duo.last for a in rule.actions if a.duo is not None and a.modality is ir.Modality.MUST
        }
        for a in law.actions:
            if a.duo is not None and a.modality is ir.Modality.MUST and a.duo.last not in kept_duos:
                missing.append(f"melding '{self.p.duo_category(a.duo.last).name}'")
        if law.repeat is not None:
            r = rule.repeat or ir.Repeat()
            if law.repeat.new_count and not r.new_count:
                missing.append("daarna nieuwe teltermijn")
            if law.repeat.contiguous and not r.contiguous:
                missing.append("aansluitend")
            if law.repeat.open_ended and not r.open_ended:
                missing.append("zonder einddatum")
        if missing:
            self.report(
                "VZ055", rule, law, rule.overrides.span, base=law.id, missing=", ".join(missing)
            )

    def run(self) -> list[Diagnostic]:
        if self.p.main.name == BASE_MODULE or self.p.main.name.startswith("nl."):
            return []
        if not self.has_base:
            self.diagnostics.append(Diagnostic("VZ056", self.p.header.span, {"name": self.p.id}))
            return self.diagnostics
        for rule in self.own_rules():
            law = self.law_rule(rule)
            if law is None:
                continue
            self.check_duties(rule, law)
            if law.id in ("wettelijk_verzuim", "langdurig_relatief_verzuim", "luxe_verzuim"):
                self.check_reporting(rule, law)
            if law.id == "wettelijk_verzuim":
                self.check_counting(rule, law)
            if law.id == "luxe_verzuim":
                self.check_luxe(rule, law)
            if law.id == "schorsing_langer_dan_een_dag":
                self.check_suspension(rule, law)
        return self.diagnostics


def check_law(protocol: Protocol) -> list[Diagnostic]:
    """Diagnostics for every way the protocol is weaker than the national base."""
    return _LawChecker(protocol).run()


def recorded_deviations(protocol: Protocol) -> list[tuple[ir.Rule, str]]:
    """The region's explicit `afwijking`s, to list beside a clean law check."""
    return [
        (r, text) for r in protocol.main.items if isinstance(r, ir.Rule) for text in r.deviations
    ]
