"""Photos of upgrades, stored for real as the portal stores them."""

from __future__ import annotations

import io

from app.extensions import db
from app.models import Merchant, PhotoStage, Upgrade, UpgradePhoto
from app.uploads import save_image
from tests.factories.base import _save
from tests.factories.property import photo_bytes


def upgrade_photo(
    of: Upgrade, stage: PhotoStage = PhotoStage.AFTER, image: bytes | None = None
) -> UpgradePhoto:
    """A photo of the upgrade (a small real PNG unless `image` is given), stored for real."""
    owner = db.session.get(Merchant, of.merchant_id)
    return _save(
        UpgradePhoto(
            upgrade_id=of.id,
            alliance_id=of.alliance_id,
            stage=stage,
            stored_name=save_image(io.BytesIO(image or photo_bytes()), "alliance"),
            uploaded_by_user_id=owner.user_id,
        )
    )
