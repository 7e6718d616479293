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

"""OS::Cinder::Volume: volumes, dependents of projects and of the servers
they are attached to."""

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.clients import cinder
from karbor.services.protection.clients import session
from karbor.services.protection import protectable_plugin
from karbor.services.protection.protectable_plugins import project
from karbor.services.protection.protectable_plugins import server

RESOURCE_TYPE = 'OS::Cinder::Volume'


def _resource(volume):
    zone = getattr(volume, 'availability_zone', None)
    return protectable_plugin.Resource(
        RESOURCE_TYPE, volume.id, volume.name or '',
        {'availability_zone': zone} if zone else None)


class VolumeProtectablePlugin(protectable_plugin.ProtectablePlugin):
    """Cinder volumes."""

    @classmethod
    def get_resource_type(cls):
        return RESOURCE_TYPE

    @classmethod
    def get_parent_resource_types(cls):
        return (project.RESOURCE_TYPE, server.RESOURCE_TYPE)

    def list_resources(self, context, parameters=None):
        with session.service_errors(cinder.SERVICE_TITLE, cinder.ClientError):
            volumes = cinder.create(context).volumes.list(detailed=True)
        return [_resource(volume) for volume in volumes]

    def show_resource(self, context, resource_id, parameters=None):
        with session.service_errors(cinder.SERVICE_TITLE, cinder.ClientError):
            try:
                volume = cinder.create(context).volumes.get(resource_id)
            except cinder.NotFound:
                raise exception.ProtectableResourceNotFound(
                    resource_type=RESOURCE_TYPE, resource_id=resource_id,
                    reason=_('Cinder has no such volume'))
        return _resource(volume)

    def get_dependent_resources(self, context, parent_resource):
        if parent_resource.type == server.RESOURCE_TYPE:
            return self._attached_volumes(context, parent_resource.id)
        return self._project_volumes(context, parent_resource.id)

    def _project_volumes(self, context, project_id):
        search_opts = (None if project_id == context.project_id else
                       {'all_tenants': True, 'project_id': project_id})
        with session.service_errors(cinder.SERVICE_TITLE, cinder.ClientError):
            volumes = cinder.create(context).volumes.list(
                detailed=True, search_opts=search_opts)
        return [_resource(volume) for volume in volumes
                if getattr(volume, 'os-vol-tenant-attr:tenant_id',
                           project_id) == project_id]

    def _attached_volumes(self, context, server_id):
        found = server.get_server(context, server_id)
        if found is None:
            return []
        attachments = getattr(found, 'os-extended-volumes:volumes_attached',
                              [])
        volumes = []
        with session.service_errors(cinder.SERVICE_TITLE, cinder.ClientError):
            client = cinder.create(context)
            for attachment in attachments:
                try:
                    volumes.append(_resource(client.volumes.get(
                        attachment['id'])))
                except cinder.NotFound:
                    continue  # detached and deleted meanwhile
        return volumes
