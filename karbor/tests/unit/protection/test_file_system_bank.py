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

import json
import os
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
import uuid

import pytest

from karbor import exception
from karbor.services.protection import bank_plugin
from karbor.tests.unit.protection import fakes

MiB = 1024 * 1024


@pytest.fixture
def plugin(config, tmp_path):
    return fakes.fs_bank_plugin(str(tmp_path))


@pytest.fixture
def bank_root(tmp_path):
    return tmp_path / 'bank'


def _files(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob('*')
                  if path.is_file())


def test_objects_round_trip_as_bytes_text_json_and_chunks(plugin):
    plugin.update_object('/a/bytes', b'\x00\x01')
    plugin.update_object('/a/text', 'caf\u00e9')
    plugin.update_object('/a/json', {'status': 'available'})
    plugin.update_object('/a/chunks', iter([b'one ', b'two']))
    assert plugin.get_object('/a/bytes') == b'\x00\x01'
    assert plugin.get_object('a/text') == 'caf\u00e9'.encode()
    assert json.loads(plugin.get_object('/a/json')) == {
        'status': 'available'}
    assert b''.join(plugin.get_object_chunks('/a/chunks', 3)) == b'one two'


def test_a_crash_mid_write_leaves_the_old_object_whole(plugin, bank_root):
    plugin.update_object('/checkpoints/c1/index.json', b'old record')

    def dying_writer():
        yield b'new rec'
        raise RuntimeError('karbor-protection killed mid-write')

    with pytest.raises(RuntimeError):
        plugin.update_object('/checkpoints/c1/index.json', dying_writer())
    assert plugin.get_object('/checkpoints/c1/index.json') == b'old record'
    # No temporary file is left behind either.
    assert _files(bank_root / 'checkpoints') == ['c1/index.json']
    assert os.listdir(bank_root / '.tmp') == []


def test_a_big_object_is_written_and_read_without_holding_it_in_memory(
        plugin):
    def sixty_four_mib():
        for index in range(64):
            yield bytes([index]) * MiB

    tracemalloc.start()
    try:
        plugin.update_object('/data/volume', sixty_four_mib())
        _size, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        read = 0
        for index, chunk in enumerate(plugin.get_object_chunks('/data/volume',
                                                               MiB)):
            assert chunk == bytes([index]) * MiB
            read += len(chunk)
        _size, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == 64 * MiB
    assert write_peak < 8 * MiB
    assert read_peak < 8 * MiB


@pytest.fixture
def listed(plugin):
    keys = ['/indices/by-date/p/2026-11-%02dT00:00:00Z@c%02d' % (day, day)
            for day in range(1, 11)]
    for key in keys + ['/indices/by-plan/x/1@c01', '/checkpoints/c01/i']:
        plugin.update_object(key, b'')
    return keys


def test_listing_returns_keys_under_a_prefix_in_order(plugin, listed):
    assert plugin.list_objects(prefix='/indices/by-date/p/') == listed
    assert plugin.list_objects(prefix='/indices/by-date/p/2026-11-0') == (
        listed[:9])
    assert plugin.list_objects(prefix='/indices/') == (
        listed + ['/indices/by-plan/x/1@c01'])
    assert len(plugin.list_objects()) == 12
    assert plugin.list_objects(prefix='/nothing/') == []


def test_listing_pages_with_marker_end_marker_limit_and_direction(
        plugin, listed):
    prefix = '/indices/by-date/p/'
    assert plugin.list_objects(prefix=prefix, limit=3) == listed[:3]
    assert plugin.list_objects(prefix=prefix, limit=3,
                               marker=listed[2]) == listed[3:6]
    assert plugin.list_objects(prefix=prefix, marker=listed[6],
                               end_marker=listed[9]) == listed[7:9]
    assert plugin.list_objects(prefix=prefix, sort_dir='desc',
                               limit=2) == [listed[9], listed[8]]
    assert plugin.list_objects(prefix=prefix, sort_dir='desc',
                               marker=listed[5], end_marker=listed[2]) == [
        listed[4], listed[3]]
    # Dates as bounds: everything from November 3rd to 4th.
    assert plugin.list_objects(prefix=prefix, marker=prefix + '2026-11-03',
                               end_marker=prefix + '2026-11-05') == (
        listed[2:4])


def _settle(directory):
    """Make every directory under ``directory`` look unchanged for an
    hour, as a bank's old index does."""
    hour_ago = time.time() - 3600
    for path in [directory] + [p for p in directory.rglob('*')
                               if p.is_dir()]:
        os.utime(path, (hour_ago, hour_ago))


def test_a_settled_directory_is_paged_from_its_kept_listing_until_it_changes(
        plugin, listed, bank_root, monkeypatch):
    prefix = '/indices/by-date/p/'
    _settle(bank_root / 'indices')
    assert plugin.list_objects(prefix=prefix) == listed

    with monkeypatch.context() as patched:
        patched.setattr(plugin, '_walk', None)  # not read again
        assert plugin.list_objects(prefix=prefix, sort_dir='desc',
                                   limit=3) == listed[:-4:-1]
        assert plugin.list_objects(prefix=prefix, marker=listed[2],
                                   limit=2) == listed[3:5]
        assert plugin.list_objects(prefix=prefix, sort_dir='desc',
                                   marker=listed[5],
                                   end_marker=listed[2]) == listed[4:2:-1]

    newest = prefix + '2026-11-30T00:00:00Z@c30'
    plugin.update_object(newest, b'')
    assert plugin.list_objects(prefix=prefix, sort_dir='desc',
                               limit=1) == [newest]
    plugin.delete_object(listed[0])
    assert plugin.list_objects(prefix=prefix, limit=1) == [listed[1]]


def test_a_listing_through_subdirectories_sees_changes_deep_down(
        plugin, listed, bank_root):
    _settle(bank_root / 'indices')
    before = plugin.list_objects(prefix='/indices/')
    deeper = '/indices/by-plan/x/2@c02'
    plugin.update_object(deeper, b'')
    assert plugin.list_objects(prefix='/indices/') == sorted(
        before + [deeper])


def test_an_empty_subdirectory_is_listed_again_once_it_holds_an_object(
        plugin, listed, bank_root):
    # As a crash between making a directory and writing into it leaves.
    (bank_root / 'indices' / 'by-date' / 'p' / 'later').mkdir()
    _settle(bank_root / 'indices')
    prefix = '/indices/by-date/p/'
    assert plugin.list_objects(prefix=prefix) == listed
    plugin.update_object(prefix + 'later/c99', b'')
    assert plugin.list_objects(prefix=prefix) == listed + [
        prefix + 'later/c99']


def test_unsafe_characters_are_escaped_in_file_names_and_listed_back(
        plugin, bank_root):
    keys = ['/odd/object*with%wierd*id', '/odd/caf\u00e9 au lait',
            '/odd/.hidden', '/odd/OS::Cinder::Volume#v1/data']
    for key in keys:
        plugin.update_object(key, b'x')
    assert _files(bank_root / 'odd') == sorted([
        'object%[2A]with%[25]wierd%[2A]id',
        'caf%[C3A9]%[20]au%[20]lait',
        '%[2E]hidden',
        'OS::Cinder::Volume#v1/data'])
    assert plugin.list_objects(prefix='/odd/') == sorted(keys)
    assert plugin.get_object('/odd/caf\u00e9 au lait') == b'x'


@pytest.mark.parametrize('key', ['../outside', '/a/../../outside',
                                 '/a/./b', '/a/..'])
def test_keys_cannot_reach_outside_the_bank(plugin, tmp_path, key):
    with pytest.raises(exception.InvalidBankKey):
        plugin.update_object(key, b'x')
    with pytest.raises(exception.InvalidBankKey):
        plugin.get_object(key)
    with pytest.raises(exception.InvalidBankKey):
        plugin.list_objects(prefix=key + '/')
    assert not (tmp_path / 'outside').exists()


def test_missing_objects_are_not_found(plugin):
    plugin.update_object('/a/b', b'x')
    for key in ('/a/missing', '/a', '/a/b/c'):
        with pytest.raises(exception.BankObjectNotFound):
            plugin.get_object(key)
        with pytest.raises(exception.BankObjectNotFound):
            plugin.get_object_chunks(key)
        with pytest.raises(exception.BankObjectNotFound):
            plugin.delete_object(key)


def test_deleting_objects_removes_their_empty_directories(plugin,
                                                          bank_root):
    plugin.update_object('/checkpoints/c1/OS::Nova::Server#s1/data', b'x')
    plugin.update_object('/checkpoints/c1/index.json', b'x')
    plugin.delete_object('/checkpoints/c1/OS::Nova::Server#s1/data')
    assert plugin.list_objects() == ['/checkpoints/c1/index.json']
    assert not (bank_root / 'checkpoints' / 'c1' /
                'OS::Nova::Server#s1').exists()
    plugin.delete_object('/checkpoints/c1/index.json')
    assert sorted(os.listdir(bank_root)) == ['.leases', '.tmp']


class _Clock(object):
    """The wall clock (lease files) and the owners' own (lease validity),
    standing still until a test moves them."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, 'time', lambda: self.now)
        monkeypatch.setattr(bank_plugin, '_clock', lambda: self.now)


def test_a_lease_is_valid_until_too_little_of_it_is_left(
        config, tmp_path, monkeypatch):
    clock = _Clock(monkeypatch)
    plugin = fakes.fs_bank_plugin(str(tmp_path), lease_expire_window=300,
                                  lease_renew_window=100,
                                  lease_validity_window=100)
    assert not plugin.check_lease_validity()  # not acquired yet
    plugin.acquire_lease()
    try:
        assert plugin.check_lease_validity()
        clock.now += 201  # 99 s left: less than the validity window
        assert not plugin.check_lease_validity()
        plugin.renew_lease()
        assert plugin.check_lease_validity()
    finally:
        plugin.release_lease()


def test_another_owner_sees_a_lease_until_it_expires_or_is_released(
        config, tmp_path, monkeypatch):
    clock = _Clock(monkeypatch)
    owner = fakes.fs_bank_plugin(str(tmp_path), lease_expire_window=300)
    observer = fakes.fs_bank_plugin(str(tmp_path))
    assert owner.get_owner_id() != observer.get_owner_id()
    assert not observer.check_lease_existence(owner.get_owner_id())
    owner.acquire_lease()
    try:
        assert observer.check_lease_existence(owner.get_owner_id())
        clock.now += 301
        assert not observer.check_lease_existence(owner.get_owner_id())
        owner.renew_lease()
        assert observer.check_lease_existence(owner.get_owner_id())
    finally:
        owner.release_lease()
    assert not observer.check_lease_existence(owner.get_owner_id())


def test_the_lease_is_renewed_in_the_background_until_released(
        config, tmp_path, monkeypatch):
    clock = _Clock(monkeypatch)
    plugin = fakes.fs_bank_plugin(str(tmp_path), lease_expire_window=3,
                                  lease_renew_window=1,
                                  lease_validity_window=1)
    owner_id = plugin.get_owner_id()
    lease_file = tmp_path / 'bank' / '.leases' / owner_id
    plugin.acquire_lease()
    try:
        # The clocks stand still: only a renewal made after this moves the
        # lease on, however loaded the machine is.
        clock.now += 2.5
        assert not plugin.check_lease_validity()  # 0.5 s left < 1 s
        deadline = time.monotonic() + 30
        while (json.loads(lease_file.read_bytes())['expires_at'] !=
               clock.now + 3):
            assert time.monotonic() < deadline, 'the lease was not renewed'
            time.sleep(0.05)
        assert plugin.check_lease_validity()
    finally:
        plugin.release_lease()
    assert not lease_file.exists()
    assert 'bank-lease-%s' % owner_id not in [
        thread.name for thread in threading.enumerate()]


@pytest.mark.parametrize('windows', [
    {'lease_expire_window': 120},
    {'lease_expire_window': 4, 'lease_renew_window': 2,
     'lease_validity_window': 1},
    {'lease_renew_window': 150},
])
def test_lease_windows_a_failed_renewal_would_break_are_refused(
        config, tmp_path, windows):
    with pytest.raises(exception.BankError) as raised:
        fakes.fs_bank_plugin(str(tmp_path), **windows)
    assert '[file_system_bank_plugin] lease_expire_window' in str(
        raised.value)
    assert 'twice lease_renew_window plus lease_validity_window' in str(
        raised.value)


def test_lease_windows_default_to_safe_ones_and_may_be_tight(config,
                                                             tmp_path):
    plugin = fakes.fs_bank_plugin(str(tmp_path))
    assert (plugin.lease_expire_window, plugin.lease_renew_window,
            plugin.lease_validity_window) == (300, 100, 100)
    tight = fakes.fs_bank_plugin(str(tmp_path), lease_expire_window=5,
                                 lease_renew_window=2,
                                 lease_validity_window=1)
    assert tight.lease_expire_window == 5


class _Recorder(object):
    """What a write asks of the file system, in order: fsync (of the path
    the descriptor is open on), mkdir and replace."""

    def __init__(self, monkeypatch, root):
        self.calls = []
        self._root = str(root)
        for name in ('fsync', 'mkdir', 'replace'):
            monkeypatch.setattr(os, name, self._recording(name,
                                                          getattr(os, name)))

    def _relative(self, path):
        path = os.path.relpath(path, self._root)
        if path.startswith('.tmp' + os.sep):
            return '.tmp/<temporary>'
        return path

    def _recording(self, name, original):
        def call(*args, **kwargs):
            if name == 'fsync':
                self.calls.append(('fsync', self._relative(
                    os.readlink('/proc/self/fd/%d' % args[0]))))
            elif name == 'mkdir':
                self.calls.append(('mkdir', self._relative(args[0])))
            else:
                self.calls.append(('replace', self._relative(args[0]),
                                   self._relative(args[1])))
            return original(*args, **kwargs)
        return call


def test_a_write_is_fsynced_renamed_into_place_and_its_directories_synced(
        plugin, bank_root, monkeypatch):
    recorder = _Recorder(monkeypatch, bank_root)
    plugin.update_object('/checkpoints/c1/OS::Nova::Server#s1/data',
                         iter([b'one', b'two']))
    assert recorder.calls == [
        # The content is on disk before the name points at it.
        ('fsync', '.tmp/<temporary>'),
        # Each directory made is on disk in its parent before the rename.
        ('mkdir', 'checkpoints'), ('fsync', '.'),
        ('mkdir', 'checkpoints/c1'), ('fsync', 'checkpoints'),
        ('mkdir', 'checkpoints/c1/OS::Nova::Server#s1'),
        ('fsync', 'checkpoints/c1'),
        ('replace', '.tmp/<temporary>',
         'checkpoints/c1/OS::Nova::Server#s1/data'),
        # The rename itself is on disk before update_object returns.
        ('fsync', 'checkpoints/c1/OS::Nova::Server#s1'),
    ]

    del recorder.calls[:]
    plugin.update_object('/checkpoints/c1/index.json', {'id': 'c1'})
    assert recorder.calls == [
        ('fsync', '.tmp/<temporary>'),
        ('replace', '.tmp/<temporary>', 'checkpoints/c1/index.json'),
        ('fsync', 'checkpoints/c1'),
    ]
    assert plugin.get_object('/checkpoints/c1/OS::Nova::Server#s1/data') == (
        b'onetwo')


def test_writers_renaming_into_one_directory_at_once_share_its_fsyncs(
        plugin, bank_root, monkeypatch):
    from karbor.services.protection.bank_plugins import (
        file_system_bank_plugin as fs_bank)
    # The directory exists: the writes below only rename into it.
    plugin.update_object('/checkpoints/c1/resources_status/made', {})
    events = []
    first_runs = threading.Event()
    release_first = threading.Event()
    real_fsync = fs_bank._fsync_directory

    def fsync_directory(directory):
        number = len([e for e in events if e[0] == 'fsync started']) + 1
        events.append(('fsync started', number))
        if number == 1:
            first_runs.set()
            assert release_first.wait(10)
        real_fsync(directory)
        events.append(('fsync ended', number))
    monkeypatch.setattr(fs_bank, '_fsync_directory', fsync_directory)

    def write(name):
        plugin.update_object('/checkpoints/c1/resources_status/%s' % name,
                             {})
        events.append(('returned', name))

    first = threading.Thread(target=write, args=('first',))
    first.start()
    assert first_runs.wait(10)
    # These rename while the first one's fsync runs: it may not cover
    # them, so they wait for the next one, which covers them all.
    others = [threading.Thread(target=write, args=(n,))
              for n in ('a', 'b', 'c', 'd')]
    for other in others:
        other.start()
    while len(os.listdir(bank_root / 'checkpoints' / 'c1' /
                         'resources_status')) < 6:
        time.sleep(0.01)
    release_first.set()
    for thread in [first] + others:
        thread.join(10)

    fsyncs = [e for e in events if e[0] == 'fsync started']
    assert fsyncs == [('fsync started', 1), ('fsync started', 2)]
    second_ended = events.index(('fsync ended', 2))
    for name in 'abcd':
        assert events.index(('returned', name)) > second_ended
    assert events.index(('returned', 'first')) > events.index(
        ('fsync ended', 1))
    assert sorted(plugin.list_objects('/checkpoints/c1/resources_status/')) \
        == ['/checkpoints/c1/resources_status/%s' % n
            for n in ('a', 'b', 'c', 'd', 'first', 'made')]


def test_a_failed_directory_fsync_fails_its_writer_and_not_the_next(
        plugin, monkeypatch):
    from karbor.services.protection.bank_plugins import (
        file_system_bank_plugin as fs_bank)
    plugin.update_object('/a/made', {})
    real_fsync = fs_bank._fsync_directory
    failures = [OSError(5, 'Input/output error')]

    def fsync_directory(directory):
        if failures:
            raise failures.pop()
        real_fsync(directory)
    monkeypatch.setattr(fs_bank, '_fsync_directory', fsync_directory)
    with pytest.raises(exception.BankError):
        plugin.update_object('/a/first', {})
    plugin.update_object('/a/second', {})
    assert plugin.get_object('/a/second') == b'{}'


def test_the_bank_directories_are_synced_into_place_when_made(
        config, tmp_path, monkeypatch):
    recorder = _Recorder(monkeypatch, tmp_path / 'bank')
    fakes.fs_bank_plugin(str(tmp_path))
    assert recorder.calls == [
        ('mkdir', '.'), ('fsync', '..'),
        ('mkdir', '.leases'), ('fsync', '.'),
        ('mkdir', '.tmp'), ('fsync', '.'),
    ]


def test_a_lease_is_written_as_durably_as_an_object(plugin, bank_root,
                                                    monkeypatch):
    recorder = _Recorder(monkeypatch, bank_root)
    plugin.acquire_lease()
    try:
        assert recorder.calls == [
            ('fsync', '.tmp/<temporary>'),
            ('replace', '.tmp/<temporary>',
             '.leases/%s' % plugin.get_owner_id()),
            ('fsync', '.leases'),
        ]
    finally:
        plugin.release_lease()


_KILLED_WRITER = """
import sys, time
from karbor.tests.unit.protection import fakes

plugin = fakes.fs_bank_plugin(sys.argv[1])
plugin.acquire_lease()


def volume():
    yield b'the first half of a volume'
    print(plugin.get_owner_id(), flush=True)
    time.sleep(600)


plugin.update_object('/checkpoints/c1/OS::Cinder::Volume#v1/data', volume())
"""


def _temporary_files(bank_root):
    return sorted(os.listdir(bank_root / '.tmp'))


def test_a_start_removes_what_dead_writers_left_and_keeps_live_writes(
        config, tmp_path, bank_root, monkeypatch):
    # A karbor-protection killed in the middle of a write, in its own
    # process, on the bank this test shares with it.
    writer = subprocess.Popen(
        [sys.executable, '-c', _KILLED_WRITER, str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        dead_id = writer.stdout.readline().strip()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    writer.stdout.close()
    (left,) = _temporary_files(bank_root)
    assert left.startswith(dead_id + '.')

    # Fresh, and its writer's lease has not run out: it may be alive.
    fakes.fs_bank_plugin(str(tmp_path))
    assert _temporary_files(bank_root) == [left]

    # A worker that is alive, in the middle of a write.
    live = fakes.fs_bank_plugin(str(tmp_path))
    live.acquire_lease()
    release_the_write = threading.Event()

    def slow_volume():
        yield b'a volume still being read'
        release_the_write.wait(30)

    live_write = threading.Thread(target=live.update_object, args=(
        '/checkpoints/c2/OS::Cinder::Volume#v2/data', slow_volume()))
    live_write.start()
    try:
        deadline = time.monotonic() + 30
        while len(_temporary_files(bank_root)) < 2:
            assert time.monotonic() < deadline, 'the live write did not start'
            time.sleep(0.01)
        # Not ours to remove: a file of another name.
        (bank_root / '.tmp' / 'operator-notes').write_bytes(b'')
        # A writer without a lease yet, still writing a minute ago.
        of_unleased = '%s.abcd1234.tmp' % uuid.uuid4()
        (bank_root / '.tmp' / of_unleased).write_bytes(b'')

        # The dead writer's lease runs out; the live one renews its own.
        clock = _Clock(monkeypatch)
        clock.now += 301
        live.renew_lease()
        os.utime(bank_root / '.tmp' / of_unleased,
                 (clock.now - 60, clock.now - 60))
        os.utime(bank_root / '.tmp' / 'operator-notes', (0, 0))

        fakes.fs_bank_plugin(str(tmp_path))
        remaining = _temporary_files(bank_root)
        assert left not in remaining
        assert len([name for name in remaining
                    if name.startswith(live.get_owner_id() + '.')]) == 1
        assert 'operator-notes' in remaining
        assert of_unleased in remaining
    finally:
        release_the_write.set()
        live_write.join()
        live.release_lease()
    # The live write ended as if nothing happened.
    assert live.get_object('/checkpoints/c2/OS::Cinder::Volume#v2/data') == (
        b'a volume still being read')
    assert live.list_objects() == [
        '/checkpoints/c2/OS::Cinder::Volume#v2/data']


def test_a_write_the_file_system_refuses_is_a_bank_error(plugin):
    plugin.update_object('/a/b', b'object')
    with pytest.raises(exception.BankError, match='cannot write /a/b/c'):
        plugin.update_object('/a/b/c', b'under an object')
    assert plugin.get_object('/a/b') == b'object'
