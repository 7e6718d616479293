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

"""Operations claimed by karbor-protection workers, and TaskFlow's
persistence tables (logbooks, flowdetails, atomdetails) in the layout of
TaskFlow's SQL backend, which records the finished tasks of each
operation so that another worker can resume it.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa
from taskflow.persistence import models as taskflow_models
from taskflow import states as taskflow_states

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# TaskFlow's SQL backend keeps its JSON in text columns (JSON on
# PostgreSQL, which it reads as JSON too).
_TASKFLOW_JSON = sa.UnicodeText().with_variant(
    sa.dialects.postgresql.JSON(), 'postgresql')


def _timestamps():
    return [sa.Column('created_at', sa.DateTime()),
            sa.Column('updated_at', sa.DateTime())]


def _uuid():
    return sa.Column('uuid', sa.String(64), primary_key=True,
                     nullable=False)


def upgrade():
    op.create_table(
        'operations',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('operation_type', sa.String(16), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('checkpoint_id', sa.String(36), nullable=False),
        sa.Column('exclusive_checkpoint_id', sa.String(36)),
        sa.Column('restore_id', sa.String(36)),
        sa.Column('request_context',
                  db_types.JsonEncodedDict(mysql_as_medium=True),
                  nullable=False),
        sa.Column('arguments',
                  db_types.JsonEncodedDict(mysql_as_medium=True),
                  nullable=False),
        sa.Column('owner', sa.String(255)),
        sa.Column('generation', sa.Integer, nullable=False),
        sa.Column('heartbeat_at', sa.DateTime()),
        *_timestamps(),
        sa.UniqueConstraint('exclusive_checkpoint_id',
                            name='uniq_operations0exclusive_checkpoint_id'),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('operations_checkpoint_idx', 'operations',
                    ['checkpoint_id'])

    op.create_table(
        'logbooks',
        *_timestamps(),
        sa.Column('meta', _TASKFLOW_JSON),
        sa.Column('name', sa.String(255)),
        _uuid(),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_table(
        'flowdetails',
        *_timestamps(),
        sa.Column('parent_uuid', sa.String(64),
                  sa.ForeignKey('logbooks.uuid', ondelete='CASCADE')),
        sa.Column('meta', _TASKFLOW_JSON),
        sa.Column('name', sa.String(255)),
        sa.Column('state', sa.String(255)),
        _uuid(),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_table(
        'atomdetails',
        *_timestamps(),
        sa.Column('meta', _TASKFLOW_JSON),
        sa.Column('parent_uuid', sa.String(64),
                  sa.ForeignKey('flowdetails.uuid', ondelete='CASCADE')),
        sa.Column('name', sa.String(255)),
        sa.Column('version', sa.String(64)),
        sa.Column('state', sa.String(255)),
        _uuid(),
        sa.Column('failure', _TASKFLOW_JSON),
        sa.Column('results', _TASKFLOW_JSON),
        sa.Column('revert_results', _TASKFLOW_JSON),
        sa.Column('revert_failure', _TASKFLOW_JSON),
        sa.Column('atom_type', sa.Enum(*taskflow_models.ATOM_TYPES,
                                       name='atom_types')),
        sa.Column('intention', sa.Enum(*taskflow_states.INTENTIONS,
                                       name='intentions')),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    # Resuming reads an operation's atoms by their flow detail.
    op.create_index('atomdetails_parent_idx', 'atomdetails', ['parent_uuid'])
    op.create_index('flowdetails_parent_idx', 'flowdetails', ['parent_uuid'])
