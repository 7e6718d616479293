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

"""Triggers: when scheduled operations run."""

from oslo_utils import timeutils

from karbor.api.schemas import triggers as schemas
from karbor.api import validation
from karbor.api.v1 import http
from karbor import exception
from karbor.i18n import _
from karbor import objects
from karbor.objects import trigger as trigger_objects
from karbor import policy
from karbor.services.operationengine.triggers import time_trigger

SORT_KEYS = ('created_at', 'updated_at', 'name', 'type', 'id')
FILTERS = ('name', 'type')
# The trigger types, each with the check of its properties.
TYPES = {'time': time_trigger.check_properties}

objects.register_all()


def _view(trigger):
    return {
        'id': trigger.id,
        'name': trigger.name,
        'type': trigger.type,
        'properties': trigger.properties,
    }


def _load(req, action):
    return http.load(req, action, trigger_objects.Trigger, 'trigger_id',
                     'trigger')


def _checked_properties(trigger_type, properties):
    try:
        check = TYPES[trigger_type]
    except KeyError:
        raise exception.InvalidInput(
            reason=_('Invalid trigger type: %(type)s; the types are: '
                     '%(types)s') % {'type': trigger_type,
                                     'types': ', '.join(sorted(TYPES))})
    return check(properties)


def create_trigger(req):
    context = http.context_of(req)
    policy.authorize(context, 'trigger:create')
    body = validation.validate(schemas.create, validation.json_body(req))
    values = body['trigger_info']
    values['properties'] = _checked_properties(values['type'],
                                               values['properties'])
    values['project_id'] = context.project_id
    trigger = trigger_objects.Trigger.create(context, values)
    return http.json_response({'trigger_info': _view(trigger)})


def list_triggers(req):
    context = http.context_of(req)
    policy.authorize(context, 'trigger:list')
    query = http.list_query(req, context, 'trigger', SORT_KEYS, FILTERS)
    triggers = trigger_objects.Trigger.list_page(context, **query)
    return http.collection(req, 'triggers', [_view(t) for t in triggers],
                           query['limit'])


def show_trigger(req):
    _context, trigger = _load(req, 'trigger:get')
    return http.json_response({'trigger_info': _view(trigger)})


def update_trigger(req):
    context, trigger = _load(req, 'trigger:update')
    body = validation.validate(schemas.update, validation.json_body(req))
    values = body['trigger_info']
    # The properties replace the old ones, but for a start time not given.
    # python-karborclient sends none ({}) when it only renames.
    properties = values.pop('properties', None)
    if properties:
        properties = dict(properties)
        properties.setdefault('start_time',
                              trigger.properties.get('start_time'))
        values['properties'] = _checked_properties(trigger.type, properties)
    # Its operations run next at the new properties' first fire time.
    next_run_at = None
    if 'properties' in values:
        next_run_at = time_trigger.next_fire_time(values['properties'],
                                                  timeutils.utcnow())
    trigger = trigger_objects.Trigger.update(context, trigger.id, values,
                                             next_run_at)
    return http.json_response({'trigger_info': _view(trigger)})


def delete_trigger(req):
    context, trigger = _load(req, 'trigger:delete')
    trigger_objects.Trigger.destroy(context, trigger.id)
    return http.empty_response()
