"""The patients a list read showed, as rows of their own (`audit_shown`), so a list read is one audit row

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_shown",
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("audit_event.id"), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("patient_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "instance_id"),
    )
    op.create_index("ix_audit_shown_patient", "audit_shown", ["patient_key", "event_id"])


def downgrade() -> None:
    op.drop_table("audit_shown")
