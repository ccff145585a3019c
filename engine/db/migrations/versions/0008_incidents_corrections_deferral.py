"""Incidents of due items that failed; corrections of registered measuring points; the patient-deferred period

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("measuring_point_event") as batch:
        batch.add_column(sa.Column("deferred_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("reason", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "event_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("old_occurred_on", sa.Date(), nullable=False),
        sa.Column("new_occurred_on", sa.Date(), nullable=True),
        sa.Column("old_outcome", sa.String(length=60), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrected_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["pathway_instance.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["measuring_point_event.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_correction_instance_id", "event_correction", ["instance_id"])
    op.create_index("ix_event_correction_event_id", "event_correction", ["event_id"])
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("pathway_key", sa.String(length=100), nullable=True),
        sa.Column("pathway_version_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=100), nullable=True),
        sa.Column("patient_key", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("element_id", sa.String(length=100), nullable=True),
        sa.Column("element_label", sa.String(length=300), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["pathway_instance.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["pathway_message.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_incident_instance_id", "incident", ["instance_id"])
    op.create_index("ix_incident_status_unit", "incident", ["status", "unit"])


def downgrade() -> None:
    op.drop_table("incident")
    op.drop_table("event_correction")
    with op.batch_alter_table("measuring_point_event") as batch:
        batch.drop_column("undone_at")
        batch.drop_column("reason")
        batch.drop_column("deferred_until")
