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

"""The restores and verifications of a checkpoint, by status: what a
checkpoint's show at microversion 1.2 looks up.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('restores_checkpoint_status_idx', 'restores',
                    ['checkpoint_id', 'status'])
    op.create_index('verifications_checkpoint_status_idx', 'verifications',
                    ['checkpoint_id', 'status'])
