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

from oslo_versionedobjects import fields

from karbor.db import api as db
from karbor.objects import base
from karbor.objects import fields as karbor_fields


@base.obj_registry.register
class OperationLog(base.KarborPersistentObject, base.KarborObject):
    """What became of one protect, restore or delete."""

    # Version 1.0: Initial version
    VERSION = '1.0'

    DB_FIELDS = ('id', 'project_id', 'operation_type', 'checkpoint_id',
                 'plan_id', 'provider_id', 'restore_id',
                 'scheduled_operation_id', 'status', 'started_at',
                 'ended_at', 'error_info', 'extra_info', 'created_at',
                 'updated_at')
    _db_get = staticmethod(db.operation_log_get)
    _db_get_all = staticmethod(db.operation_log_get_all)

    fields = {
        'id': fields.UUIDField(),
        'project_id': fields.StringField(),
        'operation_type': fields.StringField(),
        'checkpoint_id': fields.StringField(nullable=True),
        'plan_id': fields.StringField(nullable=True),
        'provider_id': fields.StringField(nullable=True),
        'restore_id': fields.StringField(nullable=True),
        'scheduled_operation_id': fields.StringField(nullable=True),
        'status': fields.StringField(nullable=True),
        'started_at': fields.DateTimeField(nullable=True),
        'ended_at': fields.DateTimeField(nullable=True),
        'error_info': fields.StringField(nullable=True),
        'extra_info': karbor_fields.JsonField(nullable=True),
    }
