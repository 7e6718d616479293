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

"""Verifications, and the operation that runs one.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'verifications',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('checkpoint_id', sa.String(36), nullable=False),
        sa.Column('parameters', db_types.JsonEncodedDict, nullable=False),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('resources_status', db_types.JsonEncodedDict,
                  nullable=False),
        sa.Column('resources_reason', db_types.JsonEncodedDict,
                  nullable=False),
        sa.Column('created_at', sa.DateTime()),
        sa.Column('updated_at', sa.DateTime()),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('verifications_project_created_idx', 'verifications',
                    ['project_id', 'created_at', 'id'])
    op.add_column('operations',
                  sa.Column('verification_id', sa.String(36)))
