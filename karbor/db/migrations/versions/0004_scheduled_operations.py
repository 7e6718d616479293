# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Scheduled operations and operation logs.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scheduled_operations',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255)),
        sa.Column('operation_type', sa.String(64), nullable=False),
        sa.Column('trigger_id', sa.String(36), sa.ForeignKey('triggers.id'),
                  nullable=False),
        sa.Column('operation_definition', db_types.JsonEncodedDict,
                  nullable=False),
        sa.Column('enabled', sa.Boolean, nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('trust_id', sa.String(255)),
        sa.Column('next_run_at', sa.DateTime()),
        sa.Column('pending_run_at', sa.DateTime()),
        sa.Column('owner', sa.String(255)),
        sa.Column('heartbeat_at', sa.DateTime()),
        sa.Column('generation', sa.Integer, nullable=False),
        sa.Column('created_at', sa.DateTime()),
        sa.Column('updated_at', sa.DateTime()),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('scheduled_operations_project_created_idx',
                    'scheduled_operations',
                    ['project_id', 'created_at', 'id'])
    op.create_index('scheduled_operations_next_run_idx',
                    'scheduled_operations', ['enabled', 'next_run_at'])
    op.create_table(
        'operation_logs',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('operation_type', sa.String(64), nullable=False),
        sa.Column('checkpoint_id', sa.String(36)),
        sa.Column('plan_id', sa.String(36)),
        sa.Column('provider_id', sa.String(36)),
        sa.Column('restore_id', sa.String(36)),
        sa.Column('scheduled_operation_id', sa.String(36)),
        sa.Column('status', sa.String(64)),
        sa.Column('started_at', sa.DateTime()),
        sa.Column('ended_at', sa.DateTime()),
        sa.Column('error_info', sa.Text()),
        sa.Column('extra_info', db_types.JsonEncodedDict),
        sa.Column('created_at', sa.DateTime()),
        sa.Column('updated_at', sa.DateTime()),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('operation_logs_project_created_idx', 'operation_logs',
                    ['project_id', 'created_at', 'id'])
    op.create_index('operation_logs_scheduled_idx', 'operation_logs',
                    ['scheduled_operation_id', 'status'])
