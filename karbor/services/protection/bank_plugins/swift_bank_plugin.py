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

"""A bank in a Swift container, the OS Infra Provider's bank.

The provider file names Karbor's own account ([swift_client], see
clients/swift.py) and the bank's container::

    [swift_bank_plugin]
    bank_swift_object_container = karbor
    lease_expire_window = 300
    lease_renew_window = 100
    lease_validity_window = 100

Objects
    A key is one Swift object of the container: its segments joined by
    '/', without the leading '/' (``/checkpoints/<id>/index.json`` is the
    object ``checkpoints/<id>/index.json``). Swift replaces an object
    whole, so a reader sees the old value or the new one. Bytes, text and
    JSON values are sent with their length, and retried when Swift or the
    network fails; files and iterables are sent as they are read, with
    chunked transfer encoding, never joined in memory. Such an upload
    cannot be repeated: it fails with the error, and a source that fails
    part-way leaves the old object in place (Swift keeps nothing of an
    upload that did not end). One object holds at most Swift's
    ``max_file_size`` (5 GiB unless the cluster says otherwise): plugins
    that store more split it into several objects. Reads stream in
    chunks of the size asked for; a read broken part-way resumes where it
    stopped, from the same version of the object.

    A stream that knows its length (an iterable with ``__len__``, such as
    the image plugin's segments) is sent with Content-Length instead of
    chunked, which spares a copy of every chunk; it must give exactly
    that many bytes, else the upload fails and the old object stays.

    Listings page through Swift with its own prefix, marker, end_marker
    and limit (``reverse=on`` for descending order), a page at most what
    the cluster's ``container_listing_limit`` allows: a listing costs
    requests in proportion to the keys asked for, never more.

Conditional writes
    Swift honours ``If-Match`` on reads only, not on a PUT; what it does
    honour on a PUT is ``If-None-Match: *``, which creates an object only
    if there is none. update_object_if_match builds on that. Every
    conditional write gives the value a new revision (a random id, kept
    in the object's ``X-Object-Meta-Karbor-Revision``, the ETag that
    get_object_and_etag answers). Replacing revision R first creates, in
    the container ``<bank container>_revisions``, the object
    ``<object name>/<R>`` holding the new value and its revision, with
    ``If-None-Match: *``: of the writers that read R, exactly one creates
    it, and the others fail with BankObjectChanged, however long they
    stalled. The winner then writes the bank object itself, and looks
    for a successor of its own revision written meanwhile: if there is
    one, it writes that instead, and so on, so that the object ends as
    the newest revision whatever order the PUTs landed in. A writer that
    dies between the two PUTs leaves the bank object one revision behind;
    the next writer's conflict writes the successor it left. Readers
    make one request, as for any object.

    A writer finds its object deleted (a HEAD after its successor is
    created), so it does not bring back a deleted record. The successors
    expire after ``REVISIONS_LIFETIME`` (a day): a writer stalled for
    longer than that between its read and its write would no longer be
    stopped. Objects written by update_object have no revision; their
    ETag is Swift's MD5, and the first conditional write of them works
    as any other.

Lease
    The owner's lease is the object ``<owner id>`` of the container
    ``<bank container>_leases``, put with ``X-Delete-After:
    lease_expire_window`` and renewed by a POST of the same header (put
    again if it is gone); Swift answers 404 for it once it expired. The
    leases have a container of their own so that they never show in the
    bank's listings. The windows, the renewals and the owner's view of the
    expiry are bank_plugin.LeasedBankPlugin's.

Requests
    Each waits at most ``[swift_client] timeout`` for Swift (and for the
    account's Keystone), then fails naming what it was doing. A request
    made while a request context is current in the thread (the operation
    a worker runs) carries its global id, in X-OpenStack-Request-ID and
    X-Trans-Id-Extra (which Swift's proxy adds to its transaction id, so
    Swift's logs name the Karbor request).

The containers are created when the plugin starts; when Swift cannot be
reached then, on first use.
"""

import contextlib
import hashlib
import io
import socket
import threading
import uuid

from keystoneauth1 import exceptions as ks_exceptions
from oslo_config import cfg
from oslo_log import log as logging
from oslo_serialization import jsonutils
import requests
from swiftclient import utils as swift_utils

from karbor import exception
from karbor.i18n import _
from karbor.services.protection import bank_plugin
from karbor.services.protection.clients import swift

LOG = logging.getLogger(__name__)

SECTION = 'swift_bank_plugin'
LEASES_SUFFIX = '_leases'
REVISIONS_SUFFIX = '_revisions'
# How long the successor of a revision is kept (seconds); see the module
# documentation.
REVISIONS_LIFETIME = 24 * 3600
REVISION_HEADER = 'X-Object-Meta-Karbor-Revision'
# Swift's container_listing_limit unless its /info says otherwise.
DEFAULT_LISTING_LIMIT = 10000

swift_bank_plugin_opts = [
    cfg.StrOpt('bank_swift_object_container', default='karbor',
               help=_('Swift container of the bank, in the account of '
                      '[swift_client]; created when missing. The owners\' '
                      'leases are kept in the container of the same name '
                      'followed by "_leases".')),
]

# What breaks on the way to Swift (as opposed to Swift's answers).
_TRANSPORT_ERRORS = (requests.RequestException, socket.error)


def _object_name(key):
    name = '/'.join(segment for segment in (key or '').split('/')
                    if segment)
    if not name:
        raise exception.InvalidBankKey(key=key, reason=_('the key is empty'))
    return name


def _listing_bound(value):
    """A prefix or marker as Swift sees it: no leading '/', no empty
    segments, a trailing '/' kept (it matters to the order)."""
    if not value:
        return ''
    name = '/'.join(segment for segment in value.split('/') if segment)
    if value.endswith('/') and name:
        name += '/'
    return name


class _SourceFailure(Exception):
    """The value being uploaded failed to give its next chunk."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


def _guarded(chunks):
    # Tells the source's own errors apart from the upload's: an OSError
    # while reading a file must not look like Swift being out of reach.
    try:
        for chunk in chunks:
            yield chunk
    except Exception as exc:
        raise _SourceFailure(exc)


def _stream_length(value):
    """The length a stream of chunks says it has (``len(value)``), or
    None."""
    if hasattr(value, 'read') or not hasattr(value, '__len__'):
        return None
    return len(value)


class _SizedBody(swift_utils.ReadableToIterable):
    """Chunks of a stream of known length, sent with Content-Length.

    Chunked transfer encoding costs a copy of every chunk on the way out
    (and the proxy's decoding on the way in): a stream that knows its
    length is sent as it is. swiftclient hands bodies of its own
    ReadableToIterable type to requests untouched, which sends an
    iterable that has a length without chunked encoding. A stream that
    ends short of its length, or goes on past it, fails at once rather
    than leaving Swift waiting for bytes that never come.
    """

    def __init__(self, chunks, length, key):
        # Nothing of the parent's state is used: only its type matters.
        self._chunks = chunks
        self._length = length
        self._key = key

    def __len__(self):
        return self._length

    def __iter__(self):
        sent = 0
        for chunk in self._chunks:
            sent += len(chunk)
            if sent > self._length:
                raise _SourceFailure(exception.BankError(
                    reason=_('the stream for bank object %(key)s holds more '
                             'than the %(length)d bytes it said') %
                    {'key': self._key, 'length': self._length}))
            yield chunk
        if sent != self._length:
            raise _SourceFailure(exception.BankError(
                reason=_('the stream for bank object %(key)s ended after '
                         '%(sent)d of the %(length)d bytes it said') %
                {'key': self._key, 'sent': sent, 'length': self._length}))


class SwiftBankPlugin(bank_plugin.LeasedBankPlugin):
    """Bank plugin ``karbor-swift-bank-plugin``; see the module
    documentation."""

    # Each read waits on Swift: a page of 50 checkpoints read 8 at a time
    # took 190 ms instead of 290 from a Swift on the same 2-core machine.
    concurrent_reads = 8

    def __init__(self, config):
        super().__init__(config, SECTION)
        swift.register_opts(config)
        config.register_opts(swift_bank_plugin_opts, group=SECTION)
        self._container = config[SECTION].bank_swift_object_container
        if not self._container or '/' in self._container:
            raise exception.BankError(
                reason=_('[%(section)s] bank_swift_object_container %(name)r '
                         'is not a container name') %
                {'section': SECTION, 'name': self._container})
        self._leases_container = self._container + LEASES_SUFFIX
        self._revisions_container = self._container + REVISIONS_SUFFIX
        self._account = swift.SwiftAccount(config[swift.GROUP])

        self._ready = False
        self._ready_lock = threading.Lock()
        self._listing_limit = None

        try:
            # One try: karbor-protection does not wait for a Swift that is
            # down to start; the first use tries again.
            self._make_ready(retries=0)
        except exception.BankError as exc:
            LOG.error('Swift bank %(container)s is not ready, trying again '
                      'on first use: %(error)s',
                      {'container': self._container, 'error': exc})

    # Talking to Swift

    @contextlib.contextmanager
    def _swift(self, doing, key=None):
        """A Connection; Swift's and the network's failures become
        BankErrors that say what was being done (BankObjectNotFound when
        ``key`` is not there)."""
        try:
            with self._account.connection() as connection:
                yield connection
        except _SourceFailure as failure:
            raise failure.error
        except swift.ClientError as exc:
            if exc.http_status == 404 and key is not None:
                raise exception.BankObjectNotFound(key=key)
            if exc.http_status is None:
                reason = _('%(doing)s: %(error)s') % {'doing': doing,
                                                      'error': exc}
            else:
                content = exc.http_response_content
                reason = _('%(doing)s: Swift answered %(status)s '
                           '%(why)s%(body)s') % {
                    'doing': doing, 'status': exc.http_status,
                    'why': exc.http_reason or '',
                    'body': ': %s' % _short(content) if content else ''}
            raise exception.BankError(reason=reason)
        except ks_exceptions.Unauthorized as exc:
            raise exception.BankError(
                reason=_('%(doing)s: Keystone refused the bank\'s account '
                         '([swift_client]): %(error)s') %
                {'doing': doing, 'error': exc})
        except ks_exceptions.ClientException as exc:
            raise exception.BankError(
                reason=_('%(doing)s: cannot authenticate the bank\'s account '
                         'with Keystone: %(error)s') %
                {'doing': doing, 'error': exc})
        except _TRANSPORT_ERRORS as exc:
            raise exception.BankError(
                reason=_('%(doing)s: cannot reach Swift: %(error)s') %
                {'doing': doing, 'error': exc})
        except exception.ServiceUnavailable as exc:
            raise exception.BankError(reason='%s: %s' % (doing, exc))

    def _make_ready(self, retries=None):
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return
            for container in (self._container, self._leases_container,
                              self._revisions_container):
                with self._swift(_('creating Swift container %s') %
                                 container) as connection:
                    usual, connection.retries = connection.retries, (
                        connection.retries if retries is None else retries)
                    try:
                        connection.put_container(
                            container, headers=swift.request_headers())
                    finally:
                        connection.retries = usual
            self._listing_limit = self._find_listing_limit()
            self._ready = True

    def _find_listing_limit(self):
        try:
            with self._account.connection() as connection:
                info = connection.get_capabilities()
            return int(info['swift']['container_listing_limit'])
        except Exception as exc:
            # /info may be turned off; listings then page until Swift
            # answers an empty page.
            LOG.info('Swift\'s /info does not give its listing limit (%s); '
                     'listing pages until an empty one.', exc)
            return None

    # Objects

    def update_object(self, key, value, context=None):
        name = _object_name(key)
        self._make_ready()
        if isinstance(value, (bytes, bytearray, memoryview, str, dict,
                              list)):
            self._put_whole(key, name, value)
            return
        chunks = _guarded(bank_plugin.iter_chunks(value))
        length = _stream_length(value)
        if length == 0:
            # requests would frame an empty iterable as chunked.
            for _chunk in _SizedBody(chunks, 0, key):
                pass
            chunks = io.BytesIO(b'')
        elif length is not None:
            chunks = _SizedBody(chunks, length, key)
        with self._swift(_('writing bank object %s') % key) as connection:
            retries = connection.retries
            # An upload of chunks read once cannot be repeated.
            connection.retries = 0
            try:
                connection.put_object(self._container, name, chunks,
                                      content_length=length,
                                      headers=swift.request_headers())
            finally:
                connection.retries = retries

    def _put_whole(self, key, name, value, revision=None):
        """Write a value held in memory, with its ``revision`` if given."""
        data = b''.join(bank_plugin.iter_chunks(value))
        etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
        extra = {REVISION_HEADER: revision} if revision else None
        with self._swift(_('writing bank object %s') % key) as connection:
            # A file-like body of known length: swiftclient rewinds it to
            # try again. Swift checks the body against the ETag sent.
            connection.put_object(self._container, name, io.BytesIO(data),
                                  content_length=len(data), etag=etag,
                                  headers=swift.request_headers(extra))

    def get_object(self, key, context=None):
        return self.get_object_and_etag(key)[0]

    def get_object_and_etag(self, key, context=None):
        name = _object_name(key)
        self._make_ready()
        with self._swift(_('reading bank object %s') % key,
                         key) as connection:
            headers, body = connection.get_object(
                self._container, name, headers=swift.request_headers())
        return body, _revision(headers)

    def update_object_if_match(self, key, value, etag, context=None):
        name = _object_name(key)
        self._make_ready()
        data = b''.join(bank_plugin.iter_chunks(value))
        revision = uuid.uuid4().hex
        if etag is not None:
            self._succeed(key, name, etag, data, revision)
        self._publish(key, name, data, revision)
        return revision

    def _succeed(self, key, name, etag, data, revision):
        """Become the one writer that replaces revision ``etag``, or raise
        BankObjectChanged."""
        headers = swift.request_headers({
            'If-None-Match': '*', REVISION_HEADER: revision,
            'X-Delete-After': str(REVISIONS_LIFETIME)})
        successor_name = '%s/%s' % (name, etag)
        with self._swift(_('replacing revision %(revision)s of bank object '
                           '%(key)s') % {'revision': etag, 'key': key}
                         ) as connection:
            try:
                connection.put_object(self._revisions_container,
                                      successor_name, io.BytesIO(data),
                                      content_length=len(data),
                                      headers=headers)
                taken = False
            except swift.ClientError as exc:
                if exc.http_status != 412:
                    raise
                taken = True
        if taken:
            successor = self._successor(key, name, etag)
            if successor is not None and successor[1] == revision:
                # Ours: a try again after Swift's answer was lost.
                return
            if successor is not None and self._exists(key, name):
                # Its writer may have died before writing the object.
                self._publish(key, name, *successor)
            raise exception.BankObjectChanged(key=key)
        if not self._exists(key, name):
            self._delete_successor(key, successor_name)
            raise exception.BankObjectChanged(key=key)

    def _exists(self, key, name):
        try:
            with self._swift(_('looking at bank object %s') % key,
                             key) as connection:
                connection.head_object(self._container, name,
                                       headers=swift.request_headers())
        except exception.BankObjectNotFound:
            return False
        return True

    def _publish(self, key, name, data, revision):
        """Write revision ``revision`` of the object, then whatever
        succeeded it meanwhile, until the object is the newest."""
        while True:
            self._put_whole(key, name, data, revision)
            successor = self._successor(key, name, revision)
            if successor is None:
                return
            data, revision = successor

    def _successor(self, key, name, revision):
        """(data, revision) of what replaced ``revision``; None if
        nothing did."""
        successor_name = '%s/%s' % (name, revision)
        try:
            with self._swift(_('reading the successor of revision '
                               '%(revision)s of bank object %(key)s') %
                             {'revision': revision, 'key': key},
                             successor_name) as connection:
                headers, body = connection.get_object(
                    self._revisions_container, successor_name,
                    headers=swift.request_headers())
        except exception.BankObjectNotFound:
            return None
        return body, _revision(headers)

    def _delete_successor(self, key, successor_name):
        try:
            with self._swift(_('deleting a revision of bank object %s') %
                             key, successor_name) as connection:
                connection.delete_object(self._revisions_container,
                                         successor_name,
                                         headers=swift.request_headers())
        except exception.BankObjectNotFound:
            pass

    def get_object_chunks(self, key, chunk_size=bank_plugin.DEFAULT_CHUNK_SIZE,
                          context=None):
        name = _object_name(key)
        self._make_ready()
        return _ChunkReader(self, key, name, chunk_size)

    def delete_object(self, key, context=None):
        name = _object_name(key)
        self._make_ready()
        with self._swift(_('deleting bank object %s') % key,
                         key) as connection:
            connection.delete_object(self._container, name,
                                     headers=swift.request_headers())

    def list_objects(self, prefix=None, limit=None, marker=None,
                     sort_dir=None, end_marker=None, context=None):
        self._make_ready()
        if limit is not None and limit <= 0:
            return []
        descending = sort_dir == 'desc'
        query = {'prefix': _listing_bound(prefix) or None,
                 'marker': _listing_bound(marker) or None,
                 'end_marker': _listing_bound(end_marker) or None,
                 'query_string': 'reverse=on' if descending else None}
        keys = []
        while limit is None or len(keys) < limit:
            wanted = self._listing_limit or DEFAULT_LISTING_LIMIT
            if limit is not None:
                wanted = min(wanted, limit - len(keys))
            with self._swift(_('listing bank objects under %s') %
                             (prefix or '/')) as connection:
                _headers, page = connection.get_container(
                    self._container, limit=wanted,
                    headers=swift.request_headers(), **query)
            keys.extend('/' + entry['name'] for entry in page)
            if not page or (self._listing_limit is not None and
                            len(page) < wanted):
                break
            # The next page follows the last key, in either direction.
            query['marker'] = page[-1]['name']
        return keys

    # Lease (kept by LeasedBankPlugin)

    def _take_lease(self):
        lease = jsonutils.dump_as_bytes({'owner_id': self._owner_id,
                                         'host': socket.gethostname()})
        headers = swift.request_headers(
            {'X-Delete-After': str(self.lease_expire_window)})
        self._make_ready()
        with self._swift(_('taking the bank lease of %s') %
                         self._owner_id) as connection:
            connection.put_object(self._leases_container, self._owner_id,
                                  io.BytesIO(lease),
                                  content_length=len(lease),
                                  content_type='application/json',
                                  headers=headers)

    def _extend_lease(self):
        headers = swift.request_headers(
            {'X-Delete-After': str(self.lease_expire_window)})
        try:
            with self._swift(_('renewing the bank lease of %s') %
                             self._owner_id, self._owner_id) as connection:
                connection.post_object(self._leases_container,
                                       self._owner_id, headers=headers)
        except exception.BankObjectNotFound:
            # It expired (or was never taken): take it again.
            self._take_lease()

    def _give_up_lease(self):
        try:
            with self._swift(_('giving up the bank lease of %s') %
                             self._owner_id, self._owner_id) as connection:
                connection.delete_object(self._leases_container,
                                         self._owner_id,
                                         headers=swift.request_headers())
        except exception.BankObjectNotFound:
            pass

    def check_lease_existence(self, owner_id):
        try:
            self._make_ready()
            with self._swift(_('looking for the bank lease of %s') %
                             owner_id, owner_id) as connection:
                connection.head_object(self._leases_container, owner_id,
                                       headers=swift.request_headers())
        except exception.BankObjectNotFound:
            return False
        except exception.BankError as exc:
            # Not knowing is not a reason to take anything for a zombie.
            LOG.warning('Cannot tell whether the bank lease of %(owner)s '
                        'is alive: %(error)s', {'owner': owner_id,
                                                'error': exc})
            return True
        return True


class _ChunkReader(object):
    """The chunks of one object, read as they are asked for.

    The object is asked for at once (so a missing object raises
    BankObjectNotFound here, not at the first chunk); the Connection stays
    with the reader until the last chunk was read or the reader is
    closed.
    """

    def __init__(self, plugin, key, name, chunk_size):
        self._plugin = plugin
        self._doing = _('reading bank object %s') % key
        self._body = None
        with contextlib.ExitStack() as stack:
            connection = stack.enter_context(plugin._swift(self._doing, key))
            _headers, self._body = connection.get_object(
                plugin._container, name, resp_chunk_size=chunk_size,
                headers=swift.request_headers())
            # The Connection is given back when the reading ends.
            self._stack = stack.pop_all()

    def __iter__(self):
        return self

    def __next__(self):
        if self._body is None:
            raise StopIteration
        try:
            chunk = next(self._body, b'')
        except BaseException as exc:
            self._finish(exc)
            raise
        if not chunk:
            self._finish(None)
            raise StopIteration
        return chunk

    def _finish(self, error):
        body, self._body = self._body, None
        if body is None:
            return
        try:
            body.close()
        except Exception:
            pass
        if error is None:
            self._stack.close()
            return
        # The Connection is not reused, and the error says what failed.
        try:
            self._stack.__exit__(type(error), error, error.__traceback__)
        except exception.BankError as bank_error:
            raise bank_error from error

    def close(self):
        if self._body is not None:
            self._finish(GeneratorExit())

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def _revision(headers):
    """The revision of an object as its GET's headers give it: Swift's
    MD5 for an object written without one."""
    return (headers.get(REVISION_HEADER.lower()) or
            headers.get('etag', '').strip('"') or None)


def _short(content, size=200):
    if isinstance(content, bytes):
        content = content.decode('utf-8', 'replace')
    content = ' '.join(str(content).split())
    return content if len(content) <= size else content[:size] + '...'
