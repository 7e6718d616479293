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
class Trigger(base.KarborPersistentObject, base.KarborObject):
    """When scheduled operations run."""

    # Version 1.0: Initial version
    VERSION = '1.0'

    DB_FIELDS = ('id', 'name', 'project_id', 'type', 'properties',
                 'created_at', 'updated_at')
    _db_get = staticmethod(db.trigger_get)
    _db_create = staticmethod(db.trigger_create)
    _db_get_all = staticmethod(db.trigger_get_all)

    fields = {
        'id': fields.UUIDField(),
        'name': fields.StringField(),
        'project_id': fields.StringField(),
        'type': fields.StringField(),
        'properties': karbor_fields.JsonField(),
    }

    @classmethod
    def update(cls, context, trigger_id, values, next_run_at=None):
        """Update; with new properties, its operations next run at
        ``next_run_at``."""
        return cls._from_db_object(
            context, cls(),
            db.trigger_update(context, trigger_id, values, next_run_at))

    @classmethod
    def destroy(cls, context, trigger_id):
        db.trigger_destroy(context, trigger_id)
