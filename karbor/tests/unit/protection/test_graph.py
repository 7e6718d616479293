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

import pytest

from karbor import exception
from karbor.services.protection import graph
from karbor.services.protection.protectable_plugin import Resource
from karbor.tests.unit.protection import fakes

PROJECT = Resource(fakes.PROJECT, 'p1', 'Project')
SERVER1 = Resource(fakes.SERVER, 's1', 'Server1')
SERVER2 = Resource(fakes.SERVER, 's2', 'Server2')
VOLUME1 = Resource(fakes.VOLUME, 'v1', 'Volume1')

DEPENDENCIES = {PROJECT: [SERVER1, SERVER2], SERVER1: [VOLUME1],
                SERVER2: [VOLUME1], VOLUME1: []}


def test_a_single_volume_packs_as_the_original_karbor_did():
    volume = Resource(fakes.VOLUME, '286a43e9', 'Volume1')
    assert graph.pack_graph(graph.build_graph([volume], lambda r: [])) == [
        {'0x0': [fakes.VOLUME, '286a43e9', 'Volume1']}, []]


def test_a_volume_shared_by_two_servers_is_one_node_of_both():
    resource_graph = graph.build_graph([PROJECT], DEPENDENCIES.get)
    packed = graph.pack_graph(resource_graph)
    assert packed == [
        {'0x0': [fakes.PROJECT, 'p1', 'Project'],
         '0x1': [fakes.SERVER, 's1', 'Server1'],
         '0x2': [fakes.VOLUME, 'v1', 'Volume1'],
         '0x3': [fakes.SERVER, 's2', 'Server2']},
        [['0x0', ['0x1', '0x3']], ['0x1', ['0x2']], ['0x3', ['0x2']]]]
    (project,) = resource_graph
    server1, server2 = project.child_nodes
    assert server1.child_nodes[0] is server2.child_nodes[0]


def test_unpacking_gives_back_the_same_graph():
    resource_graph = graph.build_graph([PROJECT], DEPENDENCIES.get)
    unpacked = graph.unpack_graph(graph.pack_graph(resource_graph))
    assert graph.pack_graph(unpacked) == graph.pack_graph(resource_graph)
    assert [node.value for node in graph.iter_nodes(unpacked)] == [
        PROJECT, SERVER1, VOLUME1, SERVER2]


def test_a_plan_resource_that_another_depends_on_is_not_a_root():
    resource_graph = graph.build_graph([VOLUME1, SERVER1, VOLUME1],
                                       DEPENDENCIES.get)
    assert [node.value for node in resource_graph] == [SERVER1]


def test_resources_that_depend_on_each_other_are_refused():
    loop = {SERVER1: [VOLUME1], VOLUME1: [SERVER1]}
    with pytest.raises(exception.InvalidPlan, match='loop'):
        graph.build_graph([SERVER1], loop.get)
