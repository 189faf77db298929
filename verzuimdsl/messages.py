"""The one message catalogue: every diagnostic code, its severity and its text in Dutch and English.

Codes are stable: a code is never reused for another meaning. `docs/errors.md` shows an
example of each; a test keeps the two in step.
"""

from __future__ import annotations

import attrs

from .severity import Severity


@attrs.frozen
class Message:
    code: str
    severity: Severity
    title: str  # short English name, used in the error index
    nl: str
    en: str
    help_nl: str | None = None
    help_en: str | None = None


_E = Severity.ERROR
_W = Severity.WARNING

CATALOGUE: dict[str, Message] = {
    m.code: m
    for m in [
        # ---------------------------------------------------------------- syntax
        Message(
            "VZ001",
            _E,
            "unexpected token",
            "onverwacht {found} hier",
            "unexpected {found_en} here",
            "verwacht werd: {expected}",
            "expected: {expected_en}",
        ),
        Message(
            "VZ002",
            _E,
            "unexpected character",
            "onverwacht teken {char!r}",
            "unexpected character {char!r}",
            "{hint}",
            "{hint_en}",
        ),
        Message(
            "VZ003",
            _E,
            "unterminated text",
            "deze tekst wordt niet afgesloten",
            "this text is never closed",
            "sluit de tekst af met {closer}",
            "close the text with {closer}",
        ),
        Message(
            "VZ004",
            _E,
            "unexpected end of file",
            "het bestand houdt onverwacht op",
            "the file ends unexpectedly",
            "verwacht werd: {expected}",
            "expected: {expected_en}",
        ),
        Message(
            "VZ005",
            _E,
            "cannot read file",
            "kan {path} niet lezen: {reason}",
            "cannot read {path}: {reason}",
        ),
        Message(
            "VZ006",
            _E,
            "missing or repeated protocol header",
            "{problem}",
            "{problem_en}",
            'begin het bestand met `protocol <id> "<titel>" {{ ... }}`',
            'start the file with `protocol <id> "<title>" {{ ... }}`',
        ),
        # ---------------------------------------------------------------- names
        Message(
            "VZ010",
            _E,
            "unknown name",
            "onbekende {what} `{name}`",
            "unknown {what_en} `{name}`",
            "bedoelde je `{suggestion}`?",
            "did you mean `{suggestion}`?",
        ),
        Message(
            "VZ011",
            _E,
            "duplicate id",
            "`{name}` is al gedeclareerd als {what}",
            "`{name}` is already declared as {what_en}",
            "kies een andere id, of gebruik `vervangt` om een regel uit de basis te vervangen",
            "choose another id, or use `vervangt` to override a rule of the base",
        ),
        Message(
            "VZ012",
            _E,
            "override target does not exist",
            "`vervangt {name}`: er is geen {what} `{name}` in de gebruikte modules",
            "`vervangt {name}`: there is no {what_en} `{name}` in the imported modules",
            "bedoelde je `{suggestion}`?",
            "did you mean `{suggestion}`?",
        ),
        Message(
            "VZ013",
            _E,
            "import cycle",
            "kringverwijzing in `gebruikt`: {cycle}",
            "import cycle: {cycle}",
            "haal een van de `gebruikt`-regels weg",
            "remove one of the `gebruikt` lines",
        ),
        Message(
            "VZ014",
            _E,
            "unknown module",
            "module `{name}` bestaat niet (gezocht: {path})",
            "module `{name}` does not exist (looked for: {path})",
            "bedoelde je `{suggestion}`?",
            "did you mean `{suggestion}`?",
        ),
        Message(
            "VZ015",
            _E,
            "import outside the protocol root",
            "module `{name}` ligt buiten de protocolmap {root}",
            "module `{name}` lies outside the protocol root {root}",
            "modules worden gezocht vanaf de protocolmap; een protocol kan daar niet buiten",
            "modules are looked up below the protocol root; a protocol cannot leave it",
        ),
        Message(
            "VZ016",
            _E,
            "wrong kind of name",
            "`{name}` is een {actual}, maar hier hoort een {what}",
            "`{name}` is a {actual_en}, but a {what_en} belongs here",
        ),
        # ---------------------------------------------------------------- units and values
        Message(
            "VZ020",
            _E,
            "unit does not fit the measure",
            "{unit} past niet bij `{filter}`: {reason}",
            "{unit} does not fit `{filter}`: {reason_en}",
            "gebruik {allowed}",
            "use {allowed}",
        ),
        Message(
            "VZ021",
            _E,
            "invalid deadline unit",
            "een termijn in {unit} kan niet",
            "a deadline in {unit} is not possible",
            "geef een termijn in werkdagen, schooldagen, dagen, weken, schoolweken of maanden",
            "give a deadline in werkdagen, schooldagen, dagen, weken, schoolweken or maanden",
        ),
        Message(
            "VZ022",
            _E,
            "invalid window unit",
            "een teltermijn in {unit} kan niet",
            "a counting window in {unit} is not possible",
            "geef de teltermijn in schooldagen, dagen, schoolweken, weken, maanden, kwartalen of schooljaren",
            "give the window in schooldagen, dagen, schoolweken, weken, maanden, kwartalen or schooljaren",
        ),
        Message(
            "VZ023",
            _E,
            "threshold or window must be positive",
            "{what} moet groter zijn dan nul, niet {value}",
            "{what_en} must be greater than zero, not {value}",
        ),
        Message(
            "VZ024",
            _E,
            "threshold unreachable within window",
            "{threshold} kan nooit gehaald worden binnen {window}",
            "{threshold} can never be reached within {window}",
            "verhoog de teltermijn of verlaag de drempel",
            "widen the window or lower the threshold",
        ),
        Message(
            "VZ025",
            _E,
            "invalid range",
            "het einde van de periode ({upper}) ligt niet na het begin ({lower})",
            "the end of the period ({upper}) is not after its start ({lower})",
        ),
        Message(
            "VZ026",
            _E,
            "invalid value",
            "ongeldige waarde voor {what}: {value}",
            "invalid {what_en}: {value}",
            "{hint}",
            "{hint_en}",
        ),
        Message(
            "VZ027",
            _E,
            "mixed units",
            "{left} en {right} zijn verschillende eenheden en kunnen niet samen",
            "{left} and {right} are different units and cannot be combined",
            "{hint}",
            "{hint_en}",
        ),
        Message(
            "VZ028",
            _E,
            "not a whole number",
            "{what} moet een heel getal zijn, niet {value}",
            "{what_en} must be a whole number, not {value}",
        ),
        # ---------------------------------------------------------------- structure
        Message(
            "VZ030",
            _E,
            "rule without trigger",
            "{what} `{name}` heeft geen `wanneer`: wanneer geldt deze?",
            "{what_en} `{name}` has no `wanneer`: when does it apply?",
            "voeg bijvoorbeeld `wanneer minstens 16 uur ongeoorloofd binnen 4 schoolweken` toe",
            "add for example `wanneer minstens 16 uur ongeoorloofd binnen 4 schoolweken`",
        ),
        Message(
            "VZ031",
            _W,
            "rule without actions",
            "regel `{name}` zegt niet wie wat moet doen",
            "rule `{name}` does not say who must do what",
            'voeg een actie toe, bijvoorbeeld `school moet "Registreren in systeem"`',
            'add an action, for example `school moet "Registreren in systeem"`',
        ),
        Message(
            "VZ032",
            _E,
            "conflicting repeat options",
            "`{a}` en `{b}` sluiten elkaar uit",
            "`{a}` and `{b}` exclude each other",
        ),
        Message(
            "VZ033",
            _E,
            "cycle in the kinds of absence",
            "soort `{name}` valt (via `onder`) onder zichzelf",
            "kind `{name}` falls (through `onder`) under itself",
        ),
        Message(
            "VZ034",
            _E,
            "repeated item",
            "`{item}` staat hier al (regel {line})",
            "`{item}` is already given here (line {line})",
        ),
        Message(
            "VZ035",
            _E,
            "unknown directive",
            "`toon {name}` bestaat niet",
            "`toon {name}` does not exist",
            "bedoelde je `{suggestion}`?",
            "did you mean `{suggestion}`?",
        ),
        Message(
            "VZ036",
            _E,
            "event qualifier does not fit the event",
            "`{qualifier}` past niet bij gebeurtenis `{filter}`",
            "`{qualifier}` does not fit event `{filter}`",
            "{hint}",
            "{hint_en}",
        ),
        # ---------------------------------------------------------------- protocol logic
        Message(
            "VZ040",
            _W,
            "rule is always shadowed",
            "regel `{name}` gaat nooit af: `{other}` gaat voor en slaat altijd eerder aan",
            "rule `{name}` never fires: `{other}` takes precedence and always triggers first",
            "haal `gaat_voor {name}` weg bij `{other}`, of maak de drempels verschillend",
            "remove `gaat_voor {name}` from `{other}`, or make the thresholds differ",
        ),
        Message(
            "VZ041",
            _W,
            "identical triggers",
            "regel `{name}` heeft dezelfde trigger en voorwaarden als `{other}`",
            "rule `{name}` has the same trigger and conditions as `{other}`",
            "voeg de acties samen in één regel, of maak de regels verschillend",
            "merge the actions into one rule, or make the rules differ",
        ),
        Message(
            "VZ042",
            _E,
            "ladder step out of order",
            "stap `{step}` kan niet vóór `{earlier}` in ladder `{ladder}`",
            "step `{step}` cannot come before `{earlier}` in ladder `{ladder}`",
        ),
        Message(
            "VZ043",
            _W,
            "rule without source",
            "{what} `{name}` noemt geen bron",
            "{what_en} `{name}` cites no source",
            'voeg `bron "<document>, <paragraaf>"` toe',
            'add `bron "<document>, <section>"`',
        ),
        # ---------------------------------------------------------------- the law (vzc check --law)
        Message(
            "VZ050",
            _E,
            "report later than the law allows",
            "regel `{name}` meldt {category} {deadline}; de wet eist binnen 5 werkdagen",
            "rule `{name}` reports {category} {deadline_en}; the law requires within 5 working days",
            'zet de termijn op `binnen 5 werkdagen` of korter, of leg de afwijking vast met `afwijking "<reden>"`',
            'set the deadline to `binnen 5 werkdagen` or less, or record the deviation with `afwijking "<reason>"`',
        ),
        Message(
            "VZ051",
            _E,
            "counting window longer than 4 school weeks",
            "regel `{name}` telt {window}; de wet telt binnen 4 schoolweken",
            "rule `{name}` counts {window}; the law counts within 4 school weeks",
            'tel `binnen 4 schoolweken`, of leg de afwijking vast met `afwijking "<reden>"`',
            'count `binnen 4 schoolweken`, or record the deviation with `afwijking "<reason>"`',
        ),
        Message(
            "VZ052",
            _E,
            "threshold above the law's",
            "regel `{name}` meldt pas bij {threshold}; de wet meldt bij 16 uur",
            "rule `{name}` reports only at {threshold}; the law reports at 16 hours",
            'verlaag de drempel naar 16 uur of minder, of leg de afwijking vast met `afwijking "<reden>"`',
            'lower the threshold to 16 hours or less, or record the deviation with `afwijking "<reason>"`',
        ),
        Message(
            "VZ053",
            _E,
            "minimum for luxe verzuim",
            "regel `{name}` meldt luxe verzuim pas vanaf {threshold}; de wet kent geen minimum",
            "rule `{name}` reports luxe verzuim only from {threshold}; the law has no minimum",
            'gebruik `wanneer gebeurtenis luxe`, of leg de afwijking vast met `afwijking "<reden>"`',
            'use `wanneer gebeurtenis luxe`, or record the deviation with `afwijking "<reason>"`',
        ),
        Message(
            "VZ054",
            _E,
            "suspension not reported as the law requires",
            "regel `{name}` {problem}",
            "rule `{name}` {problem_en}",
            "laat de school een schorsing van meer dan één dag melden aan de inspectie en de leerplichtambtenaar",
            "have the school report a suspension of more than one day to the inspectie and the leerplichtambtenaar",
        ),
        Message(
            "VZ055",
            _E,
            "a duty of the law is missing",
            "regel `{name}` vervangt `{base}` maar laat weg: {missing}",
            "rule `{name}` overrides `{base}` but drops: {missing}",
            'neem de plicht over in de regel, of leg de afwijking vast met `afwijking "<reden>"`',
            'keep the duty in the rule, or record the deviation with `afwijking "<reason>"`',
        ),
        Message(
            "VZ056",
            _E,
            "the national base is not used",
            "protocol `{name}` gebruikt de landelijke basis `nl.leerplichtwet` niet",
            "protocol `{name}` does not use the national base `nl.leerplichtwet`",
            "voeg `gebruikt nl.leerplichtwet` toe aan de protocolkop",
            "add `gebruikt nl.leerplichtwet` to the protocol header",
        ),
    ]
}


def message(code: str) -> Message:
    return CATALOGUE[code]
