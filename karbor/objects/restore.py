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

import threading

from oslo_versionedobjects import fields

from karbor.db import api as db
from karbor.objects import base
from karbor.objects import fields as karbor_fields


@base.obj_registry.register
class Restore(base.KarborPersistentObject, base.KarborObject):
    """One restore of a checkpoint, with the status of each resource."""

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

    @classmethod
    def get_by_id(cls, context, restore_id):
        return cls._from_db_object(context, cls(),
                                   db.restore_get(context, restore_id))

    @classmethod
    def create(cls, context, values):
        return cls._from_db_object(context, cls(),
                                   db.restore_create(context, values))

    def guard_writes(self, check):
        """Call ``check`` (the running operation's claim check, which
        raises when this worker no longer runs the restore) before every
        write."""
        self.__dict__['_guard'] = check

    def save(self):
        """Write the changed fields back."""
        with self._save_lock:
            changes = self.obj_get_changes()
            if changes:
                guard = self.__dict__.get('_guard')
                if guard is not None:
                    guard()
                db.restore_update(self._context, self.id, changes)
                self.obj_reset_changes()

    def destroy(self):
        db.restore_destroy(self._context, self.id)

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        """Record one resource's status (and why it failed) and save.

        Protection plugins call this from the hooks of a restore, several
        at once; the lock keeps one resource's update from undoing
        another's.
        """
        key = '%s#%s' % (resource_type, resource_id)
        with self._save_lock:
            self.resources_status = dict(self.resources_status,
                                         **{key: status})
            if reason is not None:
                self.resources_reason = dict(self.resources_reason,
                                             **{key: str(reason)})
        self.save()

    @property
    def _save_lock(self):
        # Objects also arrive through RPC deserialisation, which bypasses
        # __init__, so the lock is made on first use.
        lock = self.__dict__.get('_lock')
        if lock is None:
            lock = self.__dict__.setdefault('_lock', threading.RLock())
        return lock


@base.obj_registry.register
class RestoreList(base.KarborObject, base.base.ObjectListBase):
    VERSION = '1.0'

    fields = {'objects': fields.ListOfObjectsField('Restore')}

    @classmethod
    def get_all(cls, context, **kwargs):
        rows = db.restore_get_all(context, **kwargs)
        return base.base.obj_make_list(context, cls(context), Restore, rows)
