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

"""Every option Karbor registers, for oslo-config-generator."""

import itertools

from oslo_service import service

from karbor.common import config
from karbor.common import trusts
from karbor import quota
from karbor.services.operationengine import client as engine_client
from karbor.services.operationengine import executors
from karbor.services.operationengine import triggers
from karbor.services.protection.clients import cinder
from karbor.services.protection.clients import glance
from karbor.services.protection.clients import keystone
from karbor.services.protection.clients import nova
from karbor.services.protection.clients import session

# The options of oslo.service's launchers that Karbor's launcher honours
# (karbor/service.py); oslo.service's eventlet backdoor ones do not apply.
OSLO_SERVICE_OPTS = ('graceful_shutdown_timeout', 'log_options')


def _oslo_service_opts():
    ((_group, opts),) = service.list_opts()
    return [opt for opt in opts if opt.name in OSLO_SERVICE_OPTS]


def list_opts():
    """karbor.conf's options. Provider files (providers.d/*.conf) have
    their own: [provider] and each plugin's section, documented in
    doc/source/configuration/index.rst."""
    return [
        ('DEFAULT', itertools.chain(config.api_opts, config.service_opts,
                                    triggers.time_trigger_opts,
                                    quota.quota_opts,
                                    _oslo_service_opts())),
        ('nova_client', nova.nova_client_opts),
        ('cinder_client', cinder.cinder_client_opts),
        ('glance_client', glance.glance_client_opts),
        ('keystone_client', keystone.keystone_client_opts),
        (session.SERVICE_USER_GROUP, session.list_service_user_opts()),
        (trusts.GROUP, trusts.list_opts()),
        (executors.GROUP, executors.executor_opts),
        (engine_client.GROUP, engine_client.karbor_client_opts),
    ]
