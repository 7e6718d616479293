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

"""What the protection plugins share, beside their contract.

``waiting``
    the one wait on a cloud resource, with backoff (waiting.py);
``errors``
    the one translation of client errors into the reasons a user reads
    (errors.py);
and here: a resource's key and bank section, the statuses hooks report,
the marks that let a hook run again find what its first run made, and the
copy of a resource's bank section into a checkpoint's copy
(:class:`CopySection`).

Hooks run again: when a worker dies, another one runs the hook that was
running, on a new Operation. A hook therefore keeps what a later run needs
in the resource's bank section (protect, delete) or on what it creates in
the cloud (restore: :func:`restore_marks`), never only in memory.
"""

from karbor.services.protection import checkpoint
from karbor.services.protection import graph
from karbor.services.protection import protection_plugin

# The statuses a plugin reports: of its record in the bank, and of a
# restored resource (restore.update_resource_status). The checkpoint's
# own names where it has them.
PROTECTING = checkpoint.PROTECTING
AVAILABLE = checkpoint.AVAILABLE
ERROR = checkpoint.ERROR
# A restored resource that its plugin is still filling; the checkpoint
# module has no such status.
RESTORING = 'restoring'

# The marks of what a restore creates (Cinder metadata, Glance
# properties, Nova tags): the restore's id, and the original resource's
# key ("<type>#<id>").
RESTORE_ID_KEY = 'karbor_restore_id'
RESTORED_FROM_KEY = 'karbor_restored_from'


def resource_key(resource_type, resource_id):
    """``"<type>#<id>"``: a resource's name in statuses, parameters,
    ``new_resources`` and the bank (graph.key_of)."""
    return graph.key_of(resource_type, resource_id)


def resource_section(checkpoint_, resource):
    """The resource's bank section in the checkpoint."""
    return checkpoint_.get_resource_bank_section(graph.resource_key(resource))


def restore_marks(restore, resource):
    """The marks of a resource that ``restore`` creates for ``resource``:
    a later run of the same hook looks for them, instead of creating the
    resource again."""
    return {RESTORE_ID_KEY: restore.id,
            RESTORED_FROM_KEY: graph.resource_key(resource)}


def has_marks(found, marks):
    """Whether a mapping (metadata, properties) carries all ``marks``."""
    found = found or {}
    return all(found.get(key) == value for key, value in marks.items())


def copy_section(checkpoint_, resource, checkpoint_copy):
    """Copy every object of the resource's bank section in ``checkpoint_``
    into the same section of ``checkpoint_copy``, each streamed (so an
    object of any size passes) and byte for byte. Run again, it writes
    the same objects again."""
    source = resource_section(checkpoint_, resource)
    target = resource_section(checkpoint_copy, resource)
    for key in source.list_objects():
        target.update_object(key, source.get_object_chunks(key))


class CopySection(protection_plugin.Operation):
    """The copy of a resource whose bank section holds everything a restore
    from the copy reads (records of what stays in the cloud, such as a
    Cinder backup or a server's description)."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        copy_section(checkpoint, resource, kwargs['checkpoint_copy'])
