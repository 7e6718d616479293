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

"""The project protection plugin: what a project-wide plan needs.

A plan over an ``OS::Keystone::Project`` protects the project's servers,
volumes and images, its children in the resource graph, with their own
plugins. The project itself holds no data to copy: this plugin records
which project was protected and, on restore, reports it there again (the
restored children are created in the restoring project).
"""

from karbor.services.protection import protection_plugin
from karbor.services.protection import protection_plugins as plugins

RESOURCE_TYPE = 'OS::Keystone::Project'
RESTORED = plugins.AVAILABLE

SAVED_INFO_SCHEMA = {
    'type': 'object',
    'title': 'Project Protection Saved Info',
    'properties': {
        'id': {'type': 'string', 'title': 'Project id'},
        'name': {'type': 'string', 'title': 'Project name'},
    },
    'required': ['id'],
}


class _ProtectProject(protection_plugin.Operation):
    # Writes the same record however often it runs.
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        plugins.resource_section(checkpoint, resource).update_object(
            'metadata', {'id': resource.id, 'name': resource.name})


class _RestoreProject(protection_plugin.Operation):
    # Reports the same status however often it runs.
    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        kwargs['restore'].update_resource_status(resource.type, resource.id,
                                                 RESTORED)


class ProjectProtectionPlugin(protection_plugin.ProtectionPlugin):
    """Protection plugin ``karbor-project-protection-plugin``."""

    def get_protect_operation(self, resource):
        return _ProtectProject()

    def get_restore_operation(self, resource):
        return _RestoreProject()

    def get_copy_operation(self, resource):
        return plugins.CopySection()

    def get_delete_operation(self, resource):
        # Deleting the checkpoint removes the metadata with the rest.
        return protection_plugin.Operation()

    @classmethod
    def get_supported_resources_types(cls):
        return [RESOURCE_TYPE]

    @classmethod
    def get_options_schema(cls, resource_type):
        return protection_plugin.EMPTY_SCHEMA

    @classmethod
    def get_restore_schema(cls, resource_type):
        return protection_plugin.EMPTY_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return SAVED_INFO_SCHEMA

    @classmethod
    def get_saved_info(cls, metadata_store, resource):
        return metadata_store.get_object('metadata')
