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

"""The protectable plugins, by resource type, and the resource graphs
built through them."""

from oslo_log import log as logging
from stevedore import extension

from karbor import exception
from karbor.services.protection import graph

LOG = logging.getLogger(__name__)

NAMESPACE = 'karbor.protectables'


def _log_load_failure(manager, entry_point, error):
    LOG.error('Protectable plugin %(name)s (%(target)s) could not be '
              'loaded and is ignored: %(error)s',
              {'name': entry_point.name, 'target': entry_point.value,
               'error': error})


def _plugins():
    manager = extension.ExtensionManager(
        NAMESPACE, invoke_on_load=True,
        on_load_failure_callback=_log_load_failure)
    return [ext.obj for ext in manager]


def known_resource_types():
    """Every resource type an installed protectable plugin knows."""
    return sorted(plugin.get_resource_type() for plugin in _plugins())


class ProtectableRegistry(object):

    def __init__(self):
        self._plugins = {}

    def load_plugins(self):
        for plugin in _plugins():
            self._plugins[plugin.get_resource_type()] = plugin

    def list_resource_types(self):
        return sorted(self._plugins)

    def _plugin(self, resource_type):
        try:
            return self._plugins[resource_type]
        except KeyError:
            raise exception.ProtectableTypeNotFound(
                protectable_type=resource_type)

    def show_resource_type(self, resource_type):
        self._plugin(resource_type)
        return {'name': resource_type,
                'dependent_types': sorted(
                    child_type
                    for child_type, plugin in self._plugins.items()
                    if resource_type in plugin.get_parent_resource_types())}

    def list_resources(self, context, resource_type, parameters=None):
        return self._plugin(resource_type).list_resources(
            context, parameters=parameters)

    def show_resource(self, context, resource_type, resource_id,
                      parameters=None):
        return self._plugin(resource_type).show_resource(
            context, resource_id, parameters=parameters)

    def fetch_dependent_resources(self, context, resource):
        """What ``resource`` depends on, from every plugin that knows.

        A service that cannot be reached contributes nothing: a project's
        checkpoint must not fail because, say, Glance is not deployed.
        """
        dependents = []
        for child_type, plugin in sorted(self._plugins.items()):
            if resource.type not in plugin.get_parent_resource_types():
                continue
            try:
                dependents.extend(plugin.get_dependent_resources(context,
                                                                 resource))
            except exception.ServiceUnavailable as exc:
                LOG.warning('%(type)s resources that %(parent)s depends on '
                            'are left out: %(error)s',
                            {'type': child_type,
                             'parent': graph.resource_key(resource),
                             'error': exc})
        return dependents

    def build_graph(self, context, resources, accepts_type):
        """The graph of ``resources`` and their dependencies.

        Dependencies whose type ``accepts_type(type)`` refuses (a type the
        provider has no protection plugin for) are left out.
        """
        def dependents(resource):
            found = self.fetch_dependent_resources(context, resource)
            for dependent in found:
                if not accepts_type(dependent.type):
                    LOG.info('%(child)s, which %(parent)s depends on, is '
                             'not protected: the provider has no plugin '
                             'for its type.',
                             {'child': graph.resource_key(dependent),
                              'parent': graph.resource_key(resource)})
            return [r for r in found if accepts_type(r.type)]

        return graph.build_graph(resources, dependents)
