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
class ScheduledOperation(base.KarborPersistentObject, base.KarborObject):
    """An operation the operation engine runs when its trigger fires."""

    # Version 1.0: Initial version
    VERSION = '1.0'

    DB_FIELDS = ('id', 'name', 'description', 'operation_type',
                 'trigger_id', 'operation_definition', 'enabled',
                 'project_id', 'user_id', 'trust_id', 'created_at',
                 'updated_at')
    _db_get = staticmethod(db.scheduled_operation_get)
    _db_create = staticmethod(db.scheduled_operation_create)
    _db_get_all = staticmethod(db.scheduled_operation_get_all)

    fields = {
        'id': fields.UUIDField(),
        'name': fields.StringField(),
        'description': fields.StringField(nullable=True),
        'operation_type': fields.StringField(),
        'trigger_id': fields.UUIDField(),
        'operation_definition': karbor_fields.JsonField(),
        'enabled': fields.BooleanField(),
        'project_id': fields.StringField(),
        'user_id': fields.StringField(nullable=True),
        'trust_id': fields.StringField(nullable=True),
    }

    @classmethod
    def destroy(cls, context, operation_id):
        db.scheduled_operation_destroy(context, operation_id)
