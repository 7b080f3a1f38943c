"""The menu each role sees, from the entries each area contributes. Views enforce access
themselves; the menu only leads the way."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.models import Role

# The menus and the sections of their entries, as the installed areas contribute them, in
# the order the areas are installed.
NAVIGATION: dict[Role, list[tuple[str, object]]] = {}
# The pages under a menu entry besides its own, by path: a request's page, a receipt, the
# roster's other tabs are still "in" that entry, and the menu says so.
SECTIONS: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class Entry:
    """One entry an area puts in the menus: where it leads, its text, the roles whose menu has
    it and the paths of its section."""

    endpoint: str
    text: object
    roles: tuple[Role, ...]
    section: tuple[str, ...] = ()


def by_role(entries: Sequence[Entry]) -> dict[Role, list[tuple[str, object]]]:
    """Each role's menu from an area's entries, in the order they are listed."""
    menus: dict[Role, list[tuple[str, object]]] = {}
    for entry in entries:
        for role in entry.roles:
            menus.setdefault(role, []).append((entry.endpoint, entry.text))
    return menus


def sections_of(entries: Sequence[Entry]) -> dict[str, tuple[str, ...]]:
    return {entry.endpoint: entry.section for entry in entries if entry.section}


def contribute(
    entries: Mapping[Role, Sequence[tuple[str, object]]], sections: Mapping[str, tuple[str, ...]]
) -> None:
    """Add an area's menu entries (endpoint, text) per role, after those already there; an
    entry already in a menu (the area installed again by another app) is not added twice."""
    for role, items in entries.items():
        menu_of_role = NAVIGATION.setdefault(role, [])
        known = {endpoint for endpoint, _text in menu_of_role}
        menu_of_role += [(endpoint, text) for endpoint, text in items if endpoint not in known]
    SECTIONS.update(sections)


@dataclass(frozen=True)
class MenuEntry:
    endpoint: str
    text: str
    current: str | None  # aria-current: "page" on its own page, "true" elsewhere in its section


def menu(role: Role, endpoint: str | None, path: str) -> list[MenuEntry]:
    """The role's menu, the entry the user is in marked: its own page, or else the first entry
    whose section holds the path."""
    targets = [target for target, _text in NAVIGATION.get(role, [])]
    if endpoint in targets:
        marked, current = endpoint, "page"
    else:
        in_section = (t for t in targets if path.startswith(SECTIONS.get(t, ())))
        marked, current = next(in_section, None), "true"
    return [
        MenuEntry(target, str(text), current if target == marked else None)
        for target, text in NAVIGATION.get(role, [])
    ]
