"""fees: what the collection-rate report reads — billed totals per month kept by triggers, and an index of the unpaid bills

Revision ID: 0005_fees_report_indexes
Revises: 0004_roster_search_indexes
Create Date: 2026-11-23 16:30:00

The report's collected ÷ billed over a city's year of bills is billed totals (bill_month_total,
a few thousand rows) less what the bills not yet paid in full still owe of their amount
(ix_bill_unpaid, the small part of the bills). The totals follow the bills through triggers,
in the same transaction as the INSERT: on PostgreSQL once per statement (a billing run is one
INSERT … SELECT), on SQLite once per row. Payments change no total, so they take no lock on
it. A bill's amount, community, item and month never change: a trigger refuses it, as the
totals would no longer add up.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_fees_report_indexes'
down_revision = '0004_roster_search_indexes'
branch_labels = None
depends_on = None

UNPAID_COLUMNS = ['community_id', 'fee_item_id', 'period', 'amount_fen', 'paid_fen']
UNPAID = 'paid_fen < amount_fen'
FROZEN = 'amount_fen, community_id, fee_item_id, period'
FROZEN_MESSAGE = 'the amount, community, fee item and month of a bill never change'

POSTGRESQL = [
    """
    CREATE FUNCTION bill_month_total_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- In key order, so that two runs billing the same months lock the totals alike.
        INSERT INTO bill_month_total (community_id, fee_item_id, period, bills, billed_fen)
        SELECT community_id, fee_item_id, period, count(*), sum(amount_fen)
        FROM new_bills GROUP BY community_id, fee_item_id, period
        ORDER BY community_id, fee_item_id, period
        ON CONFLICT (community_id, fee_item_id, period) DO UPDATE
        SET bills = bill_month_total.bills + excluded.bills,
            billed_fen = bill_month_total.billed_fen + excluded.billed_fen;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER bill_month_total_insert AFTER INSERT ON bill
    REFERENCING NEW TABLE AS new_bills FOR EACH STATEMENT
    EXECUTE FUNCTION bill_month_total_add()
    """,
    """
    CREATE FUNCTION bill_month_total_remove() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE bill_month_total t
        SET bills = t.bills - gone.bills, billed_fen = t.billed_fen - gone.billed_fen
        FROM (SELECT community_id, fee_item_id, period, count(*) AS bills,
                     sum(amount_fen) AS billed_fen
              FROM old_bills GROUP BY community_id, fee_item_id, period) gone
        WHERE t.community_id = gone.community_id AND t.fee_item_id = gone.fee_item_id
          AND t.period = gone.period;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER bill_month_total_delete AFTER DELETE ON bill
    REFERENCING OLD TABLE AS old_bills FOR EACH STATEMENT
    EXECUTE FUNCTION bill_month_total_remove()
    """,
    f"""
    CREATE FUNCTION bill_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (NEW.amount_fen, NEW.community_id, NEW.fee_item_id, NEW.period)
           IS DISTINCT FROM (OLD.amount_fen, OLD.community_id, OLD.fee_item_id, OLD.period) THEN
            RAISE EXCEPTION '{FROZEN_MESSAGE}';
        END IF;
        RETURN NEW;
    END $$
    """,
    f"""
    CREATE TRIGGER bill_frozen BEFORE UPDATE OF {FROZEN} ON bill
    FOR EACH ROW EXECUTE FUNCTION bill_frozen()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER bill_frozen ON bill",
    "DROP FUNCTION bill_frozen()",
    "DROP TRIGGER bill_month_total_delete ON bill",
    "DROP FUNCTION bill_month_total_remove()",
    "DROP TRIGGER bill_month_total_insert ON bill",
    "DROP FUNCTION bill_month_total_add()",
]

SQLITE = [
    """
    CREATE TRIGGER bill_month_total_insert AFTER INSERT ON bill FOR EACH ROW BEGIN
        INSERT INTO bill_month_total (community_id, fee_item_id, period, bills, billed_fen)
        VALUES (NEW.community_id, NEW.fee_item_id, NEW.period, 1, NEW.amount_fen)
        ON CONFLICT (community_id, fee_item_id, period) DO UPDATE
        SET bills = bills + 1, billed_fen = billed_fen + excluded.billed_fen;
    END
    """,
    """
    CREATE TRIGGER bill_month_total_delete AFTER DELETE ON bill FOR EACH ROW BEGIN
        UPDATE bill_month_total SET bills = bills - 1, billed_fen = billed_fen - OLD.amount_fen
        WHERE community_id = OLD.community_id AND fee_item_id = OLD.fee_item_id
          AND period = OLD.period;
    END
    """,
    f"""
    CREATE TRIGGER bill_frozen BEFORE UPDATE OF {FROZEN} ON bill FOR EACH ROW
    WHEN NEW.amount_fen IS NOT OLD.amount_fen OR NEW.community_id IS NOT OLD.community_id
      OR NEW.fee_item_id IS NOT OLD.fee_item_id OR NEW.period IS NOT OLD.period
    BEGIN
        SELECT RAISE(ABORT, '{FROZEN_MESSAGE}');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER bill_frozen",
    "DROP TRIGGER bill_month_total_delete",
    "DROP TRIGGER bill_month_total_insert",
]


def upgrade():
    op.create_table(
        'bill_month_total',
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('fee_item_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('bills', sa.Integer(), nullable=False),
        sa.Column('billed_fen', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ['fee_item_id', 'community_id'],
            ['fee_item.id', 'fee_item.community_id'],
            name=op.f('fk_bill_month_total_fee_item_id_fee_item'),
            ondelete='RESTRICT',
        ),
        sa.PrimaryKeyConstraint(
            'community_id', 'fee_item_id', 'period', name=op.f('pk_bill_month_total')
        ),
    )
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.create_index(
            'ix_bill_unpaid',
            UNPAID_COLUMNS,
            unique=False,
            postgresql_where=sa.text(UNPAID),
            sqlite_where=sa.text(UNPAID),
        )
    # The bills there are already, then the triggers for those to come.
    op.execute(
        'INSERT INTO bill_month_total (community_id, fee_item_id, period, bills, billed_fen) '
        'SELECT community_id, fee_item_id, period, count(*), sum(amount_fen) FROM bill '
        'GROUP BY community_id, fee_item_id, period'
    )
    for statement in POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else SQLITE:
        op.execute(statement)


def downgrade():
    drops = POSTGRESQL_DROP if op.get_bind().dialect.name == 'postgresql' else SQLITE_DROP
    for statement in drops:
        op.execute(statement)
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.drop_index('ix_bill_unpaid')
    op.drop_table('bill_month_total')
