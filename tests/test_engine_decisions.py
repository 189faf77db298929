"""Engine semantics decided while the regional protocols were encoded (see the closing note).

Calendar facts (Zuid 2025-2026): school weeks Mon-Fri; herfstvakantie Sat 11 - Sun 19 Oct
2025. Expected dates are worked out by hand in comments.
"""

from __future__ import annotations

from pathlib import Path

from test_interpreter import ab, ev, protocol, timeline

LADDER = """
ladder handhaving "Handhaving" {
  stap waarschuwing "Officiële waarschuwing" door lpa
  stap halt "Halt-verwijzing" door lpa indien leeftijd minstens 12 jaar
  stap pv "Proces-verbaal" door lpa
}
"""


def _steps(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(a.date.isoformat(), a.step) for a in result.actions if a.step]


def test_a_step_that_cannot_apply_to_the_pupil_does_not_block_the_next(tmp_path: Path) -> None:
    p = protocol(tmp_path, LADDER + """
regel melding "Melding" {
  bron "t"
  wanneer gebeurtenis uitkomst "melding"
  lpa moet "Waarschuwing" stap handhaving.waarschuwing indien niet na handhaving.waarschuwing
  lpa moet "Halt" stap handhaving.halt
  lpa moet "Proces-verbaal" stap handhaving.pv
}
""")
    # a 10-year-old (born 2015): Halt (12+) can never happen, so after the warning of the
    # first report the proces-verbaal follows at the second report
    young = p.run(timeline(ev("2025-09-10", "outcome", label="melding"),
                           ev("2025-10-08", "outcome", label="melding"), birth="2015-04-01"))
    assert ("2025-09-10", "handhaving.waarschuwing") in _steps(young)
    assert ("2025-10-08", "handhaving.pv") in _steps(young)
    assert all(step != "handhaving.halt" for _, step in _steps(young))
    # a 13-year-old: Halt at the second report, the proces-verbaal only after Halt
    older = p.run(timeline(ev("2025-09-10", "outcome", label="melding"),
                           ev("2025-10-08", "outcome", label="melding"), birth="2012-04-01"))
    assert ("2025-10-08", "handhaving.halt") in _steps(older)
    assert all(step != "handhaving.pv" for _, step in _steps(older))


def test_an_optional_step_counts_only_once_its_outcome_is_recorded(tmp_path: Path) -> None:
    p = protocol(tmp_path, LADDER + """
regel melding "Melding" {
  bron "t"
  wanneer gebeurtenis uitkomst "melding"
  lpa kan "Waarschuwing" stap handhaving.waarschuwing
  lpa kan "Halt" stap handhaving.halt
}
""")
    offered = p.run(timeline(ev("2025-09-10", "outcome", label="melding"),
                             ev("2025-10-08", "outcome", label="melding")))
    assert [s for _, s in _steps(offered)] == ["handhaving.waarschuwing", "handhaving.waarschuwing"]
    given = p.run(timeline(ev("2025-09-10", "outcome", label="melding"),
                           ev("2025-09-12", "outcome", label="waarschuwing"),
                           ev("2025-10-08", "outcome", label="melding")))
    assert ("2025-10-08", "handhaving.halt") in _steps(given)


def test_gaat_voor_suppresses_without_moving_the_begin_date(tmp_path: Path) -> None:
    p = protocol(tmp_path, """
regel enkele_uren "Enkele uren" {
  bron "t"
  wanneer gebeurtenis ongeoorloofd
  school kan "Melden overig verzuim"
}
regel zestien "16 uur in 4 weken" {
  bron "t"
  wanneer minstens 16 uur ongeoorloofd binnen 4 schoolweken
  gaat_voor enkele_uren
  daarna nieuwe teltermijn, hooguit 1 melding per 7 dagen, aansluitend
  school moet "Melding" duocategorie zestien binnen 5 werkdagen
}
""")
    # 6 hours on Mon 1, Mon 8 and Mon 15 Sep: 18 hours on 15 Sep; the report covers the
    # absence from its first counted day, 1 Sep, although `enkele_uren` fired on 1 and 8 Sep
    r = p.run(timeline(ab("2025-09-01", 6), ab("2025-09-08", 6), ab("2025-09-15", 6)))
    (report,) = [a for a in r.actions if a.rule == "zestien" and a.duo]
    assert (report.date.isoformat(), report.begin.isoformat()) == ("2025-09-15", "2025-09-01")


def test_several_wanneer_lines_fire_once_per_episode(tmp_path: Path) -> None:
    p = protocol(tmp_path, """
regel zorgelijk_ziek "Zorgelijk ziek" {
  bron "t"
  wanneer meer dan 5 schooldagen aaneengesloten ziek
  wanneer minstens 5 schooldagen ziek binnen 1 maand
  school moet "Gesprek met ouders"
}
""")
    # sick Mon 1 - Mon 8 Sep (6 school days): the 5th day (Fri 5 Sep) reaches "5 in a month",
    # the 6th (Mon 8 Sep) "more than 5 in a row": one episode, one conversation
    r = p.run(timeline(ev("2025-09-01", "sick", until="2025-09-08")))
    assert [a.date.isoformat() for a in r.actions] == ["2025-09-05"]


def test_a_deadline_in_school_weeks_is_the_same_weekday(tmp_path: Path) -> None:
    p = protocol(tmp_path, """
regel aanmelden "Aanmelden jeugdarts" {
  bron "t"
  wanneer gebeurtenis ziek
  jeugdarts moet "Uitnodigen" binnen 2 schoolweken
}
""")
    # Wed 8 Oct 2025 + 2 school weeks, skipping the Zuid autumn break: Wed 29 Oct
    r = p.run(timeline(ev("2025-10-08", "sick")))
    assert r.actions[0].due.isoformat() == "2025-10-29"


def test_a_share_of_school_time_rolls_over_the_last_school_days(tmp_path: Path) -> None:
    p = protocol(tmp_path, """
regel schoolmisser "Schoolmisser" {
  bron "t"
  wanneer minstens 75 procent afwezig binnen 4 schoolweken
  school moet "Melden bij het samenwerkingsverband"
}
""")
    # School starts Mon 18 Aug. Absent every school day Tue 2 - Fri 26 Sep except the
    # Mondays 8, 15 and 22 Sep. The last 20 school days:
    #   Tue 23 Sep: 26 Aug - 23 Sep, 13 absent = 65%      (a week-aligned window: 13/17)
    #   Wed 24 Sep: 28 Aug - 24 Sep, 14 absent = 70%
    #   Thu 25 Sep: 29 Aug - 25 Sep, 15 absent = 75%  -> fires
    days = [f"2025-09-{d:02d}" for d in range(2, 27) if d not in (6, 7, 8, 13, 14, 15, 20, 21, 22)]
    r = p.run(timeline(*[ev(d, "absence", authorized=True) for d in days], as_of="2025-09-30"))
    assert [a.date.isoformat() for a in r.actions] == ["2025-09-25"]
