"""Messages between pathways of the same patient (specialist care ↔ municipality), kept until received

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WAITING = sa.text("delivered_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "pathway_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("result_variable", sa.String(length=100), nullable=True),
        sa.Column("sender_instance_id", sa.String(length=36), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receiver_instance_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["sender_instance_id"], ["pathway_instance.id"]),
        sa.ForeignKeyConstraint(["receiver_instance_id"], ["pathway_instance.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_message_waiting", "pathway_message", ["patient_key", "name"], postgresql_where=WAITING,
                    sqlite_where=WAITING)
    op.create_index("ix_pathway_message_sender_instance_id", "pathway_message", ["sender_instance_id"])
    op.create_index("ix_pathway_message_receiver_instance_id", "pathway_message", ["receiver_instance_id"])


def downgrade() -> None:
    op.drop_table("pathway_message")
