"""The smallest Neutron API nova needs, behind real keystonemiddleware authtoken.

No network agent can run here, so instead of Neutron this answers on the network endpoint:
the networks and subnets of the file $KARBOR_CLOUD_NETWORKS (written by
libexec/provision.py: devstack's `private` in project demo and the external `public`), listed
and shown to the projects that may see them (their owner, admins; external networks to
everyone), with Neutron's equality filters (?name=private); every GET of another collection
(/v2.0/ports, /v2.0/extensions, ...) is an empty list, anything else is 404. Nothing can be
attached to those networks: servers boot with ``networks='none'`` (compute microversion
>= 2.37), which is all nova then asks of Neutron. Version discovery (GET /) is open, like
real Neutron; everything else needs a valid Keystone token (401 without), so nova has to use
its [neutron] service user or the caller's token, as with a real Neutron. Each request is
logged with the user and project keystonemiddleware found in its token.

Usage: KARBOR_CLOUD_NEUTRON_PASSWORD=... KARBOR_CLOUD_NETWORKS=... \
       python karbor_cloud_fake_neutron.py HOST PORT KEYSTONE_URL
"""
import json
import logging
import os
import sys
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from keystonemiddleware import auth_token

_REASONS = {200: 'OK', 404: 'Not Found'}


def _json(start_response, status, body):
    payload = json.dumps(body).encode()
    start_response('%d %s' % (status, _REASONS[status]),
                   [('Content-Type', 'application/json'), ('Content-Length', str(len(payload)))])
    return [payload]


def _known(collection):
    """The networks or subnets of the networks file (read at each request: provision.py writes
    it after this server started); none when there is no file."""
    try:
        with open(os.environ['KARBOR_CLOUD_NETWORKS']) as f:
            return json.load(f).get(collection, [])
    except (KeyError, OSError, ValueError):
        return []


def _visible(environ, item):
    if 'admin' in (environ.get('HTTP_X_ROLES') or '').split(','):
        return True
    return (item.get('project_id') == environ.get('HTTP_X_PROJECT_ID') or item.get('shared') or
            item.get('router:external'))


def _matches(item, query):
    """Neutron's filters: each parameter names a field and the values it may have."""
    for field, values in query.items():
        if field in ('fields', 'limit', 'marker', 'sort_key', 'sort_dir') or field not in item:
            continue
        value = item[field]
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        if shown not in values:
            return False
    return True


def neutron(environ, start_response):
    """The API behind authtoken: the known networks and subnets, empty collections, 404 for
    the rest."""
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
    if method == 'GET' and len(parts) in (2, 3) and parts[0] == 'v2.0':
        collection = parts[1].replace('-', '_')
        items = [item for item in _known(collection) if _visible(environ, item)]
        if len(parts) == 3:
            found = [item for item in items if item['id'] == parts[2]]
            if found:
                return _json(start_response, 200, {collection[:-1]: found[0]})
        else:
            query = parse_qs(environ.get('QUERY_STRING', ''))
            return _json(start_response, 200,
                         {collection: [item for item in items if _matches(item, query)]})
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
