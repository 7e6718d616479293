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
"""

import contextlib

from keystoneauth1.access import service_catalog
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import plugin
from keystoneauth1 import session as ks_session
from oslo_config import cfg

from karbor import exception
from karbor.i18n import _

CONF = cfg.CONF

REQUEST_ID_HEADER = 'X-OpenStack-Request-ID'
# Seconds a call may wait for a connection, then for each read of the
# answer, unless a client group's "timeout" says otherwise.
DEFAULT_TIMEOUT = 60


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


def make_session(context, group, service, service_title):
    """A session acting as the caller, and ``service``'s URL.

    ``group`` is the service's option group (see client_opts); raises
    ServiceUnavailable when the URL cannot be found. The session sends
    the context's global request id and waits at most the group's
    ``timeout``.
    """
    options = CONF[group]
    verify = (not options['%s_auth_insecure' % service] and
              (options['%s_ca_cert_file' % service] or True))
    auth = RequestContextAuth(context)
    session = ks_session.Session(
        auth=auth, verify=verify, timeout=options.timeout,
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
