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

"""Restores: bring a checkpoint's resources back."""

from oslo_utils import excutils

from karbor.api.schemas import restores as schemas
from karbor.api import validation
from karbor.api.v1 import checkpoints
from karbor.api.v1 import http
from karbor.common import notification
from karbor import exception
from karbor.i18n import _
from karbor import objects
from karbor.objects import restore as restore_objects
from karbor import policy

SORT_KEYS = ('created_at', 'updated_at', 'status', 'id')
FILTERS = ('status', 'provider_id', 'checkpoint_id')

objects.register_all()


def _view(restore):
    # restore_auth is never stored nor shown: it holds a password.
    return {
        'id': restore.id,
        'project_id': restore.project_id,
        'provider_id': restore.provider_id,
        'checkpoint_id': restore.checkpoint_id,
        'restore_target': restore.restore_target,
        'parameters': restore.parameters,
        'status': restore.status,
        'resources_status': restore.resources_status,
        'resources_reason': restore.resources_reason,
    }


def create_restore(req):
    context = http.context_of(req)
    policy.authorize(context, 'restore:create')
    body = validation.validate(schemas.create, validation.json_body(req))
    values = body['restore']
    restore_auth = values.pop('restore_auth', None)
    values.setdefault('parameters', {})
    with notification.notify_request(
            context, req, 'restore_create', parameters=values['parameters'],
            provider_id=values['provider_id'],
            checkpoint_id=values['checkpoint_id']) as payload:
        restore = _start_restore(req, context, values, restore_auth)
        payload['id'] = restore.id
    return http.json_response({'restore': _view(restore)})


def _start_restore(req, context, values, restore_auth):
    if values.get('restore_target') and not restore_auth:
        raise exception.InvalidInput(
            reason=_('restore_target needs restore_auth (type, username, '
                     'password).'))
    checkpoints.check_readable(req, context, values['provider_id'],
                               values['checkpoint_id'], values['parameters'],
                               'restore')
    values.update(project_id=context.project_id, user_id=context.user_id,
                  status='in_progress')
    restore = restore_objects.Restore.create(context, values)
    try:
        http.protection_api(req).restore(context, restore, restore_auth)
    except Exception:
        # The restore never started: leave no row behind.
        with excutils.save_and_reraise_exception():
            restore.destroy()
    return restore


def list_restores(req):
    context = http.context_of(req)
    policy.authorize(context, 'restore:get_all')
    query = http.list_query(req, context, 'restore', SORT_KEYS, FILTERS)
    restores = restore_objects.Restore.list_page(context, **query)
    return http.collection(req, 'restores', [_view(r) for r in restores],
                           query['limit'])


def show_restore(req):
    _context, restore = http.load(req, 'restore:get',
                                  restore_objects.Restore, 'restore_id',
                                  'restore')
    return http.json_response({'restore': _view(restore)})
