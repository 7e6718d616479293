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

"""os-services: the Karbor services that run, and whether each takes new
work (administrators only).

A service's updated_at is the time of its last heartbeat, and its state
is "up" while that is at most [DEFAULT] service_down_time old; disabling
or enabling it changes neither. A disabled karbor-protection claims no
new operations and a disabled karbor-operationengine takes no scheduled
run; what they already run goes on to its end.
"""

import re

from oslo_log import log as logging

from karbor.api.schemas import services as schemas
from karbor.api import validation
from karbor.api.v1 import http
from karbor import exception
from karbor.i18n import _
from karbor import objects
from karbor.objects import service as service_objects
from karbor import policy

LOG = logging.getLogger(__name__)
# The largest id the services table's INTEGER column holds.
MAX_ID = 2 ** 31 - 1

objects.register_all()


def _view(service):
    return {
        'id': service.id,
        'binary': service.binary,
        'host': service.host,
        'status': 'disabled' if service.disabled else 'enabled',
        'state': 'up' if service.is_up else 'down',
        'updated_at': http.timestamp(service.updated_at),
        'disabled_reason': service.disabled_reason,
    }


def _service_id(req):
    value = http.path_arg(req, 'service_id')
    if not re.fullmatch('[0-9]+', value):
        raise exception.InvalidInput(
            reason=_('a service id is an integer, not %r') % value)
    if int(value) > MAX_ID:
        raise exception.ServiceNotFound(service_id=value)
    return int(value)


def list_services(req):
    context = http.context_of(req)
    policy.authorize(context, 'service:get_all')
    services = service_objects.ServiceList.get_all(
        context, host=req.GET.get('host'), binary=req.GET.get('binary'))
    return http.json_response({'services': [_view(s) for s in services]})


def update_service(req):
    context = http.context_of(req)
    policy.authorize(context, 'service:update')
    service_id = _service_id(req)
    body = validation.validate(schemas.update, validation.json_body(req))
    service = service_objects.Service.get_by_id(context, service_id)
    service.disabled = body['status'] == 'disabled'
    # Enabling a service forgets why it was disabled.
    service.disabled_reason = body.get('disabled_reason')
    service.save()
    LOG.info('%(binary)s on %(host)s is %(status)s by user %(user)s '
             '(reason: %(reason)s)',
             {'binary': service.binary, 'host': service.host,
              'status': body['status'], 'user': context.user_id,
              'reason': service.disabled_reason})
    return http.json_response({'service': _view(service)})
