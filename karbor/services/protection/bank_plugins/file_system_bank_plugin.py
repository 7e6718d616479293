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
names that do are this plugin's own (``.tmp``, where objects are written,
and ``.leases``, where each owner's lease lives). ``.`` and ``..``
segments are refused, so no key reaches outside the root. One limitation
of files: a key cannot be both an object and the prefix of other objects
(``a/b`` and ``a/b/c``).

Writes survive crashes and power cuts
    An object is written to a temporary file ``.tmp/<owner id>.<random>.tmp``,
    fsynced, renamed over the target, and the target's directory is
    fsynced; every directory a write makes is fsynced into its parent
    first. Readers and crashes see the old object or the new one, never a
    mix, and once update_object returned the object is on disk. Writers
    that rename into one directory at the same time share its fsyncs
    (DirectorySyncs): when many resources of an operation end at once,
    their status objects cost a directory fsync for each batch, not one
    each.

    A crash mid-write leaves its temporary file behind. When the plugin
    starts it removes those of writers whose lease is gone and that
    nothing wrote to for a whole ``lease_expire_window``: several
    karbor-protection processes may share the directory, and one that is
    alive holds its lease (or, before it could take it, is still writing).

Conditional writes
    update_object_if_match writes its temporary file as any write does,
    then takes an exclusive flock on ``.<object file>.lock`` beside the
    object, compares the object's ETag (the MD5 of its bytes) with the
    one the writer read, and renames only if they are the same. A writer
    that stalled anywhere before the rename finds what was written since
    and writes nothing. flock works across the hosts of an NFS share
    (the client turns it into a lock of the whole file on the server).

Leases
    ``.leases/<owner id>`` holds the owner's expiry time on the wall clock,
    so that the other workers sharing the bank can tell it from a dead
    one's; hosts sharing a bank need synchronised clocks.
"""

import bisect
import collections
import contextlib
import errno
import fcntl
import hashlib
import os
import re
import tempfile
import threading
import time

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
]

_SAFE_CHARACTERS = frozenset(
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
    '-_.,:;@#+=~')
_LEASES_DIRECTORY = '.leases'
# How long a conditional write waits for another to release the object's
# lock, and the pause between two tries.
LOCK_PATIENCE = 30.0
_LOCK_PAUSE = 0.005
_TEMPORARY_DIRECTORY = '.tmp'
# <owner id>.<tempfile's random part>.tmp
_TEMPORARY_NAME = re.compile(
    r'^(?P<owner>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
    r'[0-9a-f]{12})\.[a-z0-9_]+\.tmp$')


# What _escape_segment replaces: an unsafe character, or a leading dot.
_UNSAFE = re.compile('[^%s]|^[.]' % re.escape(''.join(sorted(
    _SAFE_CHARACTERS))))
_ESCAPED = re.compile(r'%\[([0-9A-F]+)\]')


def _escaped_character(match):
    return '%%[%s]' % match.group().encode('utf-8').hex().upper()


def _escape_segment(segment):
    if segment in ('.', '..'):
        raise exception.InvalidBankKey(
            key=segment, reason=_('"." and ".." are not object names'))
    # One regular expression: listings unescape every name of a directory,
    # and keys are escaped for every write.
    return _UNSAFE.sub(_escaped_character, segment)


def _unescape_segment(name):
    if '%[' not in name:
        return name
    return _ESCAPED.sub(
        lambda match: bytes.fromhex(match.group(1)).decode('utf-8'), name)


def _segments(key):
    return [segment for segment in key.split('/') if segment]


def _normal_key(key):
    return '/' + '/'.join(_segments(key))


class FileSystemBankPlugin(bank_plugin.LeasedBankPlugin):
    """Bank plugin ``karbor-fs-bank-plugin``; see the module documentation.
    """

    def __init__(self, config):
        super().__init__(config, SECTION)
        config.register_opts(file_system_bank_plugin_opts, group=SECTION)
        self._root = os.path.abspath(
            config[SECTION].file_system_bank_path or
            os.path.join(CONF.state_path, 'banks', config.provider.id))
        self._leases = os.path.join(self._root, _LEASES_DIRECTORY)
        self._listings = ListingCache()
        self._temporary = os.path.join(self._root, _TEMPORARY_DIRECTORY)
        try:
            _make_directories(self._leases)
            _make_directories(self._temporary)
        except OSError as exc:
            raise exception.BankError(
                reason=_('cannot make the bank directory %(path)s: '
                         '%(error)s') % {'path': self._root, 'error': exc})
        self._remove_leftover_temporary_files()

    def _remove_leftover_temporary_files(self):
        """Remove what writers that died left in ``.tmp``."""
        now = time.time()
        alive = {}
        with os.scandir(self._temporary) as entries:
            for entry in entries:
                match = _TEMPORARY_NAME.match(entry.name)
                if match is None:
                    continue  # not one of ours
                try:
                    idle = now - entry.stat(follow_symlinks=False).st_mtime
                except FileNotFoundError:
                    continue  # renamed into place meanwhile
                if idle < self.lease_expire_window:
                    continue
                owner_id = match.group('owner')
                if owner_id not in alive:
                    alive[owner_id] = self.check_lease_existence(owner_id)
                if alive[owner_id]:
                    continue
                LOG.info('Removing %(path)s, left by bank lease owner '
                         '%(owner)s, whose lease is gone, %(idle)d s after '
                         'it was last written.',
                         {'path': entry.path, 'owner': owner_id,
                          'idle': idle})
                _remove_quietly(entry.path)

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

    def get_object_and_etag(self, key, context=None):
        data = self.get_object(key)
        return data, _etag(data)

    def update_object_if_match(self, key, value, etag, context=None):
        path = self._path(key)
        data = b''.join(bank_plugin.iter_chunks(value))

        def rename_if_unchanged(temp_path):
            with _object_lock(path, key):
                if etag is not None and _etag_of_file(path) != etag:
                    raise exception.BankObjectChanged(key=key)
                _rename_into_place(temp_path, path)

        self._write(path, [data], key, rename=rename_if_unchanged)
        return _etag(data)

    def _write(self, path, chunks, what, rename=None):
        """Write ``chunks`` to a temporary file, then move it to ``path``
        (``rename(temp_path)`` instead, when given)."""
        try:
            descriptor, temp_path = self._make_temporary_file()
            try:
                with os.fdopen(descriptor, 'wb') as stream:
                    for chunk in chunks:
                        stream.write(chunk)
                    stream.flush()
                    os.fsync(stream.fileno())
                if rename is None:
                    _rename_into_place(temp_path, path)
                else:
                    rename(temp_path)
            except BaseException:
                # The old object stays as it was; only the temporary file
                # goes.
                _remove_quietly(temp_path)
                raise
        except OSError as exc:
            raise exception.BankError(reason='cannot write %s: %s' %
                                      (what, exc))

    def _make_temporary_file(self):
        def make():
            return tempfile.mkstemp(prefix=self._owner_id + '.',
                                    suffix='.tmp', dir=self._temporary)
        try:
            return make()
        except FileNotFoundError:
            # Removed by hand while the plugin ran.
            _make_directories(self._temporary)
            return make()

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
        _remove_quietly(_lock_path(path))
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
        keys = self._listing(_normal_prefix(prefix))
        if sort_dir == 'desc':
            # Below marker, above end_marker, the highest first.
            high = (len(keys) if marker is None else
                    bisect.bisect_left(keys, marker))
            low = (0 if end_marker is None else
                   bisect.bisect_right(keys, end_marker))
            if limit is not None:
                low = max(low, high - limit)
            return keys[low:high][::-1]
        low = 0 if marker is None else bisect.bisect_right(keys, marker)
        high = (len(keys) if end_marker is None else
                bisect.bisect_left(keys, end_marker))
        if limit is not None:
            high = min(high, low + limit)
        return keys[low:high]

    def _listing(self, prefix):
        """Every key under ``prefix``, sorted; kept (see ListingCache)
        when they are the files of one directory."""
        parent, _sep, partial = prefix.rpartition('/')
        segments = _segments(parent)
        directory = os.path.join(self._root,
                                 *[_escape_segment(s) for s in segments])
        looked_at = time.time_ns()
        try:
            # Through a descriptor: opening the directory makes an NFS
            # client ask the server, where a plain stat may answer from
            # its attribute cache.
            descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            # A name longer than the file system takes names no object.
            if exc.errno == errno.ENAMETOOLONG:
                return []
            raise
        try:
            status = os.fstat(descriptor)
        finally:
            os.close(descriptor)
        version = (status.st_ino, status.st_mtime_ns)
        keys = self._listings.get(prefix, version)
        if keys is None:
            keys, nested = self._walk(directory, segments, partial)
            keys = sorted(key for key in keys if key.startswith(prefix))
            if not nested:
                self._listings.keep(prefix, version, looked_at, keys)
        return keys

    def _walk(self, top, segments, partial):
        """The object keys under the directory ``top`` (the key
        ``segments``) whose next segment starts with ``partial``, without
        reading any object; and whether any of them is in a
        subdirectory, or could be (an empty one)."""
        try:
            entries = list(os.scandir(top))
        except (FileNotFoundError, NotADirectoryError):
            return [], False  # removed since it was looked at
        keys, nested = [], False
        for entry in entries:
            if entry.name.startswith('.'):
                continue
            name = _unescape_segment(entry.name)
            if not name.startswith(partial):
                continue
            key = '/'.join([''] + segments + [name])
            if entry.is_dir(follow_symlinks=False):
                nested = True
                keys.extend(self._walk_directory(entry.path, key))
            else:
                keys.append(key)
        return keys, nested

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

    # Lease (kept by LeasedBankPlugin)

    def _lease_path(self, owner_id):
        return os.path.join(self._leases, _escape_segment(owner_id))

    def _take_lease(self):
        lease = {'owner_id': self._owner_id,
                 'expires_at': time.time() + self.lease_expire_window}
        self._write(self._lease_path(self._owner_id),
                    bank_plugin.iter_chunks(lease),
                    'lease of %s' % self._owner_id)

    def _give_up_lease(self):
        _remove_quietly(self._lease_path(self._owner_id))

    def check_lease_existence(self, owner_id):
        try:
            with open(self._lease_path(owner_id), 'rb') as stream:
                lease = jsonutils.loads(stream.read())
        except FileNotFoundError:
            return False
        except ValueError:
            # Not a lease this plugin wrote: not a reason to take anything
            # for a zombie.
            return True
        return lease.get('expires_at', 0) > time.time()


def _normal_prefix(prefix):
    """Like _normal_key, but a trailing '/' (a whole directory) stays."""
    if not prefix:
        return '/'
    key = _normal_key(prefix)
    if prefix.endswith('/') and key != '/':
        key += '/'
    return key


def _make_directories(directory):
    """os.makedirs, each directory it makes fsynced into its parent, so
    that a power cut cannot take away a directory an object was written
    into."""
    if os.path.isdir(directory):
        return
    parent = os.path.dirname(directory)
    if parent != directory:
        _make_directories(parent)
    try:
        os.mkdir(directory)
    except FileExistsError:
        if not os.path.isdir(directory):
            raise
        # Another writer made it; its entry may not be on disk yet.
    _fsync_directory(parent)


def _rename_into_place(temp_path, path):
    directory = os.path.dirname(path)
    try:
        _make_directories(directory)
        os.replace(temp_path, path)
    except FileNotFoundError:
        # A delete pruned the directory, empty until now, meanwhile.
        _make_directories(directory)
        os.replace(temp_path, path)
    # Makes the rename itself durable, not only the file's content.
    _DIRECTORY_SYNCS.sync(directory)


def _etag(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _etag_of_file(path):
    """The ETag of the object file at ``path``; None when there is none."""
    try:
        with open(path, 'rb') as stream:
            return _etag(stream.read())
    except FileNotFoundError:
        return None


def _lock_path(path):
    directory, name = os.path.split(path)
    return os.path.join(directory, '.%s.lock' % name)


@contextlib.contextmanager
def _object_lock(path, key):
    """Hold the exclusive lock of the object file at ``path``, waiting
    LOCK_PATIENCE seconds at most for another writer to give it up."""
    lock_path = _lock_path(path)
    _make_directories(os.path.dirname(path))
    deadline = time.monotonic() + LOCK_PATIENCE
    while True:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            if time.monotonic() > deadline:
                raise exception.BankError(
                    reason=_('another writer has held the lock of bank '
                             'object %(key)s for over %(patience)d s') %
                    {'key': key, 'patience': LOCK_PATIENCE})
            time.sleep(_LOCK_PAUSE)
            continue
        try:
            # A delete of the object may have removed the file locked.
            kept = os.fstat(descriptor).st_ino == os.stat(lock_path).st_ino
        except FileNotFoundError:
            kept = False
        if not kept:
            os.close(descriptor)
            continue
        try:
            yield
        finally:
            os.close(descriptor)
        return


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


class ListingCache(object):
    """The sorted keys of the directories that listings read, each kept
    while the directory's modification time stays the same: a page of a
    large index (every checkpoint of a project) then costs what the page
    costs, not a read and a sort of the whole directory.

    Adding, renaming or removing a file changes its directory's time.
    Two changes within the file system's timestamp granularity may leave
    the same time, so a listing is kept only once its directory has not
    changed for SETTLED_SECONDS: any later change then gives a newer time.
    Only directories of files are kept; a change deeper down does not
    change the time of the directory listed.
    """

    SETTLED_SECONDS = 2.0
    # A project's index of 10,000 checkpoints is about a megabyte.
    KEPT = 32

    def __init__(self):
        self._kept = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, prefix, version):
        """The keys kept under ``prefix`` if they were listed when its
        directory was at ``version`` (its inode and time); else None."""
        with self._lock:
            kept = self._kept.get(prefix)
            if kept is None or kept[0] != version:
                return None
            self._kept.move_to_end(prefix)
            return kept[1]

    def keep(self, prefix, version, looked_at, keys):
        """Keep ``keys``, listed from a directory at ``version`` (its
        inode and modification time, in ns) that was looked at at
        ``looked_at`` (ns)."""
        changed = version[1]
        if changed > looked_at - self.SETTLED_SECONDS * 1e9:
            return
        with self._lock:
            self._kept[prefix] = (version, keys)
            self._kept.move_to_end(prefix)
            while len(self._kept) > self.KEPT:
                self._kept.popitem(last=False)


class DirectorySyncs(object):
    """fsyncs of directories, shared by the writers of one directory.

    A new entry of a directory is on disk once an fsync of the directory
    that started after the entry was made has ended. A writer that finds
    an fsync of its directory running waits for it, then one of the
    writers that waited runs the next fsync, which covers them all.
    """

    def __init__(self):
        self._condition = threading.Condition()
        # Per directory: fsyncs started and the last one ended (numbered
        # from 1), whether one runs, and the writers in sync(); forgotten
        # when no writer is left.
        self._started = collections.Counter()
        self._ended = collections.Counter()
        self._running = set()
        self._writers = collections.Counter()

    def sync(self, directory):
        with self._condition:
            self._writers[directory] += 1
            try:
                self._sync(directory)
            finally:
                self._writers[directory] -= 1
                if not self._writers[directory]:
                    for counts in (self._writers, self._started,
                                   self._ended):
                        del counts[directory]

    def _sync(self, directory):
        needed = self._started[directory] + 1
        while self._ended[directory] < needed:
            if directory in self._running:
                self._condition.wait()
                continue
            self._running.add(directory)
            self._started[directory] += 1
            number = self._started[directory]
            self._condition.release()
            try:
                _fsync_directory(directory)
            finally:
                self._condition.acquire()
                self._running.discard(directory)
                self._condition.notify_all()
            self._ended[directory] = number


_DIRECTORY_SYNCS = DirectorySyncs()


def _fsync_directory(directory):
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
