#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Entry point of the library: ``Client`` and its resource managers."""

from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

import karborclient
from karborclient.common import http
from karborclient.v1 import checkpoints
from karborclient.v1 import operation_logs
from karborclient.v1 import plans
from karborclient.v1 import protectables
from karborclient.v1 import providers
from karborclient.v1 import quota_classes
from karborclient.v1 import quotas
from karborclient.v1 import restores
from karborclient.v1 import scheduled_operations
from karborclient.v1 import services
from karborclient.v1 import triggers
from karborclient.v1 import verifications

SERVICE_TYPE = 'data-protect'
# The newest API microversion this client knows; it asks for it unless
# told otherwise (the original Karbor ignores the request and answers 1.0).
API_VERSION = '1.2'


def _interface(interface):
    # python-karborclient 2.1.0 took catalog interfaces as "publicURL".
    if interface and interface.endswith('URL'):
        return interface[:-len('URL')]
    return interface or 'public'


class Client(object):
    """Client for the Karbor v1 API.

    Either pass a keystoneauth1 ``session`` (the endpoint is then found in
    the service catalog under ``service_type``, unless ``endpoint`` overrides
    it), or pass ``endpoint`` and ``token`` to talk to Karbor directly, e.g.
    ``Client(endpoint='http://127.0.0.1:8799/v1/demo', token='admin:demo')``
    for a Karbor running without Keystone.

    ``api_version`` is the microversion asked for (OpenStack-API-Version).
    Further keyword arguments go to :class:`keystoneauth1.adapter.Adapter`.

    python-karborclient 2.1.0's arguments are taken too: ``endpoint`` as the
    first positional argument, ``auth_token`` for ``token``,
    ``endpoint_type`` (``publicURL``...) for ``interface``, ``auth`` and
    ``service_name`` for the adapter; without a session, ``insecure``,
    ``cacert``, ``cert_file``, ``key_file`` and ``timeout`` for the session
    made for the token (with one, they are the session's own business).
    ``username``, ``password``, ``auth_url``, ``project_id``,
    ``include_pass`` and ``auth_plugin`` are accepted and unused, as they
    were beside a token: Karbor reads only the token.
    """

    def __init__(self, endpoint=None, session=None, token=None,
                 service_type=SERVICE_TYPE, interface=None,
                 region_name=None, api_version=API_VERSION, auth_token=None,
                 endpoint_type=None, insecure=False, cacert=None,
                 cert_file=None, key_file=None, timeout=None,
                 username=None, password=None, auth_url=None,
                 project_id=None, include_pass=None, auth_plugin=None,
                 **adapter_options):
        token = token or auth_token
        if session is None:
            if not (endpoint and token):
                raise ValueError('Client needs a keystoneauth1 session, or '
                                 'both an endpoint and a token')
            session = ks_session.Session(
                auth=token_endpoint.Token(endpoint, token),
                verify=False if insecure else (cacert or True),
                cert=(cert_file, key_file) if cert_file and key_file
                else cert_file,
                timeout=float(timeout) if timeout else None)
        self.http = http.SessionClient(
            session,
            service_type=service_type or SERVICE_TYPE,
            interface=_interface(interface or endpoint_type),
            region_name=region_name,
            endpoint_override=endpoint,
            client_name='karborclient',
            client_version=karborclient.__version__,
            additional_headers={'Accept': 'application/json'},
            default_microversion=api_version,
            **adapter_options)
        # python-karborclient 2.1.0's name for the same object.
        self.http_client = self.http
        self.providers = providers.ProviderManager(self.http)
        self.protectables = protectables.ProtectableManager(self.http)
        self.plans = plans.PlanManager(self.http)
        self.checkpoints = checkpoints.CheckpointManager(self.http)
        self.restores = restores.RestoreManager(self.http)
        self.verifications = verifications.VerificationManager(self.http)
        self.triggers = triggers.TriggerManager(self.http)
        self.scheduled_operations = (
            scheduled_operations.ScheduledOperationManager(self.http))
        self.operation_logs = operation_logs.OperationLogManager(self.http)
        self.services = services.ServiceManager(self.http)
        self.quotas = quotas.QuotaManager(self.http)
        self.quota_classes = quota_classes.QuotaClassManager(self.http)
