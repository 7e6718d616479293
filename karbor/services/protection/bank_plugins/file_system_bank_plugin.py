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

"""A bank in a local (or shared, e.g. NFS) directory.

Each object is one file: the key's segments are the directories and the
file name, every character outside a conservative safe set written as
``%[XX..]``, the hex of its UTF-8 bytes (``a*b`` is stored as ``a%[2A]b``).
A leading '.' is escaped too, so no object file starts with a dot: the
names that do are this plugin's own (temporary files being written, and
``.leases``, where each owner's lease lives). ``.`` and ``..`` segments are
refused, so no key reaches outside the root.

A write goes to a temporary file beside the target, is flushed and fsynced
chunk by chunk, then renamed over the target: readers and crashes see the
old object or the new one, never a mix. One limitation of files: a key
cannot be both an object and the prefix of other objects (``a/b`` and
``a/b/c``).
"""

import errno
import os
import tempfile
import threading
import time
import uuid

from oslo_config import cfg
from oslo_log import log as logging
from oslo_serialization import jsonutils

from karbor import exception
from karbor.i18n import _
from karbor.services.protection import bank_plugin

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

SECTION = 'file_system_bank_plugin'

file_system_bank_plugin_opts = [
    cfg.StrOpt('file_system_bank_path',
               sample_default='<state_path>/banks/<provider id>',
               help=_('Directory of the bank. Several karbor-protection '
                      'workers share a bank through a shared file '
                      'system.')),
    cfg.IntOpt('lease_expire_window', default=120, min=1,
               help=_('Seconds a lease lives after it was taken or last '
                      'renewed.')),
    cfg.IntOpt('lease_renew_window', default=100, min=1,
               help=_('Seconds between renewals of the lease; keep it '
                      'below lease_expire_window.')),
    cfg.IntOpt('lease_validity_window', default=100, min=1,
               help=_('Seconds an update guarded by the lease may take: '
                      'the owner writes only while its lease has at least '
                      'this long left.')),
]

_SAFE_CHARACTERS = frozenset(
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
    '-_.,:;@#+=~')
_LEASES_DIRECTORY = '.leases'


def _escape_segment(segment):
    if segment in ('.', '..'):
        raise exception.InvalidBankKey(
            key=segment, reason=_('"." and ".." are not object names'))
    escaped = []
    for position, char in enumerate(segment):
        if char in _SAFE_CHARACTERS and not (position == 0 and char == '.'):
            escaped.append(char)
        else:
            escaped.append('%%[%s]' % char.encode('utf-8').hex().upper())
    return ''.join(escaped)


def _unescape_segment(name):
    parts = []
    position = 0
    while position < len(name):
        if name.startswith('%[', position):
            end = name.index(']', position)
            parts.append(bytes.fromhex(name[position + 2:end]).decode(
                'utf-8'))
            position = end + 1
        else:
            parts.append(name[position])
            position += 1
    return ''.join(parts)


def _segments(key):
    return [segment for segment in key.split('/') if segment]


def _normal_key(key):
    return '/' + '/'.join(_segments(key))


class FileSystemBankPlugin(bank_plugin.BankPlugin):
    """Bank plugin ``karbor-fs-bank-plugin``; see the module documentation.
    """

    def __init__(self, config):
        super().__init__(config)
        config.register_opts(file_system_bank_plugin_opts, group=SECTION)
        options = config[SECTION]
        self._root = os.path.abspath(
            options.file_system_bank_path or
            os.path.join(CONF.state_path, 'banks', config.provider.id))
        self.lease_expire_window = options.lease_expire_window
        self.lease_renew_window = options.lease_renew_window
        self.lease_validity_window = options.lease_validity_window
        self._leases = os.path.join(self._root, _LEASES_DIRECTORY)
        os.makedirs(self._leases, exist_ok=True)

        self._owner_id = str(uuid.uuid4())
        self._lease_expires_at = 0.0
        self._renewer = None
        self._stop_renewing = threading.Event()

    # Objects

    def _path(self, key):
        segments = _segments(key)
        if not segments:
            raise exception.InvalidBankKey(key=key,
                                           reason=_('the key is empty'))
        return os.path.join(self._root,
                            *[_escape_segment(s) for s in segments])

    def update_object(self, key, value, context=None):
        self._write(self._path(key), bank_plugin.iter_chunks(value), key)

    def _write(self, path, chunks, what):
        directory = os.path.dirname(path)
        try:
            descriptor, temp_path = _make_temp_file(directory)
            try:
                with os.fdopen(descriptor, 'wb') as stream:
                    for chunk in chunks:
                        stream.write(chunk)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temp_path, path)
            except BaseException:
                # The old object stays as it was; only the temporary file
                # goes.
                _remove_quietly(temp_path)
                raise
            _fsync_directory(directory)
        except OSError as exc:
            raise exception.BankError(reason='cannot write %s: %s' %
                                      (what, exc))

    def get_object(self, key, context=None):
        try:
            with open(self._path(key), 'rb') as stream:
                return stream.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise exception.BankObjectNotFound(key=key)

    def get_object_chunks(self, key, chunk_size=bank_plugin.DEFAULT_CHUNK_SIZE,
                          context=None):
        try:
            stream = open(self._path(key), 'rb')
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise exception.BankObjectNotFound(key=key)
        return _read_chunks(stream, chunk_size)

    def delete_object(self, key, context=None):
        path = self._path(key)
        try:
            os.unlink(path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise exception.BankObjectNotFound(key=key)
        self._prune_empty_directories(os.path.dirname(path))

    def _prune_empty_directories(self, directory):
        # Deleted checkpoints and indices would otherwise leave empty
        # directories behind that every later listing walks through.
        while directory != self._root and directory.startswith(self._root):
            try:
                os.rmdir(directory)
            except OSError:
                return
            directory = os.path.dirname(directory)

    def list_objects(self, prefix=None, limit=None, marker=None,
                     sort_dir=None, end_marker=None, context=None):
        prefix = _normal_prefix(prefix)
        parent, _sep, partial = prefix.rpartition('/')
        keys = [key for key in self._walk(parent, partial)
                if key.startswith(prefix)]
        descending = sort_dir == 'desc'
        if descending:
            keys = [key for key in keys
                    if (marker is None or key < marker) and
                    (end_marker is None or key > end_marker)]
        else:
            keys = [key for key in keys
                    if (marker is None or key > marker) and
                    (end_marker is None or key < end_marker)]
        keys.sort(reverse=descending)
        return keys if limit is None else keys[:limit]

    def _walk(self, parent_key, partial):
        """Every object key under ``parent_key`` whose next segment starts
        with ``partial``, without reading any object."""
        segments = _segments(parent_key)
        top = os.path.join(self._root,
                           *[_escape_segment(s) for s in segments])
        try:
            entries = list(os.scandir(top))
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            # A name longer than the file system takes names no object.
            if exc.errno == errno.ENAMETOOLONG:
                return
            raise
        for entry in entries:
            if entry.name.startswith('.'):
                continue
            name = _unescape_segment(entry.name)
            if not name.startswith(partial):
                continue
            key = '/'.join([''] + segments + [name])
            if entry.is_dir(follow_symlinks=False):
                yield from self._walk_directory(entry.path, key)
            else:
                yield key

    def _walk_directory(self, path, key):
        for directory, subdirectories, files in os.walk(path):
            subdirectories[:] = [d for d in subdirectories
                                 if not d.startswith('.')]
            relative = os.path.relpath(directory, path)
            base = key if relative == '.' else '/'.join(
                [key] + [_unescape_segment(s) for s in relative.split(
                    os.sep)])
            for name in files:
                if not name.startswith('.'):
                    yield '%s/%s' % (base, _unescape_segment(name))

    # Lease

    def get_owner_id(self, context=None):
        return self._owner_id

    def _lease_path(self, owner_id):
        return os.path.join(self._leases, _escape_segment(owner_id))

    def _write_lease(self):
        expires_at = time.time() + self.lease_expire_window
        lease = {'owner_id': self._owner_id, 'expires_at': expires_at}
        self._write(self._lease_path(self._owner_id),
                    bank_plugin.iter_chunks(lease),
                    'lease of %s' % self._owner_id)
        self._lease_expires_at = expires_at

    def acquire_lease(self):
        self._write_lease()
        if self._renewer is None:
            self._stop_renewing.clear()
            self._renewer = threading.Thread(
                target=self._keep_renewing, daemon=True,
                name='bank-lease-%s' % self._owner_id)
            self._renewer.start()

    def _keep_renewing(self):
        while not self._stop_renewing.wait(self.lease_renew_window):
            self.renew_lease()

    def renew_lease(self):
        # On failure the lease keeps its old expiry time, as the lease spec
        # says; the next renewal may still succeed before it runs out.
        try:
            self._write_lease()
        except exception.BankError as exc:
            LOG.warning('Could not renew the bank lease of %(owner)s: '
                        '%(error)s', {'owner': self._owner_id,
                                      'error': exc})

    def check_lease_validity(self):
        return (self._lease_expires_at - time.time() >=
                self.lease_validity_window)

    def check_lease_existence(self, owner_id):
        try:
            with open(self._lease_path(owner_id), 'rb') as stream:
                lease = jsonutils.loads(stream.read())
        except FileNotFoundError:
            return False
        except ValueError:
            # Being written by its owner right now.
            return True
        return lease.get('expires_at', 0) > time.time()

    def release_lease(self):
        self._stop_renewing.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        _remove_quietly(self._lease_path(self._owner_id))
        self._lease_expires_at = 0.0


def _normal_prefix(prefix):
    """Like _normal_key, but a trailing '/' (a whole directory) stays."""
    if not prefix:
        return '/'
    key = _normal_key(prefix)
    if prefix.endswith('/') and key != '/':
        key += '/'
    return key


def _make_temp_file(directory):
    os.makedirs(directory, exist_ok=True)
    try:
        return tempfile.mkstemp(prefix='.', suffix='.tmp', dir=directory)
    except FileNotFoundError:
        # A delete pruned the directory, empty until now, meanwhile.
        os.makedirs(directory, exist_ok=True)
        return tempfile.mkstemp(prefix='.', suffix='.tmp', dir=directory)


def _read_chunks(stream, chunk_size):
    with stream:
        while True:
            chunk = stream.read(chunk_size)
            if not chunk:
                return
            yield chunk


def _remove_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_directory(directory):
    # Makes the rename itself durable, not only the file's content.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
