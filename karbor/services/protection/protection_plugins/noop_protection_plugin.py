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

"""The No-Op protection plugin: protects every type, doing nothing.

It exercises the whole machine (providers, bank, checkpoints, flows,
restores) without touching a cloud, for tests and first runs. Its hooks
give the same result however often they run.
"""

from karbor.services.protection import protectable_registry
from karbor.services.protection import protection_plugin
from karbor.services.protection import protection_plugins as plugins

RESTORED = plugins.AVAILABLE


class _NoopRestore(protection_plugin.Operation):
    """Reports the resource restored, under its original id."""

    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        kwargs['restore'].update_resource_status(resource.type, resource.id,
                                                 RESTORED)


class NoopProtectionPlugin(protection_plugin.ProtectionPlugin):
    """Protection plugin ``karbor-noop-protection-plugin``."""

    def get_protect_operation(self, resource):
        return protection_plugin.Operation()

    def get_restore_operation(self, resource):
        return _NoopRestore()

    def get_delete_operation(self, resource):
        return protection_plugin.Operation()

    @classmethod
    def get_supported_resources_types(cls):
        return protectable_registry.known_resource_types()

    @classmethod
    def get_options_schema(cls, resource_type):
        return protection_plugin.EMPTY_SCHEMA

    @classmethod
    def get_restore_schema(cls, resource_type):
        return protection_plugin.EMPTY_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return protection_plugin.EMPTY_SCHEMA
