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
and the marks that let a hook run again find what its first run made.

Hooks run again: when a worker dies, another one runs the hook that was
running, on a new Operation. A hook therefore keeps what a later run needs
in the resource's bank section (protect, delete) or on what it creates in
the cloud (restore: :func:`restore_marks`), never only in memory.
"""

from karbor.services.protection import checkpoint
from karbor.services.protection import graph
from karbor.services.protection.protectable_plugin import Resource

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
    ``new_resources`` and the bank (graph.resource_key of a Resource)."""
    return graph.resource_key(Resource(resource_type, resource_id, None))


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
