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

"""OS::Nova::Server: servers, which depend on their volumes and image."""

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.clients import nova
from karbor.services.protection.clients import session
from karbor.services.protection import protectable_plugin
from karbor.services.protection.protectable_plugins import project

RESOURCE_TYPE = 'OS::Nova::Server'


def _resource(server):
    zone = getattr(server, 'OS-EXT-AZ:availability_zone', None)
    return protectable_plugin.Resource(
        RESOURCE_TYPE, server.id, server.name,
        {'availability_zone': zone} if zone else None)


def get_server(context, server_id):
    """The server ``server_id``, or None when Nova does not know it."""
    with session.service_errors(nova.SERVICE_TITLE, nova.ClientError):
        try:
            return nova.create(context).servers.get(server_id)
        except nova.NotFound:
            return None


def list_project_servers(context, project_id):
    # Another project's servers need an admin token and all_tenants.
    search_opts = (None if project_id == context.project_id else
                   {'all_tenants': True, 'tenant_id': project_id})
    with session.service_errors(nova.SERVICE_TITLE, nova.ClientError):
        servers = nova.create(context).servers.list(detailed=True,
                                                    search_opts=search_opts)
    return [server for server in servers
            if getattr(server, 'tenant_id', project_id) == project_id]


class ServerProtectablePlugin(protectable_plugin.ProtectablePlugin):
    """Nova servers, dependents of their project."""

    @classmethod
    def get_resource_type(cls):
        return RESOURCE_TYPE

    @classmethod
    def get_parent_resource_types(cls):
        return (project.RESOURCE_TYPE,)

    def list_resources(self, context, parameters=None):
        with session.service_errors(nova.SERVICE_TITLE, nova.ClientError):
            servers = nova.create(context).servers.list(detailed=True)
        return [_resource(server) for server in servers]

    def show_resource(self, context, resource_id, parameters=None):
        server = get_server(context, resource_id)
        if server is None:
            raise exception.ProtectableResourceNotFound(
                resource_type=RESOURCE_TYPE, resource_id=resource_id,
                reason=_('Nova has no such server'))
        return _resource(server)

    def get_dependent_resources(self, context, parent_resource):
        return [_resource(server) for server in
                list_project_servers(context, parent_resource.id)]
