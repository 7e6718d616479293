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

"""Scheduled operations: what the operation engine runs when a trigger
fires. Under Keystone, a create makes a trust from the caller to Karbor's
trustee, which the engine runs the operation through; a delete deletes
it."""

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from karbor.api.schemas import scheduled_operations as schemas
from karbor.api import validation
from karbor.api.v1 import http
from karbor.common import trusts
from karbor import exception
from karbor import objects
from karbor.objects import scheduled_operation as operation_objects
from karbor.objects import trigger as trigger_objects
from karbor import policy
from karbor.services.operationengine import operations
from karbor.services.operationengine.triggers import time_trigger

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

SORT_KEYS = ('created_at', 'updated_at', 'name', 'operation_type', 'id')
FILTERS = ('name', 'operation_type', 'trigger_id')

objects.register_all()


def _view(operation):
    return {
        'id': operation.id,
        'name': operation.name,
        'description': operation.description,
        'operation_type': operation.operation_type,
        'trigger_id': operation.trigger_id,
        'operation_definition': operation.operation_definition,
        'enabled': operation.enabled,
    }


def _load(req, action):
    return http.load(req, action, operation_objects.ScheduledOperation,
                     'scheduled_operation_id', 'scheduled operation')


def _trigger(context, trigger_id):
    try:
        return trigger_objects.Trigger.get_by_id(context, trigger_id)
    except exception.TriggerNotFound as exc:
        raise exception.InvalidInput(reason=str(exc))


def create_scheduled_operation(req):
    context = http.context_of(req)
    policy.authorize(context, 'scheduled_operation:create')
    body = validation.validate(schemas.create, validation.json_body(req))
    values = body['scheduled_operation']
    operation_type = operations.get(values['operation_type'])
    values['operation_definition'] = operation_type.check_definition(
        context, values['operation_definition'])
    trigger = _trigger(context, values['trigger_id'])
    values.update(
        project_id=context.project_id, user_id=context.user_id,
        enabled=True, next_run_at=time_trigger.next_fire_time(
            trigger.properties, timeutils.utcnow()))
    if CONF.auth_strategy == 'keystone':
        values['trust_id'] = trusts.create_trust(context)
    try:
        operation = operation_objects.ScheduledOperation.create(context,
                                                                values)
    except Exception:
        if values.get('trust_id'):
            _delete_trust(context, values['trust_id'])
        raise
    return http.json_response({'scheduled_operation': _view(operation)})


def _delete_trust(context, trust_id):
    try:
        trusts.delete_trust(context, trust_id)
    except Exception as exc:
        # The operation is gone either way; a trust left over lets the
        # trustee act for nobody's schedule, and its trustor can delete it.
        LOG.warning('Trust %(trust)s could not be deleted: %(error)s',
                    {'trust': trust_id, 'error': exc})


def list_scheduled_operations(req):
    context = http.context_of(req)
    policy.authorize(context, 'scheduled_operation:list')
    query = http.list_query(req, context, 'scheduled_operation', SORT_KEYS,
                            FILTERS)
    found = operation_objects.ScheduledOperation.list_page(context, **query)
    # The original's list key (its api-ref's sample wraps each item too;
    # its server and python-karborclient did not).
    return http.collection(req, 'operations', [_view(o) for o in found],
                           query['limit'])


def show_scheduled_operation(req):
    _context, operation = _load(req, 'scheduled_operation:get')
    return http.json_response({'scheduled_operation': _view(operation)})


def delete_scheduled_operation(req):
    context, operation = _load(req, 'scheduled_operation:delete')
    operation_objects.ScheduledOperation.destroy(context, operation.id)
    if operation.trust_id:
        _delete_trust(context, operation.trust_id)
    return http.empty_response()
