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

"""OS::Keystone::Project: a project and everything in it."""

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.clients import keystone
from karbor.services.protection.clients import session
from karbor.services.protection import protectable_plugin

RESOURCE_TYPE = 'OS::Keystone::Project'


class ProjectProtectablePlugin(protectable_plugin.ProtectablePlugin):
    """Projects. The caller's own project is known from the request alone,
    so it resolves without any cloud; another project only through
    Keystone.

    A project's dependents (its servers, volumes and images) come from
    the plugins of those types.
    """

    @classmethod
    def get_resource_type(cls):
        return RESOURCE_TYPE

    @classmethod
    def get_parent_resource_types(cls):
        return ()

    @staticmethod
    def _own_project(context):
        return protectable_plugin.Resource(
            RESOURCE_TYPE, context.project_id,
            context.project_name or context.project_id)

    def list_resources(self, context, parameters=None):
        return [self._own_project(context)] if context.project_id else []

    def show_resource(self, context, resource_id, parameters=None):
        if resource_id == context.project_id:
            return self._own_project(context)
        try:
            with session.service_errors(keystone.SERVICE_TITLE,
                                        keystone.ClientError):
                try:
                    project = keystone.create(context).projects.get(
                        resource_id)
                except keystone.NotFound:
                    raise exception.ProtectableResourceNotFound(
                        resource_type=RESOURCE_TYPE, resource_id=resource_id,
                        reason=_('Keystone has no such project'))
        except exception.ServiceUnavailable as exc:
            # Only Keystone can vouch for a project that is not the
            # caller's own.
            raise exception.ProtectableResourceNotFound(
                resource_type=RESOURCE_TYPE, resource_id=resource_id,
                reason=exc)
        return protectable_plugin.Resource(RESOURCE_TYPE, project.id,
                                           project.name)

    def get_dependent_resources(self, context, parent_resource):
        return []
