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

"""Verifications: check that a checkpoint's data is still there and
restorable, resource by resource, without restoring it."""

from oslo_utils import excutils

from karbor.api.schemas import verifications as schemas
from karbor.api import validation
from karbor.api.v1 import checkpoints
from karbor.api.v1 import http
from karbor.common import notification
from karbor import objects
from karbor.objects import verification as verification_objects
from karbor import policy

SORT_KEYS = ('created_at', 'updated_at', 'status', 'id')
FILTERS = ('status', 'provider_id', 'checkpoint_id')

objects.register_all()


def _view(verification):
    return {
        'id': verification.id,
        'project_id': verification.project_id,
        'provider_id': verification.provider_id,
        'checkpoint_id': verification.checkpoint_id,
        'parameters': verification.parameters,
        'status': verification.status,
        'resources_status': verification.resources_status,
        'resources_reason': verification.resources_reason,
    }


def create_verification(req):
    context = http.context_of(req)
    policy.authorize(context, 'verification:create')
    body = validation.validate(schemas.create, validation.json_body(req))
    values = body['verification']
    values.setdefault('parameters', {})
    with notification.notify_request(
            context, req, 'verification_create',
            parameters=values['parameters'],
            provider_id=values['provider_id'],
            checkpoint_id=values['checkpoint_id']) as payload:
        checkpoints.check_readable(
            req, context, values['provider_id'], values['checkpoint_id'],
            values['parameters'], 'verify')
        values.update(project_id=context.project_id,
                      user_id=context.user_id, status='in_progress')
        verification = verification_objects.Verification.create(context,
                                                                values)
        try:
            http.protection_api(req).verify(context, verification)
        except Exception:
            # The verification never started: leave no row behind.
            with excutils.save_and_reraise_exception():
                verification.destroy()
        payload['id'] = verification.id
    return http.json_response({'verification': _view(verification)})


def list_verifications(req):
    context = http.context_of(req)
    policy.authorize(context, 'verification:get_all')
    query = http.list_query(req, context, 'verification', SORT_KEYS,
                            FILTERS)
    verifications = verification_objects.Verification.list_page(
        context, **query)
    return http.collection(req, 'verifications',
                           [_view(v) for v in verifications], query['limit'])


def show_verification(req):
    _context, verification = http.load(
        req, 'verification:get', verification_objects.Verification,
        'verification_id', 'verification')
    return http.json_response({'verification': _view(verification)})
