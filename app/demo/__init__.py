"""Demo and benchmark data, above the areas: it fills the database through the areas' models
and services, and no area imports it.

- `base`: the communities named in the source reports, their homes, staff and accounts;
- one module per area part (`roster`, `imports`, `requests`, `notices`, `billing`,
  `payments`), each adding a year of that part's activity on top, idempotently;
- `full`: the demo as `flask --app wsgi demo` loads it, the parts in order;
- `city`: the city-sized data set the benchmark builds (`flask --app wsgi demo --scale city`),
  `city_pacts`: the pacts area on top of it, and `city_alliance`: the merchant alliance's.
"""

from app.demo.base import DEMO_PASSWORD, database_is_empty
from app.demo.city import build_city, city_counts
from app.demo.city_alliance import build_city_alliance, city_alliance_totals
from app.demo.city_pacts import build_city_pacts
from app.demo.full import load_full_demo

__all__ = [
    "DEMO_PASSWORD",
    "build_city",
    "build_city_alliance",
    "build_city_pacts",
    "city_alliance_totals",
    "city_counts",
    "database_is_empty",
    "load_full_demo",
]
