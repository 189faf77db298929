"""Named scenarios: a timeline in, the expected actions out, in a TOML file beside the protocol.

`protocols/parkstad.vz` keeps its scenarios in `protocols/parkstad.scenarios.toml`. Keys are
Dutch so protocol authors can read and write them (docs/scenarios.md):

    [standaard]
    leerling = { geboortedatum = 2012-03-04, schoolsoort = "vo" }
    kalender = { regio = "zuid", schooljaar = "2025-2026" }

    [[scenario]]
    naam = "16 uur in 4 weken: eerste melding"
    peildatum = 2025-09-30
    gebeurtenissen = [
      { datum = 2025-09-01, soort = "ongeoorloofd", tot = 2025-09-03 },
    ]
      [[scenario.verwacht]]
      regel = "wettelijk_verzuim"
      datum = 2025-09-03
      termijn = 2025-09-10

Matching is partial: only the keys an expectation names are compared. A failure shows the
expectation next to the closest actual actions, key by key.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from .protocol import Protocol
from .results import ActionDue, ClassificationSpan, Result
from .timeline import FORMAT, TimelineError

SUFFIX = ".scenarios.toml"

# Dutch event kinds -> core timeline fields
EVENT_KINDS: dict[str, dict[str, Any]] = {
    "ongeoorloofd": {"type": "absence", "authorized": False},
    "geoorloofd": {"type": "absence", "authorized": True},
    "afwezig": {"type": "absence"},
    "luxe": {"type": "absence", "authorized": False, "reason": "vakantie"},
    "ziek": {"type": "sick"},
    "te_laat": {"type": "late"},
    "geschorst": {"type": "suspension"},
    "no_show": {"type": "no_show"},
    "ingeschreven": {"type": "enrolled"},
    "uitgeschreven": {"type": "unenrolled"},
    "vrijstelling": {"type": "exemption"},
    "verlof": {"type": "leave_granted"},
    "uitkomst": {"type": "outcome"},
}
# Dutch event fields -> timeline fields (the English ones are accepted as they are)
EVENT_FIELDS = {
    "datum": "date",
    "van": "date",
    "soort": "type",
    "uren": "hours",
    "geoorloofd": "authorized",
    "reden": "reason",
    "dagen": "days",
    "tot": "until",
    "dagdelen": "dagdelen",
    "bij": "with",
    "label": "label",
    "notitie": "note",
}
STUDENT_FIELDS = {
    "id": "id",
    "geboortedatum": "birth_date",
    "schoolsoort": "school_type",
    "gemeente": "municipality",
    "eerste_schooljaar": "first_school_year",
    "startkwalificatie": "startkwalificatie_date",
}
CALENDAR_FIELDS = {
    "regio": "region",
    "schooljaar": "school_year",
    "vrije_dagen": "days_off",
    "vakanties": "holiday_overrides",
    "lesuren_per_dag": "lesson_hours_per_day",
}
# expectation keys -> result keys
ACTION_KEYS = {
    "regel": "rule",
    "actor": "actor",
    "actie": "action",
    "modaliteit": "modality",
    "datum": "date",
    "termijn": "due",
    "tijd": "due_time",
    "duo": "duo",
    "begin": "begin",
    "einde": "end",
    "gesloten": "closed",
    "bron": "source",
    "label": "label",
    "stap": "step",
    "uitzondering": "exception",
}
CLASS_KEYS = {"label": "label", "van": "from", "tot": "until", "kleur": "colour", "naam": "name"}
_MODALITY = {"moet": "must", "zou moeten": "should", "kan": "may", "mag": "may", "evt": "may"}
_SCENARIO_KEYS = (
    "naam",
    "uitleg",
    "leerling",
    "kalender",
    "peildatum",
    "gebeurtenissen",
    "tijdlijn",
    "verwacht",
    "niet_verwacht",
    "classificatie",
    "volledig",
)
_NULLS = ("geen", "open", "")


class ScenarioFileError(ValueError):
    """A scenario file that cannot be read; carries `file:line: message` lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@attrs.frozen
class Expectation:
    keys: tuple[tuple[str, Any], ...]  # (Dutch key, expected value), in file order
    count: int | None = None

    def describe(self) -> list[str]:
        width = max((len(k) for k, _ in self.keys), default=0)
        return [f"{k.ljust(width)} = {_show(v)}" for k, v in self.keys] + (
            [f"aantal = {self.count}"] if self.count is not None else []
        )


@attrs.frozen
class Scenario:
    name: str
    file: str
    line: int
    protocol_path: Path
    timeline: dict[str, Any]
    expect: tuple[Expectation, ...] = ()
    forbid: tuple[Expectation, ...] = ()
    classes: tuple[Expectation, ...] = ()
    complete: bool = False
    description: str | None = None


@attrs.frozen
class Outcome:
    scenario: Scenario
    failures: tuple[str, ...] = ()
    result: Result | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


# ------------------------------------------------------------------------ reading


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def _show(value: Any) -> str:
    if value is None:
        return "geen"
    return str(_iso(value))


def _line_of(text: str, name: str) -> int:
    m = re.search(r'^\s*naam\s*=\s*["\']' + re.escape(name) + r'["\']', text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def _translate(obj: Any, fields: Mapping[str, str], where: str, problems: list[str]) -> dict[str, Any]:
    if not isinstance(obj, Mapping):
        problems.append(f"{where}: verwacht een tabel, zoals {{ {next(iter(fields))} = ... }}")
        return {}
    out: dict[str, Any] = {}
    english = set(fields.values())
    for key, value in obj.items():
        if key in fields:
            out[fields[key]] = _iso(value)
        elif key in english or key.startswith("x_"):
            out[key] = _iso(value)
        else:
            guess = difflib.get_close_matches(key, list(fields), n=1)
            hint = f"; bedoelde u '{guess[0]}'?" if guess else ""
            problems.append(f"{where}: onbekende sleutel '{key}'{hint}")
    return out


def _event(raw: Any, where: str, problems: list[str]) -> dict[str, Any]:
    ev = _translate(raw, EVENT_FIELDS, where, problems)
    kind = ev.get("type")
    if isinstance(kind, str) and kind in EVENT_KINDS:
        base = dict(EVENT_KINDS[kind])
        base.update({k: v for k, v in ev.items() if k != "type"})
        ev = base
    return ev


def _expectations(raw: Any, keys: Mapping[str, str], where: str, problems: list[str]) -> tuple[Expectation, ...]:
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        problems.append(f"{where}: verwacht een lijst met tabellen")
        return ()
    out = []
    for n, item in enumerate(raw):
        if not isinstance(item, Mapping):
            problems.append(f"{where}[{n}]: verwacht een tabel")
            continue
        pairs = []
        count = None
        for key, value in item.items():
            if key == "aantal":
                if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                    count = value
                else:
                    problems.append(f"{where}[{n}].aantal: moet een geheel getal zijn")
                continue
            if key not in keys:
                guess = difflib.get_close_matches(key, list(keys), n=1)
                hint = f"; bedoelde u '{guess[0]}'?" if guess else f"; kies uit {', '.join(keys)}"
                problems.append(f"{where}[{n}]: onbekende sleutel '{key}'{hint}")
                continue
            pairs.append((key, value))
        out.append(Expectation(tuple(pairs), count))
    return tuple(out)


def load_file(path: Path | str) -> list[Scenario]:
    """The scenarios in one file, or ScenarioFileError listing every problem."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError([f"{p}: geen geldige TOML: {exc}"]) from None
    problems: list[str] = []
    for key in data:
        if key not in ("protocol", "standaard", "scenario"):
            problems.append(f"{p}: onbekende sleutel '{key}' (verwacht protocol, standaard of scenario)")
    if "protocol" in data:
        protocol_path = (p.parent / str(data["protocol"])).resolve()
    else:
        protocol_path = p.with_name(p.name[: -len(SUFFIX)] + ".vz") if p.name.endswith(SUFFIX) else p.with_suffix(".vz")
    if not protocol_path.exists():
        problems.append(f"{p}: protocol {protocol_path} bestaat niet; zet protocol = \"pad/naar.vz\" bovenaan")
    defaults = data.get("standaard", {})
    if not isinstance(defaults, Mapping):
        problems.append(f"{p}: [standaard] moet een tabel zijn")
        defaults = {}
    scenarios: list[Scenario] = []
    raw_list = data.get("scenario", [])
    if not isinstance(raw_list, list):
        raw_list = []
        problems.append(f"{p}: schrijf scenario's als [[scenario]]")
    seen: set[str] = set()
    for n, raw in enumerate(raw_list):
        name = str(raw.get("naam") or f"scenario {n + 1}")
        line = _line_of(text, name)
        where = f"{p}:{line}"
        if name in seen:
            problems.append(f"{where}: de naam '{name}' komt twee keer voor")
        seen.add(name)
        for key in raw:
            if key not in _SCENARIO_KEYS:
                guess = difflib.get_close_matches(key, _SCENARIO_KEYS, n=1)
                hint = f"; bedoelde u '{guess[0]}'?" if guess else ""
                problems.append(f"{where}: onbekende sleutel '{key}'{hint}")
        merged = {**defaults, **raw}
        if "tijdlijn" in raw:
            import orjson

            tl_path = p.parent / str(raw["tijdlijn"])
            try:
                timeline = orjson.loads(tl_path.read_bytes())
            except (OSError, orjson.JSONDecodeError) as exc:
                problems.append(f"{where}: tijdlijn {tl_path} niet te lezen: {exc}")
                continue
            if "peildatum" in raw:
                timeline["as_of"] = _iso(raw["peildatum"])
        else:
            student = _translate(merged.get("leerling", {}), STUDENT_FIELDS, f"{where}: leerling", problems)
            student.setdefault("id", "scenario")
            cal = _translate(merged.get("kalender", {}), CALENDAR_FIELDS, f"{where}: kalender", problems)
            if isinstance(cal.get("days_off"), list):
                cal["days_off"] = [_iso(x) for x in cal["days_off"]]
            if isinstance(cal.get("holiday_overrides"), Mapping):
                cal["holiday_overrides"] = {k: [_iso(x) for x in v] for k, v in cal["holiday_overrides"].items()}
            events = [
                _event(e, f"{where}: gebeurtenissen[{i}]", problems)
                for i, e in enumerate(merged.get("gebeurtenissen", []))
            ]
            timeline = {
                "format": FORMAT,
                "student": student,
                "calendar": cal,
                "as_of": _iso(merged.get("peildatum")),
                "events": events,
            }
        scenarios.append(
            Scenario(
                name=name,
                file=str(p),
                line=line,
                protocol_path=protocol_path,
                timeline=timeline,
                expect=_expectations(raw.get("verwacht"), ACTION_KEYS, f"{where}: verwacht", problems),
                forbid=_expectations(raw.get("niet_verwacht"), ACTION_KEYS, f"{where}: niet_verwacht", problems),
                classes=_expectations(raw.get("classificatie"), CLASS_KEYS, f"{where}: classificatie", problems),
                complete=bool(raw.get("volledig", defaults.get("volledig", False))),
                description=raw.get("uitleg"),
            )
        )
    if problems:
        raise ScenarioFileError(problems)
    return scenarios


def discover(paths: Iterable[Path]) -> list[Path]:
    """Scenario files for the given paths: a .vz names its sibling, a folder is searched."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(p.rglob("*" + SUFFIX)))
        elif p.suffix == ".vz":
            sibling = p.with_name(p.stem + SUFFIX)
            if sibling.exists():
                out.append(sibling)
        else:
            out.append(p)
    unique: dict[Path, None] = {}
    for p in out:
        unique.setdefault(p.resolve(), None)
    return list(unique)


# ------------------------------------------------------------------------ matching


def _normal(key: str, value: Any) -> Any:
    """An expected value in the result's terms (dates as text, Dutch modalities, geen = null)."""
    value = _iso(value)
    if isinstance(value, str) and value.strip().lower() in _NULLS and key in (
        "termijn", "einde", "tot", "duo", "gesloten", "tijd", "begin", "bron", "stap", "label", "uitzondering",
    ):
        return None
    if key == "modaliteit" and isinstance(value, str):
        return _MODALITY.get(value.strip().lower(), value)
    if key == "tijd" and isinstance(value, str):
        # authors write the deadline as the protocol does: `voor 10:00`, `vóór 10:00 uur`
        text = value.strip().lower().removesuffix("uur").strip()
        for prefix in ("voor ", "vóór "):
            text = text.removeprefix(prefix)
        hours, _, minutes = text.partition(":")
        return f"{int(hours):02d}:{minutes}" if hours.isdigit() and minutes.isdigit() else value
    return value


def _field_ok(key: str, expected: Any, actual: Any) -> bool:
    exp = _normal(key, expected)
    if key == "actie" and isinstance(exp, str) and isinstance(actual, str):
        return exp.casefold() in actual.casefold()
    return exp == actual


def _json_of(item: ActionDue | ClassificationSpan) -> dict[str, Any]:
    out = item.to_json()
    out.setdefault("closed", None)
    for k in ("label", "step", "exception", "due_time", "colour"):
        out.setdefault(k, None)
    return out


def _score(exp: Expectation, actual: Mapping[str, Any], keys: Mapping[str, str]) -> int:
    return sum(_field_ok(k, v, actual.get(keys[k])) for k, v in exp.keys)


def _diff(exp: Expectation, actual: Mapping[str, Any], keys: Mapping[str, str]) -> list[str]:
    width = max((len(k) for k, _ in exp.keys), default=0)
    lines = []
    for k, v in exp.keys:
        got = actual.get(keys[k])
        mark = "✓" if _field_ok(k, v, got) else f"✗ (verwacht {_show(_normal(k, v))})"
        lines.append(f"{k.ljust(width)} = {_show(got)}  {mark}")
    return lines


def check_result(scenario: Scenario, result: Result) -> list[str]:
    """The failures of one scenario against a result: empty when everything matches."""
    failures: list[str] = []
    actions = [_json_of(a) for a in result.actions]
    used = [False] * len(actions)  # taken by an expectation (each matches its own action)
    covered = [False] * len(actions)  # named by some expectation (for `volledig`)
    for exp in sorted(scenario.expect, key=lambda e: e.count is not None):
        matches = [i for i, a in enumerate(actions) if _score(exp, a, ACTION_KEYS) == len(exp.keys)]
        for i in matches:
            covered[i] = True
        if exp.count is not None:
            if len(matches) != exp.count:
                failures.append(
                    f"verwacht {exp.count} keer een actie met " + ", ".join(exp.describe()[:-1])
                    + f"; gevonden: {len(matches)}"
                )
            continue
        free = [i for i in matches if not used[i]]
        if free:
            used[free[0]] = True
            continue
        failures.append(_missing("actie", exp, actions, ACTION_KEYS, used))
    for exp in scenario.forbid:
        hits = [a for a in actions if _score(exp, a, ACTION_KEYS) == len(exp.keys)]
        if hits:
            lines = [f"niet verwacht, maar wel gevonden: een actie met {', '.join(exp.describe())}"]
            for a in hits[:3]:
                lines.append(f"    {a['date']}  {a['rule']}  {a['actor']}: {a['action']}")
            failures.append("\n".join(lines))
    spans = [_json_of(c) for c in result.classifications]
    used_c = [False] * len(spans)
    for exp in scenario.classes:
        matches = [i for i, c in enumerate(spans) if _score(exp, c, CLASS_KEYS) == len(exp.keys) and not used_c[i]]
        if matches:
            used_c[matches[0]] = True
            continue
        failures.append(_missing("classificatie", exp, spans, CLASS_KEYS, used_c))
    if scenario.complete:
        for i, a in enumerate(actions):
            if not covered[i]:
                failures.append(
                    f"onverwachte actie (volledig = true): {a['date']}  {a['rule']}  {a['actor']}: {a['action']}"
                )
        if scenario.classes:
            for i, c in enumerate(spans):
                if not used_c[i]:
                    failures.append(f"onverwachte classificatie (volledig = true): {c['label']} van {c['from']} tot {_show(c['until'])}")
    return failures


def _missing(
    what: str,
    exp: Expectation,
    items: list[dict[str, Any]],
    keys: Mapping[str, str],
    used: Sequence[bool],
) -> str:
    lines = [f"verwacht een {what} met:"]
    lines += ["    " + x for x in exp.describe()]
    ranked = sorted(range(len(items)), key=lambda i: -_score(exp, items[i], keys))
    close = [i for i in ranked if _score(exp, items[i], keys) > 0][:2]
    if close:
        for i in close:
            taken = " (al gebruikt door een andere verwachting)" if used[i] else ""
            lines.append(f"  dichtstbijzijnd ({i + 1}e {what}){taken}:")
            lines += ["    " + x for x in _diff(exp, items[i], keys)]
    elif not items:
        lines.append(f"  er is geen enkele {what}")
    else:
        lines.append(f"  geen {what} komt in de buurt; wel gevonden:")
        for it in items[:6]:
            if what == "actie":
                lines.append(f"    {it['date']}  {it['rule']}  {it['actor']}: {it['action']}")
            else:
                lines.append(f"    {it['label']} van {it['from']} tot {_show(it['until'])}")
    return "\n".join(lines)


# ------------------------------------------------------------------------ running


def matches_filter(name: str, filters: Sequence[str]) -> bool:
    """Every -k word must occur in the name (case-insensitive); no filters: everything."""
    low = name.casefold()
    return all(f.casefold() in low for f in filters)


def run_scenario(protocol: Protocol, scenario: Scenario) -> Outcome:
    try:
        result = protocol.run(scenario.timeline)
    except TimelineError as exc:
        return Outcome(scenario, tuple(f"tijdlijn: {p}" for p in exc.problems))
    return Outcome(scenario, tuple(check_result(scenario, result)), result)


def run_file(
    path: Path, filters: Sequence[str] = (), root: Path | None = None, cache: dict[Path, Protocol] | None = None
) -> list[Outcome]:
    """Run the scenarios of one file whose name passes the filters."""
    from .check import load

    scenarios = [s for s in load_file(path) if matches_filter(s.name, filters)]
    if not scenarios:
        return []
    cache = cache if cache is not None else {}
    proto_path = scenarios[0].protocol_path
    if proto_path not in cache:
        cache[proto_path] = load(proto_path, root)
    protocol = cache[proto_path]
    return [run_scenario(protocol, s) for s in scenarios]


def render_outcome(o: Outcome) -> str:
    s = o.scenario
    if o.passed:
        return f"  ✓ {s.name}"
    lines = [f"  ✗ {s.name}  ({s.file}:{s.line})"]
    for f in o.failures:
        for i, line in enumerate(f.splitlines()):
            lines.append(("    - " if i == 0 else "      ") + line)
    if o.result is not None and o.result.actions:
        lines.append("    acties van deze leerling:")
        for a in o.result.actions:
            due = f" (uiterlijk {a.due.isoformat()})" if a.due else ""
            lines.append(f"      {a.date.isoformat()}  {a.rule}  {a.actor}: {a.action}{due}")
    return "\n".join(lines)


def summary(outcomes: Sequence[Outcome]) -> str:
    passed = sum(o.passed for o in outcomes)
    failed = len(outcomes) - passed
    word = "scenario" if len(outcomes) == 1 else "scenario's"
    return f"{len(outcomes)} {word}: {passed} geslaagd, {failed} mislukt"
