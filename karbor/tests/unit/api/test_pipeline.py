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

"""The API as etc/api-paste.ini assembles it, configured by a karbor.conf
given with --config-file, as karbor-api and karbor-wsgi load it."""

from http import client as http_client
import io
import json
import os
import re
import uuid

from oslo_config import cfg
import pytest
import webob

from karbor.api import app
from karbor import rpc
from karbor import service
from karbor.services.protection import rpcapi
from karbor.tests.unit.api import fakes

SOURCE_PASTE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))), 'etc',
    'api-paste.ini')
BODY_LIMIT = 64 * 1024
# How much webob asks a body without Content-Length for at a time.
READ_SIZE = 64 * 1024
DASHBOARD = 'https://dashboard.example.com'
REQUEST_ID = re.compile(
    r'^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$')
PLANS = '/v1/demo/plans'


class RecordingProtection(fakes.FakeProtection):
    """The fake karbor-protection, keeping the context of every protect."""

    def __init__(self):
        super().__init__()
        self.contexts = []

    def protect(self, ctxt, plan, checkpoint_properties):
        self.contexts.append(ctxt)
        return super().protect(ctxt, plan, checkpoint_properties)


class Pipeline(object):
    """The paste.deploy application and a way to call it in process."""

    def __init__(self, protection):
        self.protection = protection
        self.app = app.load_paste_app()

    def __call__(self, method, path, body=None, token='demo:demo',
                 **headers):
        req = webob.Request.blank(path, method=method)
        if token:
            req.headers['X-Auth-Token'] = token
        for name, value in headers.items():
            req.headers[name.replace('_', '-')] = value
        if body is not None:
            req.body = body if isinstance(body, bytes) else \
                json.dumps(body).encode()
            req.content_type = 'application/json'
        return req.get_response(self.app)

    def stream(self, path, stream, token='demo:demo'):
        """POST ``stream`` without Content-Length, as a WSGI server hands
        a chunked request body to the application."""
        req = webob.Request.blank(path, method='POST', headers={
            'X-Auth-Token': token, 'Content-Type': 'application/json',
            'Transfer-Encoding': 'chunked'})
        req.environ.pop('CONTENT_LENGTH', None)
        req.environ['wsgi.input'] = stream
        req.environ['wsgi.input_terminated'] = True
        return req.get_response(self.app)


def _load(conf, tmp_path, monkeypatch, auth_strategy, proxy=True,
          more=''):
    """The pipeline under a karbor.conf like a deployment's (``more``:
    further sections)."""
    path = tmp_path / 'karbor.conf'
    path.write_text(
        '[DEFAULT]\n'
        'auth_strategy = %s\n'
        'api_paste_config = %s\n'
        '[cors]\n'
        'allowed_origin = %s\n'
        '[oslo_middleware]\n'
        'enable_proxy_headers_parsing = %s\n'
        'max_request_body_size = %d\n'
        '[keystone_authtoken]\n'
        # Never reached: these tests send no token to Keystone.
        'www_authenticate_uri = http://127.0.0.1:9/identity\n'
        % (auth_strategy, SOURCE_PASTE, DASHBOARD, proxy, BODY_LIMIT) + more)
    cfg.CONF(['--config-file', str(path)], project='karbor',
             default_config_files=[])
    protection = RecordingProtection()
    monkeypatch.setattr(rpcapi, 'ProtectionAPI', lambda: protection)
    return Pipeline(protection)


@pytest.fixture
def api(conf, database, tmp_path, monkeypatch):
    return _load(conf, tmp_path, monkeypatch, 'noauth')


@pytest.fixture(params=['noauth', 'keystone'])
def any_api(request, conf, database, tmp_path, monkeypatch):
    """The pipeline of each [DEFAULT] auth_strategy."""
    return _load(conf, tmp_path, monkeypatch, request.param)


def _fault(response, status):
    assert response.status_int == status, response.text
    assert response.content_type == 'application/json'
    (body,) = response.json.values()
    assert body['code'] == status
    return body['message']


def _chain(application):
    """The classes a request goes through, outermost first."""
    names = []
    while application is not None:
        names.append(type(application).__name__)
        # oslo.middleware and Karbor's middleware keep the next application
        # as .application, keystonemiddleware's as ._app.
        application = (getattr(application, 'application', None) or
                       getattr(application, '_app', None))
    return names


@pytest.mark.parametrize('auth_strategy, auth', [
    ('noauth', ['NoAuthMiddleware']),
    ('keystone', ['AuthProtocol', 'KarborKeystoneContext']),
])
def test_v1_pipeline_is_in_the_order_other_openstack_apis_use(
        conf, database, tmp_path, monkeypatch, auth_strategy, auth):
    api = _load(conf, tmp_path, monkeypatch, auth_strategy)
    assert _chain(api.app['/v1']) == [
        'CORS', 'HTTPProxyToWSGI', 'RequestId', 'FaultWrapper',
        'RequestBodySizeLimiter'] + auth + ['APIRouter']
    assert _chain(api.app['/']) == [
        'CORS', 'HTTPProxyToWSGI', 'RequestId', 'FaultWrapper', 'Versions']


def test_healthcheck_answers_without_a_token(any_api):
    response = any_api('GET', '/healthcheck', token=None)
    assert response.status_int == 200
    assert any_api('HEAD', '/healthcheck', token=None).status_int == 204


def test_healthcheck_is_503_while_its_disable_file_exists(
        conf, database, tmp_path, monkeypatch):
    disable = tmp_path / 'healthcheck_disable'
    api = _load(conf, tmp_path, monkeypatch, 'keystone', more=(
        '[healthcheck]\nbackends = disable_by_file\n'
        'disable_by_file_path = %s\n' % disable))
    assert api('GET', '/healthcheck', token=None).status_int == 200
    disable.touch()
    response = api('GET', '/healthcheck', token=None)
    assert response.status_int == 503
    assert response.text == 'DISABLED BY FILE'


def test_a_body_over_the_limit_is_413_by_content_length_before_auth(
        any_api):
    response = any_api('POST', PLANS, b'{"plan": "%s"}' % (
        b'x' * BODY_LIMIT), token=None)
    message = _fault(response, 413)
    assert list(response.json) == ['overLimit']
    assert message == ('The request body is larger than [oslo_middleware] '
                       'max_request_body_size (%d bytes).' % BODY_LIMIT)


class EndlessBody(object):
    """A request body that never ends, counting what was read of it."""

    def __init__(self):
        self.bytes_read = 0

    def read(self, size=-1):
        size = READ_SIZE if size is None or size < 0 else size
        self.bytes_read += size
        return b' ' * size


def test_a_chunked_body_is_cut_at_the_limit_while_it_is_read(api):
    body = EndlessBody()
    response = api.stream(PLANS, body)
    assert 'max_request_body_size (%d bytes)' % BODY_LIMIT in _fault(
        response, 413)
    # One read past the limit at most: the rest is never asked for.
    assert BODY_LIMIT < body.bytes_read <= BODY_LIMIT + READ_SIZE


def test_a_chunked_body_under_the_limit_is_served(api):
    body = json.dumps({'plan': {
        'name': 'chunked', 'provider_id': fakes.NOOP,
        'resources': [{'id': 'demo', 'type': fakes.PROJECT_TYPE,
                       'name': 'demo'}]}}).encode()

    response = api.stream(PLANS, io.BytesIO(body))
    assert response.status_int == 200, response.text
    assert response.json['plan']['name'] == 'chunked'


@pytest.fixture
def server(api):
    """The pipeline behind karbor-api's HTTP server on a free port."""
    wsgi = service.WSGIService('karbor-api-test', api.app, '127.0.0.1', 0, 2)
    wsgi.start()
    host, port = wsgi.address[:2]
    connection = http_client.HTTPConnection(host, port, timeout=10)
    try:
        yield connection
    finally:
        connection.close()
        wsgi.stop()


def _post_headers(connection, extra):
    connection.putrequest('POST', PLANS)
    connection.putheader('X-Auth-Token', 'demo:demo')
    connection.putheader('Content-Type', 'application/json')
    for name, value in extra.items():
        connection.putheader(name, value)
    connection.endheaders()


def test_a_huge_content_length_is_refused_without_the_body_being_sent(
        server):
    # 1 TiB announced, not one byte of it sent: the answer cannot wait for
    # the body.
    _post_headers(server, {'Content-Length': str(2 ** 40)})
    response = server.getresponse()
    assert response.status == 413
    assert response.getheader('Content-Type') == 'application/json'
    assert 'max_request_body_size' in json.loads(
        response.read())['overLimit']['message']


def test_a_chunked_stream_is_answered_once_it_passes_the_limit(server):
    # The stream stays open (no last chunk): the answer comes because the
    # limit was passed, not because the body ended. The body is read in
    # pieces of 64 KiB, so one piece past the limit is enough.
    _post_headers(server, {'Transfer-Encoding': 'chunked'})
    chunk = b' ' * 8192
    for _ in range((BODY_LIMIT + READ_SIZE) // len(chunk) + 1):
        server.send(b'%x\r\n%s\r\n' % (len(chunk), chunk))
    response = server.getresponse()
    assert response.status == 413
    assert json.loads(response.read())['overLimit']['code'] == 413


def test_cors_preflight_is_answered_for_an_allowed_origin(any_api):
    response = any_api('OPTIONS', PLANS, token=None, Origin=DASHBOARD,
                       Access_Control_Request_Method='POST',
                       Access_Control_Request_Headers='X-Auth-Token, '
                                                      'Content-Type')
    assert response.status_int == 200
    assert response.headers['Access-Control-Allow-Origin'] == DASHBOARD
    assert response.headers['Access-Control-Allow-Methods'] == 'POST'
    assert response.headers['Access-Control-Allow-Headers'] == \
        'X-Auth-Token,Content-Type'


def test_cors_leaves_other_origins_without_permission(api):
    response = api('OPTIONS', PLANS, token=None,
                   Origin='https://elsewhere.example.com',
                   Access_Control_Request_Method='POST')
    assert 'Access-Control-Allow-Origin' not in response.headers


def test_a_browser_may_read_the_request_id_of_an_answer(api):
    response = api('GET', PLANS, Origin=DASHBOARD)
    assert response.headers['Access-Control-Allow-Origin'] == DASHBOARD
    exposed = response.headers['Access-Control-Expose-Headers'].split(',')
    assert 'X-OpenStack-Request-ID' in exposed


def _create_plans(api, count):
    for index in range(count):
        response = api('POST', PLANS, {'plan': {
            'name': 'p%d' % index, 'provider_id': fakes.NOOP,
            'resources': [{'id': 'demo', 'type': fakes.PROJECT_TYPE,
                           'name': 'demo'}]}})
        assert response.status_int == 200, response.text


PROXIED = {'X_Forwarded_Proto': 'https',
           'X_Forwarded_Host': 'karbor.example.com',
           'X_Forwarded_Prefix': '/data-protect'}
PUBLIC_V1 = 'https://karbor.example.com/data-protect/v1/'


def test_behind_a_tls_proxy_every_link_is_the_proxys(api):
    versions = api('GET', '/', token=None, **PROXIED).json['versions']
    assert versions[0]['links'] == [{'rel': 'self', 'href': PUBLIC_V1}]
    version = api('GET', '/v1/', **PROXIED).json['version']
    assert version['links'] == [{'rel': 'self', 'href': PUBLIC_V1}]
    _create_plans(api, 3)
    page = api('GET', PLANS + '?limit=2', **PROXIED).json
    (link,) = page['plans_links']
    assert link['href'].startswith(PUBLIC_V1 + 'demo/plans?')


def test_proxy_headers_are_ignored_unless_parsing_is_enabled(
        conf, database, tmp_path, monkeypatch):
    api = _load(conf, tmp_path, monkeypatch, 'noauth', proxy=False)
    versions = api('GET', '/', token=None, **PROXIED).json['versions']
    assert versions[0]['links'][0]['href'] == 'http://localhost/v1/'
    _create_plans(api, 3)
    (link,) = api('GET', PLANS + '?limit=2', **PROXIED).json['plans_links']
    assert link['href'].startswith('http://localhost/v1/demo/plans?')


def test_every_answer_carries_a_request_id(any_api):
    for response in (any_api('GET', '/', token=None),
                     any_api('GET', '/v1/', token=None),
                     any_api('GET', PLANS, token=None),
                     any_api('POST', PLANS, b' ' * (BODY_LIMIT + 1))):
        assert REQUEST_ID.match(
            response.headers['X-OpenStack-Request-Id']), response.headers


def _checkpoint(api, **headers):
    _create_plans(api, 1)
    plan_id = api('GET', PLANS).json['plans'][0]['id']
    return api('POST', '/v1/demo/providers/%s/checkpoints' % fakes.NOOP,
               {'checkpoint': {'plan_id': plan_id}}, **headers)


def test_the_context_carries_the_request_id_and_the_callers_global_one(
        api):
    global_id = 'req-%s' % uuid.uuid4()
    response = _checkpoint(api, X_OpenStack_Request_ID=global_id)
    assert response.status_int == 200, response.text
    (ctxt,) = api.protection.contexts
    assert ctxt.request_id == response.headers['X-OpenStack-Request-Id']
    assert ctxt.request_id != global_id
    assert ctxt.global_request_id == global_id
    # Both cross RPC to karbor-protection with the rest of the context.
    serializer = rpc.RequestContextSerializer()
    received = serializer.deserialize_context(
        serializer.serialize_context(ctxt))
    assert (received.request_id, received.global_request_id) == (
        ctxt.request_id, global_id)


def test_a_malformed_global_request_id_is_ignored(api):
    response = _checkpoint(api, X_OpenStack_Request_ID='<script>')
    assert response.status_int == 200, response.text
    (ctxt,) = api.protection.contexts
    assert ctxt.global_request_id is None
