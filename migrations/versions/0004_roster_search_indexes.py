"""roster: indexes for the household live search (room, owner name, phone)

Revision ID: 0004_roster_search_indexes
Revises: 0003_fees
Create Date: 2026-11-23 16:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004_roster_search_indexes'
down_revision = '0003_fees'
branch_labels = None
depends_on = None

COLUMNS = ("room", "owner_name", "phone")


def upgrade():
    # The search matches a prefix (LIKE 'q%'): varchar_pattern_ops lets PostgreSQL use the
    # index for that under any collation; other backends ignore the option.
    with op.batch_alter_table('household', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.create_index(
                f'ix_household_{column}',
                [column],
                unique=False,
                postgresql_ops={column: 'varchar_pattern_ops'},
            )


def downgrade():
    with op.batch_alter_table('household', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f'ix_household_{column}')
