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

"""A protection plugin whose protect hooks log, as real plugins do, from
the TaskFlow threads that run them (see test_request_ids.py)."""

from oslo_log import log as logging

from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins import (
    noop_protection_plugin)

LOG = logging.getLogger(__name__)


class _LoggingProtect(protection_plugin.Operation):

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        LOG.info('Protect hook of %(type)s#%(id)s for checkpoint '
                 '%(checkpoint)s runs.',
                 {'type': resource.type, 'id': resource.id,
                  'checkpoint': checkpoint.id})


class HookLoggingProtectionPlugin(
        noop_protection_plugin.NoopProtectionPlugin):
    """Entry point karbor-hook-logging-plugin: the No-Op plugin, logging."""

    def get_protect_operation(self, resource):
        return _LoggingProtect()
