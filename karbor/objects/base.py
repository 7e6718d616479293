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

"""The object layer's base classes and its RPC serializer."""

from oslo_versionedobjects import base
from oslo_versionedobjects import fields

obj_registry = base.VersionedObjectRegistry


class KarborObject(base.VersionedObject):
    """An object that can travel over RPC and knows its database row."""

    OBJ_PROJECT_NAMESPACE = 'karbor'

    # Columns copied field by field from a database row; others are set by
    # the subclass's _from_db_object.
    DB_FIELDS = ()

    @classmethod
    def _from_db_object(cls, context, obj, db_row):
        for name in cls.DB_FIELDS:
            setattr(obj, name, getattr(db_row, name))
        obj._context = context
        obj.obj_reset_changes()
        return obj

    def to_dict(self):
        return {name: getattr(self, name) for name in self.fields
                if self.obj_attr_is_set(name)}


class KarborPersistentObject(object):
    """Timestamps every stored object has."""

    fields = {
        'created_at': fields.DateTimeField(nullable=True),
        'updated_at': fields.DateTimeField(nullable=True),
    }


class KarborObjectSerializer(base.VersionedObjectSerializer):
    OBJ_BASE_CLASS = KarborObject
