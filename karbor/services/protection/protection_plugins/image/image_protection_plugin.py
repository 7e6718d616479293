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

"""The Glance image protection plugin, ``karbor-image-protection-plugin``.

It copies an image's bytes into the bank, and makes a new image of them on
restore. In the bank section ``OS::Glance::Image#<id>`` of a checkpoint:

``metadata``
    A JSON record: the image's id, name, disk and container formats,
    min_disk, min_ram, tags, its other properties, size, Glance's
    checksums (``checksum``, MD5; ``os_hash_algo``, ``os_hash_value``),
    and ``status``: "protecting" while the bytes are copied, "available"
    once they are all in the bank and proved to be the image's. Then
    ``data`` says how they are kept: segment size, number of segments,
    the size and digests of the bytes as they were read, and which digests
    were computed on the way (``computed``). While "protecting", ``copy``
    lists the segment size and the size and CRC-32 of every segment
    stored so far.
``data/00000000``, ``data/00000001``, ...
    The bytes, in segments of ``backup_image_object_size`` bytes (1 GiB),
    the last one shorter (see segments.py). Segments rather than one
    object: a Swift object holds at most 5 GiB, images more. Large ones:
    every Swift object costs a fixed time to settle (the object server
    syncs it to disk, then updates the container), which the next segment
    streaming meanwhile only partly hides. On the test cloud, 64 MiB
    segments moved an image's bytes at 0.77 of a direct Glance -> Swift
    stream, 1 GiB segments at 0.92.

Protect (``on_main``)
    Wait until the image is ``active`` (waiting.py: polls from 0.1 s
    apart, at most 2 s, for ``image_active_timeout`` seconds),
    record it, then stream its bytes from Glance (about 4 MiB at a time)
    into the segments, digesting them on the way with the image's
    ``os_hash_algo`` (sha512 unless Glance says otherwise). The copy never
    holds more than a few chunks in memory, whatever the size of the
    image. If the digest or the size differs from Glance's, the resource
    fails with that reason and its segments are removed. An image that
    Glance no longer has fails with that reason.

    A rerun (the worker died during the copy) goes on with the segments
    that ``copy`` lists: the bytes are read from Glance again, from the
    start (a digest cannot be saved half-way), digested and compared with
    the stored segments' size and CRC-32, and only the segments the bank
    lacks are written. A rerun after the record became "available" does
    nothing.

    MD5 (Glance's ``checksum``) is computed too for images that Glance has
    no os_hash of, or when ``always_compute_md5`` says so. Otherwise the
    recorded MD5 is Glance's, proved by the os_hash to be the bytes': a
    second digest of every byte costs as much CPU as the first, which on a
    host kept busy by the copy (Glance, the Swift proxy and object server
    hash and copy the same bytes) slows it down by a fifth or more, for no
    more certainty than sha512 gives.

Restore (``on_main``; ``on_prepare_begin`` checks the record first, so
that a restore bound to fail does so before other resources copy data)
    Create an image with the recorded formats, properties and tags, named
    after the ``restore_name`` parameter or the original, upload the bytes
    streamed from the bank (a few chunks read ahead), wait until it is
    ``active`` and check that Glance's size and checksums of it are the
    recorded ones. The restore is told "restoring" under the new id as
    soon as Glance has it, then "available", or "error" with the reason
    (the new image is then deleted: its bytes are not the image's). The
    new id goes into ``new_resources`` for the server plugin. The new
    image carries the properties ``karbor_restore_id`` and
    ``karbor_restored_from``: a rerun of the restore finds it and waits
    for, makes or checks its upload, rather than create a second image.

Verify (``on_main``)
    Read the bytes back from the bank's segments and prove them with the
    recorded size and digest (the record's ``os_hash_algo``); a missing
    segment, an incomplete record or other bytes fail the resource, with
    what differs as the reason.

Copy (``on_main``; into ``kwargs['checkpoint_copy']``, a checkpoint in
another provider's bank)
    Stream every segment from the checkpoint's section into the copy's,
    a few chunks at a time, digesting the bytes on the way, then prove
    them with the recorded size and digest and write the record last:
    the copy is restorable through its own provider with no access to the
    first bank. While the segments are copied, the copy's record is
    "protecting" and lists (``copy``) the size of every segment stored; a
    rerun (its worker died) reads the listed segments that the copy holds
    with the right size back from the copy, to digest them, and copies
    only the others. A segment of the source that is missing, of the
    wrong size or of other bytes fails the resource, and the copy's
    objects are removed.

Delete (``on_main``)
    Remove the resource's objects from the bank; those already gone are
    no error.

Options, section ``[image_backup_plugin]`` of the provider file:
``backup_image_object_size``, ``image_active_timeout`` and
``always_compute_md5``.
"""

import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.clients import glance
from karbor.services.protection import graph
from karbor.services.protection import protection_plugin
from karbor.services.protection import protection_plugins as plugins
from karbor.services.protection.protection_plugins import errors
from karbor.services.protection.protection_plugins.image import schemas
from karbor.services.protection.protection_plugins.image import segments
from karbor.services.protection.protection_plugins import waiting

LOG = logging.getLogger(__name__)

RESOURCE_TYPE = 'OS::Glance::Image'

METADATA_KEY = 'metadata'
RECORD_PROTECTING = plugins.PROTECTING
RECORD_AVAILABLE = plugins.AVAILABLE

# What the Restore is told about the new image.
RESTORING = plugins.RESTORING
RESTORED = plugins.AVAILABLE
RESTORE_FAILED = plugins.ERROR

ACTIVE = 'active'
QUEUED = 'queued'
# Statuses an image does not leave by itself: waiting is pointless.
FAILED_STATUSES = frozenset(['killed', 'deleted', 'pending_delete',
                             'deactivated'])
# An image whose bytes are on their way in.
UPLOADING_STATUSES = frozenset(['saving', 'uploading', 'importing'])
# Glance's default os_hash_algo, for images older than os_hash_*.
DEFAULT_HASH = 'sha512'
CHECKSUM_HASH = 'md5'

MiB = 1024 * 1024
# The bytes are read from Glance about this much at a time.
READ_CHUNK = 4 * MiB
# ... and from the bank: glanceclient sends an upload 1 MiB at a time.
UPLOAD_CHUNK = 1 * MiB

# Polls of an image's status (waiting.py): the first after 0.1 s, then an
# eighth of the time waited, at most 2 s, until the option's timeout.
FIRST_POLL = 0.1
LONGEST_POLL = 2.0
POLLING = waiting.Polling(FIRST_POLL, LONGEST_POLL)

OPTIONS_GROUP = 'image_backup_plugin'

image_backup_opts = [
    cfg.IntOpt('backup_image_object_size', default=1024 * MiB, min=MiB,
               help=_('Bytes of an image kept in one bank object; an '
                      'image is kept in as many objects as it takes. '
                      'Larger objects copy faster (each costs Swift a '
                      'fixed time to settle); keep it below the bank\'s '
                      'largest object (Swift\'s max_file_size, 5 GiB by '
                      'default).')),
    cfg.IntOpt('image_active_timeout', default=600, min=1,
               help=_('Seconds an image may take to become active: the '
                      'image to protect, and the restored image once its '
                      'bytes are uploaded.')),
    cfg.BoolOpt('always_compute_md5', default=False,
                help=_('Compute the MD5 checksum of an image\'s bytes while '
                       'they are copied even when Glance has the image\'s '
                       'os_hash_value (sha512), which proves the bytes by '
                       'itself. MD5 costs about as much CPU again: on a '
                       'host that the copy keeps busy, a fifth or more of '
                       'its throughput. The MD5 of images that Glance has '
                       'no os_hash of is always computed.')),
]

# The image attributes that are Glance's own (read-only, or handled one
# by one); the others are the image's properties, restored as they were.
_GLANCE_ATTRIBUTES = frozenset([
    'id', 'name', 'status', 'visibility', 'protected', 'os_hidden',
    'checksum', 'os_hash_algo', 'os_hash_value', 'owner', 'size',
    'virtual_size', 'min_ram', 'min_disk', 'disk_format',
    'container_format', 'created_at', 'updated_at', 'tags', 'file',
    'schema', 'self', 'direct_url', 'locations', 'stores'])
# Properties Glance keeps for itself and refuses to be given.
_RESERVED_PREFIX = 'os_glance'

# The clock of the copy's rate, a module attribute for tests. The polls
# sleep in waiting.py; _sleep stays for tests that still set it here.
_monotonic = time.monotonic
_sleep = time.sleep

# An image could not be protected, restored or deleted; the message says
# why. The plugins' one error, under this plugin's former name.
ImagePluginError = errors.PluginError


# Talking to Glance

def _glance_answers(doing, image_id=None):
    """Glance's failures as reasons that say what was being done; a 404
    about ``image_id`` says that the image is gone."""
    return errors.answers(
        glance.SERVICE_TITLE, doing,
        not_found=(None if image_id is None else
                   _('image %s no longer exists in Glance') % image_id))


def _wait_until_active(client, image_id, timeout):
    """Poll the image until it is active; return it.

    A poll that fails on the way to Glance is repeated (waiting.py).
    """
    return _wait(client, image_id, timeout, lambda status: status == ACTIVE,
                 ACTIVE)


def _wait(client, image_id, timeout, is_over, wanted):
    def is_ready(image):
        status = image.get('status')
        if status in FAILED_STATUSES:
            raise ImagePluginError(
                reason=_('image %(id)s is %(status)s in Glance') %
                {'id': image_id, 'status': status})
        return is_over(status)

    with _glance_answers(_('reading image %s') % image_id, image_id):
        return waiting.wait_for(
            lambda: client.images.get(image_id), is_ready,
            _('image %s') % image_id, timeout, POLLING, errors.is_transient,
            wanted=wanted)


def _regroup(chunks, size):
    """``chunks`` as chunks of about ``size`` bytes (glanceclient reads 1
    MiB at a time): fewer, larger pieces for the threads and the bank."""
    pending = []
    pending_size = 0
    for chunk in chunks:
        if not chunk:
            continue
        if not pending and len(chunk) >= size:
            yield chunk
            continue
        pending.append(chunk)
        pending_size += len(chunk)
        if pending_size >= size:
            yield b''.join(pending)
            pending = []
            pending_size = 0
    if pending:
        yield b''.join(pending)


class _ChunkFile(object):
    """A read-only file over an iterator of chunks, for glanceclient's
    upload (which reads a file): ``read(n)`` hands whole chunks over when
    they fit, without copying."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._rest = b''

    def read(self, size=-1):
        if not self._rest:
            self._rest = next(self._chunks, b'')
        if size is None or size < 0 or len(self._rest) <= size:
            piece, self._rest = self._rest, b''
        else:
            view = memoryview(self._rest)
            piece, self._rest = bytes(view[:size]), bytes(view[size:])
        return piece


# The record in the bank

def _section(checkpoint, resource):
    return plugins.resource_section(checkpoint, resource)


def _saved_record(section):
    try:
        record = section.get_object(METADATA_KEY)
    except exception.BankObjectNotFound:
        return None
    return record if isinstance(record, dict) else None


def _describe(image):
    """The record of an image, before its bytes are copied."""
    properties = {
        name: value for name, value in image.items()
        if name not in _GLANCE_ATTRIBUTES and value is not None and
        not name.startswith(_RESERVED_PREFIX)}
    return {
        'status': RECORD_PROTECTING,
        'image_id': image['id'],
        'name': image.get('name'),
        'disk_format': image.get('disk_format'),
        'container_format': image.get('container_format'),
        'min_disk': image.get('min_disk'),
        'min_ram': image.get('min_ram'),
        'tags': list(image.get('tags') or ()),
        'properties': properties,
        'visibility': image.get('visibility'),
        'size': image.get('size'),
        'virtual_size': image.get('virtual_size'),
        'checksum': image.get('checksum'),
        'os_hash_algo': image.get('os_hash_algo'),
        'os_hash_value': image.get('os_hash_value'),
    }


def _read_record(section, resource):
    """The complete record of an image; a clear error if there is none."""
    try:
        record = section.get_object(METADATA_KEY)
    except exception.BankObjectNotFound:
        record = None
    if not isinstance(record, dict) or record.get(
            'status') != RECORD_AVAILABLE or 'data' not in record:
        raise ImagePluginError(
            reason=_('the checkpoint holds no complete copy of image %s: '
                     'its protection did not finish') % resource.id)
    return record


def _remove_all(section):
    """Remove every object of the section, the record last."""
    keys = section.list_objects()
    for key in sorted(keys, key=lambda key: key == METADATA_KEY):
        try:
            section.delete_object(key)
        except exception.BankObjectNotFound:
            pass


def _remove_quietly(section, what):
    try:
        _remove_all(section)
    except Exception as exc:
        LOG.warning('Could not remove the bank objects of %(what)s: '
                    '%(error)s', {'what': what, 'error': exc})


def _mismatches(expected, actual):
    """The differences between Glance's and the copy's size and digests,
    as text; empty when they agree. Values Glance did not give are not
    compared."""
    differences = []
    for name, label in (('size', _('size')),
                        ('checksum', _('MD5 checksum')),
                        ('os_hash_value', expected.get('os_hash_algo') or
                         DEFAULT_HASH)):
        if expected.get(name) is None or actual.get(name) is None:
            continue
        if expected[name] != actual[name]:
            differences.append(_('%(what)s %(expected)s, not %(actual)s') %
                               {'what': label, 'expected': expected[name],
                                'actual': actual[name]})
    return '; '.join(differences)


# Protect

def _algorithms(image, always_md5):
    """The image's os_hash algorithm, and the digests to compute: that
    one, and MD5 when asked or when Glance has no os_hash of the image."""
    algorithm = image.get('os_hash_algo') or DEFAULT_HASH
    try:
        segments.new_hasher(algorithm)
    except ValueError:
        raise ImagePluginError(
            reason=_('Glance hashes image %(id)s with %(algorithm)s, which '
                     'karbor-protection cannot compute here') %
            {'id': image['id'], 'algorithm': algorithm})
    algorithms = [algorithm]
    if algorithm != CHECKSUM_HASH and (always_md5 or
                                       not image.get('os_hash_value')):
        algorithms.append(CHECKSUM_HASH)
    return algorithm, algorithms


def _not_glances(image, differences):
    return ImagePluginError(
        reason=_('the bytes of image %(id)s read from Glance are not the '
                 'image Glance describes (%(differences)s): it changed, or '
                 'was damaged on the way') %
        {'id': image['id'], 'differences': differences})


# The progress of a copy, in the record while it is "protecting": the
# segment size it uses, and [size, crc32] of each segment in the bank.
COPY_KEY = 'copy'


def _copied_segments(record, image):
    """What a copy that stopped part-way left in the bank, to go on with:
    the segment size and the [size, crc32] of the first segments, in
    order; None when there is nothing to go on with (no record, or the
    record of other bytes)."""
    if not record or record.get('status') != RECORD_PROTECTING:
        return None
    copy = record.get(COPY_KEY)
    if not isinstance(copy, dict) or record.get('image_id') != image['id']:
        return None
    if any(record.get(name) != image.get(name)
           for name in ('size', 'checksum', 'os_hash_value')):
        return None
    written = copy.get('written') or {}
    done = []
    while str(len(done)) in written:
        done.append(tuple(written[str(len(done))]))
    return copy['segment_size'], done


class ProtectOperation(protection_plugin.Operation):
    """Copies the image's bytes into the bank.

    Run again after its worker died, it goes on with the segments the bank
    holds (the record lists them as they are stored): they are not written
    again. Once the record is complete, a rerun does nothing.
    """

    def __init__(self, segment_size, active_timeout, always_md5=False):
        self._segment_size = segment_size
        self._active_timeout = active_timeout
        self._always_md5 = always_md5

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = _section(checkpoint, resource)
        record = _saved_record(section)
        if (record and record.get('status') == RECORD_AVAILABLE and
                'data' in record):
            return  # an earlier run finished
        client = glance.create(context)
        image = _wait_until_active(client, resource.id, self._active_timeout)
        algorithm, algorithms = _algorithms(image, self._always_md5)
        resumed = _copied_segments(record, image)
        if resumed is None:
            if record is not None:
                _remove_all(section)  # a copy of other bytes
            segment_size, done = self._segment_size, []
            record = _describe(image)
            record[COPY_KEY] = {'segment_size': segment_size, 'written': {}}
            section.update_object(METADATA_KEY, record)
        else:
            segment_size, done = resumed
            LOG.info('Image %(id)s: going on with the copy into checkpoint '
                     '%(checkpoint)s after its %(count)d stored segments.',
                     {'id': image['id'], 'checkpoint': checkpoint.id,
                      'count': len(done)})

        started = _monotonic()
        try:
            try:
                written = self._copy(client, image, section, algorithms,
                                     segment_size, done, record)
            except segments.StreamSizeError as exc:
                raise _not_glances(image, _('size %(expected)s, not '
                                            '%(actual)s') % {
                    'expected': exc.expected,
                    'actual': (_('more') if exc.actual is None
                               else exc.actual)})
            copy = {'size': written.size,
                    'checksum': written.digests.get(CHECKSUM_HASH),
                    'os_hash_algo': algorithm,
                    'os_hash_value': written.digests[algorithm]}
            differences = _mismatches(record, copy)
            if differences:
                raise _not_glances(image, differences)
            if copy['checksum'] is None:
                # The bytes are the ones Glance hashed: its MD5 is theirs.
                copy['checksum'] = record['checksum']
        except Exception:
            # The resource fails: nothing of it stays. A worker that goes
            # away (not an Exception) leaves the segments to its successor.
            _remove_quietly(section, _('image %s') % image['id'])
            raise
        seconds = max(_monotonic() - started, 1e-9)
        LOG.info('Image %(id)s: %(size)d bytes copied into the bank in '
                 '%(seconds).1f s (%(rate).1f MB/s).',
                 {'id': image['id'], 'size': written.size,
                  'seconds': seconds, 'rate': written.size / seconds / 1e6})
        record.pop(COPY_KEY, None)
        record['data'] = dict(copy, segment_size=segment_size,
                              segments=written.segments,
                              computed=sorted(written.digests))
        record['status'] = RECORD_AVAILABLE
        section.update_object(METADATA_KEY, record)

    def _copy(self, client, image, section, algorithms, segment_size, done,
              record):
        lock = threading.Lock()

        def stored(index, size, crc):
            # The record says which segments are in the bank, for a rerun.
            with lock:
                record[COPY_KEY]['written'][str(index)] = [size, crc]
                section.update_object(METADATA_KEY, record)

        doing = _('reading the bytes of image %s from Glance') % image['id']
        with _glance_answers(doing, image['id']):
            body = client.images.data(image['id'], do_checksum=False)
            # glanceclient wraps its answer, even None (no bytes at all).
            if getattr(body, '__wrapped__', body) is None:
                raise ImagePluginError(
                    reason=_('Glance has no bytes of image %s') %
                    image['id'])
            return segments.write(section, _regroup(body, READ_CHUNK),
                                  segment_size, algorithms,
                                  size=image.get('size'), written=done,
                                  on_written=stored)


# Restore

def _new_image_fields(record, parameters):
    fields = dict(record.get('properties') or {})
    fields.update({
        'name': parameters.get('restore_name') or record.get('name') or '',
        'disk_format': record.get('disk_format'),
        'container_format': record.get('container_format'),
        'min_disk': record.get('min_disk') or 0,
        'min_ram': record.get('min_ram') or 0,
    })
    if record.get('tags'):
        fields['tags'] = record['tags']
    return {name: value for name, value in fields.items()
            if value is not None}


def _find_restored(client, marks):
    """The image that an earlier run of the same restore made for the same
    image (restore_marks in its properties), or None."""
    for image in client.images.list(filters=dict(marks)):
        if plugins.has_marks(image, marks) and image.get(
                'status') not in ('deleted', 'pending_delete'):
            return image
    return None


class RestoreOperation(protection_plugin.Operation):
    """Makes a new image of the saved bytes, marked with the restore's id
    and the original image (properties ``karbor_restore_id`` and
    ``karbor_restored_from``). Run again, it finds that image: it waits for
    an upload under way, uploads into one still queued, and checks one
    already active, rather than make another."""

    def __init__(self, active_timeout):
        self._active_timeout = active_timeout

    def on_prepare_begin(self, checkpoint, resource, context, parameters,
                         **kwargs):
        _read_record(_section(checkpoint, resource), resource)

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        restore = kwargs['restore']
        section = _section(checkpoint, resource)
        record = _read_record(section, resource)
        client = glance.create(context)
        marks = plugins.restore_marks(restore, resource)
        doing = _('creating an image to restore image %s in') % resource.id
        with _glance_answers(doing):
            new_image = _find_restored(client, marks)
            if new_image is not None and new_image.get(
                    'status') in FAILED_STATUSES:
                self._delete_quietly(client, new_image['id'])
                new_image = None
            if new_image is None:
                fields = _new_image_fields(record, parameters or {})
                fields.update(marks)
                new_image = client.images.create(**fields)
            else:
                LOG.info('Image %(id)s of this restore was made already: '
                         'going on with it.', {'id': new_image['id']})
        new_id = new_image['id']
        restore.update_resource_status(RESOURCE_TYPE, new_id, RESTORING)
        try:
            self._fill(client, new_image, section, record)
        except Exception as exc:
            reason = _('%(error)s (the new image %(id)s is deleted)') % {
                'error': exc, 'id': new_id}
            self._delete_quietly(client, new_id)
            restore.update_resource_status(RESOURCE_TYPE, new_id,
                                           RESTORE_FAILED, reason=reason)
            raise ImagePluginError(reason=reason) from exc
        kwargs['new_resources'][graph.resource_key(resource)] = new_id
        restore.update_resource_status(RESOURCE_TYPE, new_id, RESTORED)

    def _fill(self, client, new_image, section, record):
        new_id = new_image['id']
        data = record['data']
        if new_image.get('status') in UPLOADING_STATUSES:
            # An earlier run's upload: Glance ends it (active), or takes
            # the image back to queued when the upload broke.
            new_image = _wait(
                client, new_id, self._active_timeout,
                lambda status: status not in UPLOADING_STATUSES,
                _('%(active)s or %(queued)s') % {'active': ACTIVE,
                                                 'queued': QUEUED})
        if new_image.get('status') != ACTIVE:
            chunks = segments.read(section, data['segments'], UPLOAD_CHUNK)
            try:
                with _glance_answers(_('uploading the bytes of image %s') %
                                     new_id, new_id):
                    client.images.upload(new_id, _ChunkFile(chunks),
                                         image_size=data['size'])
            finally:
                chunks.close()
        image = _wait_until_active(client, new_id, self._active_timeout)
        restored = {'size': image.get('size'),
                    'checksum': image.get('checksum'),
                    'os_hash_algo': image.get('os_hash_algo'),
                    'os_hash_value': image.get('os_hash_value')}
        if (restored['os_hash_algo'] is not None and
                restored['os_hash_algo'] != data['os_hash_algo']):
            # Glance hashes with another algorithm now: MD5 and the size
            # still prove the bytes.
            restored['os_hash_value'] = None
        differences = _mismatches(data, restored)
        if differences:
            raise ImagePluginError(
                reason=_('Glance\'s image %(id)s is not the protected one '
                         '(%(differences)s)') %
                {'id': new_id, 'differences': differences})

    @staticmethod
    def _delete_quietly(client, image_id):
        try:
            client.images.delete(image_id)
        except glance.NotFound:
            pass
        except Exception as exc:
            LOG.warning('Could not delete image %(id)s, restored in vain: '
                        '%(error)s', {'id': image_id, 'error': exc})


# Verify

class VerifyOperation(protection_plugin.Operation):
    """Reads the image's bytes back from the bank and proves them."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = _section(checkpoint, resource)
        data = _read_record(section, resource)['data']
        hasher = segments.new_hasher(data['os_hash_algo'])
        size = 0
        chunks = segments.read(section, data['segments'], UPLOAD_CHUNK)
        try:
            for chunk in chunks:
                hasher.update(chunk)
                size += len(chunk)
        except exception.BankObjectNotFound as exc:
            raise ImagePluginError(
                reason=_('a segment of image %(id)s is missing from the '
                         'bank: %(error)s') % {'id': resource.id,
                                               'error': exc}) from exc
        finally:
            chunks.close()
        differences = _mismatches(data, {'size': size,
                                         'os_hash_value': hasher.hexdigest()})
        if differences:
            raise ImagePluginError(
                reason=_('the bytes of image %(id)s in the bank are not the '
                         'protected ones (%(differences)s)') %
                {'id': resource.id, 'differences': differences})


# Copy

class _Digesting(object):
    """The chunks of one segment, digested and counted as they pass."""

    def __init__(self, chunks, hasher):
        self._chunks = chunks
        self._hasher = hasher
        self.size = 0

    def __iter__(self):
        for chunk in self._chunks:
            self._hasher.update(chunk)
            self.size += len(chunk)
            yield chunk


class CopyOperation(protection_plugin.Operation):
    """Copies the record and the segments into the checkpoint's copy; see
    the module documentation."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        source = _section(checkpoint, resource)
        target = _section(kwargs['checkpoint_copy'], resource)
        record = _read_record(source, resource)
        copied = _saved_record(target)
        if copied == record:
            return  # an earlier run finished
        data = record['data']
        progress = {'status': RECORD_PROTECTING,
                    'image_id': record.get('image_id'),
                    COPY_KEY: {'segment_size': data['segment_size'],
                               'written': {}}}
        if (copied and copied.get('status') == RECORD_PROTECTING and
                copied.get(COPY_KEY, {}).get('segment_size') ==
                data['segment_size'] and
                copied.get('image_id') == record.get('image_id')):
            progress[COPY_KEY]['written'] = copied[COPY_KEY].get(
                'written') or {}
        target.update_object(METADATA_KEY, progress)
        try:
            size, digest = self._copy_segments(source, target, data,
                                               progress)
            differences = _mismatches(data, {'size': size,
                                             'os_hash_value': digest})
            if differences:
                raise ImagePluginError(
                    reason=_('the bytes of image %(id)s in checkpoint '
                             '%(checkpoint)s are not the protected ones '
                             '(%(differences)s): the copy is given up') %
                    {'id': resource.id, 'checkpoint': checkpoint.id,
                     'differences': differences})
        except Exception:
            # As in a protect: a failed copy leaves nothing; a worker that
            # goes away leaves the segments to its successor.
            _remove_quietly(target, _('the copy of image %s') % resource.id)
            raise
        target.update_object(METADATA_KEY, record)

    @staticmethod
    def _copy_segments(source, target, data, progress):
        """Copy the segments the target lacks, digesting all of them in
        order; (bytes, hex digest)."""
        written = progress[COPY_KEY]['written']
        in_target = set(target.list_objects(prefix=segments.PREFIX))
        hasher = segments.new_hasher(data['os_hash_algo'])
        size = 0
        for index in range(data['segments']):
            key = segments.segment_key(index)
            expected = min(data['segment_size'],
                           data['size'] - index * data['segment_size'])
            if written.get(str(index)) == expected and key in in_target:
                # Copied by an earlier run: proved again, not written.
                chunks = _Digesting(target.get_object_chunks(key,
                                                             READ_CHUNK),
                                    hasher)
                for _chunk in chunks:
                    pass
            else:
                try:
                    chunks = _Digesting(source.get_object_chunks(
                        key, READ_CHUNK), hasher)
                    target.update_object(key, iter(chunks))
                except exception.BankObjectNotFound as exc:
                    raise ImagePluginError(
                        reason=_('segment %(key)s of the image is missing '
                                 'from the checkpoint: %(error)s') %
                        {'key': key, 'error': exc}) from exc
                if chunks.size != expected:
                    raise ImagePluginError(
                        reason=_('segment %(key)s of the image holds '
                                 '%(size)d bytes, not %(expected)d') %
                        {'key': key, 'size': chunks.size,
                         'expected': expected})
                written[str(index)] = chunks.size
                target.update_object(METADATA_KEY, progress)
            size += chunks.size
        return size, hasher.hexdigest()


# Delete

class DeleteOperation(protection_plugin.Operation):

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        _remove_all(_section(checkpoint, resource))


class GlanceProtectionPlugin(protection_plugin.ProtectionPlugin):
    """Protection plugin ``karbor-image-protection-plugin``: Glance images
    into the bank; see the module documentation."""

    def __init__(self, config=None):
        super().__init__(config)
        if config is None:
            config = cfg.ConfigOpts()
            config([], default_config_files=[], default_config_dirs=[],
                   use_env=False)
        config.register_opts(image_backup_opts, group=OPTIONS_GROUP)
        options = config[OPTIONS_GROUP]
        self._segment_size = options.backup_image_object_size
        self._active_timeout = options.image_active_timeout
        self._always_md5 = options.always_compute_md5

    def get_protect_operation(self, resource):
        return ProtectOperation(self._segment_size, self._active_timeout,
                                self._always_md5)

    def get_restore_operation(self, resource):
        return RestoreOperation(self._active_timeout)

    def get_verify_operation(self, resource):
        return VerifyOperation()

    def get_copy_operation(self, resource):
        return CopyOperation()

    def get_delete_operation(self, resource):
        return DeleteOperation()

    @classmethod
    def get_supported_resources_types(cls):
        return [RESOURCE_TYPE]

    @classmethod
    def get_options_schema(cls, resource_type):
        return schemas.OPTIONS_SCHEMA

    @classmethod
    def get_restore_schema(cls, resource_type):
        return schemas.RESTORE_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return schemas.SAVED_INFO_SCHEMA

    @classmethod
    def get_saved_info(cls, metadata_store, resource):
        try:
            record = metadata_store.get_object(METADATA_KEY)
        except exception.BankObjectNotFound:
            return None
        if not isinstance(record, dict):
            return None
        data = record.get('data') or {}
        return {
            'image_id': record.get('image_id'),
            'name': record.get('name'),
            'disk_format': record.get('disk_format'),
            'container_format': record.get('container_format'),
            'min_disk': record.get('min_disk'),
            'min_ram': record.get('min_ram'),
            'size': data.get('size', record.get('size')),
            'checksum': data.get('checksum', record.get('checksum')),
            'os_hash_algo': data.get('os_hash_algo',
                                     record.get('os_hash_algo')),
            'os_hash_value': data.get('os_hash_value',
                                      record.get('os_hash_value')),
            'segments': data.get('segments', 0),
        }
