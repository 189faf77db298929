"""A synthetic school population, and what a protocol would demand for it over a school year.

The population is meant to look like real registrations, not to be uniform noise:

* sickness in episodes (mostly single days, some of a few days, a few long ones), with an
  individual rate drawn from a skewed (gamma) distribution, so a few pupils are often sick;
* lateness with a heavy tail: most pupils are never or rarely late, a few very often;
* unauthorised absence mostly as skipped lessons (1-3 hours), more in vo and mbo;
* luxe verzuim: a day or two glued to a school holiday;
* a small group of chronic absentees (weeks of full-day absence, some never return), who
  produce the repeat reports, LRV and thuiszitters;
* rare suspensions, jeugdarts no-shows and authorised appointments.

Pupil i is generated from its own seeded RNG, so a population is the same whatever the
number of worker processes.
"""

from __future__ import annotations

import multiprocessing as mp
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import attrs

from .calendar import SchoolCalendar, calendar_for, parse_school_year
from .protocol import Protocol
from .results import Result
from .timeline import CalendarSpec, Event, Student, Timeline

# share of pupils per school type, normalised over the types a protocol covers
TYPE_WEIGHTS = {"po": 0.52, "so": 0.03, "vo": 0.36, "vso": 0.02, "mbo": 0.07}
# age on 1 October, per school type (inclusive range)
AGES = {"po": (4, 12), "so": (4, 12), "vo": (12, 17), "vso": (12, 19), "mbo": (16, 20)}
# how much more a type skips lessons than po
SKIP_FACTOR = {"po": 0.2, "so": 0.3, "vo": 1.0, "vso": 1.2, "mbo": 1.6}
LATE_FACTOR = {"po": 0.5, "so": 0.5, "vo": 1.0, "vso": 1.0, "mbo": 1.3}


@attrs.frozen
class Population:
    region: str
    school_year: int
    school_types: tuple[str, ...]

    @property
    def spec(self) -> CalendarSpec:
        return CalendarSpec(region=self.region, school_year=self.school_year)


def _school_days(cal: SchoolCalendar, year: int) -> list[date]:
    return cal.school_days(date(year, 8, 1), date(year + 1, 7, 31))


def _holiday_edges(days: Sequence[date]) -> list[int]:
    """Indices of school days just before or after a break of more than a long weekend."""
    edges = []
    for i in range(len(days) - 1):
        if (days[i + 1] - days[i]).days > 4:
            edges += [i, i + 1]
    return edges


class _Maker:
    """Builds one pupil's events on the school days of the year."""

    def __init__(self, rng: random.Random, days: Sequence[date], edges: Sequence[int]) -> None:
        self.rng = rng
        self.days = days
        self.edges = edges
        self.events: list[Event] = []
        self.busy: set[int] = set()

    def add(self, i: int, etype: str, **fields: Any) -> None:
        self.events.append(Event(index=len(self.events), date=self.days[i], type=etype, **fields))

    def free(self, i: int, n: int = 1) -> bool:
        return all(j not in self.busy and j < len(self.days) for j in range(i, i + n))

    def take(self, i: int, n: int = 1) -> None:
        self.busy.update(range(i, i + n))


def make_pupil(
    pop: Population,
    index: int,
    seed: int,
    cal: SchoolCalendar,
    days: Sequence[date],
    edges: Sequence[int],
    as_of: date,
) -> Timeline:
    """Pupil `index` of the population with this seed (independent of every other pupil)."""
    rng = random.Random(seed * 1_000_003 + index)
    types = pop.school_types
    st = rng.choices(types, weights=[TYPE_WEIGHTS.get(t, 0.05) for t in types])[0]
    lo, hi = AGES[st]
    age = rng.randint(lo, hi)
    birth = date(pop.school_year - age, 10, 1) - timedelta(days=rng.randrange(365))
    m = _Maker(rng, days, edges)
    upto = sum(1 for d in days if d <= as_of)
    if upto == 0:
        return Timeline(
            student=Student(id=f"S-{index:06d}", birth_date=birth, school_type=st),
            calendar=pop.spec,
            as_of=as_of,
        )
    # chronic absentees first: they claim their weeks
    r = rng.random()
    if r < 0.004:  # stops coming and does not return
        start = rng.randrange(upto)
        m.add(start, "absence", authorized=False, until=days[upto - 1] if upto else None)
        m.take(start, upto - start)
    elif r < 0.02:  # weeks of (mostly) full-day absence
        start = rng.randrange(upto)
        length = rng.randint(10, 80)
        p = rng.uniform(0.6, 1.0)
        for j in range(start, min(start + length, upto)):
            if rng.random() < p:
                m.add(j, "absence", authorized=False)
                m.take(j)
    # sickness episodes
    rate = rng.gammavariate(1.3, 3.2 / 1.3)
    for _ in range(_poisson(rng, rate)):
        i = rng.randrange(upto)
        u = rng.random()
        length = (
            1
            if u < 0.58
            else rng.randint(2, 3)
            if u < 0.9
            else rng.randint(4, 10)
            if u < 0.99
            else rng.randint(15, 60)
        )
        length = min(length, upto - i)
        if length > 0 and m.free(i, length):
            if length == 1:
                m.add(i, "sick")
            else:
                m.add(i, "sick", days=length)
            m.take(i, length)
    # skipped lessons
    skip = rng.gammavariate(0.35, 1.4 / 0.35) * SKIP_FACTOR[st]
    for _ in range(_poisson(rng, skip)):
        i = rng.randrange(upto)
        if m.free(i):
            m.add(i, "absence", authorized=False, hours=float(rng.choice((1, 1, 2, 2, 3, 4))))
            m.take(i)
    # lateness (not exclusive with a partial absence, but not on a full day away)
    late = rng.gammavariate(0.5, 3.0 / 0.5) * LATE_FACTOR[st]
    for _ in range(_poisson(rng, late)):
        i = rng.randrange(upto)
        if m.free(i):
            m.add(i, "late")
    # authorised appointments (doctor, dentist)
    for _ in range(_poisson(rng, 0.8)):
        i = rng.randrange(upto)
        if m.free(i):
            m.add(
                i, "absence", authorized=True, hours=float(rng.choice((1, 2, 3))), reason="afspraak"
            )
            m.take(i)
    # luxe verzuim around a holiday
    if edges and rng.random() < 0.03:
        i = rng.choice(edges)
        if i < upto and m.free(i):
            m.add(i, "absence", authorized=False, reason="vakantie")
            m.take(i)
    # suspension
    if rng.random() < (0.012 if st in ("vo", "vso", "mbo") else 0.002):
        i = rng.randrange(upto)
        k = rng.choice((1, 1, 2, 3))
        if m.free(i, k):
            m.add(i, "suspension", days=k) if k > 1 else m.add(i, "suspension")
            m.take(i, k)
    # moving school: mostly straight to a new school, rarely with a gap (absoluut verzuim)
    move = rng.random()
    if move < 0.012:
        i = rng.randrange(upto)
        m.add(i, "unenrolled")
        if move > 0.0015:
            m.add(min(i + rng.randint(0, 2), upto - 1), "enrolled")
    # a missed appointment with the jeugdarts for some frequently sick pupils
    if rate > 6 and rng.random() < 0.25:
        i = rng.randrange(upto)
        m.add(i, "no_show", with_="jeugdarts")
    events = tuple(
        Event(index=k, **_fields(e)) for k, e in enumerate(sorted(m.events, key=Event.sort_key))
    )
    student = Student(id=f"S-{index:06d}", birth_date=birth, school_type=st)
    return Timeline(student=student, calendar=pop.spec, as_of=as_of, events=events)


def _fields(e: Event) -> dict[str, Any]:
    return {
        k: getattr(e, k)
        for k in (
            "date",
            "type",
            "hours",
            "authorized",
            "reason",
            "days",
            "until",
            "dagdelen",
            "with_",
            "label",
            "note",
        )
    }


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method; lam stays small here."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(rng.gauss(lam, lam**0.5) + 0.5))
    import math

    limit = math.exp(-lam)
    k, p = 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def population(
    protocol: Protocol, region: str | None = None, school_year: str | None = None
) -> Population:
    h = protocol.header
    year = parse_school_year(school_year or h.school_year or "2025-2026")
    types = tuple(t for t in (h.school_types or tuple(TYPE_WEIGHTS)) if t in TYPE_WEIGHTS) or tuple(
        TYPE_WEIGHTS
    )
    return Population(region=region or h.region or "midden", school_year=year, school_types=types)


def generate(pop: Population, pupils: int, seed: int, start: int = 0) -> Iterator[Timeline]:
    """Timelines for pupils start .. start+pupils-1, as of the last school day of the year."""
    spec = pop.spec
    cal = calendar_for(spec.region)
    days = _school_days(cal, pop.school_year)
    edges = _holiday_edges(days)
    as_of = days[-1] if days else spec.last_day
    for i in range(start, start + pupils):
        yield make_pupil(pop, i, seed, cal, days, edges, as_of)


# ------------------------------------------------------------------------ aggregation


@attrs.define
class Tally:
    """What a population's results add up to."""

    pupils: int = 0
    pupils_with_actions: int = 0
    events: int = 0
    duo: Counter[str] = attrs.Factory(Counter)
    actors: Counter[str] = attrs.Factory(Counter)
    modality: Counter[str] = attrs.Factory(Counter)
    rules: Counter[str] = attrs.Factory(Counter)
    months: Counter[str] = attrs.Factory(Counter)
    classes: Counter[str] = attrs.Factory(Counter)
    # actions and reports that only happen if a person judges so (`als "bij twijfel"`)
    judged: Counter[str] = attrs.Factory(Counter)
    duo_judged: Counter[str] = attrs.Factory(Counter)
    class_names: dict[str, str] = attrs.Factory(dict)
    actor_names: dict[str, str] = attrs.Factory(dict)

    def add(self, result: Result, n_events: int) -> None:
        self.pupils += 1
        self.events += n_events
        if result.actions:
            self.pupils_with_actions += 1
        for a in result.actions:
            self.actors[a.actor] += 1
            self.actor_names.setdefault(a.actor, a.actor_name or a.actor)
            self.modality[a.modality] += 1
            self.rules[a.rule] += 1
            self.months[a.date.strftime("%Y-%m")] += 1
            if a.duo is not None:
                self.duo[a.duo] += 1
            if a.conditions:
                self.judged[a.rule] += 1
                if a.duo is not None:
                    self.duo_judged[a.duo] += 1
        seen = set()
        for c in result.classifications:
            if c.label not in seen:
                seen.add(c.label)
                self.classes[c.label] += 1
                self.class_names.setdefault(c.label, c.name or c.label)

    def merge(self, other: Tally) -> None:
        self.pupils += other.pupils
        self.pupils_with_actions += other.pupils_with_actions
        self.events += other.events
        for name in (
            "duo",
            "actors",
            "modality",
            "rules",
            "months",
            "classes",
            "judged",
            "duo_judged",
        ):
            getattr(self, name).update(getattr(other, name))
        self.class_names.update(other.class_names)
        self.actor_names.update(other.actor_names)


def _simulate_part(args: tuple[Protocol, Population, int, int, int]) -> Tally:
    from .interpreter import compile_protocol, run_timeline

    protocol, pop, start, count, seed = args
    compiled = compile_protocol(protocol)
    tally = Tally()
    for tl in generate(pop, count, seed, start):
        tally.add(run_timeline(compiled, tl), len(tl.events))
    return tally


def simulate(
    protocol: Protocol,
    pupils: int,
    seed: int,
    *,
    region: str | None = None,
    school_year: str | None = None,
    workers: int = 1,
) -> tuple[Population, Tally]:
    """Generate the population and run the protocol over it; the tally is seed-deterministic."""
    pop = population(protocol, region, school_year)
    parts = max(1, workers)
    size = -(-pupils // parts) if pupils else 0
    jobs = [(protocol, pop, s, min(size, pupils - s), seed) for s in range(0, pupils, size or 1)]
    total = Tally()
    if parts > 1 and len(jobs) > 1:
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        with ctx.Pool(parts) as pool:
            for t in pool.map(_simulate_part, jobs):
                total.merge(t)
    else:
        for job in jobs:
            total.merge(_simulate_part(job))
    return pop, total


def report_json(protocol: Protocol, pop: Population, tally: Tally, seed: int) -> dict[str, Any]:
    def ordered(c: Counter[str]) -> dict[str, int]:
        return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))

    return {
        "format": "vz-simulation/1",
        "protocol": protocol.id,
        "region": pop.region,
        "school_year": f"{pop.school_year}-{pop.school_year + 1}",
        "seed": seed,
        "pupils": tally.pupils,
        "events": tally.events,
        "pupils_with_actions": tally.pupils_with_actions,
        "duo_reports": ordered(tally.duo),
        "duo_reports_after_judgement": ordered(tally.duo_judged),
        "actions_after_judgement_per_rule": ordered(tally.judged),
        "actions_per_actor": ordered(tally.actors),
        "actions_per_modality": ordered(tally.modality),
        "actions_per_rule": ordered(tally.rules),
        "actions_per_month": dict(sorted(tally.months.items())),
        "classifications": ordered(tally.classes),
    }


def report_table(protocol: Protocol, pop: Population, tally: Tally, seed: int) -> str:
    def per_k(n: int) -> str:
        return f"{1000 * n / tally.pupils:.1f}" if tally.pupils else "-"

    def block(title: str, rows: list[tuple[str, int]], label: str = "") -> list[str]:
        if not rows:
            return [f"{title}: geen", ""]
        width = max(len(label), *(len(r[0]) for r in rows))
        out = [title, f"  {label.ljust(width)}  {'aantal':>8}  {'per 1000':>8}"]
        for name, n in rows:
            out.append(f"  {name.ljust(width)}  {n:>8}  {per_k(n):>8}")
        return out + [""]

    def top(c: Counter[str], names: dict[str, str] | None = None) -> list[tuple[str, int]]:
        items = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
        return [((names or {}).get(k, k), v) for k, v in items]

    lines = [
        f"Simulatie van {protocol.id}: {tally.pupils} leerlingen, regio {pop.region}, "
        f"schooljaar {pop.school_year}-{pop.school_year + 1}, seed {seed}",
        f"{tally.events} gebeurtenissen; {tally.pupils_with_actions} leerlingen "
        f"({per_k(tally.pupils_with_actions)} per 1000) met minstens één actie",
        "",
    ]
    duo_rows = top(tally.duo)
    if duo_rows:
        width = max(len("categorie"), *(len(k) for k, _ in duo_rows))
        lines += [
            "Meldingen per DUO-categorie",
            f"  {'categorie'.ljust(width)}  {'aantal':>8}  {'per 1000':>8}  {'waarvan na een oordeel':>22}",
        ]
        for name, n in duo_rows:
            lines.append(
                f"  {name.ljust(width)}  {n:>8}  {per_k(n):>8}  {tally.duo_judged.get(name, 0):>22}"
            )
        lines.append("")
    else:
        lines += ["Meldingen per DUO-categorie: geen", ""]
    lines += block("Acties per actor", top(tally.actors, tally.actor_names), "actor")
    modal = {"must": "moet", "should": "zou moeten", "may": "kan"}
    lines += block(
        "Acties per modaliteit",
        [(modal.get(k, k), v) for k, v in top(tally.modality)],
        "modaliteit",
    )
    lines += block("Acties per regel", top(tally.rules), "regel")
    lines += block(
        "Waarvan alleen na een menselijk oordeel (bijv. 'bij twijfel'), per regel",
        top(tally.judged),
        "regel",
    )
    lines += block(
        "Leerlingen per classificatie (thuiszitters e.d.)",
        top(tally.classes, tally.class_names),
        "classificatie",
    )
    lines += block("Acties per maand", sorted(tally.months.items()), "maand")
    return "\n".join(lines).rstrip() + "\n"
