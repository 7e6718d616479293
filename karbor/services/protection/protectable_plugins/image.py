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

"""OS::Glance::Image: images, dependents of the project that owns them and
of the servers booted from them."""

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.clients import glance
from karbor.services.protection.clients import session
from karbor.services.protection import protectable_plugin
from karbor.services.protection.protectable_plugins import project
from karbor.services.protection.protectable_plugins import server

RESOURCE_TYPE = 'OS::Glance::Image'


def _resource(image):
    return protectable_plugin.Resource(RESOURCE_TYPE, image['id'],
                                       image.get('name') or '')


class ImageProtectablePlugin(protectable_plugin.ProtectablePlugin):
    """Glance images."""

    @classmethod
    def get_resource_type(cls):
        return RESOURCE_TYPE

    @classmethod
    def get_parent_resource_types(cls):
        return (project.RESOURCE_TYPE, server.RESOURCE_TYPE)

    def _images(self, context, filters=None):
        with session.service_errors(glance.SERVICE_TITLE, glance.ClientError,
                                    *glance.ConnectionErrors):
            # The listing is paged lazily: read it inside the guard.
            return list(glance.create(context).images.list(
                filters=filters or {}))

    def list_resources(self, context, parameters=None):
        return [_resource(image) for image in self._images(context)]

    def _get(self, context, image_id):
        with session.service_errors(glance.SERVICE_TITLE, glance.ClientError,
                                    *glance.ConnectionErrors):
            try:
                return glance.create(context).images.get(image_id)
            except glance.NotFound:
                return None

    def show_resource(self, context, resource_id, parameters=None):
        image = self._get(context, resource_id)
        if image is None:
            raise exception.ProtectableResourceNotFound(
                resource_type=RESOURCE_TYPE, resource_id=resource_id,
                reason=_('Glance has no such image'))
        return _resource(image)

    def get_dependent_resources(self, context, parent_resource):
        if parent_resource.type == server.RESOURCE_TYPE:
            return self._boot_image(context, parent_resource.id)
        owner = parent_resource.id
        return [_resource(image)
                for image in self._images(context, {'owner': owner})
                if image.get('owner') == owner]

    def _boot_image(self, context, server_id):
        found = server.get_server(context, server_id)
        # A server booted from a volume has no image ('' in Nova's answer).
        image_id = (found.image or {}).get('id') if found else None
        if not image_id:
            return []
        image = self._get(context, image_id)
        return [_resource(image)] if image is not None else []
