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

"""Operation logs: what became of each protect, restore and delete,
scheduled or not, kept after its checkpoint is gone. karbor-protection
writes them (one per operation, with the operation's id); the API reads.
"""

from karbor.api.v1 import http
from karbor import objects
from karbor.objects import operation_log as log_objects
from karbor import policy

SORT_KEYS = ('created_at', 'updated_at', 'started_at', 'ended_at',
             'operation_type', 'status', 'id')
FILTERS = ('status', 'operation_type', 'checkpoint_id', 'plan_id',
           'provider_id', 'restore_id', 'scheduled_operation_id')

objects.register_all()


def _view(log):
    return {
        'id': log.id,
        'project_id': log.project_id,
        'operation_type': log.operation_type,
        'checkpoint_id': log.checkpoint_id,
        'plan_id': log.plan_id,
        'provider_id': log.provider_id,
        'restore_id': log.restore_id,
        'scheduled_operation_id': log.scheduled_operation_id,
        'status': log.status,
        'started_at': http.timestamp(log.started_at),
        'ended_at': http.timestamp(log.ended_at),
        'error_info': log.error_info,
        # null when empty, as the original.
        'extra_info': log.extra_info or None,
    }


def list_operation_logs(req):
    context = http.context_of(req)
    policy.authorize(context, 'operation_log:get_all')
    query = http.list_query(req, context, 'operation_log', SORT_KEYS, FILTERS)
    logs = log_objects.OperationLog.list_page(context, **query)
    return http.collection(req, 'operation_logs', [_view(g) for g in logs],
                           query['limit'])


def show_operation_log(req):
    _context, log = http.load(req, 'operation_log:get',
                              log_objects.OperationLog, 'operation_log_id',
                              'operation log')
    return http.json_response({'operation_log': _view(log)})
