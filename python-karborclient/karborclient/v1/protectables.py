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

import copy

from karborclient.common import base


class Protectable(base.Resource):
    pass


class ProtectableTypeName(str):
    """A protectable type's name, as ``protectables.list()`` returns it.

    It is the name itself (``'OS::Nova::Server'``) and also reads as
    python-karborclient 2.1.0's resource (``.protectable_type``,
    ``to_dict()``, ``_info``), so that callers of either kind work.
    """

    def __new__(cls, name, manager=None):
        self = super().__new__(cls, name)
        self.manager = manager
        self._info = {'protectable_type': name}
        return self

    @property
    def protectable_type(self):
        return str(self)

    def to_dict(self):
        return copy.deepcopy(self._info)


class Instance(base.Resource):
    pass


def _parameters_query(parameters, search_opts):
    """Instance parameters (a region name, credentials of a backup
    appliance) as the server takes them: ``parameters.<key>=<value>``.

    python-karborclient 2.1.0 put them in ``search_opts['parameters']``
    and sent the dict's Python text as one value, which Karbor cannot read.
    """
    given = dict((search_opts or {}).get('parameters') or {})
    given.update(parameters or {})
    return {'parameters.%s' % key: '' if value is None else value
            for key, value in given.items()}


def _without_parameters(search_opts):
    return {key: value for key, value in (search_opts or {}).items()
            if key != 'parameters'}


class ProtectableManager(base.Manager):
    resource_class = Protectable

    def list(self):
        """The protectable resource types, as ProtectableTypeName."""
        return [ProtectableTypeName(name, self) for name in
                self._json('GET', '/protectables')['protectable_type']]

    def get(self, protectable_type, session_id=None):
        return self._get(base.path('protectables', protectable_type),
                         'protectable_type', session_id=session_id)

    def list_instances(self, protectable_type, search_opts=None, marker=None,
                       limit=None, sort_key=None, sort_dir=None, sort=None,
                       parameters=None, **filters):
        """List the instances of a type; filters (``search_opts`` or keyword
        arguments): ``type``, ``name``; the plugin's ``parameters`` as a
        dict, or in ``search_opts['parameters']``."""
        query = base.query_filters(_without_parameters(search_opts), filters)
        query.update(_parameters_query(parameters, search_opts))
        url = base.path('protectables', protectable_type, 'instances')
        return self._list(url, 'instances', marker, limit, sort, query,
                          resource_class=Instance, sort_key=sort_key,
                          sort_dir=sort_dir)

    def get_instance(self, protectable_type=None, instance_id=None,
                     search_opts=None, session_id=None, parameters=None,
                     type=None, id=None):
        """One instance; ``type`` and ``id`` are 2.1.0's names for
        ``protectable_type`` and ``instance_id``, and its
        ``search_opts={'parameters': {...}}`` is taken beside
        ``parameters``."""
        url = base.path(
            'protectables',
            base.pick('protectable_type', protectable_type, 'type', type),
            'instances',
            base.pick('instance_id', instance_id, 'id', id))
        return self._get(url, 'instance',
                         params=_parameters_query(parameters, search_opts),
                         resource_class=Instance, session_id=session_id)
