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

"""The bank: where checkpoints and protected data are kept.

A bank plugin is a small object store, the contract every bank backend
(file system, Swift, S3...) implements:

Objects
    Keys are '/'-separated names such as
    ``/checkpoints/<id>/index.json``; a leading '/' is optional and empty
    segments are ignored, so ``a//b`` and ``/a/b`` name the same object.

    ``update_object(key, value, context=None)`` creates or replaces an
    object. ``value`` is one of: ``bytes``; ``str`` (stored UTF-8 encoded);
    a JSON-serialisable ``dict`` or ``list`` (stored as JSON); a file-like
    object with ``read()``; or any other iterable of ``bytes`` chunks.
    Files and iterables are streamed: a plugin must write them chunk by
    chunk and never join them in memory, so plugins can store volume-sized
    data. :func:`iter_chunks` turns any accepted value into chunks. A
    reader never sees a half-written object.

    ``get_object(key, context=None)`` returns the stored bytes (plugins
    written for the original Karbor may return the decoded value; the
    :class:`Bank` wrapper accepts both). ``get_object_chunks(key,
    chunk_size, context=None)`` returns an iterator of ``bytes`` chunks;
    plugins that can read incrementally override it. A missing object
    raises ``karbor.exception.BankObjectNotFound``.

    ``list_objects(prefix=None, limit=None, marker=None, sort_dir=None,
    end_marker=None, context=None)`` returns the full keys that start with
    ``prefix``, sorted by key ('asc', the default, or 'desc'), at most
    ``limit`` of them. ``marker`` and ``end_marker`` are exclusive bounds
    given as full keys, as in Swift: ascending, the keys lie strictly
    between ``marker`` and ``end_marker``; descending, the listing starts
    below ``marker`` and stops above ``end_marker``. A page therefore costs
    one call, whatever the number of objects.

    ``delete_object(key, context=None)`` removes an object
    (``BankObjectNotFound`` when there is none).

    ``concurrent_reads`` (an attribute, 1 unless the plugin says more)
    is how many objects are worth reading at once: a page of checkpoints
    reads its records that many at a time. A remote bank, whose reads
    mostly wait on the network, says more; a local one, whose reads are
    CPU work under one interpreter lock, gains nothing by it.

Conditional writes
    ``get_object_and_etag(key, context=None)`` returns the stored bytes
    and their ETag, a string that changes with every write (the
    file-system bank's is the MD5 of the bytes, the Swift bank's a
    revision id of each write).
    ``update_object_if_match(key, value, etag, context=None)`` replaces the
    object only while its ETag is still ``etag`` and returns the new one;
    when another writer replaced the object meanwhile it writes nothing
    and raises ``karbor.exception.BankObjectChanged``. ``etag`` None
    writes whatever is there (a new object). Checkpoint records are
    written this way, so that a worker that stalled cannot overwrite what
    the worker that took its operation over wrote since. Both have
    defaults, for plugins written for the original Karbor: no ETag
    (None), and a plain update_object; their records are then fenced by
    the operations' claims alone.

Lease (see the bank plugin lease spec)
    Every plugin instance is one lease owner, ``get_owner_id()``. The
    protection service calls ``acquire_lease()`` when it starts and
    ``release_lease()`` when it stops; in between the plugin keeps the
    lease alive in the background, calling ``renew_lease()`` every
    ``lease_renew_window`` seconds. ``check_lease_validity()`` tells the
    owner whether its lease still has at least the validity window left,
    so a write guarded by the lease may go ahead.
    ``check_lease_existence(owner_id)`` tells whether another owner's
    lease is alive: checkpoints left unfinished by an owner whose lease is
    gone are zombies, and the protection service marks them failed.

    :class:`LeasedBankPlugin` keeps the lease for a plugin that can take,
    renew and give up one lease object (Karbor's own plugins are); plugins
    written for the original Karbor subclass :class:`BankPlugin` and
    :class:`LeasePlugin` and keep their own.

Lease windows
    ``lease_expire_window`` must be at least twice ``lease_renew_window``
    plus ``lease_validity_window``. A lease renewed at t lasts until
    t + expire; if the renewal at t + renew fails, the one at t + 2 x renew
    must still find the validity window left, or the owner stops writing
    and other workers may take its checkpoints for zombies while it is
    alive. A provider file that sets windows breaking this rule is refused
    when it loads, with a message naming the options.
"""

import abc
import collections.abc
import contextlib
import inspect
import threading
import time
import uuid

from oslo_config import cfg
from oslo_log import log as logging
from oslo_serialization import jsonutils

from karbor import exception
from karbor.i18n import _

LOG = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 1024 * 1024

# The options of a LeasedBankPlugin, in the plugin's own section of the
# provider file.
lease_opts = [
    cfg.IntOpt('lease_expire_window', default=300, min=1,
               help=_('Seconds a lease lives after it was taken or last '
                      'renewed: how soon other workers mark the '
                      'checkpoints of a worker that died failed. At least '
                      'twice lease_renew_window plus '
                      'lease_validity_window.')),
    cfg.IntOpt('lease_renew_window', default=100, min=1,
               help=_('Seconds between renewals of the lease (and between '
                      'two sweeps of the bank for checkpoints of workers '
                      'that died).')),
    cfg.IntOpt('lease_validity_window', default=100, min=1,
               help=_('Seconds an update guarded by the lease may take: '
                      'the owner writes only while its lease has at least '
                      'this long left.')),
]

# A module attribute, so that tests can run leases on a fake clock. The
# owner's own view of its lease is monotonic: a clock set back or forward
# never makes it believe the lease lasts longer than it does.
_clock = time.monotonic


def iter_chunks(value, chunk_size=DEFAULT_CHUNK_SIZE):
    """Yield ``value`` (any value update_object accepts) as bytes chunks."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        yield bytes(value)
    elif isinstance(value, str):
        yield value.encode('utf-8')
    elif isinstance(value, (dict, list)):
        yield jsonutils.dump_as_bytes(value)
    elif hasattr(value, 'read'):
        while True:
            chunk = value.read(chunk_size)
            if not chunk:
                return
            yield chunk.encode('utf-8') if isinstance(chunk, str) else chunk
    elif isinstance(value, collections.abc.Iterable):
        for chunk in value:
            yield chunk.encode('utf-8') if isinstance(chunk, str) else chunk
    else:
        raise exception.BankError(
            reason='cannot store a value of type %s' % type(value).__name__)


class LeasePlugin(metaclass=abc.ABCMeta):
    """The lease calls, as the original Karbor declared them apart from
    BankPlugin: its plugins subclass both (in either order)."""

    @abc.abstractmethod
    def acquire_lease(self):
        pass

    @abc.abstractmethod
    def renew_lease(self):
        pass

    @abc.abstractmethod
    def check_lease_validity(self):
        pass


class BankPlugin(metaclass=abc.ABCMeta):
    """The contract of a bank backend; see the module documentation."""

    # Seconds between lease renewals. The protection service also looks for
    # zombie checkpoints this often.
    lease_renew_window = 100
    # See "Objects" in the module documentation.
    concurrent_reads = 1

    def __init__(self, config=None):
        # ``config`` is the provider's own ConfigOpts; a plugin registers
        # its options on it, in its own section of the provider file.
        self._config = config

    @abc.abstractmethod
    def update_object(self, key, value, context=None):
        pass

    @abc.abstractmethod
    def get_object(self, key, context=None):
        pass

    def get_object_chunks(self, key, chunk_size=DEFAULT_CHUNK_SIZE,
                          context=None):
        """Read an object as chunks.

        This default reads the whole object; plugins that can read
        incrementally should override it.
        """
        data = b''.join(iter_chunks(self.get_object(key, context=context)))
        return (data[offset:offset + chunk_size]
                for offset in range(0, len(data), chunk_size))

    def get_object_and_etag(self, key, context=None):
        """The object and its ETag; this default knows no ETag (None)."""
        return self.get_object(key, context=context), None

    def update_object_if_match(self, key, value, etag, context=None):
        """Replace the object if its ETag is still ``etag``; return the new
        ETag. This default, for plugins that keep no ETags, replaces it
        whatever it is and returns None."""
        self.update_object(key, value, context=context)
        return None

    @abc.abstractmethod
    def list_objects(self, prefix=None, limit=None, marker=None,
                     sort_dir=None, end_marker=None, context=None):
        pass

    @abc.abstractmethod
    def delete_object(self, key, context=None):
        pass

    @abc.abstractmethod
    def get_owner_id(self, context=None):
        pass

    @abc.abstractmethod
    def acquire_lease(self):
        pass

    @abc.abstractmethod
    def renew_lease(self):
        pass

    @abc.abstractmethod
    def check_lease_validity(self):
        pass

    def check_lease_existence(self, owner_id):
        """Whether ``owner_id``'s lease is alive.

        A plugin that cannot tell answers True, so that nothing is taken
        for a zombie by mistake.
        """
        return True

    def release_lease(self):
        """Stop renewing the lease and give it up."""


def check_lease_windows(options, section):
    """Refuse lease windows that a single failed renewal breaks.

    ``options`` is the plugin's option group (``section`` of the provider
    file); see "Lease windows" in the module documentation.
    """
    expire = options.lease_expire_window
    renew = options.lease_renew_window
    validity = options.lease_validity_window
    least = 2 * renew + validity
    if expire < least:
        raise exception.BankError(
            reason=_('[%(section)s] lease_expire_window (%(expire)d) must be '
                     'at least twice lease_renew_window plus '
                     'lease_validity_window (2 x %(renew)d + %(validity)d = '
                     '%(least)d), so that a lease whose renewal failed once '
                     'is still valid when the next renewal comes') %
            {'section': section, 'expire': expire, 'renew': renew,
             'validity': validity, 'least': least})


class LeasedBankPlugin(BankPlugin, LeasePlugin):
    """A bank plugin whose lease this base keeps.

    The plugin stores the lease object; this base decides when. It takes
    the lease, renews it every ``lease_renew_window`` seconds in a
    background thread, knows when it expires (counted from the moment the
    plugin was asked to write it, so the owner never believes it lasts
    longer than the bank keeps it), answers check_lease_validity, and
    stops renewing and gives the lease up on release. A renewal that fails
    keeps the old expiry, as the lease spec says, and is logged; the next
    one may still succeed before the lease runs out.

    A subclass implements ``_take_lease()`` (write its lease object for
    ``lease_expire_window`` seconds from now), may override
    ``_extend_lease()`` (a renewal; taking it again unless overridden) and
    implements ``_give_up_lease()``; each raises BankError when the bank
    refuses.
    """

    def __init__(self, config, section):
        super().__init__(config)
        config.register_opts(lease_opts, group=section)
        options = config[section]
        check_lease_windows(options, section)
        self.lease_expire_window = options.lease_expire_window
        self.lease_renew_window = options.lease_renew_window
        self.lease_validity_window = options.lease_validity_window
        self._owner_id = str(uuid.uuid4())
        self._lease_expires_at = 0.0
        # One renewal at a time: the background one and those that writes
        # ask for when the lease runs short.
        self._lease_lock = threading.Lock()
        self._renewer = None
        self._stop_renewing = threading.Event()

    @abc.abstractmethod
    def _take_lease(self):
        pass

    def _extend_lease(self):
        self._take_lease()

    @abc.abstractmethod
    def _give_up_lease(self):
        pass

    def get_owner_id(self, context=None):
        return self._owner_id

    def _keep(self, write):
        with self._lease_lock:
            asked_at = _clock()
            write()
            self._lease_expires_at = asked_at + self.lease_expire_window

    def acquire_lease(self):
        """Take the lease and keep renewing it.

        The renewals start even when the bank refuses now (the error is
        raised): the lease is then taken as soon as the bank is back.
        """
        if self._renewer is None:
            self._stop_renewing.clear()
            self._renewer = threading.Thread(
                target=self._keep_renewing, daemon=True,
                name='bank-lease-%s' % self._owner_id)
            self._renewer.start()
        self._keep(self._take_lease)

    def _keep_renewing(self):
        while not self._stop_renewing.wait(self.lease_renew_window):
            self.renew_lease()

    def renew_lease(self):
        try:
            self._keep(self._extend_lease)
        except exception.BankError as exc:
            LOG.warning('Could not renew the bank lease of %(owner)s: '
                        '%(error)s', {'owner': self._owner_id,
                                      'error': exc})

    def check_lease_validity(self):
        return (self._lease_expires_at - _clock() >=
                self.lease_validity_window)

    def release_lease(self):
        self._stop_renewing.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        with self._lease_lock:
            self._lease_expires_at = 0.0
        try:
            self._give_up_lease()
        except exception.BankError as exc:
            # It expires by itself.
            LOG.warning('Could not give up the bank lease of %(owner)s: '
                        '%(error)s', {'owner': self._owner_id, 'error': exc})


class Bank(object):
    """A bank plugin as Karbor uses it: JSON values and sections.

    It also uses bank plugins written for the original Karbor as ours:
    their list_objects knows no end marker (the listing is cut here), and
    they report a missing object as BankGetObjectFailed or
    BankDeleteObjectFailed (which becomes BankObjectNotFound when a
    listing confirms the object is not there).
    """

    def __init__(self, plugin):
        self._plugin = plugin
        parameters = inspect.signature(plugin.list_objects).parameters
        self._lists_to_end_marker = 'end_marker' in parameters or any(
            parameter.kind == parameter.VAR_KEYWORD
            for parameter in parameters.values())

    @property
    def plugin(self):
        return self._plugin

    @property
    def concurrent_reads(self):
        return self._plugin.concurrent_reads

    def update_object(self, key, value):
        self._plugin.update_object(key, value)

    def get_object(self, key):
        """Return the object, decoded when it holds JSON.

        Raw data that is not JSON comes back as bytes; use
        get_object_chunks to read large or binary objects.
        """
        with self._missing_as_not_found(key, exception.BankGetObjectFailed):
            value = self._plugin.get_object(key)
        return _decoded(value)

    def get_object_and_etag(self, key):
        """The object, decoded as get_object does, and its ETag (None from
        a plugin that keeps none: BankPlugin's default)."""
        with self._missing_as_not_found(key, exception.BankGetObjectFailed):
            value, etag = self._plugin.get_object_and_etag(key)
        return _decoded(value), etag

    def update_object_if_match(self, key, value, etag):
        return self._plugin.update_object_if_match(key, value, etag)

    def get_object_chunks(self, key, chunk_size=DEFAULT_CHUNK_SIZE):
        with self._missing_as_not_found(key, exception.BankGetObjectFailed):
            return self._plugin.get_object_chunks(key, chunk_size)

    def list_objects(self, prefix=None, limit=None, marker=None,
                     sort_dir=None, end_marker=None):
        if self._lists_to_end_marker:
            return self._plugin.list_objects(prefix=prefix, limit=limit,
                                             marker=marker, sort_dir=sort_dir,
                                             end_marker=end_marker)
        keys = self._plugin.list_objects(prefix=prefix, limit=limit,
                                         marker=marker, sort_dir=sort_dir)
        if end_marker is None:
            return keys
        # Sorted keys: those past the end marker are the listing's last.
        if sort_dir == 'desc':
            return [key for key in keys if key > end_marker]
        return [key for key in keys if key < end_marker]

    def delete_object(self, key):
        with self._missing_as_not_found(key,
                                        exception.BankDeleteObjectFailed):
            self._plugin.delete_object(key)

    @contextlib.contextmanager
    def _missing_as_not_found(self, key, failure):
        try:
            yield
        except exception.BankObjectNotFound:
            # Karbor's own plugins say so themselves.
            raise
        except failure as exc:
            wanted = key.strip('/')
            try:
                found = any(listed.strip('/') == wanted for listed in
                            self.list_objects(prefix=key))
            except exception.BankError:
                raise exc
            if found:
                raise
            raise exception.BankObjectNotFound(key=key) from exc

    def get_owner_id(self):
        return self._plugin.get_owner_id()

    def renew_lease(self):
        self._plugin.renew_lease()

    def check_lease_validity(self):
        return self._plugin.check_lease_validity()

    def check_lease_existence(self, owner_id):
        return self._plugin.check_lease_existence(owner_id)

    def get_sub_section(self, section, is_writable=True):
        return BankSection(self, section, is_writable)


def _decoded(value):
    if not isinstance(value, (bytes, str)):
        # A plugin written for the original Karbor decodes itself.
        return value
    try:
        return jsonutils.loads(value)
    except ValueError:
        return value


class BankSection(object):
    """A view of the bank under one prefix, optionally read-only.

    Keys given to and returned by a section are relative to it; protection
    plugins get one per resource and cannot reach outside it. The
    ``context`` that plugins written for the original Karbor pass is
    accepted and not used: the bank is Karbor's, whoever asks.
    """

    def __init__(self, bank, section, is_writable=True):
        self._bank = bank
        self._prefix = '/' + section.strip('/')
        self._is_writable = is_writable

    @property
    def is_writable(self):
        return self._is_writable

    def _key(self, key):
        return '%s/%s' % (self._prefix, key.lstrip('/'))

    def _check_writable(self):
        if not self._is_writable:
            raise exception.BankReadonlyViolation(section=self._prefix)

    def update_object(self, key, value, context=None):
        self._check_writable()
        self._bank.update_object(self._key(key), value)

    def get_object(self, key, context=None):
        return self._bank.get_object(self._key(key))

    def get_object_chunks(self, key, chunk_size=DEFAULT_CHUNK_SIZE):
        return self._bank.get_object_chunks(self._key(key), chunk_size)

    def list_objects(self, prefix=None, limit=None, marker=None,
                     sort_dir=None, end_marker=None, context=None):
        keys = self._bank.list_objects(
            prefix=self._key(prefix or ''), limit=limit,
            marker=self._key(marker) if marker else None,
            sort_dir=sort_dir,
            end_marker=self._key(end_marker) if end_marker else None)
        start = len(self._prefix) + 1
        return [key[start:] for key in keys]

    def delete_object(self, key, context=None):
        self._check_writable()
        self._bank.delete_object(self._key(key))

    def get_sub_section(self, section, is_writable=True):
        return BankSection(self._bank, self._key(section),
                           self._is_writable and is_writable)
