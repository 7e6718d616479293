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

"""The resource graph: what a checkpoint protects, and in which order.

A graph is a list of root GraphNodes; a node's children are the resources
it depends on (a server's volumes and image). A resource that two parents
share (a volume attached to two servers) is one node, child of both.

Checkpoints store the graph packed, in the original Karbor's format, which
clients print as given::

    [{"0x0": [type, id, name], "0x1": [type, id, name], ...},
     [["0x0", ["0x1", ...]], ...]]

the first element maps node keys (hex of a counter) to the resource, the
second lists, for every node that has children, its key and its children's
keys.
"""

import collections

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.protectable_plugin import Resource

GraphNode = collections.namedtuple('GraphNode', ['value', 'child_nodes'])


def key_of(resource_type, resource_id):
    """The name of a resource in statuses and in the bank: type#id."""
    return '%s#%s' % (resource_type, resource_id)


def resource_key(resource):
    """The key_of a Resource."""
    return key_of(resource.type, resource.id)


def split_key(key):
    """(type, id) of a key_of; the id is '' in a key of a type alone (as
    a plan's parameters have)."""
    resource_type, _sep, resource_id = key.partition('#')
    return resource_type, resource_id


def build_graph(resources, get_dependents):
    """Build the graph of ``resources`` and everything they depend on.

    ``get_dependents(resource)`` returns the Resources that ``resource``
    depends on. A plan resource that another one depends on is not a root.
    """
    nodes = {}

    def visit(resource, path):
        key = resource_key(resource)
        if key in path:
            raise exception.InvalidPlan(
                reason=_('the resources depend on each other in a loop: '
                         '%s') % ' -> '.join(path + [key]))
        if key not in nodes:
            children = [visit(child, path + [key])
                        for child in _unique(get_dependents(resource))]
            nodes[key] = GraphNode(resource, tuple(children))
        return nodes[key]

    plan_nodes = [visit(resource, []) for resource in _unique(resources)]
    children = {resource_key(child.value) for node in nodes.values()
                for child in node.child_nodes}
    return [node for node in plan_nodes
            if resource_key(node.value) not in children]


def _unique(resources):
    seen = set()
    for resource in resources:
        key = resource_key(resource)
        if key not in seen:
            seen.add(key)
            yield resource


def iter_nodes(graph):
    """Every node of the graph once, parents before their children."""
    seen = set()
    stack = list(reversed(graph))
    while stack:
        node = stack.pop()
        key = resource_key(node.value)
        if key in seen:
            continue
        seen.add(key)
        yield node
        stack.extend(reversed(node.child_nodes))


def pack_graph(graph):
    """The graph in the stored format (see the module documentation)."""
    keys = {}
    resources = {}
    adjacency = []
    for node in iter_nodes(graph):
        node_key = hex(len(keys))
        keys[resource_key(node.value)] = node_key
        resources[node_key] = [node.value.type, node.value.id,
                               node.value.name]
    for node in iter_nodes(graph):
        if node.child_nodes:
            adjacency.append([keys[resource_key(node.value)],
                              [keys[resource_key(child.value)]
                               for child in node.child_nodes]])
    return [resources, adjacency]


def unpack_graph(packed):
    """The graph a pack_graph result describes."""
    resources, adjacency = packed
    children_of = {parent: children for parent, children in adjacency}
    child_keys = {key for children in children_of.values()
                  for key in children}
    nodes = {}

    def node(node_key):
        if node_key not in nodes:
            nodes[node_key] = GraphNode(
                Resource(*resources[node_key]),
                tuple(node(child) for child in children_of.get(node_key,
                                                               ())))
        return nodes[node_key]

    return [node(node_key) for node_key in sorted(resources,
                                                  key=_counter_value)
            if node_key not in child_keys]


def _counter_value(node_key):
    return int(node_key, 16)
