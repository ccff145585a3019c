"""The compliance tally (closed measurements added up per pathway, indicator, unit, month and declaration) and an
index on the deadlines persisted as overdue, for the compliance report's live part

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OVERDUE = sa.text("status = 'overdue'")
KEY = ["pathway_key", "indicator_key", "unit", "year", "month", "label", "target_share", "unconfirmed"]


def upgrade() -> None:
    op.create_table(
        "compliance_tally",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pathway_key", sa.String(100), nullable=False),
        sa.Column("indicator_key", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("target_share", sa.Float(), nullable=False),
        sa.Column("unconfirmed", sa.Boolean(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("breached", sa.Integer(), nullable=False),
        sa.Column("deferred", sa.Integer(), nullable=False),
        sa.Column("pathways_in_month", sa.Integer(), nullable=False),
        sa.Column("pathways_in_tertial", sa.Integer(), nullable=False),
    )
    op.create_index("ux_tally_key", "compliance_tally", KEY, unique=True)
    op.create_index("ix_measurement_overdue_due", "indicator_measurement", ["due_on"],
                    postgresql_where=OVERDUE, sqlite_where=OVERDUE)
    # The rule of what each instance adds lives in one place, the engine's; an empty database adds nothing.
    from engine.runtime.compliance_tally import rebuild
    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_measurement_overdue_due", table_name="indicator_measurement")
    op.drop_index("ux_tally_key", table_name="compliance_tally")
    op.drop_table("compliance_tally")
