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

"""Plans, their resources, restores and services.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from alembic import op
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _timestamps():
    return [sa.Column('created_at', sa.DateTime()),
            sa.Column('updated_at', sa.DateTime())]


def upgrade():
    op.create_table(
        'plans',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255)),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('parameters', db_types.JsonEncodedDict, nullable=False),
        *_timestamps(),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('plans_project_created_idx', 'plans',
                    ['project_id', 'created_at', 'id'])

    op.create_table(
        'resources',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('plan_id', sa.String(36),
                  sa.ForeignKey('plans.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('resource_id', sa.String(255), nullable=False),
        sa.Column('resource_type', sa.String(64), nullable=False),
        sa.Column('resource_name', sa.String(255)),
        sa.Column('resource_extra_info', db_types.JsonEncodedDict),
        *_timestamps(),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('ix_resources_plan_id', 'resources', ['plan_id'])

    op.create_table(
        'restores',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('checkpoint_id', sa.String(36), nullable=False),
        sa.Column('restore_target', sa.String(255)),
        sa.Column('parameters', db_types.JsonEncodedDict, nullable=False),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('resources_status', db_types.JsonEncodedDict,
                  nullable=False),
        sa.Column('resources_reason', db_types.JsonEncodedDict,
                  nullable=False),
        *_timestamps(),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('restores_project_created_idx', 'restores',
                    ['project_id', 'created_at', 'id'])

    op.create_table(
        'services',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('binary', sa.String(255), nullable=False),
        sa.Column('topic', sa.String(255)),
        sa.Column('report_count', sa.Integer, nullable=False),
        sa.Column('disabled', sa.Boolean, nullable=False),
        sa.Column('disabled_reason', sa.String(255)),
        *_timestamps(),
        sa.UniqueConstraint('host', 'binary',
                            name='uniq_services0host0binary'),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
