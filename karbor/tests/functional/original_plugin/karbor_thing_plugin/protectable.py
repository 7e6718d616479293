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

import os

from karbor.common import constants
from karbor import exception
from karbor import resource
from karbor.services.protection import protectable_plugin

import karbor_thing_plugin


class ThingProtectablePlugin(protectable_plugin.ProtectablePlugin):
    _SUPPORT_RESOURCE_TYPE = karbor_thing_plugin.THING_TYPE

    def __init__(self, context=None, conf=None):
        super(ThingProtectablePlugin, self).__init__(context, conf)

    def get_resource_type(self):
        return self._SUPPORT_RESOURCE_TYPE

    def get_parent_resource_types(self):
        return (constants.PROJECT_RESOURCE_TYPE, )

    def _resource(self, thing_id):
        try:
            thing = karbor_thing_plugin.read_thing(thing_id)
        except (IOError, ValueError) as e:
            raise exception.ProtectableResourceNotFound(
                id=thing_id, type=self._SUPPORT_RESOURCE_TYPE,
                reason=str(e))
        return resource.Resource(type=self._SUPPORT_RESOURCE_TYPE,
                                 id=thing_id, name=thing['name'],
                                 extra_info={'size': len(thing['data'])})

    def list_resources(self, context, parameters=None):
        try:
            names = sorted(os.listdir(karbor_thing_plugin.things_dir()))
        except OSError as e:
            raise exception.ListProtectableResourceFailed(
                type=self._SUPPORT_RESOURCE_TYPE, reason=str(e))
        return [self._resource(name[:-len('.json')]) for name in names
                if name.endswith('.json')]

    def show_resource(self, context, resource_id, parameters=None):
        return self._resource(resource_id)

    def get_dependent_resources(self, context, parent_resource):
        return self.list_resources(context)
