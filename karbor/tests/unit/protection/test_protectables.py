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

import logging
import types

from keystoneauth1 import exceptions as ks_exceptions
import pytest

from karbor import context
from karbor import exception
from karbor.services.protection.clients import cinder
from karbor.services.protection.clients import glance
from karbor.services.protection.clients import keystone
from karbor.services.protection.clients import nova
from karbor.services.protection.protectable_plugin import Resource
from karbor.services.protection.protectable_plugins import project
from karbor.services.protection.protectable_plugins import volume
from karbor.services.protection import protectable_registry
from karbor.tests.unit.protection import fakes

IMAGE = 'OS::Glance::Image'


def _context(**kwargs):
    values = dict(user_id='user', project_id='project-a',
                  project_name='demo', is_admin=False, auth_token='token')
    values.update(kwargs)
    return context.RequestContext(**values)


@pytest.fixture
def registry(config):
    registry = protectable_registry.ProtectableRegistry()
    registry.load_plugins()
    return registry


def test_the_four_openstack_types_are_protectable(registry):
    assert registry.list_resource_types() == [
        fakes.VOLUME, IMAGE, fakes.PROJECT, fakes.SERVER]
    assert protectable_registry.known_resource_types() == (
        registry.list_resource_types())
    assert registry.show_resource_type(fakes.SERVER) == {
        'name': fakes.SERVER, 'dependent_types': [fakes.VOLUME, IMAGE]}
    assert registry.show_resource_type(fakes.PROJECT) == {
        'name': fakes.PROJECT,
        'dependent_types': [fakes.VOLUME, IMAGE, fakes.SERVER]}
    with pytest.raises(exception.ProtectableTypeNotFound):
        registry.show_resource_type('OS::Heat::Stack')


def test_the_callers_own_project_resolves_without_a_cloud(config):
    plugin = project.ProjectProtectablePlugin()
    own = Resource(fakes.PROJECT, 'project-a', 'demo')
    assert plugin.show_resource(_context(), 'project-a') == own
    assert plugin.list_resources(_context()) == [own]
    assert plugin.show_resource(_context(project_name=None),
                                'project-a').name == 'project-a'


def test_another_project_without_keystone_is_not_found(config):
    with pytest.raises(exception.ProtectableResourceNotFound) as raised:
        project.ProjectProtectablePlugin().show_resource(_context(),
                                                         'project-b')
    assert raised.value.code == 404
    assert 'no identity endpoint' in str(raised.value)


class _Projects(object):
    def get(self, project_id):
        if project_id != 'project-b':
            raise ks_exceptions.NotFound()
        return types.SimpleNamespace(id='project-b', name='other')


def test_another_project_resolves_through_keystone(config, monkeypatch):
    monkeypatch.setattr(keystone, 'create', lambda context:
                        types.SimpleNamespace(projects=_Projects()))
    plugin = project.ProjectProtectablePlugin()
    assert plugin.show_resource(_context(), 'project-b') == Resource(
        fakes.PROJECT, 'project-b', 'other')
    with pytest.raises(exception.ProtectableResourceNotFound):
        plugin.show_resource(_context(), 'project-c')


def test_listing_volumes_without_a_catalog_is_a_clear_503(config):
    with pytest.raises(exception.ServiceUnavailable) as raised:
        volume.VolumeProtectablePlugin().list_resources(_context())
    assert raised.value.code == 503
    assert 'no volumev3 endpoint in the service catalog' in str(raised.value)


def test_a_project_without_a_cloud_has_no_dependents_and_says_so(registry,
                                                                 caplog):
    own = Resource(fakes.PROJECT, 'project-a', 'demo')
    with caplog.at_level(logging.WARNING):
        assert registry.fetch_dependent_resources(_context(), own) == []
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 3
    assert all('left out' in warning for warning in warnings)


def _volume(volume_id, name, tenant='project-a'):
    return types.SimpleNamespace(**{
        'id': volume_id, 'name': name, 'availability_zone': 'az1',
        'os-vol-tenant-attr:tenant_id': tenant})


def _server(server_id, name, volume_ids, image_id, tenant='project-a'):
    return types.SimpleNamespace(**{
        'id': server_id, 'name': name, 'tenant_id': tenant,
        'image': {'id': image_id} if image_id else '',
        'os-extended-volumes:volumes_attached': [
            {'id': volume_id} for volume_id in volume_ids]})


class _Collection(object):
    """A python-*client manager: list() and get(id)."""

    def __init__(self, items, not_found):
        self._items = {item_id(item): item for item in items}
        self._not_found = not_found
        self.list_calls = []

    def list(self, **kwargs):
        self.list_calls.append(kwargs)
        return list(self._items.values())

    def get(self, item_id):
        try:
            return self._items[item_id]
        except KeyError:
            raise self._not_found(404)


def item_id(item):
    return item['id'] if isinstance(item, dict) else item.id


@pytest.fixture
def cloud(monkeypatch):
    """Servers s1 (volumes v1, v2; image i1) and s2 (boots from v3)."""
    servers = _Collection([_server('s1', 'web', ['v1', 'v2', 'gone'], 'i1'),
                           _server('s2', 'db', ['v3'], None),
                           _server('s9', 'theirs', [], None, 'project-b')],
                          nova.NotFound)
    volumes = _Collection([_volume('v1', 'root'), _volume('v2', 'data'),
                           _volume('v3', 'db-root'),
                           _volume('v9', 'theirs', 'project-b')],
                          cinder.NotFound)
    images = _Collection([{'id': 'i1', 'name': 'cirros',
                           'owner': 'project-a'},
                          {'id': 'i9', 'name': 'public', 'owner': 'admin'}],
                         glance.NotFound)
    monkeypatch.setattr(nova, 'create', lambda context:
                        types.SimpleNamespace(servers=servers))
    monkeypatch.setattr(cinder, 'create', lambda context:
                        types.SimpleNamespace(volumes=volumes))
    monkeypatch.setattr(glance, 'create', lambda context:
                        types.SimpleNamespace(images=images))
    return types.SimpleNamespace(servers=servers, volumes=volumes,
                                 images=images)


def _ids(resources):
    return sorted((resource.type, resource.id) for resource in resources)


def test_a_server_depends_on_its_attached_volumes_and_boot_image(registry,
                                                                 cloud):
    server = Resource(fakes.SERVER, 's1', 'web')
    assert _ids(registry.fetch_dependent_resources(_context(), server)) == [
        (fakes.VOLUME, 'v1'), (fakes.VOLUME, 'v2'), (IMAGE, 'i1')]
    booted_from_volume = Resource(fakes.SERVER, 's2', 'db')
    assert _ids(registry.fetch_dependent_resources(
        _context(), booted_from_volume)) == [(fakes.VOLUME, 'v3')]


def test_a_project_depends_on_its_own_servers_volumes_and_images(registry,
                                                                 cloud):
    own = Resource(fakes.PROJECT, 'project-a', 'demo')
    assert _ids(registry.fetch_dependent_resources(_context(), own)) == [
        (fakes.VOLUME, 'v1'), (fakes.VOLUME, 'v2'), (fakes.VOLUME, 'v3'),
        (IMAGE, 'i1'), (fakes.SERVER, 's1'), (fakes.SERVER, 's2')]
    assert cloud.images.list_calls == [{'filters': {'owner': 'project-a'}}]


def test_a_volume_of_the_project_and_of_its_server_is_one_node(
        registry, cloud):
    own = Resource(fakes.PROJECT, 'project-a', 'demo')
    (root,) = registry.build_graph(_context(), [own], lambda t: True)
    nodes_by_resource = {}
    pending = [root]
    while pending:  # every edge, so shared nodes are met several times
        node = pending.pop()
        nodes_by_resource.setdefault(node.value.id, set()).add(id(node))
        pending.extend(node.child_nodes)
    assert sorted(nodes_by_resource) == ['i1', 'project-a', 's1', 's2',
                                         'v1', 'v2', 'v3']
    assert all(len(nodes) == 1 for nodes in nodes_by_resource.values())


def test_dependencies_of_types_the_provider_lacks_are_left_out(registry,
                                                               cloud):
    server = Resource(fakes.SERVER, 's1', 'web')
    (root,) = registry.build_graph(_context(), [server],
                                   lambda resource_type: resource_type ==
                                   fakes.SERVER or
                                   resource_type == fakes.VOLUME)
    assert _ids(node.value for node in root.child_nodes) == [
        (fakes.VOLUME, 'v1'), (fakes.VOLUME, 'v2')]


def test_instances_show_with_their_extra_info_or_are_not_found(registry,
                                                               cloud):
    assert registry.show_resource(_context(), fakes.VOLUME, 'v2') == (
        Resource(fakes.VOLUME, 'v2', 'data', {'availability_zone': 'az1'}))
    for resource_type in (fakes.VOLUME, fakes.SERVER, IMAGE):
        with pytest.raises(exception.ProtectableResourceNotFound):
            registry.show_resource(_context(), resource_type, 'missing')


def test_a_failing_service_is_reported_unavailable(registry, monkeypatch):
    def failing_list(**kwargs):
        raise nova.ClientError(500, 'nova is having a bad day')

    monkeypatch.setattr(nova, 'create', lambda context: types.SimpleNamespace(
        servers=types.SimpleNamespace(list=failing_list)))
    with pytest.raises(exception.ServiceUnavailable, match='bad day'):
        registry.list_resources(_context(), fakes.SERVER)
