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

"""The protectable plugin contract: the kinds of things Karbor protects.

A protectable plugin knows one resource type (``OS::Cinder::Volume``...):
how to list and show its instances, and which instances of its type a
parent resource depends on. Plugins are registered in the
``karbor.protectables`` entry-point namespace and constructed without
arguments; every call gets the request context, whose token and service
catalog reach the cloud. ``get_resource_type`` and
``get_parent_resource_types`` are classmethods in Karbor's plugins; a
plugin may implement them as plain methods, as the original's contract
allowed.

The dependencies form the resource graph that a checkpoint protects: the
protection service asks every plugin that names a resource's type among its
``get_parent_resource_types()`` for that resource's dependents (a volume
plugin, asked about a server, answers the volumes attached to it).

Errors: a resource that does not exist raises
``karbor.exception.ProtectableResourceNotFound``; a service that cannot be
reached (no endpoint in the catalog, connection refused) raises
``karbor.exception.ServiceUnavailable``. A resource graph is still built
when a dependency lookup is unavailable: that resource just has no
dependents.
"""

import abc
import collections


class Resource(collections.namedtuple('Resource',
                                      ['type', 'id', 'name', 'extra_info'],
                                      defaults=(None,))):
    """One protectable instance; ``extra_info`` is an optional dict."""

    __slots__ = ()

    def to_dict(self):
        """The fields as a dict (the original Karbor's Resource had it)."""
        return dict(self._asdict())


class ProtectablePlugin(metaclass=abc.ABCMeta):
    """The contract of a protectable plugin; see the module documentation.
    """

    def __init__(self, context=None, conf=None):
        # The original Karbor's constructor, kept for plugins written to
        # it (they call it with their own arguments); every call gets its
        # context instead.
        self._context = context
        self._conf = conf

    def instance(self, context=None, conf=None):
        """The original's way to get the plugin for a context, kept for
        plugins written to it."""
        return self.__class__(context, conf)

    @classmethod
    @abc.abstractmethod
    def get_resource_type(cls):
        """The resource type this plugin knows, e.g. OS::Nova::Server."""

    @classmethod
    @abc.abstractmethod
    def get_parent_resource_types(cls):
        """The types whose instances may depend on this type's."""

    @abc.abstractmethod
    def list_resources(self, context, parameters=None):
        """Every instance the caller can see, as Resources."""

    @abc.abstractmethod
    def show_resource(self, context, resource_id, parameters=None):
        """One instance as a Resource, or ProtectableResourceNotFound."""

    @abc.abstractmethod
    def get_dependent_resources(self, context, parent_resource):
        """The instances of this type that ``parent_resource`` depends on.

        Called only for parents of one of get_parent_resource_types().
        """
