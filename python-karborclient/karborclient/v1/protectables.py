#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Protectables: the resource types Karbor can protect and their instances."""

from karborclient.common import base


class Protectable(base.Resource):
    pass


class Instance(base.Resource):
    pass


def _parameters_query(parameters):
    # Protectable plugins may need extra inputs (a region name, credentials
    # of a backup appliance); each travels as parameters.<key>=<value>.
    return {'parameters.%s' % key: '' if value is None else value
            for key, value in (parameters or {}).items()}


class ProtectableManager(base.Manager):
    resource_class = Protectable

    def list(self):
        """Return the names of the protectable resource types."""
        return self._json('GET', '/protectables')['protectable_type']

    def get(self, protectable_type):
        return self._get(base.path('protectables', protectable_type),
                         'protectable_type')

    def list_instances(self, protectable_type, marker=None, limit=None,
                       sort=None, parameters=None, **filters):
        """List the instances of a type; filters: ``type``, ``name``."""
        filters.update(_parameters_query(parameters))
        url = base.path('protectables', protectable_type, 'instances')
        return self._list(url, 'instances', marker, limit, sort, filters,
                          resource_class=Instance)

    def get_instance(self, protectable_type, instance_id, parameters=None):
        url = base.path('protectables', protectable_type, 'instances',
                        instance_id)
        return self._get(url, 'instance', params=_parameters_query(parameters),
                         resource_class=Instance)
