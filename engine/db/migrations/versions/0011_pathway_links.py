"""Links between pathways of one patient: a pathway started by another's message, a new start after a transfer

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pathway_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_instance_id", sa.String(length=36), nullable=False),
        sa.Column("to_instance_id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["from_instance_id"], ["pathway_instance.id"]),
        sa.ForeignKeyConstraint(["to_instance_id"], ["pathway_instance.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["pathway_message.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pathway_link_from_instance_id", "pathway_link", ["from_instance_id"])
    op.create_index("ix_pathway_link_to_instance_id", "pathway_link", ["to_instance_id"])


def downgrade() -> None:
    op.drop_table("pathway_link")
