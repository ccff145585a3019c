"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 10:48:34.950198
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pathway_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_key', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('type_code', sa.String(length=20), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('source', sa.LargeBinary(), nullable=False),
    sa.Column('deployed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('content_hash')
    )
    with op.batch_alter_table('pathway_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_version_pathway_key'), ['pathway_key'], unique=False)

    op.create_table('pathway_instance',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('pathway_version_id', sa.Integer(), nullable=False),
    sa.Column('pathway_key', sa.String(length=100), nullable=False),
    sa.Column('patient_key', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('setting', sa.String(length=20), nullable=False),
    sa.Column('severity', sa.String(length=40), nullable=True),
    sa.Column('rule_set', sa.String(length=10), nullable=False),
    sa.Column('referral_received_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('active_key', sa.String(length=170), nullable=True),
    sa.Column('state', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pathway_version_id'], ['pathway_version.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('active_key')
    )
    with op.batch_alter_table('pathway_instance', schema=None) as batch_op:
        batch_op.create_index('ix_instance_pathway_unit_status', ['pathway_key', 'unit', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_pathway_instance_patient_key'), ['patient_key'], unique=False)

    op.create_table('coordinator_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('pathway_key', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('patient_key', sa.String(length=64), nullable=False),
    sa.Column('element_id', sa.String(length=100), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('lane', sa.String(length=100), nullable=True),
    sa.Column('measuring_point', sa.String(length=60), nullable=True),
    sa.Column('assignee', sa.String(length=100), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['pathway_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coordinator_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coordinator_task_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_task_assignee', ['assignee', 'status'], unique=False)
        batch_op.create_index('ix_task_open_pathway_due', ['status', 'pathway_key', 'due_on'], unique=False)
        batch_op.create_index('ix_task_open_unit_due', ['status', 'unit', 'due_on'], unique=False)

    op.create_table('due_timer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('element_id', sa.String(length=100), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['pathway_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('due_timer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_due_timer_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_due_timer_instance_id'), ['instance_id'], unique=False)

    op.create_table('indicator_measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('pathway_key', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('indicator_key', sa.String(length=100), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('from_point', sa.String(length=60), nullable=False),
    sa.Column('to_point', sa.String(length=60), nullable=False),
    sa.Column('limit_days', sa.Integer(), nullable=False),
    sa.Column('day_unit', sa.String(length=20), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('deferral_registered', sa.Boolean(), nullable=False),
    sa.Column('target_share', sa.Float(), nullable=True),
    sa.Column('unconfirmed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['pathway_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('indicator_measurement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_measurement_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_measurement_report', ['pathway_key', 'unit', 'indicator_key', 'end_on'], unique=False)
        batch_op.create_index('ix_measurement_status_due', ['status', 'due_on'], unique=False)

    op.create_table('measuring_point_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('outcome', sa.String(length=60), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('element_id', sa.String(length=100), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['pathway_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('measuring_point_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measuring_point_event_instance_id'), ['instance_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('measuring_point_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measuring_point_event_instance_id'))

    op.drop_table('measuring_point_event')
    with op.batch_alter_table('indicator_measurement', schema=None) as batch_op:
        batch_op.drop_index('ix_measurement_status_due')
        batch_op.drop_index('ix_measurement_report')
        batch_op.drop_index(batch_op.f('ix_indicator_measurement_instance_id'))

    op.drop_table('indicator_measurement')
    with op.batch_alter_table('due_timer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_due_timer_instance_id'))
        batch_op.drop_index(batch_op.f('ix_due_timer_due_at'))

    op.drop_table('due_timer')
    with op.batch_alter_table('coordinator_task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_open_unit_due')
        batch_op.drop_index('ix_task_open_pathway_due')
        batch_op.drop_index('ix_task_assignee')
        batch_op.drop_index(batch_op.f('ix_coordinator_task_instance_id'))

    op.drop_table('coordinator_task')
    with op.batch_alter_table('pathway_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_instance_patient_key'))
        batch_op.drop_index('ix_instance_pathway_unit_status')

    op.drop_table('pathway_instance')
    with op.batch_alter_table('pathway_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_version_pathway_key'))

    op.drop_table('pathway_version')
