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

"""The Glance image protection plugin against a fake Glance, with a
file-system bank."""

import hashlib
import os
import shutil
import threading
import tracemalloc

from glanceclient import exc as glance_exceptions
import jsonschema
from oslo_utils import uuidutils
import pytest

from karbor import exception
from karbor.objects import plan as plan_objects
from karbor.services.protection import bank_plugin
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import protect as protect_flow
from karbor.services.protection.flows import resource_flow
from karbor.services.protection.flows import restore as restore_flow
from karbor.services.protection import graph
from karbor.services.protection.protectable_plugin import Resource
from karbor.services.protection.protection_plugins.image import (
    image_protection_plugin as image_plugin)
from karbor.services.protection.protection_plugins.image import segments
from karbor.services.protection.protection_plugins import waiting
from karbor.services.protection import provider as providers
from karbor.tests.unit.protection import fakes

PROVIDER_ID = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
IMAGE = 'OS::Glance::Image'
MiB = 1024 * 1024
HOOKS = ('on_prepare_begin', 'on_prepare_finish', 'on_main', 'on_complete')


def image_bytes(seed, size, chunk_size=MiB):
    """``size`` bytes that depend on ``seed``, as chunks (never all at
    once)."""
    block = hashlib.sha512(seed.encode()).digest() * (chunk_size // 64 + 1)
    offset = 0
    number = 0
    while offset < size:
        length = min(chunk_size, size - offset)
        tag = b'%s:%d;' % (seed.encode(), number)
        yield (tag + block)[:length]
        offset += length
        number += 1


def digests(chunks):
    md5, sha512, size = hashlib.md5(), hashlib.sha512(), 0
    for chunk in chunks:
        md5.update(chunk)
        sha512.update(chunk)
        size += len(chunk)
    return size, md5.hexdigest(), sha512.hexdigest()


class FakeClock(object):
    """The plugin's clock: every sleep is recorded and passes at once."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def _not_found(image_id):
    return glance_exceptions.HTTPNotFound(
        'No image found with ID %s' % image_id)


class FakeImages(object):
    """glanceclient's images controller over FakeGlance."""

    def __init__(self, glance):
        self._glance = glance

    def get(self, image_id):
        if self._glance.get_failures:
            raise self._glance.get_failures.pop(0)
        with self._glance.lock:
            image = self._glance.images.get(image_id)
            if image is None:
                raise _not_found(image_id)
            statuses = self._glance.statuses.get(image_id)
            if statuses:
                image['status'] = statuses.pop(0)
            return dict(image)

    def data(self, image_id, do_checksum=True):
        # The plugin digests the bytes itself.
        assert do_checksum is False
        if image_id not in self._glance.images:
            raise _not_found(image_id)
        self._glance.downloads += 1
        return self._stream(image_id)

    def _stream(self, image_id):
        sent = 0
        for chunk in image_bytes(*self._glance.contents[image_id]):
            if (self._glance.vanish_after is not None and
                    sent >= self._glance.vanish_after):
                raise _not_found(image_id)
            sent += len(chunk)
            yield chunk

    def list(self, filters=None):
        # Glance filters by properties; the plugin checks again.
        with self._glance.lock:
            return [dict(image) for image in self._glance.images.values()
                    if all(image.get(key) == value
                           for key, value in (filters or {}).items())]

    def create(self, **fields):
        with self._glance.lock:
            image_id = 'restored-%d' % (len(self._glance.created) + 1)
            self._glance.created.append(fields)
            self._glance.images[image_id] = dict(
                fields, id=image_id, status='queued', size=None,
                checksum=None, os_hash_algo=None, os_hash_value=None)
            return dict(self._glance.images[image_id])

    def upload(self, image_id, image_data, image_size=None):
        md5, sha512, size = hashlib.md5(), hashlib.sha512(), 0
        reads = 0
        while True:
            # glanceclient reads what it sends 1 MiB at a time.
            chunk = image_data.read(MiB)
            if not chunk:
                break
            reads += 1
            if self._glance.damage_uploads and reads == 1:
                chunk = b'!' + chunk[1:]
            md5.update(chunk)
            sha512.update(chunk)
            size += len(chunk)
        self._glance.uploads.append((image_id, image_size, size))
        image = self._glance.images[image_id]
        image.update(status='active', size=size, checksum=md5.hexdigest(),
                     os_hash_algo='sha512', os_hash_value=sha512.hexdigest())
        self._glance.uploaded_bytes[image_id] = (size, md5.hexdigest())

    def delete(self, image_id):
        with self._glance.lock:
            if self._glance.images.pop(image_id, None) is None:
                raise _not_found(image_id)
            self._glance.deleted.append(image_id)


class FakeGlance(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.images = {}
        # What an image's bytes are: (seed, size) for image_bytes.
        self.contents = {}
        self.statuses = {}
        self.created = []
        self.uploads = []
        self.uploaded_bytes = {}
        self.deleted = []
        self.downloads = 0
        self.vanish_after = None
        # Errors the next gets raise, one each.
        self.get_failures = []
        self.damage_uploads = False
        self.clock = FakeClock()

    def add_image(self, image_id='img-1', size=10 * MiB + 123, seed=None,
                  **fields):
        seed = seed or image_id
        size_, md5, sha512 = digests(image_bytes(seed, size))
        image = {
            'id': image_id, 'name': 'cirros', 'status': 'active',
            'disk_format': 'qcow2', 'container_format': 'bare',
            'min_disk': 1, 'min_ram': 64, 'tags': ['base'],
            'visibility': 'private', 'protected': False, 'owner': 'demo',
            'size': size, 'virtual_size': None, 'checksum': md5,
            'os_hash_algo': 'sha512', 'os_hash_value': sha512,
            'os_glance_importing_to_stores': '', 'hw_disk_bus': 'virtio',
            'os_distro': 'cirros', 'kernel_id': None,
            'created_at': '2026-11-25T00:00:00Z', 'file': '/v2/images/x/file',
            'schema': '/v2/schemas/image'}
        image.update(fields)
        self.images[image_id] = image
        self.contents[image_id] = (seed, size)
        return image


class _Client(object):
    def __init__(self, glance):
        self.images = FakeImages(glance)


@pytest.fixture
def glance(monkeypatch):
    fake = FakeGlance()
    monkeypatch.setattr(image_plugin.glance, 'create',
                        lambda context: _Client(fake))
    monkeypatch.setattr(waiting, '_sleep', fake.clock.sleep)
    monkeypatch.setattr(waiting, '_clock', fake.clock.monotonic)
    monkeypatch.setattr(image_plugin, '_monotonic', fake.clock.monotonic)
    return fake


@pytest.fixture
def bank(config, tmp_path):
    plugin = fakes.fs_bank_plugin(str(tmp_path))
    plugin.acquire_lease()
    yield bank_plugin.Bank(plugin)
    plugin.release_lease()


def make_checkpoint(bank, image_ids=('img-1',)):
    plan = plan_objects.Plan(
        id=uuidutils.generate_uuid(), name='Plan', description=None,
        provider_id=PROVIDER_ID, project_id='demo', status='suspended',
        resources=[{'id': image_id, 'type': IMAGE, 'name': 'cirros'}
                   for image_id in image_ids],
        parameters={})
    return checkpoints.CheckpointCollection(bank, PROVIDER_ID).create(plan)


@pytest.fixture
def checkpoint(bank):
    return make_checkpoint(bank)


def make_plugin(tmp_path, **options):
    lines = ['[provider]', 'name = Images', 'id = %s' % PROVIDER_ID,
             'bank = karbor-fs-bank-plugin', '[image_backup_plugin]']
    lines.extend('%s = %s' % item for item in options.items())
    return image_plugin.GlanceProtectionPlugin(
        fakes.provider_config(str(tmp_path), '\n'.join(lines) + '\n'))


@pytest.fixture
def plugin(tmp_path):
    return make_plugin(tmp_path, backup_image_object_size=4 * MiB)


def resource(image_id='img-1'):
    return Resource(IMAGE, image_id, 'cirros')


def section(checkpoint, image_id='img-1'):
    return checkpoint.get_resource_bank_section('%s#%s' % (IMAGE, image_id))


def run_hooks(operation, checkpoint, image_id='img-1', parameters=None,
              **kwargs):
    for hook in HOOKS:
        getattr(operation, hook)(checkpoint, resource(image_id), None,
                                 parameters or {}, **kwargs)


def protect(plugin, checkpoint, image_id='img-1'):
    run_hooks(plugin.get_protect_operation(resource(image_id)), checkpoint,
              image_id)
    return plugin.get_saved_info(section(checkpoint, image_id),
                                 resource(image_id))


class RecordingRestore(object):
    """What a Restore is told about the restored resources."""

    def __init__(self, parameters=None):
        self.id = uuidutils.generate_uuid()
        self.parameters = parameters or {}
        self.restore_target = None
        self.status = 'in_progress'
        self.statuses = {}
        self.reasons = {}
        self.history = []

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        key = '%s#%s' % (resource_type, resource_id)
        self.statuses[key] = status
        self.history.append((key, status))
        if reason is not None:
            self.reasons[key] = str(reason)

    def save(self):
        pass


def restore(plugin, checkpoint, parameters=None, image_id='img-1'):
    recorder = RecordingRestore(parameters)
    new_resources = {}
    run_hooks(plugin.get_restore_operation(resource(image_id)), checkpoint,
              image_id, parameters, restore=recorder,
              new_resources=new_resources)
    return recorder, new_resources


# Protect

def test_protect_keeps_the_record_and_the_bytes_in_segments(
        plugin, checkpoint, glance):
    image = glance.add_image()
    saved = protect(plugin, checkpoint)

    assert saved == {
        'image_id': 'img-1', 'name': 'cirros', 'disk_format': 'qcow2',
        'container_format': 'bare', 'min_disk': 1, 'min_ram': 64,
        'size': 10 * MiB + 123, 'checksum': image['checksum'],
        'os_hash_algo': 'sha512', 'os_hash_value': image['os_hash_value'],
        'segments': 3}
    jsonschema.validate(saved, plugin.get_saved_info_schema(IMAGE))

    images = section(checkpoint)
    assert sorted(images.list_objects()) == [
        'data/00000000', 'data/00000001', 'data/00000002', 'metadata']
    stored = [b''.join(images.get_object_chunks(key))
              for key in ('data/00000000', 'data/00000001',
                          'data/00000002')]
    assert [len(data) for data in stored] == [4 * MiB, 4 * MiB, 2 * MiB + 123]
    assert b''.join(stored) == b''.join(image_bytes('img-1', image['size']))

    record = images.get_object('metadata')
    assert record['status'] == 'available'
    # The image's own properties, without Glance's attributes.
    assert record['properties'] == {'hw_disk_bus': 'virtio',
                                    'os_distro': 'cirros'}
    assert record['tags'] == ['base']
    assert record['data'] == {
        'size': 10 * MiB + 123, 'checksum': image['checksum'],
        'os_hash_algo': 'sha512', 'os_hash_value': image['os_hash_value'],
        'segment_size': 4 * MiB, 'segments': 3, 'computed': ['sha512']}


def test_md5_is_computed_when_asked_or_when_glance_has_no_os_hash(
        tmp_path, bank, glance):
    plugin = make_plugin(tmp_path, always_compute_md5=True)
    glance.add_image('asked', checksum='0' * 32)
    checkpoint = make_checkpoint(bank, ['asked'])
    with pytest.raises(image_plugin.ImagePluginError) as raised:
        protect(plugin, checkpoint, 'asked')
    assert 'MD5 checksum %s, not' % ('0' * 32) in str(raised.value)

    plugin = make_plugin(tmp_path)
    image = glance.add_image('old', os_hash_algo=None, os_hash_value=None)
    checkpoint = make_checkpoint(bank, ['old'])
    saved = protect(plugin, checkpoint, 'old')
    data = section(checkpoint, 'old').get_object('metadata')['data']
    assert data['computed'] == ['md5', 'sha512']
    assert saved['checksum'] == image['checksum']
    # The sha512 computed on the way is what a restore checks too.
    assert saved['os_hash_value'] == digests(
        image_bytes('old', image['size']))[2]


def _protect_peak(plugin, bank, glance, image_id, size):
    glance.add_image(image_id, size=size)
    checkpoint = make_checkpoint(bank, [image_id])
    tracemalloc.start()
    try:
        saved = protect(plugin, checkpoint, image_id)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert saved['size'] == size
    return peak


def test_protect_streams_the_image_in_flat_memory(tmp_path, bank, glance):
    plugin = make_plugin(tmp_path, backup_image_object_size=32 * MiB)
    small = _protect_peak(plugin, bank, glance, 'small', 64 * MiB)
    big = _protect_peak(plugin, bank, glance, 'big', 192 * MiB)
    # A few ~4 MiB chunks in the queues between the threads (two segment
    # writers, a chunk being read and one being joined), whatever the size
    # of the image.
    bound = ((segments.WRITERS * (segments.QUEUE_DEPTH + 1) + 3) *
             image_plugin.READ_CHUNK)
    assert small < bound + MiB
    assert big < bound + MiB


def test_protect_waits_for_an_active_image_with_short_polls(
        plugin, checkpoint, glance):
    glance.add_image()
    glance.statuses['img-1'] = ['queued', 'saving', 'saving', 'saving',
                                'saving', 'saving', 'saving', 'active']
    protect(plugin, checkpoint)
    # The waits' backoff: from 0.1 s, never more than an eighth of the time
    # waited (nor 2 s).
    sleeps = glance.clock.sleeps
    assert len(sleeps) == 7 and sleeps[0] == 0.1
    waited = 0.0
    for pause in sleeps:
        assert 0.1 <= pause <= max(0.1, min(2.0, waited / 8)) + 1e-9
        waited += pause


def test_a_glance_restarting_while_polled_is_asked_again(
        plugin, checkpoint, glance):
    glance.add_image()
    glance.get_failures = [
        glance_exceptions.CommunicationError('Connection refused'),
        glance_exceptions.HTTPServiceUnavailable('restarting')]
    assert protect(plugin, checkpoint)['size'] == 10 * MiB + 123
    assert glance.clock.sleeps == [0.1, 0.1]

    # Not an answer on the way: the image's own problem fails at once.
    glance.get_failures = [
        glance_exceptions.HTTPInternalServerError('database gone')]
    with pytest.raises(image_plugin.ImagePluginError) as raised:
        protect(plugin, make_checkpoint(checkpoint._bank))
    assert str(raised.value) == (
        'reading image img-1: Image service (glance) answered: database '
        'gone (HTTP 500)')


def test_an_image_that_stays_saving_fails_after_the_timeout(
        tmp_path, checkpoint, glance):
    plugin = make_plugin(tmp_path, image_active_timeout=5)
    glance.add_image(status='saving')
    with pytest.raises(waiting.WaitTimeout) as raised:
        protect(plugin, checkpoint)
    assert str(raised.value) == (
        'image img-1: still saving after 5 seconds (waited for active)')
    assert sum(glance.clock.sleeps) == pytest.approx(5)
    assert glance.downloads == 0


def test_a_killed_image_fails_at_once(plugin, checkpoint, glance):
    glance.add_image(status='killed')
    with pytest.raises(image_plugin.ImagePluginError) as raised:
        protect(plugin, checkpoint)
    assert str(raised.value) == 'image img-1 is killed in Glance'
    assert glance.clock.sleeps == []


def test_an_image_glance_does_not_have_fails_with_that_reason(
        plugin, checkpoint, glance):
    with pytest.raises(image_plugin.ImagePluginError) as raised:
        protect(plugin, checkpoint)
    assert str(raised.value) == 'image img-1 no longer exists in Glance'


def test_an_image_deleted_while_its_bytes_are_read_fails_and_leaves_nothing(
        plugin, checkpoint, glance):
    glance.add_image()
    glance.vanish_after = 6 * MiB
    with pytest.raises(image_plugin.ImagePluginError) as raised:
        protect(plugin, checkpoint)
    assert str(raised.value) == 'image img-1 no longer exists in Glance'
    assert section(checkpoint).list_objects() == []


def test_bytes_that_are_not_glances_fail_the_resource_with_the_reason(
        tmp_path, bank, glance):
    # Glance describes other bytes than it sends.
    glance.add_image(os_hash_value='0' * 128)
    path = os.path.join(str(tmp_path), 'images.conf')
    with open(path, 'w') as stream:
        stream.write('[provider]\nname = Images\nid = %s\n'
                     'plugin = karbor-image-protection-plugin\n'
                     'bank = karbor-fs-bank-plugin\nenabled = True\n'
                     '[file_system_bank_plugin]\n'
                     'file_system_bank_path = %s\n'
                     % (PROVIDER_ID, os.path.join(str(tmp_path), 'bank')))
    provider = providers._load_provider(path)
    checkpoint = make_checkpoint(bank)
    resource_graph = [graph.GraphNode(resource(), ())]
    with pytest.raises(exception.KarborException):
        protect_flow.protect_resources(
            resource_flow.FlowRun(checkpoint, None, {}), resource_graph,
            provider, {})
    record = checkpoint.to_dict()
    key = '%s#img-1' % IMAGE
    assert record['resources_status'][key] == 'error'
    sha512 = digests(image_bytes('img-1', 10 * MiB + 123))[2]
    assert record['resources_reason'][key] == (
        'the bytes of image img-1 read from Glance are not the image Glance '
        'describes (sha512 %s, not %s): it changed, or was damaged on the '
        'way' % ('0' * 128, sha512))
    # Nothing of the copy is kept.
    assert section(checkpoint).list_objects() == []


def test_a_size_that_differs_fails_too(plugin, checkpoint, glance):
    glance.add_image(size=5 * MiB)
    glance.images['img-1'].update(size=5 * MiB + 1)
    with pytest.raises(image_plugin.ImagePluginError) as raised:
        protect(plugin, checkpoint)
    assert 'size %d, not %d' % (5 * MiB + 1, 5 * MiB) in str(raised.value)


def test_a_bank_that_fails_mid_copy_fails_the_protection(
        plugin, checkpoint, glance, monkeypatch):
    glance.add_image()
    original = bank_plugin.BankSection.update_object

    def failing(self, key, value):
        if key == 'data/00000001':
            for _chunk in bank_plugin.iter_chunks(value):
                raise exception.BankError(reason='disk full')
        return original(self, key, value)

    monkeypatch.setattr(bank_plugin.BankSection, 'update_object', failing)
    with pytest.raises(exception.BankError) as raised:
        protect(plugin, checkpoint)
    assert 'disk full' in str(raised.value)
    monkeypatch.setattr(bank_plugin.BankSection, 'update_object', original)
    assert section(checkpoint).list_objects() == []


def test_an_empty_image_has_no_segments(plugin, checkpoint, glance):
    glance.add_image(size=0)
    assert protect(plugin, checkpoint)['segments'] == 0
    recorder, new_resources = restore(plugin, checkpoint)
    new_id = new_resources['%s#img-1' % IMAGE]
    assert glance.uploaded_bytes[new_id][0] == 0


# Restore

def test_restore_makes_a_new_image_of_the_saved_bytes_and_reports_it(
        plugin, checkpoint, glance):
    image = glance.add_image()
    protect(plugin, checkpoint)

    recorder, new_resources = restore(plugin, checkpoint,
                                      {'restore_name': 'cirros-again'})
    new_id = new_resources['%s#img-1' % IMAGE]
    assert recorder.history == [('%s#%s' % (IMAGE, new_id), 'restoring'),
                                ('%s#%s' % (IMAGE, new_id), 'available')]
    assert glance.created == [{
        'name': 'cirros-again', 'disk_format': 'qcow2',
        'container_format': 'bare', 'min_disk': 1, 'min_ram': 64,
        'tags': ['base'], 'hw_disk_bus': 'virtio', 'os_distro': 'cirros',
        # Marks that let a rerun of the restore find the image.
        'karbor_restore_id': recorder.id,
        'karbor_restored_from': '%s#img-1' % IMAGE}]
    assert glance.uploads == [(new_id, image['size'], image['size'])]
    assert glance.uploaded_bytes[new_id] == (image['size'],
                                             image['checksum'])

    # Without restore_name, the original's name.
    restore(plugin, checkpoint)
    assert glance.created[1]['name'] == 'cirros'


def test_a_restored_image_glance_hashes_otherwise_is_an_error(
        plugin, checkpoint, glance):
    glance.add_image()
    protect(plugin, checkpoint)
    glance.damage_uploads = True
    with pytest.raises(image_plugin.ImagePluginError) as raised:
        restore(plugin, checkpoint)
    assert 'is not the protected one (MD5 checksum' in str(raised.value)
    assert 'the new image restored-1 is deleted' in str(raised.value)
    assert glance.deleted == ['restored-1']


def test_in_the_restore_flow_a_failure_is_reported_under_the_new_id(
        plugin, checkpoint, glance):
    glance.add_image()
    protect(plugin, checkpoint)
    glance.damage_uploads = True
    recorder = RecordingRestore()

    class Provider(object):
        def get_protection_plugin(self, resource_type):
            return plugin

    checkpoint.start_protecting([graph.GraphNode(resource(), ())])
    checkpoint.finish_protecting()
    with pytest.raises(exception.KarborException):
        restore_flow.restore_resources(
            resource_flow.FlowRun(checkpoint, None, {
                'restore': recorder, 'new_resources': {}}),
            Provider(), recorder)
    key = '%s#restored-1' % IMAGE
    assert recorder.statuses[key] == 'error'
    assert 'is not the protected one' in recorder.reasons[key]


def test_a_restore_of_an_unfinished_protection_fails_before_any_work(
        plugin, checkpoint, glance):
    glance.add_image()
    section(checkpoint).update_object('metadata', {'status': 'protecting'})
    operation = plugin.get_restore_operation(resource())
    with pytest.raises(image_plugin.ImagePluginError) as raised:
        operation.on_prepare_begin(checkpoint, resource(), None, {},
                                   restore=RecordingRestore(),
                                   new_resources={})
    assert str(raised.value) == (
        'the checkpoint holds no complete copy of image img-1: its '
        'protection did not finish')
    assert glance.created == []


def test_a_missing_segment_fails_the_restore_and_deletes_the_new_image(
        plugin, checkpoint, glance):
    glance.add_image()
    protect(plugin, checkpoint)
    section(checkpoint).delete_object('data/00000001')
    with pytest.raises(image_plugin.ImagePluginError) as raised:
        restore(plugin, checkpoint)
    assert 'data/00000001' in str(raised.value)
    assert glance.deleted == ['restored-1']


def test_restore_streams_the_bytes_without_holding_them(
        tmp_path, checkpoint, glance):
    plugin = make_plugin(tmp_path)
    glance.add_image(size=160 * MiB)
    protect(plugin, checkpoint)
    tracemalloc.start()
    try:
        restore(plugin, checkpoint)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * MiB


# Verify

def verify(plugin, checkpoint):
    run_hooks(plugin.get_verify_operation(resource()), checkpoint)


def test_verify_passes_the_bytes_protect_stored(plugin, checkpoint, glance):
    glance.add_image()
    protect(plugin, checkpoint)

    verify(plugin, checkpoint)


def test_verify_fails_when_a_segment_was_altered_naming_the_digest(
        plugin, checkpoint, glance):
    glance.add_image()
    protect(plugin, checkpoint)
    images = section(checkpoint)
    damaged = bytearray(b''.join(images.get_object_chunks('data/00000001')))
    damaged[100] ^= 0xff
    images.update_object('data/00000001', bytes(damaged))

    with pytest.raises(image_plugin.ImagePluginError) as raised:
        verify(plugin, checkpoint)

    assert str(raised.value).startswith(
        'the bytes of image img-1 in the bank are not the protected ones '
        '(sha512 ')


def test_verify_fails_when_a_segment_is_cut_short_naming_the_size(
        plugin, checkpoint, glance):
    glance.add_image()
    protect(plugin, checkpoint)
    images = section(checkpoint)
    images.update_object('data/00000002', b'short')

    with pytest.raises(image_plugin.ImagePluginError) as raised:
        verify(plugin, checkpoint)

    assert 'size %d, not %d' % (10 * MiB + 123, 8 * MiB + 5) in str(
        raised.value)


def test_verify_fails_when_a_segment_is_missing(plugin, checkpoint, glance):
    glance.add_image()
    protect(plugin, checkpoint)
    section(checkpoint).delete_object('data/00000000')

    with pytest.raises(image_plugin.ImagePluginError) as raised:
        verify(plugin, checkpoint)

    assert 'missing' in str(raised.value)
    assert 'data/00000000' in str(raised.value)


def test_verify_of_an_unfinished_protection_fails(plugin, checkpoint):
    section(checkpoint).update_object('metadata', {'status': 'protecting'})

    with pytest.raises(image_plugin.ImagePluginError) as raised:
        verify(plugin, checkpoint)

    assert 'no complete copy of image img-1' in str(raised.value)


# Delete, saved info, loading

def test_delete_removes_every_object_of_the_image(plugin, checkpoint,
                                                  glance):
    glance.add_image()
    protect(plugin, checkpoint)
    run_hooks(plugin.get_delete_operation(resource()), checkpoint)
    assert section(checkpoint).list_objects() == []


def test_saved_info_is_none_before_anything_is_saved(plugin, checkpoint):
    assert plugin.get_saved_info(section(checkpoint), resource()) is None


def test_the_plugin_loads_by_its_entry_point_with_its_options(
        config, tmp_path):
    path = os.path.join(str(tmp_path), 'images.conf')
    with open(path, 'w') as stream:
        stream.write('[provider]\nname = Images\nid = %s\n'
                     'plugin = karbor-image-protection-plugin\n'
                     'bank = karbor-fs-bank-plugin\nenabled = True\n'
                     '[file_system_bank_plugin]\n'
                     'file_system_bank_path = %s\n'
                     '[image_backup_plugin]\n'
                     'backup_image_object_size = 8388608\n'
                     % (PROVIDER_ID, os.path.join(str(tmp_path), 'bank')))
    provider = providers._load_provider(path)
    plugin = provider.get_protection_plugin(IMAGE)
    assert isinstance(plugin, image_plugin.GlanceProtectionPlugin)
    operation = plugin.get_protect_operation(resource())
    assert operation._segment_size == 8 * MiB
    assert operation._active_timeout == 600
    schemas = provider.to_dict()['extended_info_schema']
    assert schemas['options_schema'][IMAGE]['properties'] == {}
    assert 'restore_name' in schemas['restore_schema'][IMAGE]['properties']
    assert 'os_hash_value' in (
        schemas['saved_info_schema'][IMAGE]['properties'])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({'restore_name': 'x', 'flavor': 'y'},
                            schemas['restore_schema'][IMAGE])


# The segments themselves

def test_segments_of_an_iterator_that_fails_part_way_are_abandoned(
        config, tmp_path):
    bank = bank_plugin.Bank(fakes.fs_bank_plugin(str(tmp_path)))
    images = bank.get_sub_section('/images')

    def failing():
        yield b'a' * MiB
        yield b'b' * MiB
        raise RuntimeError('Glance went away')

    with pytest.raises(RuntimeError):
        segments.write(images, failing(), MiB + 10, ['md5'])
    # The first segment was whole; the second one never appears.
    assert images.list_objects() == ['data/00000000']


def test_segments_read_back_in_order_and_a_reader_may_stop_early(
        config, tmp_path):
    bank = bank_plugin.Bank(fakes.fs_bank_plugin(str(tmp_path)))
    images = bank.get_sub_section('/images')
    data = [bytes([number]) * 1000 for number in range(10)]
    written = segments.write(images, iter(data), 2500, ['sha256'])
    assert (written.size, written.segments) == (10000, 4)
    assert written.digests == {
        'sha256': hashlib.sha256(b''.join(data)).hexdigest()}
    assert b''.join(segments.read(images, 4, 700)) == b''.join(data)
    reader = segments.read(images, 4, 700)
    assert next(reader) == b'\x00' * 700
    reader.close()


# Reruns: a worker dies in a hook; another runs the hook again on a new
# Operation.

class WorkerDied(BaseException):
    """The worker running the hook went away (not an error the hook
    handles)."""


def test_protect_run_again_writes_only_the_segments_the_bank_lacks(
        plugin, checkpoint, glance, monkeypatch):
    image = glance.add_image()
    original = bank_plugin.BankSection.update_object
    writes = []

    def dies_at_the_third_segment(self, key, value):
        if key.startswith('data/'):
            writes.append(key)
            if key == 'data/00000002' and len(writes) == 3:
                raise WorkerDied()
        return original(self, key, value)

    monkeypatch.setattr(bank_plugin.BankSection, 'update_object',
                        dies_at_the_third_segment)
    with pytest.raises(WorkerDied):
        protect(plugin, checkpoint)
    # The first two segments stay, listed in the record.
    record = section(checkpoint).get_object('metadata')
    assert record['status'] == 'protecting'
    assert sorted(record['copy']['written']) == ['0', '1']
    assert sorted(section(checkpoint).list_objects()) == [
        'data/00000000', 'data/00000001', 'metadata']

    del writes[:]
    saved = protect(plugin, checkpoint)
    assert writes == ['data/00000002']
    assert saved['segments'] == 3
    assert saved['os_hash_value'] == image['os_hash_value']
    record = section(checkpoint).get_object('metadata')
    assert 'copy' not in record and record['status'] == 'available'

    # Finished: running it again reads and writes nothing.
    downloads = glance.downloads
    protect(plugin, checkpoint)
    assert glance.downloads == downloads and writes == ['data/00000002']
    recorder, new_resources = restore(plugin, checkpoint)
    new_id = new_resources['%s#img-1' % IMAGE]
    assert glance.uploaded_bytes[new_id] == (image['size'],
                                             image['checksum'])


def test_protect_run_again_refuses_a_stored_segment_of_other_bytes(
        plugin, checkpoint, glance, monkeypatch):
    glance.add_image()
    original = bank_plugin.BankSection.update_object

    def dies_at_the_second_segment(self, key, value):
        if key == 'data/00000001':
            raise WorkerDied()
        return original(self, key, value)

    monkeypatch.setattr(bank_plugin.BankSection, 'update_object',
                        dies_at_the_second_segment)
    with pytest.raises(WorkerDied):
        protect(plugin, checkpoint)
    monkeypatch.setattr(bank_plugin.BankSection, 'update_object', original)
    images = section(checkpoint)
    record = images.get_object('metadata')
    record['copy']['written']['0'][1] += 1
    images.update_object('metadata', record)
    with pytest.raises(segments.SegmentsError,
                       match='segment data/00000000 in the bank'):
        protect(plugin, checkpoint)
    assert images.list_objects() == []


def test_restore_run_again_uploads_into_the_image_it_made(
        plugin, checkpoint, glance, monkeypatch):
    image = glance.add_image()
    protect(plugin, checkpoint)
    first = RecordingRestore()
    upload = FakeImages.upload

    def dies(self, image_id, image_data, image_size=None):
        raise WorkerDied()

    monkeypatch.setattr(FakeImages, 'upload', dies)
    with pytest.raises(WorkerDied):
        run_hooks(plugin.get_restore_operation(resource()), checkpoint,
                  restore=first, new_resources={})
    monkeypatch.setattr(FakeImages, 'upload', upload)
    assert len(glance.created) == 1 and glance.uploads == []

    again, new_resources = RecordingRestore(), {}
    again.id = first.id
    run_hooks(plugin.get_restore_operation(resource()), checkpoint,
              restore=again, new_resources=new_resources)
    assert len(glance.created) == 1
    assert glance.uploads == [('restored-1', image['size'], image['size'])]
    assert new_resources == {'%s#img-1' % IMAGE: 'restored-1'}
    assert again.statuses == {'%s#restored-1' % IMAGE: 'available'}


def test_restore_run_again_checks_an_image_already_uploaded(
        plugin, checkpoint, glance, monkeypatch):
    glance.add_image()
    protect(plugin, checkpoint)
    first = RecordingRestore()
    get = FakeImages.get

    def dies_once_uploaded(self, image_id):
        if glance.uploads:
            raise WorkerDied()
        return get(self, image_id)

    monkeypatch.setattr(FakeImages, 'get', dies_once_uploaded)
    with pytest.raises(WorkerDied):
        run_hooks(plugin.get_restore_operation(resource()), checkpoint,
                  restore=first, new_resources={})
    monkeypatch.setattr(FakeImages, 'get', get)

    again, new_resources = RecordingRestore(), {}
    again.id = first.id
    run_hooks(plugin.get_restore_operation(resource()), checkpoint,
              restore=again, new_resources=new_resources)
    assert len(glance.created) == 1 and len(glance.uploads) == 1
    assert again.statuses == {'%s#restored-1' % IMAGE: 'available'}
    # Another restore of the checkpoint makes its own image.
    restore(plugin, checkpoint)
    assert len(glance.created) == 2


def test_delete_run_again_finds_nothing_to_remove_and_succeeds(
        plugin, checkpoint, glance):
    glance.add_image()
    protect(plugin, checkpoint)
    for _run in range(2):
        run_hooks(plugin.get_delete_operation(resource()), checkpoint)
    assert section(checkpoint).list_objects() == []


# Copy: into a checkpoint of a second provider, in a bank of its own.

COPIES_ID = '9b2f6d0a-1f3e-4c55-8a47-2d5e8c1f4b02'


@pytest.fixture
def copies_bank(config, tmp_path):
    (tmp_path / 'copies').mkdir()
    plugin = fakes.fs_bank_plugin(str(tmp_path / 'copies'))
    plugin.acquire_lease()
    yield bank_plugin.Bank(plugin)
    plugin.release_lease()


def copy_into(plugin, checkpoint, copies_bank, checkpoint_copy=None):
    checkpoint_copy = checkpoint_copy or checkpoints.CheckpointCollection(
        copies_bank, COPIES_ID).create_copy(checkpoint)
    run_hooks(plugin.get_copy_operation(resource()), checkpoint,
              checkpoint_copy=checkpoint_copy)
    return checkpoint_copy


def test_copy_holds_the_record_and_every_segment_and_restores_alone(
        plugin, checkpoint, copies_bank, glance, tmp_path):
    image = glance.add_image()
    protect(plugin, checkpoint)

    checkpoint_copy = copy_into(plugin, checkpoint, copies_bank)

    copied = section(checkpoint_copy)
    assert sorted(copied.list_objects()) == sorted(
        section(checkpoint).list_objects())
    assert copied.get_object('metadata') == section(checkpoint).get_object(
        'metadata')
    shutil.rmtree(str(tmp_path / 'bank'))
    verify(plugin, checkpoint_copy)
    _recorder, new_resources = restore(plugin, checkpoint_copy)
    assert glance.uploaded_bytes[new_resources['%s#img-1' % IMAGE]] == (
        image['size'], image['checksum'])


def test_a_damaged_source_segment_fails_the_copy_and_leaves_nothing(
        plugin, checkpoint, copies_bank, glance):
    glance.add_image()
    protect(plugin, checkpoint)
    images = section(checkpoint)
    damaged = bytearray(b''.join(images.get_object_chunks('data/00000001')))
    damaged[7] ^= 0xff
    images.update_object('data/00000001', bytes(damaged))
    checkpoint_copy = checkpoints.CheckpointCollection(
        copies_bank, COPIES_ID).create_copy(checkpoint)

    with pytest.raises(image_plugin.ImagePluginError) as raised:
        copy_into(plugin, checkpoint, copies_bank, checkpoint_copy)

    assert 'are not the protected ones (sha512 ' in str(raised.value)
    assert section(checkpoint_copy).list_objects() == []


def test_a_missing_source_segment_fails_the_copy_naming_it(
        plugin, checkpoint, copies_bank, glance):
    glance.add_image()
    protect(plugin, checkpoint)
    section(checkpoint).delete_object('data/00000002')

    with pytest.raises(image_plugin.ImagePluginError,
                       match='segment data/00000002 of the image is '
                             'missing'):
        copy_into(plugin, checkpoint, copies_bank)


def test_copy_run_again_writes_only_the_segments_the_copy_lacks(
        plugin, checkpoint, copies_bank, glance, monkeypatch):
    image = glance.add_image()
    protect(plugin, checkpoint)
    checkpoint_copy = checkpoints.CheckpointCollection(
        copies_bank, COPIES_ID).create_copy(checkpoint)
    target_prefix = '/checkpoints/%s/' % checkpoint_copy.id
    original = bank_plugin.BankSection.update_object
    writes = []

    def dies_at_the_third_segment(self, key, value):
        if self._prefix.startswith(target_prefix) and key.startswith(
                'data/'):
            writes.append(key)
            if key == 'data/00000002' and len(writes) == 3:
                raise WorkerDied()
        return original(self, key, value)

    monkeypatch.setattr(bank_plugin.BankSection, 'update_object',
                        dies_at_the_third_segment)
    with pytest.raises(WorkerDied):
        copy_into(plugin, checkpoint, copies_bank, checkpoint_copy)
    assert section(checkpoint_copy).get_object('metadata')[
        'status'] == 'protecting'

    del writes[:]
    copy_into(plugin, checkpoint, copies_bank, checkpoint_copy)

    assert writes == ['data/00000002']
    assert section(checkpoint_copy).get_object('metadata') == section(
        checkpoint).get_object('metadata')
    _recorder, new_resources = restore(plugin, checkpoint_copy)
    assert glance.uploaded_bytes[new_resources['%s#img-1' % IMAGE]] == (
        image['size'], image['checksum'])


def _copy_peak(plugin, bank, copies_bank, glance, image_id, size):
    glance.add_image(image_id, size=size)
    checkpoint = make_checkpoint(bank, [image_id])
    protect(plugin, checkpoint, image_id)
    checkpoint_copy = checkpoints.CheckpointCollection(
        copies_bank, COPIES_ID).create_copy(checkpoint)
    tracemalloc.start()
    try:
        run_hooks(plugin.get_copy_operation(resource(image_id)), checkpoint,
                  image_id, checkpoint_copy=checkpoint_copy)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert plugin.get_saved_info(section(checkpoint_copy, image_id),
                                 resource(image_id))['size'] == size
    return peak


def test_copy_streams_the_image_in_flat_memory(tmp_path, bank, copies_bank,
                                               glance):
    plugin = make_plugin(tmp_path, backup_image_object_size=32 * MiB)
    small = _copy_peak(plugin, bank, copies_bank, glance, 'small', 64 * MiB)
    big = _copy_peak(plugin, bank, copies_bank, glance, 'big', 192 * MiB)
    # A chunk being read and one being written, whatever the size.
    assert small < 3 * image_plugin.READ_CHUNK
    assert big < 3 * image_plugin.READ_CHUNK
