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

import threading

from oslo_versionedobjects import base
from oslo_versionedobjects import fields

from karbor.services.protection import graph

obj_registry = base.VersionedObjectRegistry


class KarborObject(base.VersionedObject):
    """An object that can travel over RPC and knows its database row."""

    OBJ_PROJECT_NAMESPACE = 'karbor'

    # Columns copied field by field from a database row; others are set by
    # the subclass's _from_db_object.
    DB_FIELDS = ()

    # The db functions of this object's rows: one by id
    # (db.<object>_get), a new one (db.<object>_create) and a page of them
    # (db.<object>_get_all, for list_page).
    _db_get = None
    _db_create = None
    _db_get_all = None

    @classmethod
    def get_by_id(cls, context, object_id):
        return cls._from_db_object(context, cls(context),
                                   cls._db_get(context, object_id))

    @classmethod
    def create(cls, context, values, **options):
        """The new object of ``values``; ``options`` as its db function
        takes them."""
        return cls._from_db_object(context, cls(context),
                                   cls._db_create(context, values, **options))

    @classmethod
    def list_page(cls, context, **query):
        """A page of these objects (``query`` as the db function takes
        it), each the database's row, with the DB_FIELDS among its
        attributes: a list shows them without an object built, and its
        fields checked, for each row."""
        return cls._db_get_all(context, **query)

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


class OperationRecord(object):
    """What a restore and a verification have in common: a record of an
    operation over a checkpoint's resources, with each resource's status,
    written by the worker that runs it.

    A subclass names its row's functions: those of every KarborObject,
    and ``_db_update(context, id, values)`` and ``_db_destroy(context,
    id)``.
    """

    def guard_writes(self, check):
        """Call ``check`` (the running operation's claim check, which
        raises when this worker no longer runs the operation) before every
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
                self._db_update(self._context, self.id, changes)
                self.obj_reset_changes()

    def destroy(self):
        self._db_destroy(self._context, self.id)

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        """Record one resource's status (and why it failed) and save.

        Protection plugins call this from the hooks of an operation,
        several at once; the lock keeps one resource's update from undoing
        another's.
        """
        key = graph.key_of(resource_type, resource_id)
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


class KarborObjectSerializer(base.VersionedObjectSerializer):
    OBJ_BASE_CLASS = KarborObject
