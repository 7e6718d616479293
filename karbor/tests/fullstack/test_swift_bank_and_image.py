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

"""The Swift bank and the Glance image plugin against tools/cloud.

The bank runs as the cloud's ``karbor`` service user (project service),
in a container of this module's own, deleted at the end with everything
in it. Objects, listings (pages forced small), leases that Swift expires,
uploads that fail part-way, and a 200 MiB object streamed through in flat
memory.

The image plugin's hooks run directly, as karbor-protection runs them: a
checkpoint in that Swift bank, a request context with demo's token and
catalog. A 20 MiB image of known random bytes is protected, restored
under a new name and compared byte for byte; deleting the checkpoint
removes its objects from Swift. Every image made here is deleted.

How fast the bytes move, against a direct Glance-to-Swift stream, is
measured by tools/bench/cloud_bench.py, not here.
"""

import hashlib
import random
import time
import tracemalloc
import uuid

from glanceclient import client as glance_client
from glanceclient import exc as glance_exceptions
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest
import swiftclient
from swiftclient import exceptions as swift_exceptions

from karbor import exception
from karbor import objects
from karbor.objects import plan as plan_objects
from karbor.services.protection.bank_plugins import swift_bank_plugin
from karbor.services.protection.protectable_plugin import Resource
from karbor.services.protection import provider as providers
from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import hooks

pytestmark = cloud.needs_cloud('demo')

IMAGE = 'OS::Glance::Image'
MiB = 1024 * 1024

PROVIDER = '''[provider]
name = Fullstack Swift bank and images
id = %(id)s
plugin = karbor-image-protection-plugin
bank = karbor-swift-bank-plugin
enabled = True

[swift_client]
swift_auth_url = %(auth_url)s
swift_user = karbor
swift_key = karbor
swift_tenant_name = service
swift_user_domain_name = Default
swift_project_domain_name = Default

[swift_bank_plugin]
bank_swift_object_container = %(container)s
lease_expire_window = %(expire)d
lease_renew_window = %(renew)d
lease_validity_window = %(validity)d

[image_backup_plugin]
backup_image_object_size = %(segment_size)d
image_active_timeout = 120
'''


def karbor_session():
    """The session of the cloud's karbor service user (the bank's
    account)."""
    return ks_session.Session(auth=v3.Password(
        auth_url=cloud.openrc('demo')['OS_AUTH_URL'], username='karbor',
        password='karbor', project_name='service',
        user_domain_name='Default', project_domain_name='Default'))


def load_provider(directory, container, segment_size=8 * MiB, expire=300,
                  renew=100, validity=100):
    path = directory / ('%s.conf' % uuid.uuid4().hex)
    path.write_text(PROVIDER % {
        'id': uuid.uuid4(), 'auth_url': cloud.openrc('demo')['OS_AUTH_URL'],
        'container': container, 'expire': expire, 'renew': renew,
        'validity': validity, 'segment_size': segment_size})
    loaded = providers._load_provider(str(path))
    assert loaded is not None, 'the provider file did not load'
    return loaded


class Swift(object):
    """The bank's account, seen with swiftclient directly: what the bank
    wrote, and the clean-up."""

    def __init__(self):
        self.connection = swiftclient.client.Connection(
            session=karbor_session())
        self.containers = []

    def new_container(self):
        name = 'karbor-fullstack-bank-%s' % uuid.uuid4().hex[:8]
        self.containers += [name, name + '_leases', name + '_revisions']
        return name

    def names(self, container):
        return [entry['name'] for entry in self.connection.get_container(
            container, full_listing=True)[1]]

    def clean_up(self):
        for container in self.containers:
            try:
                names = self.names(container)
            except swift_exceptions.ClientException as exc:
                if exc.http_status == 404:
                    continue
                raise
            for name in names:
                try:
                    self.connection.delete_object(container, name)
                except swift_exceptions.ClientException as exc:
                    # An expired lease: Swift answers 404 and forgets it.
                    if exc.http_status != 404:
                        raise
            self.connection.delete_container(container)


@pytest.fixture(scope='module')
def swift():
    account = Swift()
    yield account
    account.clean_up()


@pytest.fixture(scope='module')
def bank_provider(swift, tmp_path_factory):
    loaded = load_provider(tmp_path_factory.mktemp('swift-bank'),
                           swift.new_container())
    loaded.bank.plugin.acquire_lease()
    yield loaded
    loaded.bank.plugin.release_lease()


@pytest.fixture
def bank(bank_provider):
    return bank_provider.bank.plugin


# The bank

def test_objects_are_swift_objects_of_the_banks_container(bank, swift):
    container = bank._container
    bank.update_object('/checkpoints/c1/index.json', {'status': 'available'})
    bank.update_object('/text', 'caf\u00e9')
    bank.update_object('/chunks', iter([b'one ', b'', b'two']))
    assert bank.get_object('checkpoints//c1/index.json') == (
        b'{"status": "available"}')
    assert bank.get_object('/text') == 'caf\u00e9'.encode()
    assert b''.join(bank.get_object_chunks('/chunks', 3)) == b'one two'
    assert sorted(swift.names(container)) == [
        'checkpoints/c1/index.json', 'chunks', 'text']

    for key in ('/checkpoints/c1/index.json', '/text', '/chunks'):
        bank.delete_object(key)
    assert swift.names(container) == []
    with pytest.raises(exception.BankObjectNotFound):
        bank.get_object('/text')
    with pytest.raises(exception.BankObjectNotFound):
        bank.delete_object('/text')


def test_a_record_written_since_it_was_read_is_not_overwritten(bank, swift):
    key = '/checkpoints/c2/index.json'
    first = bank.update_object_if_match(key, {'status': 'protecting'}, None)
    data, etag = bank.get_object_and_etag(key)
    # The ETag is the record's revision, which Swift keeps in its metadata.
    headers = swift.connection.head_object(bank._container,
                                           'checkpoints/c2/index.json')
    assert first == etag == headers['x-object-meta-karbor-revision']

    second = bank.update_object_if_match(key, {'status': 'available'}, etag)
    # Swift created the successor of the first revision once: it refuses
    # a second with If-None-Match.
    with pytest.raises(exception.BankObjectChanged):
        bank.update_object_if_match(key, {'status': 'error'}, first)
    assert bank.get_object_and_etag(key) == (b'{"status": "available"}',
                                             second)
    revisions = bank._revisions_container
    assert swift.names(revisions) == ['checkpoints/c2/index.json/' + first]
    successor = swift.connection.head_object(revisions, swift.names(
        revisions)[0])
    assert successor['x-object-meta-karbor-revision'] == second
    # Swift deletes it after a day.
    assert 0 < int(successor['x-delete-at']) - time.time() <= (
        swift_bank_plugin.REVISIONS_LIFETIME)

    bank.delete_object(key)
    with pytest.raises(exception.BankObjectChanged):
        bank.update_object_if_match(key, {'status': 'error'}, second)
    assert swift.names(bank._container) == []
    assert len(swift.names(revisions)) == 1


def test_listings_page_through_swift(bank, monkeypatch):
    keys = ['/indices/by-date/p/2026-11-%02dT00:00:00@%d' % (day, day)
            for day in range(1, 26)]
    for key in keys:
        bank.update_object(key, {'id': key})
    bank.update_object('/indices/other', b'')
    try:
        # Pages of 7 names, so that a listing takes several requests.
        monkeypatch.setattr(bank, '_listing_limit', 7)
        prefix = '/indices/by-date/p/'
        assert bank.list_objects(prefix=prefix) == keys
        assert bank.list_objects(prefix=prefix, limit=10) == keys[:10]
        assert bank.list_objects(prefix=prefix, marker=keys[9],
                                 limit=10) == keys[10:20]
        assert bank.list_objects(prefix=prefix, sort_dir='desc',
                                 limit=9) == keys[::-1][:9]
        # Dates as bounds, as the checkpoint listing gives them.
        assert bank.list_objects(
            prefix=prefix, marker=prefix + '2026-11-20',
            end_marker=prefix + '2026-11-05', sort_dir='desc') == (
                keys[4:19][::-1])
        assert bank.list_objects(prefix=prefix, marker=prefix + '2026-11-05',
                                 end_marker=prefix + '2026-11-08') == (
            keys[4:7])
    finally:
        for key in keys + ['/indices/other']:
            bank.delete_object(key)


def test_an_upload_that_fails_part_way_leaves_the_old_object(bank, swift):
    bank.update_object('/record', b'old record')

    def dying():
        yield b'x' * MiB
        raise RuntimeError('the source broke')

    with pytest.raises(RuntimeError):
        bank.update_object('/record', dying())

    class Short(object):
        def __len__(self):
            return 3 * MiB

        def __iter__(self):
            yield b'y' * MiB

    with pytest.raises(exception.BankError) as raised:
        bank.update_object('/record', Short())
    assert 'ended after 1048576 of the 3145728 bytes' in str(raised.value)
    assert bank.get_object('/record') == b'old record'
    bank.delete_object('/record')


def test_a_200_mib_object_streams_through_in_flat_memory(bank):
    block = random.Random('200 MiB').randbytes(MiB)

    def chunks():
        for number in range(200):
            yield b'%08d' % number + block[8:]

    expected = hashlib.sha256()
    for chunk in chunks():
        expected.update(chunk)

    tracemalloc.start()
    try:
        started = time.monotonic()
        bank.update_object('/big', chunks())
        written = time.monotonic() - started
        _size, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        size = 0
        started = time.monotonic()
        for chunk in bank.get_object_chunks('/big', MiB):
            digest.update(chunk)
            size += len(chunk)
        read = time.monotonic() - started
        _size, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        bank.delete_object('/big')
    print('\n200 MiB into the Swift bank: %.1f MB/s, back: %.1f MB/s; '
          'memory peaks %.1f and %.1f MiB' % (
              200 * MiB / written / 1e6, 200 * MiB / read / 1e6,
              write_peak / MiB, read_peak / MiB))
    assert size == 200 * MiB
    assert digest.hexdigest() == expected.hexdigest()
    assert write_peak < 8 * MiB
    assert read_peak < 8 * MiB


def test_leases_are_swift_objects_that_expire_unless_renewed(
        swift, tmp_path):
    container = swift.new_container()
    owner = load_provider(tmp_path, container, expire=4, renew=1,
                          validity=2).bank.plugin
    other = load_provider(tmp_path, container).bank.plugin
    # Taken by a renewal, not acquire_lease: no background renewals, so
    # the test decides when the lease is renewed.
    owner.renew_lease()
    try:
        owner_id = owner.get_owner_id()
        assert owner_id in swift.names(container + '_leases')
        headers = swift.connection.head_object(container + '_leases',
                                               owner_id)
        assert 'x-delete-at' in headers
        assert owner.check_lease_validity()
        assert other.check_lease_existence(owner_id)

        time.sleep(2.5)
        # Less than the validity window left: the owner must renew first.
        assert not owner.check_lease_validity()
        owner.renew_lease()
        assert owner.check_lease_validity()
        time.sleep(2.5)
        # Renewed 2.5 s ago with a 4 s window: still there.
        assert other.check_lease_existence(owner_id)

        # Not renewed any more: Swift lets it go.
        time.sleep(2)
        assert not other.check_lease_existence(owner_id)
        assert not owner.check_lease_validity()
        # Its owner takes it again with its next renewal.
        owner.renew_lease()
        assert other.check_lease_existence(owner_id)
    finally:
        owner.release_lease()
    assert not other.check_lease_existence(owner_id)


# The image plugin

class Demo(object):
    """demo's Glance, and every image made in it, deleted at the end."""

    def __init__(self):
        self.session = cloud.session('demo')
        self.context = cloud.request_context(self.session)
        self.glance = glance_client.Client('2', session=self.session)
        self.tag = 'karbor-fullstack-image-%s' % uuid.uuid4().hex[:8]
        self.images = []

    def new_image(self, seed, size, **properties):
        """An image of ``size`` known bytes; (its id, md5, sha512)."""
        image = self.glance.images.create(
            name='%s-%s' % (self.tag, seed), disk_format='raw',
            container_format='bare', **properties)
        self.images.append(image['id'])
        stream = _KnownBytes(seed, size)
        self.glance.images.upload(image['id'], stream, image_size=size)
        image = self.glance.images.get(image['id'])
        assert image['status'] == 'active'
        assert image['checksum'] == stream.md5.hexdigest()
        assert image['os_hash_value'] == stream.sha512.hexdigest()
        return image['id'], stream.md5.hexdigest(), stream.sha512.hexdigest()

    def image_digest(self, image_id):
        digest = hashlib.sha512()
        for chunk in self.glance.images.data(image_id, do_checksum=False):
            digest.update(chunk)
        return digest.hexdigest()

    def clean_up(self):
        problems = []
        for image_id in self.images:
            try:
                self.glance.images.delete(image_id)
            except glance_exceptions.HTTPNotFound:
                pass
            except Exception as exc:
                problems.append('%s: %r' % (image_id, exc))
        assert not problems, problems


class _KnownBytes(object):
    """``size`` bytes of ``seed``, read as a file, digested as read."""

    def __init__(self, seed, size):
        self._block = random.Random(seed).randbytes(4 * MiB)
        self._left = size
        self._number = 0
        self.md5 = hashlib.md5()
        self.sha512 = hashlib.sha512()

    def read(self, size=-1):
        if self._left <= 0:
            return b''
        size = min(self._left, len(self._block) if size < 0 else size,
                   len(self._block))
        chunk = (b'%08d' % self._number + self._block[8:])[:size]
        self._number += 1
        self._left -= len(chunk)
        self.md5.update(chunk)
        self.sha512.update(chunk)
        return chunk


@pytest.fixture(scope='module')
def demo():
    objects.register_all()
    account = Demo()
    yield account
    account.clean_up()


def new_checkpoint(provider, demo, image_id):
    plan = plan_objects.Plan(
        id=str(uuid.uuid4()), name='image %s' % image_id, description=None,
        provider_id=provider.id, project_id=demo.context.project_id,
        status='suspended',
        resources=[{'id': image_id, 'type': IMAGE, 'name': ''}],
        parameters={})
    return provider.checkpoints.create(plan)


def image_section(checkpoint, image_id):
    return checkpoint.get_resource_bank_section('%s#%s' % (IMAGE, image_id))


def test_an_image_is_protected_into_swift_restored_and_deleted(
        bank_provider, demo, swift):
    plugin = bank_provider.get_protection_plugin(IMAGE)
    size = 20 * MiB + 12345
    image_id, md5, sha512 = demo.new_image(
        'twenty', size, tags=['karbor-test'], os_distro='cirros',
        hw_disk_bus='virtio')

    checkpoint = new_checkpoint(bank_provider, demo, image_id)
    resource = Resource(IMAGE, image_id, '')
    hooks.run_hooks(plugin.get_protect_operation(resource), checkpoint,
                    resource, demo.context)
    checkpoint.finish_protecting()
    section = image_section(checkpoint, image_id)
    saved = plugin.get_saved_info(section, resource)
    assert saved['size'] == size
    assert saved['checksum'] == md5
    assert (saved['os_hash_algo'], saved['os_hash_value']) == (
        'sha512', sha512)
    # 8 MiB segments: two whole ones and the rest.
    assert saved['segments'] == 3
    assert sorted(section.list_objects()) == [
        'data/00000000', 'data/00000001', 'data/00000002', 'metadata']
    prefix = 'checkpoints/%s/%s#%s/' % (checkpoint.id, IMAGE, image_id)
    container = bank_provider.bank.plugin._container
    stored = [name for name in swift.names(container)
              if name.startswith(prefix)]
    assert len(stored) == 4
    headers = swift.connection.head_object(container,
                                           prefix + 'data/00000002')
    assert int(headers['content-length']) == size - 16 * MiB

    record = hooks.RestoreRecord()
    new_resources = {}
    hooks.run_hooks(plugin.get_restore_operation(resource), checkpoint,
                    resource, demo.context,
                    {'restore_name': demo.tag + '-restored'},
                    restore=record, new_resources=new_resources)
    new_id = new_resources['%s#%s' % (IMAGE, image_id)]
    demo.images.append(new_id)
    assert record.resources_status == {'%s#%s' % (IMAGE, new_id):
                                       'available'}
    restored = demo.glance.images.get(new_id)
    assert restored['name'] == demo.tag + '-restored'
    assert restored['status'] == 'active'
    assert (restored['size'], restored['checksum'],
            restored['os_hash_value']) == (size, md5, sha512)
    assert restored['tags'] == ['karbor-test']
    assert (restored['os_distro'], restored['hw_disk_bus']) == (
        'cirros', 'virtio')
    assert (restored['disk_format'], restored['container_format']) == (
        'raw', 'bare')
    # The bytes Glance gives back are the original's.
    assert demo.image_digest(new_id) == sha512

    checkpoint.start_deleting()
    hooks.run_hooks(plugin.get_delete_operation(resource), checkpoint,
                    resource, demo.context)
    assert section.list_objects() == []
    assert [name for name in swift.names(container)
            if name.startswith(prefix)] == []
    checkpoint.finish_deleting()


def test_an_image_glance_does_not_have_fails_with_that_reason(
        bank_provider, demo):
    plugin = bank_provider.get_protection_plugin(IMAGE)
    missing = str(uuid.uuid4())
    checkpoint = new_checkpoint(bank_provider, demo, missing)
    with pytest.raises(Exception) as raised:
        resource = Resource(IMAGE, missing, '')
        hooks.run_hooks(plugin.get_protect_operation(resource), checkpoint,
                        resource, demo.context)
    assert str(raised.value) == 'image %s no longer exists in Glance' % (
        missing)
    assert image_section(checkpoint, missing).list_objects() == []
