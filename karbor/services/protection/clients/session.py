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

"""keystoneauth1 sessions that act as the caller of a request.

karbor-api passes the caller's token and service catalog in the request
context; the clients of other OpenStack services use them through
:class:`RequestContextAuth`, a keystoneauth1 auth plugin. A service's URL
comes from its ``<service>_endpoint`` option when set, else from the
catalog entry its ``<service>_catalog_info`` names. Without either (the
embedded karbor-all has no cloud and no catalog) the service is reported
unavailable, a 503 with a message that says why.

Each service has its own option group, as in the original Karbor::

    [nova_client]
    region_id = RegionOne
    nova_endpoint = http://nova:8774/v2.1/%(project_id)s  (optional)
    nova_catalog_info = compute:nova:publicURL
    nova_ca_cert_file = ...
    nova_auth_insecure = false
    timeout = 60

Every request of a session waits at most ``timeout`` seconds for the
connection and then for each read of the answer, and carries the
context's global request id (``X-OpenStack-Request-ID``: the request's
``global_request_id`` when it came with one, else its ``request_id``), so
that the services' logs name the Karbor request they served.

Service tokens, as Nova and Cinder send them::

    [service_user]
    send_service_user_token = true
    auth_type = password
    auth_url = http://keystone:5000/v3
    username = karbor
    password = ...
    project_name = service
    user_domain_name = Default
    project_domain_name = Default

With ``send_service_user_token`` on, every request carries Karbor's own
token (``X-Service-Token``) beside the caller's (``X-Auth-Token``): a
service whose keystonemiddleware has ``service_token_roles_required =
true`` then accepts a caller's token that expired during a long
operation. The service user authenticates once per process, through a
session of its own ([service_user] timeout, cafile, insecure), and renews
its token before it expires.
"""

import contextlib
import threading

from keystoneauth1.access import service_catalog
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import plugin
from keystoneauth1 import service_token
from keystoneauth1 import session as ks_session
from oslo_config import cfg

from karbor import exception
from karbor.i18n import _

CONF = cfg.CONF

REQUEST_ID_HEADER = 'X-OpenStack-Request-ID'
# Seconds a call may wait for a connection, then for each read of the
# answer, unless a client group's "timeout" says otherwise.
DEFAULT_TIMEOUT = 60
IDENTITY_TITLE = 'Identity service (keystone)'


def client_opts(service, catalog_info, timeout=DEFAULT_TIMEOUT):
    """The options of one service's client group."""
    return [
        cfg.StrOpt('region_id',
                   help=_('Region of the %s endpoint in the catalog; any '
                          'region when unset.') % service),
        cfg.StrOpt('%s_endpoint' % service,
                   help=_('URL of the %s API, "%%(project_id)s" replaced '
                          'by the caller\'s project; when unset the URL '
                          'comes from the service catalog.') % service),
        cfg.StrOpt('%s_catalog_info' % service, default=catalog_info,
                   help=_('Where the %s endpoint is in the service catalog: '
                          '<service type>:<service name>:<endpoint type>; '
                          'an empty service name matches any.') % service),
        cfg.StrOpt('%s_ca_cert_file' % service,
                   help=_('CA certificates that sign the %s endpoint\'s '
                          'certificate.') % service),
        cfg.BoolOpt('%s_auth_insecure' % service, default=False,
                    help=_('Do not verify the %s endpoint\'s TLS '
                           'certificate.') % service),
        cfg.FloatOpt(
            'timeout', default=timeout, min=0.1,
            help=_('Seconds a request to %s may wait for the connection, '
                   'and then for each read or write (a long transfer is '
                   'not cut short while data keeps moving). A request that '
                   'waits longer fails, and so does the resource it was '
                   'for, with a reason that names the service and says it '
                   'timed out.') % service),
    ]


SERVICE_USER_GROUP = 'service_user'

service_user_opts = [
    cfg.BoolOpt('send_service_user_token', default=False,
                help=_('Send Karbor\'s own token (X-Service-Token, of the '
                       'user the other options of this section '
                       'authenticate) with the caller\'s on every request '
                       'Karbor makes on a caller\'s behalf. A service whose '
                       '[keystone_authtoken] has service_token_roles_'
                       'required = true accepts the caller\'s token after it '
                       'expired, when the service token is valid and its '
                       'user has the "service" role: so a checkpoint or a '
                       'restore that outlasts the caller\'s token goes '
                       'on.')),
]
# keystoneauth1's own session options (cafile, insecure, timeout...), with
# a timeout: Karbor makes no call without one.
service_user_session_opts = ks_loading.get_session_conf_options()
cfg.set_defaults(service_user_session_opts, timeout=DEFAULT_TIMEOUT)

CONF.register_opts(service_user_opts, group=SERVICE_USER_GROUP)
CONF.register_opts(service_user_session_opts, group=SERVICE_USER_GROUP)
ks_loading.register_auth_conf_options(CONF, SERVICE_USER_GROUP)


def list_service_user_opts():
    """[service_user]'s options, for the sample file: the password plugin's
    are those a deployment usually sets."""
    return (service_user_opts + service_user_session_opts +
            ks_loading.get_auth_common_conf_options() +
            ks_loading.get_auth_plugin_conf_options('password'))


def _parse_catalog(entries):
    if any('interface' in endpoint
           for entry in entries for endpoint in entry.get('endpoints', ())):
        return service_catalog.ServiceCatalogV3(entries)
    # keystonemiddleware passes the catalog in the v2 format.
    return service_catalog.ServiceCatalogV2(entries)


class RequestContextAuth(plugin.BaseAuthPlugin):
    """Authenticates as the request's caller: its token, its catalog."""

    def __init__(self, context):
        super().__init__()
        self._context = context
        self._catalog = _parse_catalog(context.service_catalog or [])

    def get_token(self, session):
        return self._context.auth_token

    def get_endpoint(self, session, service_type=None, interface=None,
                     region_name=None, service_name=None, **kwargs):
        if not service_type:
            return None
        urls = self._catalog.get_urls(service_type=service_type,
                                      interface=interface or 'public',
                                      region_name=region_name,
                                      service_name=service_name or None)
        return urls[0] if urls else None

    def get_user_id(self, session):
        return self._context.user_id

    def get_project_id(self, session):
        return self._context.project_id


class _ServiceUserAuth(plugin.BaseAuthPlugin):
    """Karbor's service user, the service-token half of a
    ServiceTokenAuthWrapper.

    Its token comes through its own session (the [service_user] options),
    whatever session the wrapper serves: that session keeps the token and
    renews it before it expires, for every client of the process.
    """

    def __init__(self, service_user_session):
        super().__init__()
        self._session = service_user_session

    def get_token(self, session):
        try:
            return self._session.get_token()
        except ks_exceptions.ClientException as exc:
            raise exception.ServiceUnavailable(
                service=IDENTITY_TITLE,
                reason=_('Karbor\'s service user ([%(group)s]) cannot get a '
                         'token: %(error)s') %
                {'group': SERVICE_USER_GROUP, 'error': exc})

    def invalidate(self):
        return self._session.invalidate()


_service_user = None
_service_user_lock = threading.Lock()


def _unloadable_service_user(service_title, problem):
    return exception.ServiceUnavailable(
        service=service_title,
        reason=_('[%(group)s] send_service_user_token is true but the '
                 'service user cannot be loaded: %(problem)s') %
        {'group': SERVICE_USER_GROUP, 'problem': problem})


def _service_user_auth(service_title):
    """The process's _ServiceUserAuth, made from [service_user] on first
    use."""
    global _service_user
    with _service_user_lock:
        if _service_user is None:
            try:
                auth = ks_loading.load_auth_from_conf_options(
                    CONF, SERVICE_USER_GROUP)
            except ks_exceptions.ClientException as exc:
                raise _unloadable_service_user(service_title, exc)
            if auth is None:
                raise _unloadable_service_user(service_title,
                                               _('auth_type is not set'))
            _service_user = _ServiceUserAuth(
                ks_loading.load_session_from_conf_options(
                    CONF, SERVICE_USER_GROUP, auth=auth))
        return _service_user


def make_session(context, group, service, service_title):
    """A session acting as the caller, and ``service``'s URL.

    ``group`` is the service's option group (see client_opts); raises
    ServiceUnavailable when the URL cannot be found. The session sends
    the context's global request id, waits at most ``timeout``, and adds
    Karbor's service token when [service_user] says so.
    """
    options = CONF[group]
    verify = (not options['%s_auth_insecure' % service] and
              (options['%s_ca_cert_file' % service] or True))
    auth = RequestContextAuth(context)
    session_auth = auth
    if CONF[SERVICE_USER_GROUP].send_service_user_token:
        session_auth = service_token.ServiceTokenAuthWrapper(
            user_auth=auth, service_auth=_service_user_auth(service_title))
    session = ks_session.Session(
        auth=session_auth, verify=verify, timeout=options.timeout,
        additional_headers={REQUEST_ID_HEADER: context.global_id})
    endpoint = options['%s_endpoint' % service]
    if endpoint:
        return session, endpoint % {'project_id': context.project_id}
    service_type, service_name, interface = (
        options['%s_catalog_info' % service].split(':'))
    url = auth.get_endpoint(session, service_type=service_type,
                            interface=interface,
                            region_name=options.region_id,
                            service_name=service_name)
    if not url:
        raise exception.ServiceUnavailable(
            service=service_title,
            reason=_('no %(type)s endpoint in the service catalog and no '
                     '[%(group)s] %(service)s_endpoint: karbor runs without '
                     'an OpenStack cloud, or the cloud has no such '
                     'service') % {'type': service_type, 'group': group,
                                   'service': service})
    return session, url


@contextlib.contextmanager
def service_errors(service_title, *client_errors):
    """Report a service that cannot be reached or that fails as
    ServiceUnavailable: connection failures, and ``client_errors`` (the
    client library's own HTTP errors)."""
    try:
        yield
    except (ks_exceptions.ConnectionError,) + client_errors as exc:
        raise exception.ServiceUnavailable(service=service_title, reason=exc)
