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
class Restore(base.OperationRecord, base.KarborPersistentObject,
              base.KarborObject):
    """One restore of a checkpoint, with the status of each resource."""

    _db_create = staticmethod(db.restore_create)
    _db_get = staticmethod(db.restore_get)
    _db_update = staticmethod(db.restore_update)
    _db_destroy = staticmethod(db.restore_destroy)
    _db_get_all = staticmethod(db.restore_get_all)

    # Version 1.0: Initial version
    VERSION = '1.0'

    DB_FIELDS = ('id', 'project_id', 'user_id', 'provider_id',
                 'checkpoint_id', 'restore_target', 'parameters', 'status',
                 'resources_status', 'resources_reason', 'created_at',
                 'updated_at')

    fields = {
        'id': fields.UUIDField(),
        'project_id': fields.StringField(),
        'user_id': fields.StringField(nullable=True),
        'provider_id': fields.UUIDField(),
        'checkpoint_id': fields.UUIDField(),
        'restore_target': fields.StringField(nullable=True),
        'parameters': karbor_fields.JsonField(),
        'status': karbor_fields.RestoreStatusField(),
        # Keys are "<resource type>#<resource id>".
        'resources_status': fields.DictOfStringsField(),
        'resources_reason': fields.DictOfStringsField(),
    }
