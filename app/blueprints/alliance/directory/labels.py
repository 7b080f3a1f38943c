"""Labels of the shops' stored codes, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import PhotoStage, ShopCategory, ShopOrigin

LABELS = [
    (ShopCategory.FOOD, _l("Food")),
    (ShopCategory.RETAIL, _l("Retail")),
    (ShopCategory.LODGING, _l("Lodging")),
    (ShopCategory.BAR_CAFE, _l("Bar and café")),
    (ShopCategory.SERVICES, _l("Services")),
    (ShopCategory.CULTURE, _l("Culture")),
    (ShopOrigin.UPGRADED, _l("Existing shop, upgraded")),
    (ShopOrigin.NEW, _l("New shop")),
    (PhotoStage.BEFORE, _l("Before")),
    (PhotoStage.AFTER, _l("After")),
]
