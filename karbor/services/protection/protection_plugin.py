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

"""The protection plugin contract: how a resource type is protected.

A protection plugin is registered in the ``karbor.protections`` entry-point
namespace and named by a provider file's ``plugin=`` lines. It is built as
``PluginClass(config)``, ``config`` being the provider's own ConfigOpts, on
which the plugin registers its options (its section of the provider file).

For every action (protect, restore, verify, copy, delete) the plugin returns
an :class:`Operation` for a resource; the protection service runs the
operation's four hooks for every resource of the checkpoint's resource
graph, in this order (a parent depends on its children, e.g. a server on
its volumes):

``on_prepare_begin``
    after the parent's prepare_begin: quiesce, open a transaction.
``on_prepare_finish``
    after the resource's own prepare_begin and every child's
    prepare_finish: snapshot, un-quiesce. Keep the prepare hooks short.
``on_main``
    after the resource's own prepare_finish, in parallel with other
    resources' main hooks: the bulk of the work (copying data).
``on_complete``
    after the resource's own main and every child's complete: attach
    restored children, close the transaction.

Each hook is called as ``hook(checkpoint, resource, context, parameters,
**kwargs)``: the checkpoint (``get_resource_bank_section(resource_id)``
gives the resource's place in the bank), the Resource, the request context,
and the resource's parameters (the plan's or restore's parameters for
``"<type>#<id>"``, else for ``"<type>"``, else ``{}``). A restore adds to
``kwargs``: ``restore`` (the Restore object: report each restored resource
with ``restore.update_resource_status(type, id, status, reason=None)``),
``new_resources`` (a dict shared by the restore's hooks, from
``"<type>#<original id>"`` to the new id, which a parent reads to find its
restored children) and, when the caller gave them, ``restore_auth`` and
``restore_target``.

A hook that raises fails its resource (status ``error``, the exception's
message as the reason) and the whole operation. Hooks run in parallel
threads: an Operation shared between resources must be thread-safe.

A hook that waits long on a cloud resource (a backup that Cinder makes)
may return ``waiting.Pending(wait, then)`` (protection_plugins/waiting.py)
instead of blocking: the protection service polls ``wait``, a
``waiting.Wait``, among the operation's other waits, holding no thread
between polls, then calls ``then(answer)`` in a worker thread to finish
the hook; ``then`` may return another Pending, and what it raises fails
the resource as the hook's own exception would. A hook that blocks while
it waits (as those written for the original do) works too, holding its
thread.
"""

import abc

EMPTY_SCHEMA = {'type': 'object', 'properties': {}}


class Operation(object):
    """One action on one resource. Hooks a plugin leaves out do nothing."""

    def on_prepare_begin(self, checkpoint, resource, context, parameters,
                         **kwargs):
        pass

    def on_prepare_finish(self, checkpoint, resource, context, parameters,
                          **kwargs):
        pass

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        pass

    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        pass


class ProtectionPlugin(metaclass=abc.ABCMeta):
    """The contract of a protection plugin; see the module documentation.
    """

    def __init__(self, config=None):
        self._config = config

    @abc.abstractmethod
    def get_protect_operation(self, resource):
        """The Operation that protects ``resource`` into a checkpoint."""

    @abc.abstractmethod
    def get_restore_operation(self, resource):
        """The Operation that rebuilds ``resource`` from a checkpoint."""

    def get_verify_operation(self, resource):
        """The Operation that checks a protected resource is restorable."""
        return Operation()

    def get_copy_operation(self, resource):
        """The Operation that copies a protected resource elsewhere."""
        return Operation()

    @abc.abstractmethod
    def get_delete_operation(self, resource):
        """The Operation that removes ``resource``'s protected data."""

    @classmethod
    @abc.abstractmethod
    def get_supported_resources_types(cls):
        """The resource types this plugin protects."""

    @classmethod
    @abc.abstractmethod
    def get_options_schema(cls, resource_type):
        """JSON schema of the protect parameters of ``resource_type``."""

    @classmethod
    @abc.abstractmethod
    def get_restore_schema(cls, resource_type):
        """JSON schema of the restore parameters of ``resource_type``."""

    @classmethod
    def get_verify_schema(cls, resource_type):
        """JSON schema of the verify parameters of ``resource_type``."""
        return EMPTY_SCHEMA

    @classmethod
    @abc.abstractmethod
    def get_saved_info_schema(cls, resource_type):
        """JSON schema of what get_saved_info returns."""

    @classmethod
    def get_saved_info(cls, metadata_store, resource):
        """What the checkpoint holds about ``resource``, for display.

        ``metadata_store`` is the resource's bank section.
        """
        return None
