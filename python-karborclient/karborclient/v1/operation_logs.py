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

"""Operation logs: what each run of a scheduled operation did."""

from karborclient.common import base


class OperationLog(base.Resource):
    pass


class OperationLogManager(base.Manager):
    resource_class = OperationLog

    def get(self, operation_log_id, session_id=None):
        return self._get(base.path('operation_logs', operation_log_id),
                         'operation_log', session_id=session_id)

    def list(self, detailed=False, search_opts=None, marker=None, limit=None,
             sort_key=None, sort_dir=None, sort=None, **filters):
        """List operation logs; filters (``search_opts`` or keyword
        arguments): ``status``, ``operation_type``, ``checkpoint_id``,
        ``plan_id``, ``provider_id``, ``restore_id``,
        ``scheduled_operation_id``, ``project_id``, ``all_tenants``.
        ``detailed`` has no effect (see ``PlanManager.list``)."""
        return self._list('/operation_logs', 'operation_logs', marker, limit,
                          sort, base.query_filters(search_opts, filters),
                          sort_key=sort_key, sort_dir=sort_dir)
