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

"""The Swift bank plugin against a fake Swift (python-swiftclient's
Connection replaced; objects kept as files, so that big ones cost no
memory)."""

import contextlib
import hashlib
import json
import os
import re
import threading
import time
import tracemalloc
import uuid

from keystoneauth1 import session as ks_session
import pytest
import requests
from swiftclient import exceptions as swift_exceptions

from karbor import exception
from karbor.services.protection import bank_plugin
from karbor.services.protection.bank_plugins import swift_bank_plugin
from karbor.services.protection.clients import swift
from karbor.tests.unit.protection import fakes

# Requests carry only the headers a test asks for.
pytestmark = pytest.mark.usefixtures('no_request_context')

MiB = 1024 * 1024
STORAGE_URL = 'http://swift.example:8080/v1/AUTH_karbor'


class FakeSwift(object):
    """Swift as python-swiftclient's Connection shows it.

    Objects are files of ``directory``; an upload goes to a temporary
    file renamed when it ends, as Swift keeps nothing of an upload that
    did not end. ``listing_limit`` is the cluster's
    container_listing_limit; ``now`` the clock of X-Delete-After.
    """

    def __init__(self, directory, listing_limit=3):
        self.directory = directory
        self.listing_limit = listing_limit
        self.containers = {}
        self.now = 1000.0
        self.requests = []
        self.failures = []
        self.pieces = []
        self.up = True
        # Swift's object servers check If-None-Match and create at once.
        self.lock = threading.Lock()

    def check(self, method, container, name=None, **details):
        self.requests.append((method, container, name, details))
        if not self.up:
            raise requests.ConnectionError('Connection refused')
        if self.failures:
            raise self.failures.pop(0)

    def objects(self, container):
        try:
            return self.containers[container]
        except KeyError:
            raise swift_exceptions.ClientException(
                'Container GET failed', http_status=404,
                http_reason='Not Found')

    def live(self, container, name):
        entry = self.objects(container).get(name)
        if entry is None or (entry['delete_at'] is not None and
                             entry['delete_at'] <= self.now):
            raise swift_exceptions.ClientException(
                'Object GET failed', http_status=404,
                http_reason='Not Found')
        return entry

    def path(self):
        return os.path.join(self.directory, uuid.uuid4().hex)


class FakeBody(object):
    """A streamed object body: read from its file, chunk by chunk."""

    def __init__(self, connection, path, chunk_size):
        self._connection = connection
        self._stream = open(path, 'rb')
        self._chunk_size = chunk_size

    def __iter__(self):
        return self

    def __next__(self):
        chunk = self._stream.read(self._chunk_size)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self):
        if not self._stream.closed:
            self._stream.close()
            self._connection.busy = False


def _traced(headers):
    """A request's ``headers`` among its recorded details, when it has
    any: those naming the request context it serves, if one is current."""
    return {'headers': headers} if headers else {}


class FakeConnection(object):
    """swiftclient.client.Connection over a FakeSwift; it refuses to serve
    two requests at once, as a real one cannot."""

    made = []

    def __init__(self, swift_cluster, **kwargs):
        self.swift = swift_cluster
        self.kwargs = kwargs
        self.retries = kwargs.get('retries')
        self.url = None
        self.token = None
        self.busy = False
        self.closed = 0
        FakeConnection.made.append(self)

    @contextlib.contextmanager
    def _request(self, method, container, name=None, keep_busy=False,
                 **details):
        assert not self.busy, 'a connection serves one request at a time'
        assert self.url == STORAGE_URL and self.token == 'token'
        self.busy = True
        try:
            self.swift.check(method, container, name, **details)
            yield
        except BaseException:
            self.busy = False
            raise
        if not keep_busy:
            self.busy = False

    def close(self):
        self.closed += 1

    def get_capabilities(self):
        with self._request('GET', '/info'):
            return {'swift': {
                'container_listing_limit': self.swift.listing_limit}}

    def put_container(self, container, headers=None):
        with self._request('PUT', container, retries=self.retries,
                           **_traced(headers)):
            self.swift.containers.setdefault(container, {})

    def put_object(self, container, name, contents, content_length=None,
                   content_type=None, etag=None, headers=None):
        with self._request('PUT', container, name, headers=headers,
                           retries=self.retries,
                           content_length=content_length):
            objects = self.swift.objects(container)
            path = self.swift.path()
            pieces = []
            try:
                with open(path, 'wb') as stream:
                    if hasattr(contents, 'read'):
                        data = contents.read()
                        assert len(data) == content_length
                        stream.write(data)
                    else:
                        for chunk in contents:
                            pieces.append(len(chunk))
                            stream.write(chunk)
                        assert content_length in (None, sum(pieces))
            except BaseException:
                os.unlink(path)
                raise
            self.swift.pieces = pieces
            digest = hashlib.md5()
            with open(path, 'rb') as stream:
                for chunk in iter(lambda: stream.read(MiB), b''):
                    digest.update(chunk)
            digest = digest.hexdigest()
            if etag is not None and etag != digest:
                os.unlink(path)
                raise swift_exceptions.ClientException(
                    'Object PUT failed', http_status=422,
                    http_reason='Unprocessable Entity')
            headers = headers or {}
            delete_after = headers.get('X-Delete-After')
            entry = {'path': path, 'etag': digest,
                     'delete_at': (self.swift.now + int(delete_after)
                                   if delete_after else None),
                     'meta': {header.lower(): value
                              for header, value in headers.items()
                              if header.lower().startswith(
                                  'x-object-meta-')}}
            with self.swift.lock:
                if headers.get('If-None-Match') == '*':
                    try:
                        self.swift.live(container, name)
                    except swift_exceptions.ClientException:
                        pass
                    else:
                        os.unlink(path)
                        raise swift_exceptions.ClientException(
                            'Object PUT failed', http_status=412,
                            http_reason='Precondition Failed')
                objects[name] = entry

    def post_object(self, container, name, headers):
        with self._request('POST', container, name, headers=headers):
            entry = self.swift.live(container, name)
            entry['delete_at'] = (self.swift.now +
                                  int(headers['X-Delete-After']))

    def head_object(self, container, name, headers=None):
        with self._request('HEAD', container, name, **_traced(headers)):
            return {'etag': self.swift.live(container, name)['etag']}

    def get_object(self, container, name, resp_chunk_size=None,
                   headers=None):
        with self._request('GET', container, name,
                           keep_busy=resp_chunk_size is not None,
                           **_traced(headers)):
            entry = self.swift.live(container, name)
            if resp_chunk_size is None:
                with open(entry['path'], 'rb') as stream:
                    return dict(entry['meta'], etag=entry['etag']), (
                        stream.read())
            return {}, FakeBody(self, entry['path'], resp_chunk_size)

    def delete_object(self, container, name, headers=None):
        with self._request('DELETE', container, name, **_traced(headers)):
            self.swift.live(container, name)
            del self.swift.containers[container][name]

    def get_container(self, container, limit=None, prefix=None, marker=None,
                      end_marker=None, query_string=None, headers=None):
        with self._request('GET', container, limit=limit, prefix=prefix,
                           marker=marker, end_marker=end_marker,
                           query_string=query_string, **_traced(headers)):
            names = sorted(self.swift.objects(container))
            reverse = query_string == 'reverse=on'
            if reverse:
                # Swift's reverse listing: below marker, above end_marker.
                marker, end_marker = end_marker, marker
            names = [name for name in names
                     if name.startswith(prefix or '') and
                     (marker is None or name > marker) and
                     (end_marker is None or name < end_marker)]
            if reverse:
                names.reverse()
            limit = min(limit or self.swift.listing_limit,
                        self.swift.listing_limit)
            return {}, [{'name': name} for name in names[:limit]]


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    objects_dir = tmp_path / 'swift'
    objects_dir.mkdir()
    fake = FakeSwift(str(objects_dir))
    FakeConnection.made = []
    monkeypatch.setattr(swift.swift_client, 'Connection',
                        lambda **kwargs: FakeConnection(fake, **kwargs))
    monkeypatch.setattr(ks_session.Session, 'get_token',
                        lambda self, auth=None: 'token')
    monkeypatch.setattr(ks_session.Session, 'get_endpoint',
                        lambda self, auth=None, **kwargs: STORAGE_URL)
    monkeypatch.setattr(bank_plugin, '_clock', lambda: fake.now)
    return fake


PROVIDER = '''[provider]
name = Swift bank test
id = %(id)s
bank = karbor-swift-bank-plugin

[swift_client]
swift_auth_url = http://keystone.example:5000/v3
swift_user = karbor
swift_key = secret
swift_tenant_name = service

[swift_bank_plugin]
bank_swift_object_container = bank
lease_expire_window = 300
lease_renew_window = 100
lease_validity_window = 100
'''


def make_plugin(directory, text=PROVIDER):
    return swift_bank_plugin.SwiftBankPlugin(fakes.provider_config(
        str(directory), text % {'id': uuid.uuid4()}))


@pytest.fixture
def plugin(cluster, tmp_path):
    plugin = make_plugin(tmp_path)
    yield plugin
    plugin.release_lease()


def test_the_bank_lease_and_revision_containers_are_made_at_start(
        plugin, cluster):
    assert set(cluster.containers) == {'bank', 'bank_leases',
                                       'bank_revisions'}
    connection = FakeConnection.made[0]
    assert connection.kwargs['os_options'] == {
        'object_storage_url': STORAGE_URL}


def test_objects_round_trip_as_bytes_text_json_and_chunks(plugin, cluster):
    plugin.update_object('/a/bytes', b'\x00\x01')
    plugin.update_object('a//text', 'caf\u00e9')
    plugin.update_object('/a/json', {'status': 'available'})
    plugin.update_object('/a/chunks', iter([b'one ', b'', b'two']))
    assert plugin.get_object('a/bytes') == b'\x00\x01'
    assert plugin.get_object('/a/text') == 'caf\u00e9'.encode()
    assert json.loads(plugin.get_object('/a/json')) == {
        'status': 'available'}
    assert b''.join(plugin.get_object_chunks('/a/chunks', 3)) == b'one two'
    # Keys are object names without the leading '/'.
    assert sorted(cluster.containers['bank']) == [
        'a/bytes', 'a/chunks', 'a/json', 'a/text']


def test_values_of_known_length_are_retried_streams_are_not(
        plugin, cluster):
    plugin.update_object('/small', b'record')
    plugin.update_object('/stream', iter([b'a', b'b']))
    puts = {name: details for method, _c, name, details in cluster.requests
            if method == 'PUT' and name}
    assert puts['small']['retries'] == swift.RETRIES
    # swiftclient cannot rewind an iterator to send it again.
    assert puts['stream']['retries'] == 0
    assert FakeConnection.made[0].retries == swift.RETRIES


def test_a_missing_object_is_bank_object_not_found(plugin):
    with pytest.raises(exception.BankObjectNotFound):
        plugin.get_object('/nothing')
    with pytest.raises(exception.BankObjectNotFound):
        plugin.get_object_chunks('/nothing')
    with pytest.raises(exception.BankObjectNotFound):
        plugin.delete_object('/nothing')
    with pytest.raises(exception.InvalidBankKey):
        plugin.get_object('//')


def test_delete_removes_the_object(plugin):
    plugin.update_object('/a', b'1')
    plugin.delete_object('/a')
    assert plugin.list_objects() == []


def _fill(plugin, count=10):
    keys = ['/idx/%02d' % number for number in range(count)]
    for key in keys:
        plugin.update_object(key, b'')
    return keys


def _listings(cluster):
    return [details for method, container, _n, details in cluster.requests
            if method == 'GET' and container == 'bank' and
            'prefix' in details]


def test_a_listing_pages_through_swift_asking_no_more_than_it_needs(
        plugin, cluster):
    keys = _fill(plugin)
    del cluster.requests[:]
    # The cluster gives at most 3 names a request.
    assert plugin.list_objects(prefix='/idx/', limit=4) == keys[:4]
    assert [page['limit'] for page in _listings(cluster)] == [3, 1]
    assert [page['marker'] for page in _listings(cluster)] == [
        None, 'idx/02']

    del cluster.requests[:]
    assert plugin.list_objects(prefix='/idx') == keys
    # Full pages of 3, then a short one: that was the last.
    assert len(_listings(cluster)) == 4

    del cluster.requests[:]
    assert plugin.list_objects(prefix='/idx/', limit=0) == []
    assert _listings(cluster) == []


def test_a_listing_knows_no_end_without_the_clusters_limit(
        cluster, tmp_path):
    original = FakeConnection.get_capabilities

    def no_info(self):
        raise swift_exceptions.ClientException('Capabilities GET failed',
                                               http_status=404)

    FakeConnection.get_capabilities = no_info
    try:
        plugin = make_plugin(tmp_path)
    finally:
        FakeConnection.get_capabilities = original
    keys = _fill(plugin, 6)
    del cluster.requests[:]
    assert plugin.list_objects(prefix='/idx/') == keys
    # Pages of 3, 3, then an empty one.
    assert len(_listings(cluster)) == 3


def test_markers_bound_a_listing_in_either_direction(plugin, cluster):
    keys = _fill(plugin)
    assert plugin.list_objects(prefix='/idx/', marker='/idx/02',
                               end_marker='/idx/07') == keys[3:7]
    assert plugin.list_objects(prefix='/idx/', sort_dir='desc',
                               limit=5) == keys[::-1][:5]
    assert plugin.list_objects(prefix='/idx/', sort_dir='desc',
                               marker='/idx/08', end_marker='/idx/01',
                               limit=4) == ['/idx/07', '/idx/06', '/idx/05',
                                            '/idx/04']
    descending = [page for page in _listings(cluster)
                  if page['query_string'] == 'reverse=on']
    assert descending[-1]['marker'] == 'idx/05'
    assert descending[-1]['end_marker'] == 'idx/01'
    # A partial key bounds a listing too (checkpoint dates do this).
    assert plugin.list_objects(prefix='/idx/', marker='/idx/0',
                               end_marker='/idx/03') == keys[:3]


def test_a_big_object_streams_in_and_out_without_being_held(
        plugin, cluster):
    def sixty_four_mib():
        for index in range(64):
            yield bytes([index]) * MiB

    tracemalloc.start()
    try:
        plugin.update_object('/data/volume', sixty_four_mib())
        _size, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        read = 0
        for index, chunk in enumerate(plugin.get_object_chunks(
                '/data/volume', MiB)):
            assert chunk == bytes([index]) * MiB
            read += len(chunk)
        _size, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == 64 * MiB
    # Swift got the chunks one by one, as they came.
    assert cluster.pieces == [MiB] * 64
    assert write_peak < 4 * MiB
    assert read_peak < 4 * MiB


class Sized(object):
    """Chunks that say how many bytes they hold."""

    def __init__(self, chunks, length):
        self._chunks = chunks
        self._length = length

    def __len__(self):
        return self._length

    def __iter__(self):
        return iter(self._chunks)


def test_a_stream_of_known_length_is_sent_with_it(plugin, cluster):
    plugin.update_object('/seg', Sized([b'abc', b'de'], 5))
    plugin.update_object('/empty', Sized([], 0))
    plugin.update_object('/chunked', iter([b'abc']))
    puts = {name: details for method, _c, name, details in cluster.requests
            if method == 'PUT' and name}
    assert puts['seg']['content_length'] == 5
    # swiftclient sends it as it is: no chunked encoding, no copy.
    assert puts['chunked']['content_length'] is None
    assert plugin.get_object('/seg') == b'abcde'
    assert plugin.get_object('/empty') == b''


@pytest.mark.parametrize('chunks,problem', [
    ([b'abc'], 'ended after 3 of the 5 bytes it said'),
    ([b'abc', b'def'], 'holds more than the 5 bytes it said')])
def test_a_stream_that_is_not_the_length_it_said_fails(plugin, cluster,
                                                       chunks, problem):
    plugin.update_object('/seg', b'old')
    with pytest.raises(exception.BankError) as raised:
        plugin.update_object('/seg', Sized(chunks, 5))
    assert str(raised.value) == (
        'Bank operation failed: the stream for bank object /seg %s' %
        problem)
    assert plugin.get_object('/seg') == b'old'


def test_a_source_that_fails_leaves_the_old_object_and_raises_its_error(
        plugin, cluster):
    plugin.update_object('/checkpoints/c1/index.json', b'old record')

    def dying_reader():
        yield b'new rec'
        raise OSError('disk read error')

    with pytest.raises(OSError) as raised:
        plugin.update_object('/checkpoints/c1/index.json', dying_reader())
    # Its own error, not a Swift one.
    assert not isinstance(raised.value, exception.BankError)
    assert str(raised.value) == 'disk read error'
    assert plugin.get_object('/checkpoints/c1/index.json') == b'old record'


def test_swifts_failures_are_bank_errors_that_say_what_failed(
        plugin, cluster):
    cluster.failures.append(swift_exceptions.ClientException(
        'Object PUT failed', http_status=507, http_reason='Insufficient '
        'Storage', http_response_content=b'<html>disk full</html>'))
    with pytest.raises(exception.BankError) as raised:
        plugin.update_object('/a', b'1')
    assert str(raised.value) == (
        'Bank operation failed: writing bank object /a: Swift answered 507 '
        'Insufficient Storage: <html>disk full</html>')

    cluster.up = False
    with pytest.raises(exception.BankError) as raised:
        plugin.list_objects(prefix='/a')
    assert str(raised.value) == (
        'Bank operation failed: listing bank objects under /a: cannot '
        'reach Swift: Connection refused')


def test_a_connection_that_broke_is_not_reused(plugin, cluster):
    cluster.up = False
    with pytest.raises(exception.BankError):
        plugin.get_object('/a')
    broken = FakeConnection.made[-1]
    assert broken.closed == 1
    cluster.up = True
    plugin.update_object('/a', b'1')
    assert plugin.get_object('/a') == b'1'


def test_a_bank_that_cannot_reach_swift_at_start_gets_ready_later(
        cluster, tmp_path):
    cluster.up = False
    plugin = make_plugin(tmp_path)
    assert cluster.containers == {}
    # One try at start, not swiftclient's retries with their back-off.
    assert cluster.requests == [('PUT', 'bank', None, {'retries': 0})]
    cluster.up = True
    plugin.update_object('/a', b'1')
    assert set(cluster.containers) == {'bank', 'bank_leases',
                                       'bank_revisions'}
    assert cluster.requests[1] == ('PUT', 'bank', None,
                                   {'retries': swift.RETRIES})
    assert plugin.get_object('/a') == b'1'


def test_the_account_must_be_configured(cluster, tmp_path):
    text = PROVIDER.replace('swift_key = secret\n', '')
    with pytest.raises(exception.BankError) as raised:
        make_plugin(tmp_path, text)
    assert 'swift_key must be set' in str(raised.value)
    text = PROVIDER.replace('[swift_client]\n',
                            '[swift_client]\nswift_auth_version = 1\n')
    with pytest.raises(exception.BankError) as raised:
        make_plugin(tmp_path, text)
    assert 'swift_auth_version 1 is not supported' in str(raised.value)


def test_threads_each_get_their_own_connection(plugin, cluster):
    errors = []
    barrier = threading.Barrier(4)

    def work(number):
        try:
            barrier.wait()
            for round_ in range(20):
                key = '/t/%d/%d' % (number, round_)
                plugin.update_object(key, iter([b'x' * 10, b'y']))
                assert b''.join(plugin.get_object_chunks(key, 4)) == (
                    b'x' * 10 + b'y')
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # FakeConnection refuses a second request while it serves one.
    assert errors == []
    assert len(plugin.list_objects(prefix='/t/')) == 80
    # Connections are reused: no more than the threads, and the bank's own.
    assert len(FakeConnection.made) <= 5


def test_a_write_during_a_read_takes_another_connection(plugin, cluster):
    plugin.update_object('/a', b'x' * 100)
    made = len(FakeConnection.made)
    reader = plugin.get_object_chunks('/a', 10)
    assert next(reader) == b'x' * 10
    plugin.update_object('/b', b'y')
    assert b''.join(reader) == b'x' * 90
    assert len(FakeConnection.made) == made + 1
    # Both are idle now, and serve what comes next.
    assert plugin.get_object('/b') == b'y'
    assert len(FakeConnection.made) == made + 1


def test_a_reader_closed_early_gives_its_connection_back(plugin, cluster):
    plugin.update_object('/a', b'x' * 100)
    reader = plugin.get_object_chunks('/a', 10)
    assert next(reader) == b'x' * 10
    reader.close()
    assert plugin.get_object('/a') == b'x' * 100
    # The connection of the unfinished read was closed, not reused busy.
    assert not any(connection.busy for connection in FakeConnection.made)


# Leases

def _lease(cluster, plugin):
    return cluster.containers['bank_leases'].get(plugin.get_owner_id())


def test_a_lease_is_an_object_that_swift_deletes_after_the_window(
        plugin, cluster):
    plugin.acquire_lease()
    lease = _lease(cluster, plugin)
    assert lease['delete_at'] == cluster.now + 300
    put = [details for method, container, name, details in cluster.requests
           if method == 'PUT' and container == 'bank_leases' and name][0]
    assert put['headers'] == {'X-Delete-After': '300'}
    assert plugin.check_lease_validity()
    assert plugin.check_lease_existence(plugin.get_owner_id())

    # Renewing POSTs the window again, from now.
    cluster.now += 201
    assert not plugin.check_lease_validity()   # 99 s left < 100 s
    plugin.renew_lease()
    assert plugin.check_lease_validity()
    assert _lease(cluster, plugin)['delete_at'] == cluster.now + 300
    assert ('POST', 'bank_leases', plugin.get_owner_id(),
            {'headers': {'X-Delete-After': '300'}}) in cluster.requests

    # Past its window Swift answers 404: another owner takes it for dead.
    cluster.now += 301
    assert not plugin.check_lease_existence(plugin.get_owner_id())
    # Its owner takes it again at the next renewal.
    plugin.renew_lease()
    assert plugin.check_lease_existence(plugin.get_owner_id())


def test_a_failed_renewal_keeps_the_old_expiry(plugin, cluster):
    plugin.acquire_lease()
    cluster.now += 201
    cluster.up = False
    plugin.renew_lease()   # logged, not raised
    cluster.up = True
    assert not plugin.check_lease_validity()
    cluster.now += 5
    plugin.renew_lease()
    assert plugin.check_lease_validity()


def test_a_lease_taken_while_swift_is_down_is_taken_by_renewals(
        plugin, cluster):
    cluster.up = False
    with pytest.raises(exception.BankError):
        plugin.acquire_lease()
    assert not plugin.check_lease_validity()
    cluster.up = True
    plugin.renew_lease()
    assert plugin.check_lease_validity()


def test_the_lease_is_renewed_in_the_background_until_released(
        cluster, tmp_path):
    text = PROVIDER.replace('lease_renew_window = 100',
                            'lease_renew_window = 1')
    plugin = make_plugin(tmp_path, text)
    owner_id = plugin.get_owner_id()
    plugin.acquire_lease()
    try:
        # Swift's clock and the owner's stand still: only a renewal made
        # after this moves the lease on.
        cluster.now += 201
        assert not plugin.check_lease_validity()   # 99 s left < 100 s
        deadline = time.monotonic() + 30
        while _lease(cluster, plugin)['delete_at'] != cluster.now + 300:
            assert time.monotonic() < deadline, 'the lease was not renewed'
            time.sleep(0.05)
        assert plugin.check_lease_validity()
    finally:
        plugin.release_lease()
    assert _lease(cluster, plugin) is None
    assert 'bank-lease-%s' % owner_id not in [
        thread.name for thread in threading.enumerate()]


@pytest.mark.parametrize('windows', [
    {'lease_expire_window': 120},
    {'lease_expire_window': 299},
    {'lease_renew_window': 150},
    {'lease_validity_window': 101},
])
def test_lease_windows_a_failed_renewal_would_break_are_refused(
        cluster, tmp_path, windows):
    text = PROVIDER
    for name, value in windows.items():
        text = re.sub(r'(?m)^%s = \d+$' % name, '%s = %d' % (name, value),
                      text)
    with pytest.raises(exception.BankError) as raised:
        make_plugin(tmp_path, text)
    assert '[swift_bank_plugin] lease_expire_window' in str(raised.value)
    assert 'twice lease_renew_window plus lease_validity_window' in str(
        raised.value)
    assert cluster.requests == []


def test_an_unknown_lease_existence_counts_as_alive(plugin, cluster):
    assert not plugin.check_lease_existence('gone-owner')
    cluster.up = False
    assert plugin.check_lease_existence('gone-owner')


def test_it_loads_as_a_provider_bank_and_keeps_checkpoint_records(
        plugin, cluster):
    bank = bank_plugin.Bank(plugin)
    section = bank.get_sub_section('/checkpoints/c1')
    section.update_object('index.json', {'id': 'c1'})
    assert bank.get_object('/checkpoints/c1/index.json') == {'id': 'c1'}
    assert section.list_objects() == ['index.json']


RECORD = '/checkpoints/c1/index.json'


def _requests_of(cluster, action):
    """The (method, container) of each request ``action()`` made."""
    before = len(cluster.requests)
    action()
    return [(method, container)
            for method, container, _name, _details
            in cluster.requests[before:]]


def test_a_conditional_write_makes_one_writer_the_successor_of_a_revision(
        plugin, cluster):
    first = plugin.update_object_if_match(RECORD, {'status': 'a'}, None)
    made = []
    assert _requests_of(cluster, lambda: made.append(
        plugin.update_object_if_match(RECORD, {'status': 'b'}, first))) == [
        ('PUT', 'bank_revisions'), ('HEAD', 'bank'), ('PUT', 'bank'),
        ('GET', 'bank_revisions')]
    successor = cluster.containers['bank_revisions'][
        'checkpoints/c1/index.json/%s' % first]
    assert successor['meta'] == {'x-object-meta-karbor-revision': made[0]}
    assert successor['delete_at'] == (cluster.now +
                                      swift_bank_plugin.REVISIONS_LIFETIME)
    # Readers pay one request, as for any object.
    assert _requests_of(cluster, lambda: plugin.get_object_and_etag(
        RECORD)) == [('GET', 'bank')]
    assert plugin.get_object_and_etag(RECORD) == (b'{"status": "b"}',
                                                  made[0])


def test_a_value_written_back_as_it_was_is_still_a_new_revision(plugin):
    first = plugin.update_object_if_match(RECORD, {'status': 'error'}, None)
    second = plugin.update_object_if_match(RECORD, {'status': 'available'},
                                           first)
    third = plugin.update_object_if_match(RECORD, {'status': 'error'},
                                          second)
    assert len({first, second, third}) == 3
    # The bytes are those the stalled writer read; the revision is not.
    with pytest.raises(exception.BankObjectChanged):
        plugin.update_object_if_match(RECORD, {'status': 'stale'}, first)
    assert plugin.get_object_and_etag(RECORD) == (b'{"status": "error"}',
                                                  third)


def test_the_write_of_a_writer_that_died_half_way_is_finished_by_the_next(
        plugin, monkeypatch):
    first = plugin.update_object_if_match(RECORD, {'status': 'a'}, None)

    def dies(*args):
        raise exception.BankError(reason='the worker died')

    # It became the successor of the first revision, then died before
    # writing the object.
    with monkeypatch.context() as patch:
        patch.setattr(plugin, '_publish', dies)
        with pytest.raises(exception.BankError):
            plugin.update_object_if_match(RECORD, {'status': 'b'}, first)
    assert plugin.get_object_and_etag(RECORD) == (b'{"status": "a"}', first)

    with pytest.raises(exception.BankObjectChanged):
        plugin.update_object_if_match(RECORD, {'status': 'c'}, first)
    data, etag = plugin.get_object_and_etag(RECORD)
    assert data == b'{"status": "b"}' and etag != first
    plugin.update_object_if_match(RECORD, {'status': 'c'}, etag)
    assert plugin.get_object(RECORD) == b'{"status": "c"}'


def test_a_stalled_writers_late_write_is_put_right_by_that_writer(
        cluster, tmp_path, monkeypatch):
    stalled, other = make_plugin(tmp_path), make_plugin(tmp_path)
    first = other.update_object_if_match(RECORD, {'status': 'a'}, None)
    in_the_gap, resume = threading.Event(), threading.Event()
    put_whole = stalled._put_whole

    def put_late(*args):
        in_the_gap.set()
        resume.wait(10)
        put_whole(*args)

    monkeypatch.setattr(stalled, '_put_whole', put_late)
    writer = threading.Thread(target=stalled.update_object_if_match,
                              args=(RECORD, {'status': 'b'}, first))
    writer.start()
    assert in_the_gap.wait(10)
    # The other worker finds the stalled one's revision, writes it, and
    # replaces it.
    with pytest.raises(exception.BankObjectChanged):
        other.update_object_if_match(RECORD, {'status': 'c'}, first)
    data, etag = other.get_object_and_etag(RECORD)
    assert data == b'{"status": "b"}'
    newest = other.update_object_if_match(RECORD, {'status': 'c'}, etag)
    # The stalled writer's PUT lands over the newer object, and the
    # writer then finds what succeeded it.
    resume.set()
    writer.join(10)
    assert other.get_object_and_etag(RECORD) == (b'{"status": "c"}', newest)
    for plugin in (stalled, other):
        plugin.release_lease()


def test_a_stale_write_to_a_deleted_object_leaves_no_successor(
        plugin, cluster):
    first = plugin.update_object_if_match(RECORD, {'status': 'a'}, None)
    plugin.delete_object(RECORD)
    with pytest.raises(exception.BankObjectChanged):
        plugin.update_object_if_match(RECORD, {'status': 'b'}, first)
    assert cluster.containers['bank'] == {}
    assert cluster.containers['bank_revisions'] == {}
