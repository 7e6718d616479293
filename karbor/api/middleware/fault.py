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

"""One error path: every failure becomes a JSON fault body."""

from oslo_config import cfg
from oslo_log import log as logging
from oslo_middleware import base as base_middleware
from oslo_middleware import sizelimit
from oslo_serialization import jsonutils
import webob
import webob.dec
import webob.exc

from karbor.api import validation
from karbor import exception
from karbor.i18n import _

CONF = cfg.CONF
LOG = logging.getLogger(__name__)
# The 413 message names the limit (see _response_message).
CONF.register_opts(sizelimit.OPTS, group='oslo_middleware')

# The body's top-level key for each status, as the original API named them.
FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    406: 'notAcceptable',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}


def fault_response(status, message, headers=None):
    name = FAULT_NAMES.get(status, 'karborFault')
    body = {name: {'code': status, 'message': message}}
    response = webob.Response(status=status, content_type='application/json',
                              charset='utf-8')
    response.headers.extend(headers or [])
    response.body = jsonutils.dump_as_bytes(body)
    return response


class FaultWrapper(base_middleware.ConfigurableMiddleware):
    """Turn exceptions and bare webob errors into JSON faults."""

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            # Before anything decodes the URL: webob, routes and the
            # handlers take it for UTF-8.
            validation.check_url(req)
            response = req.get_response(self.application)
        except exception.KarborException as exc:
            if exc.code >= 500:
                LOG.error('%s %s failed: %s', req.method, _raw_path(req),
                          exc)
            # Its own message: str() of one rebuilt from karbor-protection's
            # RPC answer holds the worker's traceback too.
            return fault_response(exc.code, exc.msg,
                                  getattr(exc, 'headers', None))
        except webob.exc.HTTPException as exc:
            return fault_response(exc.code, exc.detail or exc.explanation,
                                  _passed_headers(exc))
        except Exception:
            LOG.exception('Unexpected error serving %s %s', req.method,
                          _raw_path(req))
            return fault_response(
                500, _('The server has either erred or is incapable of '
                       'performing the requested operation.'))
        # Errors that other middleware returns rather than raises, such as
        # keystonemiddleware's 401, get the same body as ours.
        if response.status_int >= 400:
            return fault_response(response.status_int,
                                  _response_message(response),
                                  _passed_headers(response))
        return response


def _raw_path(req):
    """The path as the client sent it, whatever its bytes (req.path
    decodes it, and fails on bytes that are not UTF-8)."""
    return req.environ.get('SCRIPT_NAME', '') + req.environ.get('PATH_INFO',
                                                                '')


def _passed_headers(response):
    return [(name, value) for name, value in response.headers.items()
            if name.lower() in ('allow', 'www-authenticate', 'retry-after')]


def _response_message(response):
    if response.status_int == 413:
        # Only oslo.middleware's sizelimit answers 413, and its message
        # for a Content-Length over the limit leaves the limit out.
        return _('The request body is larger than [oslo_middleware] '
                 'max_request_body_size (%d bytes).'
                 ) % CONF.oslo_middleware.max_request_body_size
    text = response.text.strip() if response.body else ''
    if response.content_type == 'application/json':
        try:
            body = jsonutils.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict):
            if 'message' in body:
                return str(body['message'])
            for value in body.values():
                if isinstance(value, dict) and 'message' in value:
                    return str(value['message'])
    # webob's plain-text errors end with their detail.
    return text.splitlines()[-1] if text else response.status
