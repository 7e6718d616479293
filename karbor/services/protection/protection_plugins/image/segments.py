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

"""A stream of bytes kept in a bank section as numbered segment objects.

``data/00000000``, ``data/00000001``, ...: every segment holds
``segment_size`` bytes but the last, which holds the rest (a stream of no
bytes has no segment). Several objects rather than one: no bank object
comes near a backend's size limit (5 GiB in Swift), and the segments are
written while the stream is read, each as it is filled, without ever
holding more than a few chunks in memory.

:func:`write` copies a stream of chunks into segments and digests it on the
way. The work runs in threads joined by short queues, so that reading the
source, digesting (one thread per algorithm; hashlib lets go of the GIL)
and writing overlap; two segments are written at a time, so that the wait
for the bank to settle one segment (Swift answers a PUT only once the
object is on disk) does not stop the stream. When the stream's size is
known, each segment is handed to the bank with its length (Swift then
sends it with Content-Length, without chunked encoding). The memory used
is a few chunks per thread, whatever the size of the stream.

:func:`read` gives the segments back as one stream of chunks, reading the
next ones ahead in a thread.

A copy that stopped part-way (its worker died) goes on where it stopped:
:func:`write` is told the size and CRC-32 of the segments already in the
bank (``written``, which its ``on_written`` callback reported as each
segment was stored); their bytes, read again from the source, are digested
and compared with them, not written again. (A digest's state cannot be
kept, so the stream is read from its start; the bank is written from the
first segment it lacks.)
"""

import collections
from concurrent import futures
import functools
import hashlib
import threading
import zlib

from karbor import exception
from karbor.i18n import _

PREFIX = 'data/'
# Chunks a queue between two threads holds.
QUEUE_DEPTH = 2
# Segments written at the same time.
WRITERS = 2


def segment_key(index):
    return '%s%08d' % (PREFIX, index)


class SegmentsError(exception.KarborException):
    message = '%(reason)s'


class _Stop(object):
    """The end of a pipe's chunks: normal, or with the producer's
    error."""

    def __init__(self, error=None):
        self.error = error


class _Pipe(object):
    """Chunks handed from one thread to another, a few at a time.

    The producer ``put``s chunks and ``close``s; the consumer iterates
    ``chunks()``, which raises the producer's error when it closes with
    one. A consumer that stops early calls ``abandon``: the producer's
    next ``put`` returns False instead of blocking for ever.
    """

    def __init__(self, depth=QUEUE_DEPTH):
        self._queue = collections.deque()
        self._depth = depth
        self._changed = threading.Condition()
        self._closed = False
        self._abandoned = False

    # The producer's side

    def put(self, chunk):
        with self._changed:
            while len(self._queue) >= self._depth and not self._abandoned:
                self._changed.wait()
            if self._abandoned:
                return False
            self._queue.append(chunk)
            self._changed.notify_all()
            return True

    def close(self, error=None):
        with self._changed:
            if not self._closed:
                self._closed = True
                self._queue.append(_Stop(error))
                self._changed.notify_all()

    @property
    def abandoned(self):
        return self._abandoned

    # The consumer's side

    def chunks(self):
        while True:
            with self._changed:
                while not self._queue:
                    self._changed.wait()
                item = self._queue.popleft()
                self._changed.notify_all()
            if isinstance(item, _Stop):
                if item.error is not None:
                    raise item.error
                return
            yield item

    def abandon(self):
        with self._changed:
            self._abandoned = True
            self._queue.clear()
            self._changed.notify_all()


class StreamSizeError(SegmentsError):
    """The stream held another number of bytes than it was said to."""

    def __init__(self, expected, actual=None):
        if actual is None:
            reason = _('the stream holds more than the %d bytes it was said '
                       'to') % expected
        else:
            reason = _('the stream holds %(actual)d bytes, not the '
                       '%(expected)d it was said to') % {
                'actual': actual, 'expected': expected}
        super().__init__(reason=reason)
        self.expected = expected
        self.actual = actual


class _SizedStream(object):
    """A segment's chunks and its length: a bank that can use the length
    (Swift: Content-Length rather than chunked encoding) does."""

    def __init__(self, pipe, length):
        self._pipe = pipe
        self._length = length

    def __len__(self):
        return self._length

    def __iter__(self):
        return self._pipe.chunks()


class Written(object):
    """What :func:`write` wrote: bytes, segments, and the stream's
    digests ({algorithm: hex digest})."""

    def __init__(self, size, segments, digests):
        self.size = size
        self.segments = segments
        self.digests = digests


class _Aborted(Exception):
    """Ends a segment upload when the stream failed: nothing of it
    stays."""


def _consume(pipe, work):
    """Run ``work(chunks)`` on the pipe's chunks in this thread."""
    try:
        return work(pipe.chunks())
    finally:
        # Whether it ended or failed, the producer must not wait for it.
        pipe.abandon()


def _write_segment(section, key, pipe, stream, stored=None):
    try:
        section.update_object(key, stream)
    finally:
        # Whether it ended or failed, the producer must not wait for it.
        pipe.abandon()
    if stored is not None:
        stored()


def _digest(hasher):
    def work(chunks):
        for chunk in chunks:
            hasher.update(chunk)
    return work


def new_hasher(algorithm):
    """A hashlib object; md5 as a checksum, not for security."""
    try:
        return hashlib.new(algorithm, usedforsecurity=False)
    except TypeError:
        return hashlib.new(algorithm)


def write(section, chunks, segment_size, algorithms=(), size=None,
          writers=WRITERS, queue_depth=QUEUE_DEPTH, written=(),
          on_written=None):
    """Copy ``chunks`` into segments of ``section``, digesting them.

    ``algorithms`` names hashlib algorithms (e.g. md5, sha512). ``size``,
    when known, is the number of bytes the stream holds: each segment is
    then written as a stream of known length, and a stream that holds
    another number of bytes raises StreamSizeError. ``written`` lists
    (size, crc32) of the first segments, which the section holds already:
    their bytes are compared with them (SegmentsError when they differ),
    not written again. ``on_written(index, size, crc32)`` is called, from a
    writer thread, when a segment is in the bank. Returns a
    :class:`Written`. When the source or a write fails, the segments being
    written are abandoned and the error is raised; segments already
    written stay (the caller removes them, or goes on with them later).
    """
    written = [tuple(done) for done in written]
    hashers = {name: new_hasher(name) for name in algorithms}
    with futures.ThreadPoolExecutor(
            max_workers=len(hashers) + writers,
            thread_name_prefix='segments') as executor:
        digest_pipes = [_Pipe(queue_depth) for _name in hashers]
        jobs = [executor.submit(_consume, pipe, _digest(hasher))
                for pipe, hasher in zip(digest_pipes, hashers.values())]
        writing = collections.deque()   # (pipe, job) of unfinished segments
        segment = None                  # the pipe of the segment filling
        filled = size_read = count = crc = 0
        finished = {}                   # index: (size, crc32) once closed

        def stored(index):
            if on_written is not None:
                on_written(index, *finished[index])

        def start_segment():
            while len(writing) >= writers:
                # Wait for the oldest; its error, if any, stops the copy.
                writing.popleft()[1].result()
            pipe = _Pipe(queue_depth)
            key = segment_key(count)
            if size is None:
                stream = pipe.chunks()
            else:
                stream = _SizedStream(
                    pipe, min(segment_size, size - count * segment_size))
            job = executor.submit(_write_segment, section, key, pipe, stream,
                                  functools.partial(stored, count))
            writing.append((pipe, job))
            jobs.append(job)
            return pipe

        def finish_segment():
            if segment is not None:
                # Known before the writer can end: it ends after close.
                finished[count] = (filled, crc)
                segment.close()
            elif written[count] != (filled, crc):
                raise SegmentsError(
                    reason=_('segment %(key)s in the bank (%(size)d bytes, '
                             'CRC-32 %(crc)d) is not what the stream holds '
                             'for it (%(read)d bytes, CRC-32 %(read_crc)d)') %
                    {'key': segment_key(count), 'size': written[count][0],
                     'crc': written[count][1], 'read': filled,
                     'read_crc': crc})

        def hand_over(pipe, piece):
            if not pipe.put(piece):
                _raise_failure(jobs)

        try:
            for chunk in chunks:
                if size is not None and size_read + len(chunk) > size:
                    raise StreamSizeError(size)
                size_read += len(chunk)
                while chunk:
                    if segment is None and count >= len(written):
                        segment = start_segment()
                    room = segment_size - filled
                    piece, chunk = ((chunk, b'') if len(chunk) <= room else
                                    (chunk[:room], chunk[room:]))
                    if segment is not None:
                        hand_over(segment, piece)
                    for pipe in digest_pipes:
                        hand_over(pipe, piece)
                    crc = zlib.crc32(piece, crc)
                    filled += len(piece)
                    if filled == segment_size:
                        finish_segment()
                        segment, filled, crc, count = None, 0, 0, count + 1
            if size is not None and size_read != size:
                raise StreamSizeError(size, size_read)
            if filled:
                finish_segment()
                segment, count = None, count + 1
            if count < len(written):
                raise SegmentsError(
                    reason=_('the bank holds %(held)d segments of the '
                             'stream, which fills only %(count)d') %
                    {'held': len(written), 'count': count})
            for pipe in digest_pipes:
                pipe.close()
            for job in jobs:
                job.result()
        except BaseException as exc:
            stop = _Aborted(str(exc))
            for pipe, _job in writing:
                pipe.close(stop)
            for pipe in digest_pipes:
                pipe.close(stop)
            futures.wait(jobs)
            raise
    return Written(size_read, count,
                   {name: hasher.hexdigest()
                    for name, hasher in hashers.items()})


def _raise_failure(jobs):
    """A consumer stopped early: raise its error."""
    futures.wait(jobs, return_when=futures.FIRST_EXCEPTION)
    for job in jobs:
        if job.done() and job.exception() is not None:
            raise job.exception()
    raise SegmentsError(reason=_('a segment writer stopped early'))


def read(section, segments, chunk_size, queue_depth=QUEUE_DEPTH):
    """The bytes of ``segments`` segments of ``section``, as chunks.

    A thread reads ahead (at most ``queue_depth`` chunks), so that the
    wait for the next segment overlaps the use of the last one. A
    missing segment raises BankObjectNotFound.
    """
    pipe = _Pipe(queue_depth)

    def produce():
        try:
            for index in range(segments):
                reader = section.get_object_chunks(segment_key(index),
                                                   chunk_size)
                try:
                    for chunk in reader:
                        if not pipe.put(chunk):
                            return
                finally:
                    # Gives the bank's connection back now, even when the
                    # consumer stopped part-way.
                    close = getattr(reader, 'close', None)
                    if close is not None:
                        close()
        except BaseException as exc:
            pipe.close(exc)
        else:
            pipe.close()

    reader = threading.Thread(target=produce, daemon=True,
                              name='segments-reader')
    reader.start()
    try:
        yield from pipe.chunks()
    finally:
        pipe.abandon()
        reader.join()
