"""imports: the upload kept for the queue's worker, and the check's heartbeat

Revision ID: 0007_import_queue
Revises: 0006_import_apply_claim
Create Date: 2026-12-02 16:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007_import_queue"
down_revision = "0006_import_apply_claim"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("upload", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("upload")
