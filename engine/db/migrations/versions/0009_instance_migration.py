"""The record of running instances moved to another version of their pathway (migration and revert)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instance_migration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("pathway_key", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_version_id", sa.Integer(), nullable=False),
        sa.Column("to_version_id", sa.Integer(), nullable=False),
        sa.Column("migrated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("migrated_by", sa.String(length=100), nullable=False),
        sa.Column("reverted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["pathway_instance.id"]),
        sa.ForeignKeyConstraint(["from_version_id"], ["pathway_version.id"]),
        sa.ForeignKeyConstraint(["to_version_id"], ["pathway_version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_instance_migration_instance_id", "instance_migration", ["instance_id"])
    op.create_index("ix_instance_migration_pathway_at", "instance_migration", ["pathway_key", "migrated_at"])


def downgrade() -> None:
    op.drop_table("instance_migration")
