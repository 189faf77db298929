"""Parse-to-IR checks of every language construct."""

from __future__ import annotations

from pathlib import Path

import pytest

from verzuimdsl import ir
from verzuimdsl.check import check
from verzuimdsl.modules import parse_module
from verzuimdsl.source import SourceFile
from verzuimdsl.units import Unit

HEADER = 'protocol p "Proef" {\n  schooljaar 2025-2026\n}\n'


def lower(text: str) -> ir.Module:
    module, diags = parse_module(SourceFile("proef.vz", text), "proef")
    assert diags == [], diags
    return module


def one(text: str, cls: type) -> object:
    items = [i for i in lower(HEADER + text).items if isinstance(i, cls)]
    assert len(items) == 1
    return items[0]


def test_header_fields() -> None:
    m = lower(
        'protocol parkstad "Handreiking" {\n uitgever "BLD"\n schooljaar 2025-2026\n'
        ' schoolsoorten po, so\n versie "1"\n regio zuid\n gebruikt nl.leerplichtwet, nl.mas\n'
        ' principe "Pas toe of leg uit"\n bron "003"\n toelichting "x"\n}\n'
    )
    h = m.header
    assert h is not None
    assert (h.id, h.title, h.publisher, h.school_year) == (
        "parkstad",
        "Handreiking",
        "BLD",
        "2025-2026",
    )
    assert h.school_types == ("po", "so")
    assert [str(u) for u in h.uses] == ["nl.leerplichtwet", "nl.mas"]
    assert (h.version, h.region, h.principles, h.source, h.notes) == (
        "1",
        "zuid",
        ("Pas toe of leg uit",),
        "003",
        ("x",),
    )
    assert (h.span.line, h.span.column) == (1, 10)


def test_actor_with_roles_contact_and_override() -> None:
    a = one(
        'actor consulent "Consulent leerrecht" vervangt leerplichtambtenaar {\n'
        ' rol mentor "Mentor"\n contact "info@x.nl"\n bron "003"\n}\n',
        ir.Actor,
    )
    assert isinstance(a, ir.Actor)
    assert (a.id, a.name, a.contact, a.source) == (
        "consulent",
        "Consulent leerrecht",
        "info@x.nl",
        "003",
    )
    assert [(r.id, r.name) for r in a.roles] == [("mentor", "Mentor")]
    assert a.overrides is not None and a.overrides.parts == ("leerplichtambtenaar",)


def test_kinds_duo_events_desks() -> None:
    text = (
        'duocategorie lrv "Langdurig relatief verzuim"\n'
        'soort luxe "Luxe verzuim" { onder relatief duocategorie luxe_verzuim toelichting "t" }\n'
        'gebeurtenis verlofaanvraag "Aanvraag verlof"\n'
        'meldpunt bld "BLD" { gemeenten "Heerlen", "Kerkrade" contact "045" }\n'
        'meldpunt rest "Elders" { overig }\n'
    )
    m = lower(HEADER + text)
    duo, kind, event, desk, rest = m.items[1:]
    assert isinstance(duo, ir.DuoCategory) and duo.name == "Langdurig relatief verzuim"
    assert isinstance(kind, ir.Kind) and kind.parent and kind.parent.last == "relatief"
    assert kind.duo and kind.duo.last == "luxe_verzuim" and kind.notes == ("t",)
    assert isinstance(event, ir.EventType) and event.id == "verlofaanvraag"
    assert isinstance(desk, ir.ReportingDesk) and desk.municipalities == ("Heerlen", "Kerkrade")
    assert isinstance(rest, ir.ReportingDesk) and rest.fallback


def test_threshold_trigger_with_sliding_window() -> None:
    r = one(
        'regel r "R" {\n wanneer minstens 16 uur ongeoorloofd binnen 4 schoolweken\n'
        ' school moet "Melden"\n}\n',
        ir.Rule,
    )
    (t,) = r.triggers  # type: ignore[attr-defined]
    assert isinstance(t, ir.ThresholdTrigger)
    assert (t.bound.value, t.bound.strict, t.unit, t.filter.name) == (
        16,
        False,
        Unit.HOUR,
        "ongeoorloofd",
    )
    assert t.window == ir.Window(
        kind=ir.WindowKind.SLIDING, size=4, unit=Unit.SCHOOL_WEEK, span=t.window.span
    )


@pytest.mark.parametrize(
    ("source", "value", "strict", "ordinal", "unit"),
    [
        ("6 keer te_laat per schooljaar", 6, False, False, Unit.COUNT),
        ("4e keer ziek binnen 12 schoolweken", 4, False, True, Unit.COUNT),
        ("meer dan 5 schooldagen ziek binnen 1 maand", 5, True, False, Unit.SCHOOL_DAY),
        ("minstens 5 dagdelen ongeoorloofd binnen 4 schoolweken", 5, False, False, Unit.DAYPART),
        ("minstens 75 procent afwezig binnen 4 weken", 75, False, False, Unit.PERCENT),
        ("minstens 5,5 uur ongeoorloofd binnen 1 schoolweek", 5.5, False, False, Unit.HOUR),
    ],
)
def test_threshold_bounds(
    source: str, value: float, strict: bool, ordinal: bool, unit: Unit
) -> None:
    r = one(f'regel r "R" {{\n wanneer {source}\n school moet "x"\n}}\n', ir.Rule)
    (t,) = r.triggers  # type: ignore[attr-defined]
    assert (t.bound.value, t.bound.strict, t.bound.ordinal, t.unit) == (
        value,
        strict,
        ordinal,
        unit,
    )


def test_calendar_window_and_filter_with_actor_and_label() -> None:
    r = one(
        'regel r "R" {\n wanneer 2 keer no_show bij jeugdarts\n'
        ' wanneer 1 keer uitkomst "niet ziek" per kwartaal\n school moet "x"\n}\n',
        ir.Rule,
    )
    a, b = r.triggers  # type: ignore[attr-defined]
    assert a.filter.with_actor.parts == ("jeugdarts",) and a.window is None
    assert b.filter.label == "niet ziek"
    assert (b.window.kind, b.window.unit) == (ir.WindowKind.CALENDAR, Unit.QUARTER)


def test_run_and_event_triggers() -> None:
    r = one(
        'regel r "R" {\n wanneer 7e schooldag aaneengesloten ziek\n'
        " wanneer minstens 4 weken aaneengesloten geoorloofd tot 3 maanden\n"
        " wanneer gebeurtenis geschorst van meer dan 1 schooldag\n"
        " wanneer gebeurtenis ziek rond vakantie\n"
        ' wanneer gebeurtenis uitgeschreven zonder inschrijving\n school moet "x"\n}\n',
        ir.Rule,
    )
    run1, run2, ev1, ev2, ev3 = r.triggers  # type: ignore[attr-defined]
    assert isinstance(run1, ir.RunTrigger) and run1.bound.ordinal and run1.unit is Unit.SCHOOL_DAY
    assert run2.upper == ir.Quantity(value=3, unit=Unit.MONTH, span=run2.upper.span)
    assert (
        isinstance(ev1, ir.EventTrigger)
        and ev1.size
        and ev1.size.strict
        and ev1.size_unit is Unit.SCHOOL_DAY
    )
    assert ev2.near_holiday and not ev2.without_enrolment
    assert ev3.without_enrolment


def test_conditions() -> None:
    r = one(
        'regel r "R" {\n wanneer 12 keer te_laat\n als leeftijd minstens 12 jaar\n'
        " als leeftijd onder 18 jaar\n als status leerplichtig, kwalificatieplichtig\n"
        " als schoolsoort vo, mbo\n als na waarschuwing\n als niet na halt\n"
        ' als uitkomst "officiële waarschuwing"\n als eerste keer\n als "bij twijfel"\n'
        ' school moet "x"\n}\n',
        ir.Rule,
    )
    c = r.conditions  # type: ignore[attr-defined]
    assert c[0].minimum == 12 and c[0].below is None
    assert c[1].below == 18
    assert c[2].statuses == ("leerplichtig", "kwalificatieplichtig")
    assert c[3].school_types == ("vo", "mbo")
    assert isinstance(c[4], ir.AfterCondition) and not c[4].negated
    assert c[5].negated and c[5].ref.parts == ("halt",)
    assert c[6].label == "officiële waarschuwing"
    assert isinstance(c[7], ir.FirstTimeCondition)
    assert c[8].text == "bij twijfel"


def test_repeat_options() -> None:
    r = one(
        'regel r "R" {\n wanneer 16 uur ongeoorloofd binnen 4 schoolweken\n'
        " daarna nieuwe teltermijn, hooguit 1 melding per 7 dagen, aansluitend, zonder einddatum\n"
        ' school moet "x"\n}\n',
        ir.Rule,
    )
    rep = r.repeat  # type: ignore[attr-defined]
    assert rep.new_count and rep.contiguous and rep.open_ended and not rep.once
    assert (
        rep.rate_limit[0] == 1
        and rep.rate_limit[1].value == 7
        and rep.rate_limit[1].unit is Unit.CALENDAR_DAY
    )


def test_actions_with_every_option() -> None:
    r = one(
        'regel r "R" {\n wanneer 16 uur ongeoorloofd binnen 4 schoolweken\n'
        ' melding: school moet "Melden" duocategorie zestien_uur binnen 5 werkdagen aan leerplicht cc inspectie'
        ' document "aanmeldformulier" overleg knooppunt stap handhaving.waarschuwing indien schoolsoort vo\n'
        ' school.mentor zou moeten "Bellen" voor 10:00\n'
        ' consulent kan "Intake" uiterlijk na 4 weken\n consulent mag "A"\n consulent evt "B"\n}\n',
        ir.Rule,
    )
    a, b, c, d, e = r.actions  # type: ignore[attr-defined]
    assert a.label == "melding" and a.modality is ir.Modality.MUST and a.text == "Melden"
    assert a.duo.last == "zestien_uur" and a.deadline.within.unit is Unit.WORKING_DAY
    assert [str(x) for x in a.recipients] == ["leerplicht"] and [str(x) for x in a.copies] == [
        "inspectie"
    ]
    assert a.document == "aanmeldformulier" and a.meeting.last == "knooppunt"
    assert str(a.step) == "handhaving.waarschuwing" and a.conditions[0].school_types == ("vo",)
    assert (
        b.actor.parts == ("school", "mentor")
        and b.modality is ir.Modality.SHOULD
        and b.deadline.clock == "10:00"
    )
    assert c.modality is ir.Modality.MAY and c.deadline.within.unit is Unit.WEEK
    assert d.modality is e.modality is ir.Modality.MAY


def test_exceptions_discretion_precedence_card_and_deviation() -> None:
    r = one(
        'regel r "R" vervangt nl.x {\n soort luxe\n kaart "Luxe verzuim"\n gaat_voor a, b\n'
        ' wanneer gebeurtenis luxe\n pv: leerplicht moet "Proces-verbaal"\n'
        ' uitzondering eerste "Eerste keer waarschuwing" {\n  als eerste keer\n  vervangt pv\n'
        '  leerplicht moet "Waarschuwing"\n  bron "000, 7"\n }\n'
        ' ruimte pv "In overleg" vastleggen "Leg de afweging vast"\n afwijking "Strenger"\n'
        ' tekst """\n  Proza bij de regel.\n """\n}\n',
        ir.Rule,
    )
    assert str(r.overrides) == "nl.x" and r.kind.last == "luxe" and r.card == "Luxe verzuim"  # type: ignore[attr-defined]
    assert [p.last for p in r.precedes] == ["a", "b"]  # type: ignore[attr-defined]
    (e,) = r.exceptions  # type: ignore[attr-defined]
    assert e.replaces == ("pv",) and e.actions[0].text == "Waarschuwing" and e.source == "000, 7"
    (d,) = r.discretions  # type: ignore[attr-defined]
    assert (d.action, d.text, d.record) == ("pv", "In overleg", "Leg de afweging vast")
    assert r.deviations == ("Strenger",) and r.text == "Proza bij de regel."  # type: ignore[attr-defined]


def test_classification_meeting_flow_ladder_route() -> None:
    text = (
        'classificatie geel "Type 4" {\n kleur geel\n groep "geoorloofd"\n'
        " wanneer 1 schooldag aaneengesloten geoorloofd tot 4 weken\n}\n"
        'overleg knooppunt "Knooppunt" {\n deelnemers school, ouders\n voorzitter school\n organisator school, ouders\n frequentie elke 8 weken\n}\n'
        'overleg mdo "MDO" { frequentie "regelmatig" }\n'
        'stroomschema geoorloofd "Stroomschema geoorloofd verzuim" { regels a, b }\n'
        'ladder handhaving "H" {\n stap waarschuwing "W" door leerplicht\n stap halt "Halt" indien leeftijd minstens 12 jaar\n}\n'
        'route strafrechtelijk "Route 4" {\n fase waarnemen "Waarnemen"\n ladder handhaving\n leerplicht kan "PV"\n}\n'
    )
    items = lower(HEADER + text).items[1:]
    c, k, mdo, f, lad, route = items
    assert isinstance(c, ir.Classification) and c.colour == "geel" and c.group == "geoorloofd"
    assert isinstance(k, ir.Meeting) and [str(p) for p in k.participants] == ["school", "ouders"]
    assert k.frequency.value == 8 and k.frequency.unit is Unit.WEEK and str(k.chair) == "school"
    assert [str(o) for o in k.organisers] == ["school", "ouders"]
    assert mdo.frequency_text == "regelmatig"
    assert isinstance(f, ir.Flow) and [r.last for r in f.rules] == ["a", "b"]
    assert [s.id for s in lad.steps] == ["waarschuwing", "halt"] and lad.steps[1].conditions[
        0
    ].minimum == 12
    assert (
        isinstance(route, ir.Route)
        and route.phases[0].id == "waarnemen"
        and route.ladder.last == "handhaving"
    )


def test_prose_headings_show_and_heading_paths() -> None:
    text = (
        '# 1. Verzuim\n"""\nTekst *met* opmaak.\n"""\n## 1.1 Geoorloofd\n'
        'toon verzuimkaart\ntoon stroomschema geoorloofd\n# 2. Thuiszitters\nactor school "School"\n'
    )
    items = lower(HEADER + text).items[1:]
    h1, prose, h2, show1, show2, h3, actor = items
    assert isinstance(h1, ir.Heading) and (h1.level, h1.text) == (1, "1. Verzuim")
    assert isinstance(prose, ir.Prose) and prose.text == "Tekst *met* opmaak."
    assert prose.heading == ("1. Verzuim",)
    assert isinstance(show1, ir.Show) and show1.what == "verzuimkaart" and show1.arg is None
    assert show1.heading == ("1. Verzuim", "1.1 Geoorloofd")
    assert show2.arg == "geoorloofd"
    assert actor.heading == ("2. Thuiszitters",)


def test_comments_are_ignored() -> None:
    m = lower(HEADER + '// een opmerking\nactor school "School" // achter een regel\n')
    assert [type(i) for i in m.items] == [ir.Header, ir.Actor]


def test_spans_point_at_ids() -> None:
    m = lower(
        HEADER
        + '\nregel wettelijk "W" {\n  wanneer 16 uur ongeoorloofd binnen 4 schoolweken\n  school moet "x"\n}\n'
    )
    r = m.items[1]
    assert (r.span.line, r.span.column, r.span.end_column) == (5, 7, 16)
    (t,) = r.triggers
    assert (t.span.line, t.span.column) == (6, 11)


def test_override_merges_and_aliases_actor(tmp_path: Path) -> None:
    (tmp_path / "nl").mkdir()
    (tmp_path / "nl" / "basis.vz").write_text(
        'protocol basis "B" {\n}\nactor school "School"\nactor leerplichtambtenaar "Leerplichtambtenaar"\n'
        'regel melden "Melden" {\n bron "b"\n wanneer 16 uur ongeoorloofd binnen 4 schoolweken\n'
        ' leerplichtambtenaar moet "Onderzoek"\n}\nregel ander "Ander" {\n bron "b"\n'
        ' wanneer 6 keer te_laat\n school moet "Brief"\n}\n'
    )
    main = SourceFile(
        "regio.vz",
        'protocol regio "R" {\n gebruikt nl.basis\n}\nactor consulent "Consulent" vervangt leerplichtambtenaar\n'
        'regel melden "Melden (regio)" vervangt melden {\n bron "r"\n'
        ' wanneer 16 uur ongeoorloofd binnen 4 schoolweken\n consulent moet "Intake"\n}\n',
    )
    result = check(main, tmp_path, "regio")
    assert result.diagnostics == ()
    p = result.protocol
    assert p is not None
    assert [r.title for r in p.rules] == ["Melden (regio)", "Ander"]  # own first, then inherited
    assert [a.id for a in p.actors] == ["consulent", "school"]
    assert p.actor("leerplichtambtenaar").name == "Consulent"


def test_override_alias_stays_in_its_namespace(tmp_path: Path) -> None:
    """Replacing rule `luxe_verzuim` must not redirect the DUO category `luxe_verzuim`."""
    (tmp_path / "nl").mkdir()
    (tmp_path / "nl" / "basis.vz").write_text(
        'protocol basis "B" {\n}\nactor school "School"\n'
        'duocategorie luxe_verzuim "Luxe verzuim"\n'
        'regel luxe_verzuim "Luxe" {\n bron "b"\n wanneer gebeurtenis luxe\n'
        ' school moet "Melden" duocategorie luxe_verzuim\n}\n'
    )
    main = SourceFile(
        "regio.vz",
        'protocol regio "R" {\n gebruikt nl.basis\n}\n'
        'regel luxe_regio "Luxe (regio)" vervangt luxe_verzuim {\n bron "r"\n'
        ' wanneer gebeurtenis luxe\n school moet "Melden" duocategorie luxe_verzuim\n}\n',
    )
    result = check(main, tmp_path, "regio")
    assert result.diagnostics == ()
    p = result.protocol
    assert p is not None
    assert p.rule("luxe_verzuim").id == "luxe_regio"
    assert p.duo_category("luxe_verzuim").name == "Luxe verzuim"
    assert p.resolve("luxe_verzuim", "duo") == "luxe_verzuim"


def test_upper_bounds_on_event_sizes_and_route_ladder_overrides() -> None:
    r = one(
        'regel r "R" {\n wanneer gebeurtenis verlofaanvraag van hooguit 10 schooldagen\n'
        ' wanneer gebeurtenis geschorst van minder dan 2 schooldagen\n school moet "x"\n}\n',
        ir.Rule,
    )
    a, b = r.triggers  # type: ignore[attr-defined]
    assert a.size.at_most and not a.size.strict and a.size.reached(10) and not a.size.reached(11)
    assert b.size.at_most and b.size.strict and b.size.reached(1) and not b.size.reached(2)
    items = lower(
        HEADER + 'ladder h "H" vervangt handhaving { stap w "W" }\n'
        'route r "R" vervangt strafrechtelijk { fase f "F" }\n'
    ).items[1:]
    assert [str(i.overrides) for i in items] == ["handhaving", "strafrechtelijk"]


def test_actor_duo_can_follow_an_action() -> None:
    """`duo` is an actor of the base; the DUO category option is `duocategorie`, so no clash."""
    r = one(
        'regel r "R" {\n wanneer gebeurtenis uitgeschreven\n'
        ' school moet "Melden" duocategorie overig_verzuim\n duo moet "Doorleiden" aan leerplicht\n}\n',
        ir.Rule,
    )
    a, b = r.actions  # type: ignore[attr-defined]
    assert a.duo.last == "overig_verzuim" and str(b.actor) == "duo"
