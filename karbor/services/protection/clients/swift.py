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

"""Swift as Karbor's own account uses it (the Swift bank).

Unlike the other clients, which act as the request's caller, the bank
keeps every project's checkpoints in one account of its own, named in the
``[swift_client]`` section of the provider file::

    [swift_client]
    swift_auth_url = http://keystone:5000/v3
    swift_auth_version = 3
    swift_user = karbor
    swift_key = <password>
    swift_tenant_name = service
    swift_user_domain_name = Default          (the default)
    swift_project_domain_name = Default       (the default)
    region_id = RegionOne                     (optional)
    swift_endpoint = http://swift:8080/v1/AUTH_%(project_id)s   (optional)
    swift_catalog_info = object-store:swift:publicURL          (the default)
    swift_ca_cert_file = ...                  (optional)
    swift_auth_insecure = false
    timeout = 120                             (the default)

One keystoneauth1 password session authenticates the account (and
re-authenticates before its token expires); python-swiftclient Connections
built on it talk to Swift. A Connection serves one request at a time, so
:class:`SwiftAccount` hands out one per concurrent user (see
``connection()``). Every request, to Keystone or to Swift, waits at most
``timeout`` seconds for the connection and then for each read or write.
Requests to Swift name the Karbor request they serve (see
request_headers).
"""

import contextlib
import threading

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1.identity import v2
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
from oslo_config import cfg
from oslo_context import context as oslo_context
from swiftclient import client as swift_client
from swiftclient import exceptions as swift_exceptions

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.clients import session

GROUP = 'swift_client'
SERVICE_TITLE = 'Object storage (swift)'

ClientError = swift_exceptions.ClientException

# How often a Connection retries a request that can be repeated.
RETRIES = 5
# Default of [swift_client] timeout, longer than the other services': the
# answer to an upload's last write waits for Swift to store the object.
TIMEOUT = 120
# Idle Connections kept for reuse; more are made when more threads use
# the account at once, and closed when given back beyond this.
IDLE_CONNECTIONS = 8

swift_client_opts = [
    cfg.StrOpt('swift_auth_url',
               help=_('Keystone URL of the account that holds the bank, '
                      'e.g. http://keystone:5000/v3.')),
    cfg.StrOpt('swift_auth_version', default='3',
               help=_('Keystone API version of swift_auth_url: 3, or 2 '
                      'for an old Keystone.')),
    cfg.StrOpt('swift_user',
               help=_('User of the account that holds the bank.')),
    cfg.StrOpt('swift_key', secret=True,
               help=_('Password of swift_user.')),
    cfg.StrOpt('swift_tenant_name',
               help=_('Project (tenant) of the account that holds the '
                      'bank.')),
    cfg.StrOpt('swift_user_domain_name', default='Default',
               help=_('Domain of swift_user (Keystone v3).')),
    cfg.StrOpt('swift_project_domain_name', default='Default',
               help=_('Domain of swift_tenant_name (Keystone v3).')),
] + session.client_opts('swift', 'object-store:swift:publicURL',
                        timeout=TIMEOUT)


def register_opts(config):
    """Register the [swift_client] options on a provider's ConfigOpts."""
    config.register_opts(swift_client_opts, group=GROUP)


def request_headers(headers=None):
    """``headers`` with those that name the Karbor request a Swift request
    serves, the global id of the thread's current request context:
    X-OpenStack-Request-ID, as to the other services, and
    X-Trans-Id-Extra, which Swift's proxy appends (its first 32
    characters) to the transaction id it logs."""
    headers = dict(headers or {})
    context = oslo_context.get_current()
    if context is not None and context.global_id:
        headers[session.REQUEST_ID_HEADER] = context.global_id
        headers['X-Trans-Id-Extra'] = context.global_id
    return headers


class SwiftConfigError(exception.BankError):
    message = _('[%(group)s] of the provider file: %(reason)s')


def _auth_plugin(options):
    missing = [name for name in ('swift_auth_url', 'swift_user', 'swift_key',
                                 'swift_tenant_name') if not options[name]]
    if missing:
        raise SwiftConfigError(group=GROUP,
                               reason=_('%s must be set') %
                               ', '.join(missing))
    version = str(options.swift_auth_version).strip().lower().lstrip('v')
    if version.startswith('3'):
        return v3.Password(
            auth_url=options.swift_auth_url, username=options.swift_user,
            password=options.swift_key,
            project_name=options.swift_tenant_name,
            user_domain_name=options.swift_user_domain_name,
            project_domain_name=options.swift_project_domain_name)
    if version.startswith('2'):
        return v2.Password(
            auth_url=options.swift_auth_url, username=options.swift_user,
            password=options.swift_key,
            tenant_name=options.swift_tenant_name)
    raise SwiftConfigError(
        group=GROUP, reason=_('swift_auth_version %s is not supported (use '
                              '3, or 2)') % options.swift_auth_version)


class SwiftAccount(object):
    """The bank's Swift account: a session, and Connections on it.

    Built from the [swift_client] options of a provider's ConfigOpts (see
    register_opts). Nothing is sent to Keystone or Swift until the first
    request.
    """

    def __init__(self, options):
        self._options = options
        self._verify = (not options.swift_auth_insecure and
                        (options.swift_ca_cert_file or True))
        self.session = ks_session.Session(auth=_auth_plugin(options),
                                          verify=self._verify,
                                          timeout=options.timeout)
        self._storage_url = None
        self._lock = threading.Lock()
        self._idle = []

    @property
    def storage_url(self):
        """The account's URL: swift_endpoint, else from the catalog."""
        if self._storage_url is None:
            self._storage_url = self._find_storage_url()
        return self._storage_url

    def _find_storage_url(self):
        options = self._options
        try:
            if options.swift_endpoint:
                return options.swift_endpoint % {
                    'project_id': self.session.get_project_id()}
            service_type, service_name, interface = (
                options.swift_catalog_info.split(':'))
            url = self.session.get_endpoint(
                service_type=service_type, service_name=service_name or None,
                interface=interface, region_name=options.region_id)
        except ks_exceptions.Unauthorized as exc:
            raise SwiftConfigError(
                group=GROUP, reason=_('Keystone refused %(user)s in project '
                                      '%(project)s: %(error)s') %
                {'user': options.swift_user,
                 'project': options.swift_tenant_name, 'error': exc})
        except ks_exceptions.ClientException as exc:
            raise exception.ServiceUnavailable(
                service=SERVICE_TITLE,
                reason=_('cannot authenticate at %(url)s: %(error)s') %
                {'url': options.swift_auth_url, 'error': exc})
        if not url:
            raise SwiftConfigError(
                group=GROUP, reason=_('the catalog of %(user)s has no '
                                      '%(info)s endpoint%(region)s and '
                                      'swift_endpoint is not set') %
                {'user': options.swift_user,
                 'info': options.swift_catalog_info,
                 'region': (_(' in region %s') % options.region_id
                            if options.region_id else '')})
        return url

    def _new_connection(self):
        return swift_client.Connection(
            session=self.session,
            os_options={'object_storage_url': self.storage_url},
            cacert=self._options.swift_ca_cert_file,
            insecure=self._options.swift_auth_insecure,
            retries=RETRIES, starting_backoff=0.5, max_backoff=8,
            timeout=self._options.timeout)

    @contextlib.contextmanager
    def connection(self):
        """A Connection for this thread's request(s), given back after.

        It carries the session's current token (renewed by the session
        before it expires), so that a long upload, which cannot be
        repeated, does not start with a token about to be refused. A
        Connection that failed for another reason than an HTTP answer is
        closed, not reused.
        """
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = self._new_connection()
        try:
            connection.url = self.storage_url
            connection.token = self.session.get_token()
            yield connection
        except ClientError as exc:
            if exc.http_status is None:
                connection.close()
            self._give_back(connection)
            raise
        except BaseException:
            connection.close()
            self._give_back(connection)
            raise
        else:
            self._give_back(connection)

    def _give_back(self, connection):
        with self._lock:
            if len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()
