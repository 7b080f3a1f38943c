"""The built-in clauses of the pact library (楼道公约条款库): what the seeds ask every corridor
pact to cover, written in English here and in Chinese in the catalogue.

A drafter picks clauses and they are copied into the pact in the drafter's language at that
moment; from then on they are the pact's own text, edited freely. A code names each clause for
good: the picking form and the tests refer to it, whatever the wording becomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class BuiltInClause:
    code: str
    title: Any  # lazy: read in the drafter's language
    body: Any


BUILT_IN: tuple[BuiltInClause, ...] = (
    BuiltInClause(
        "corridor_clear",
        _l("Keep the corridor clear for fire safety"),
        _l(
            "The stairs, landings and entrance are the escape route. Do not keep bicycles, "
            "furniture, cartons, shoe cabinets or anything else in them, so that everyone can "
            "get out quickly in a fire and firefighters can get in."
        ),
    ),
    BuiltInClause(
        "no_ebikes",
        _l("Electric bikes stay out of the building"),
        _l(
            "Do not park an electric bike in the corridor or at the entrance, and do not carry "
            "its battery upstairs to charge at home. Park and charge it at the community's "
            "charging shed."
        ),
    ),
    BuiltInClause(
        "no_flying_wires",
        _l("No flying wires"),
        _l(
            "Never run a cable from a window, a balcony or a corridor socket to charge a "
            "vehicle or to power anything outside. Flying wires start fires and trip people "
            "up; the steward will have them taken down."
        ),
    ),
    BuiltInClause(
        "cleaning_rota",
        _l("Cleanliness rota"),
        _l(
            "The households of the unit take turns, floor by floor, a week each, to sweep the "
            "corridor, as the rota on the board shows. Sort your rubbish into the bins "
            "downstairs and never leave it on the landing."
        ),
    ),
    BuiltInClause(
        "quiet_hours",
        _l("Quiet hours"),
        _l(
            "From 22:00 to 7:00 and from 12:00 to 14:00, no renovation work, no loud music or "
            "talk, and close doors gently. Tell the neighbours on the board three days before "
            "renovation work starts."
        ),
    ),
    BuiltInClause(
        "pets",
        _l("Keeping pets considerately"),
        _l(
            "Keep dogs on a lead in the corridor and the lift, and clean up after your pet at "
            "once. No pet is kept in the corridor. Register your dog and keep its vaccinations "
            "up to date as the rules require."
        ),
    ),
    BuiltInClause(
        "notices_board",
        _l("Notices only on the board"),
        _l(
            "Notices and advertisements go on the unit's notice board only. Nothing is stuck "
            "or drawn on the walls, doors or handrails, and stray advertisements are removed "
            "as soon as they are found."
        ),
    ),
    BuiltInClause(
        "shared_things",
        _l("Care for what we share"),
        _l(
            "The corridor lights, the entrance door, the letterboxes, the fire extinguishers "
            "and the handrails belong to all of us. Use them with care, tell the steward when "
            "something is broken, and never move or take the fire equipment."
        ),
    ),
    BuiltInClause(
        "good_neighbours",
        _l("Good neighbours talk things out"),
        _l(
            "Neighbours help each other and look in on older people who live alone. A "
            "disagreement is first talked over face to face, with the building leader's help "
            "if need be, before it goes to the property company."
        ),
    ),
)

BY_CODE = {clause.code: clause for clause in BUILT_IN}
