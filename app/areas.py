"""How an area plugs into the portal: it declares an `Area` in its package's `__init__.py` —
its blueprint with its parts, its menu entries, the labels of its stored codes and who may see
its records — and the app factory installs it. The core keeps the registries and never names an
area.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from flask import Blueprint, Flask

from app import authz, dashboards, labels, navigation
from app.models import Role


@dataclass(frozen=True)
class Area:
    """One area of the portal (property, fees, pacts, alliance, auth)."""

    blueprint: Callable[[], Blueprint]  # a new blueprint each call: one per app
    menu: Mapping[Role, Sequence[tuple[str, object]]] = field(default_factory=dict)
    sections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    labels: Sequence[tuple[enum.Enum, object]] = ()
    rules: authz.Rules = field(default_factory=dict)
    panels: Sequence[dashboards.Panel] = ()


def install(app: Flask, area: Area) -> None:
    app.register_blueprint(area.blueprint())
    navigation.contribute(area.menu, area.sections)
    labels.contribute(area.labels)
    authz.contribute(area.rules)
    dashboards.contribute(area.panels)
