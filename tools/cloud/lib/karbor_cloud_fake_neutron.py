"""The smallest Neutron API nova needs, behind real keystonemiddleware authtoken.

No network agent can run here, so instead of Neutron this answers on the network endpoint:
every GET of a collection (/v2.0/ports, /v2.0/networks, /v2.0/extensions, ...) is an empty
list, anything else is 404. That is all nova asks of Neutron for servers booted with
``networks='none'`` (compute microversion >= 2.37). Version discovery (GET /) is open, like
real Neutron; everything else needs a valid Keystone token (401 without), so nova has to use
its [neutron] service user or the caller's token, as with a real Neutron. Each request is
logged with the user and project keystonemiddleware found in its token.

Usage: KARBOR_CLOUD_NEUTRON_PASSWORD=... python karbor_cloud_fake_neutron.py HOST PORT KEYSTONE_URL
"""
import json
import logging
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from keystonemiddleware import auth_token

_REASONS = {200: 'OK', 404: 'Not Found'}


def _json(start_response, status, body):
    payload = json.dumps(body).encode()
    start_response('%d %s' % (status, _REASONS[status]),
                   [('Content-Type', 'application/json'), ('Content-Length', str(len(payload)))])
    return [payload]


def neutron(environ, start_response):
    """The API behind authtoken: empty collections, 404 for the rest."""
    method = environ['REQUEST_METHOD']
    path = environ.get('PATH_INFO', '/').rstrip('/')
    if path.endswith('.json'):
        path = path[:-len('.json')]
    length = int(environ.get('CONTENT_LENGTH') or 0)
    if length:
        environ['wsgi.input'].read(length)  # drain the body, the connection stays usable
    print('%s %s user=%s project=%s roles=%s' % (
        method, environ.get('PATH_INFO'), environ.get('HTTP_X_USER_NAME'),
        environ.get('HTTP_X_PROJECT_NAME'), environ.get('HTTP_X_ROLES')), flush=True)
    parts = [p for p in path.split('/') if p]
    if method == 'GET' and parts == ['v2.0']:
        return _json(start_response, 200, {'resources': []})
    if method == 'GET' and len(parts) == 2 and parts[0] == 'v2.0':
        return _json(start_response, 200, {parts[1].replace('-', '_'): []})
    return _json(start_response, 404, {'NeutronError': {
        'type': 'NotFound', 'detail': '',
        'message': 'karbor-cloud fake neutron has no %s %s' % (method, path)}})


def with_open_discovery(protected):
    """GET / lists the API versions without a token, as real Neutron does."""
    def app(environ, start_response):
        if environ['REQUEST_METHOD'] == 'GET' and environ.get('PATH_INFO', '/').rstrip('/') == '':
            here = 'http://%s' % environ.get('HTTP_HOST', 'localhost')
            return _json(start_response, 200, {'versions': [{
                'id': 'v2.0', 'status': 'CURRENT',
                'links': [{'rel': 'self', 'href': here + '/v2.0/'}]}]})
        return protected(environ, start_response)
    return app


class _ThreadedServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _NoAccessLog(WSGIRequestHandler):
    def log_message(self, *args):
        pass  # neutron() prints one line per request, with the token's user


def main():
    host, port, keystone_url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    logging.basicConfig(level=logging.WARNING)
    protected = auth_token.AuthProtocol(neutron, {
        'www_authenticate_uri': keystone_url, 'auth_url': keystone_url,
        'auth_type': 'password', 'username': 'neutron',
        'password': os.environ['KARBOR_CLOUD_NEUTRON_PASSWORD'],
        'project_name': 'service', 'user_domain_id': 'default', 'project_domain_id': 'default',
        'service_token_roles_required': 'true', 'service_type': 'network'})
    make_server(host, port, with_open_discovery(protected), server_class=_ThreadedServer,
                handler_class=_NoAccessLog).serve_forever()


if __name__ == '__main__':
    main()
