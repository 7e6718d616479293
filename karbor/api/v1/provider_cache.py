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

"""The providers' descriptions that karbor-api checks requests against.

A plan create or update, a restore and a verification check their input
against the provider's schemas. Providers change only when an operator
changes karbor-protection's provider files and restarts it, so karbor-api
keeps each description for [DEFAULT] provider_cache_time seconds instead
of asking karbor-protection (an RPC round trip) for every request. An
unknown provider is not kept: it is asked for again, so a new provider
is found at once.
"""

import threading
import time

from oslo_config import cfg

CONF = cfg.CONF
CONF.import_opt('provider_cache_time', 'karbor.common.config')


class ProviderCache(object):

    def __init__(self, protection_api):
        self._protection_api = protection_api
        self._lock = threading.Lock()
        self._held = {}

    def show_provider(self, context, provider_id):
        """The provider's description, as karbor-protection's
        show_provider answers it (ProviderNotFound when it has none)."""
        now = time.monotonic()
        with self._lock:
            held = self._held.get(provider_id)
        if held is not None and held[0] > now:
            return held[1]
        provider = self._protection_api.show_provider(context, provider_id)
        with self._lock:
            self._held[provider_id] = (now + CONF.provider_cache_time,
                                       provider)
        return provider
