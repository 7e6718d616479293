#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Scheduled operations: what runs when a trigger fires."""

from karborclient.common import base


class ScheduledOperation(base.Resource):
    pass


class ScheduledOperationManager(base.Manager):
    resource_class = ScheduledOperation

    def create(self, name, operation_type, trigger_id, operation_definition,
               description=None):
        """Create a scheduled operation of type ``protect`` or
        ``retention_protect``; a ``protect`` operation's definition names
        the ``provider_id`` and ``plan_id`` to protect.
        """
        operation = {'name': name, 'operation_type': operation_type,
                     'trigger_id': trigger_id,
                     'operation_definition': operation_definition}
        if description is not None:
            operation['description'] = description
        return self._create('/scheduled_operations',
                            {'scheduled_operation': operation},
                            'scheduled_operation')

    def get(self, scheduled_operation_id, session_id=None):
        return self._get(base.path('scheduled_operations',
                                   scheduled_operation_id),
                         'scheduled_operation', session_id=session_id)

    def list(self, detailed=False, search_opts=None, marker=None, limit=None,
             sort_key=None, sort_dir=None, sort=None, **filters):
        """List scheduled operations; filters (``search_opts`` or keyword
        arguments): ``name``, ``operation_type``, ``trigger_id``,
        ``operation_definition``, ``project_id``, ``all_tenants``.
        ``detailed`` has no effect (see ``PlanManager.list``)."""
        # Karbor names this list "operations", not "scheduled_operations".
        return self._list('/scheduled_operations', 'operations', marker,
                          limit, sort, base.query_filters(search_opts, filters),
                          sort_key=sort_key, sort_dir=sort_dir)

    def delete(self, scheduled_operation_id):
        self._delete(base.path('scheduled_operations',
                               scheduled_operation_id))
