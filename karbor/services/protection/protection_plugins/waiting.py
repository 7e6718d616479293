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

"""Waiting for a cloud resource: polls that back off, never a long fixed
sleep. Every plugin waits with :func:`wait_for`.

The original Karbor slept 15 s between polls, so a backup that Cinder
finished in 16 s took Karbor 77 s. Here the first poll comes after
``interval``; after that each pause is an eighth of the time already
waited, never shorter than ``interval`` nor longer than ``max_interval``.
A wait therefore notices the end of an operation at most an eighth of its
length (and at most ``max_interval``) late, whatever that length, for a
few dozen GETs a minute at the start and one every ``max_interval`` in a
long operation. Plain doubling up to the cap can notice a 9 s restore 2 s
late, more than a fifth of its length.

A poll that fails on the way to the service (connection refused, a 502,
503 or 504: errors.is_transient) is retried, up to TRANSIENT_FAILURES in
a row: a restarting cinder-api does not fail a long backup. After
``timeout`` seconds :class:`WaitTimeout` names what was awaited, its last
status and how long it was waited for.

A hook that waits long returns a :class:`Pending` (the plugin contract,
protection_plugin.py, says how): the protection service then polls it
among the other waits of the operation, holding no thread between polls,
and runs what follows the wait in a worker thread once it is over. Where
nobody takes a Pending over (a hook called directly), :meth:`Pending.run`
waits in the calling thread, sleeping between polls.

The Cinder plugins set their polling in their provider file sections
(:func:`poll_opts`); the image and server plugins poll as their
constants say.
"""

import collections
import contextlib
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.protection_plugins import errors

LOG = logging.getLogger(__name__)

# The longest pause, as a share of the time already waited.
PAUSE_SHARE = 0.125
# Polls in a row that may fail on the way before the wait gives up.
TRANSIENT_FAILURES = 5

# Module attributes, so that tests can run waits on a fake clock.
_clock = time.monotonic
_sleep = time.sleep

Polling = collections.namedtuple('Polling', ['interval', 'max_interval'])


def poll_opts(what, service='Cinder'):
    """The polling options of a plugin's section; ``what`` says what it
    waits for, ``service`` whom it asks."""
    return [
        cfg.FloatOpt('poll_interval', default=0.2, min=0.01,
                     help=_('Seconds before the first poll of %(service)s '
                            'while waiting for %(what)s; later pauses grow '
                            'with the time waited (an eighth of it).') %
                     {'service': service, 'what': what}),
        cfg.FloatOpt('poll_max_interval', default=2.0, min=0.01,
                     help=_('Longest pause in seconds between two polls of '
                            '%(service)s while waiting for %(what)s.') %
                     {'service': service, 'what': what}),
    ]


def polling_from(options):
    """The Polling of a plugin's option group."""
    return Polling(options.poll_interval,
                   max(options.poll_interval, options.poll_max_interval))


class WaitTimeout(exception.KarborException):
    message = _('%(what)s: still %(status)s after %(timeout)s seconds'
                '%(wanted)s')

    def __init__(self, what, status, timeout, wanted=None):
        super().__init__(
            what=what, status=status, timeout=timeout,
            wanted=_(' (waited for %s)') % wanted if wanted else '')


def pause_after(waited, polling):
    """How long to sleep after ``waited`` seconds of waiting."""
    return min(polling.max_interval,
               max(polling.interval, waited * PAUSE_SHARE))


def status_of(answer):
    """The status of an answer: an attribute (cinderclient, novaclient) or
    a key (glanceclient)."""
    if isinstance(answer, dict):
        return answer.get('status')
    return getattr(answer, 'status', None)


class Wait(object):
    """Polling until ``is_ready(fetch())``, one poll at a time.

    ``fetch()`` asks the service (an exception it raises ends the wait,
    unless ``is_transient(exc)`` says it was on the way and the failures in
    a row are fewer than TRANSIENT_FAILURES). ``is_ready(answer)`` is True
    when the wait is over and raises when the awaited operation failed.
    After ``timeout`` seconds WaitTimeout names ``what``, its last status
    and ``wanted`` (the status awaited, when there is one); a wait whose
    last poll failed raises that failure instead.
    """

    def __init__(self, fetch, is_ready, what, timeout, polling,
                 is_transient=None, wanted=None):
        self._fetch = fetch
        self._is_ready = is_ready
        self.what = what
        self._timeout = timeout
        self._polling = polling
        self._is_transient = is_transient
        self._wanted = wanted
        self._start = _clock()
        self._failures = 0
        self._polls = 0
        self.answer = None

    def poll(self):
        """Ask once: True when the wait is over (its answer is
        ``answer``), False when it goes on; raises when it failed."""
        self._polls += 1
        try:
            answer = self._fetch()
        except Exception as exc:
            self._failures += 1
            if (self._is_transient is None or
                    not self._is_transient(exc) or
                    self._failures > TRANSIENT_FAILURES or
                    _clock() - self._start >= self._timeout):
                raise
            LOG.warning('%(what)s: polling failed (%(count)d in a row), '
                        'trying again: %(error)s',
                        {'what': self.what, 'count': self._failures,
                         'error': exc})
        else:
            self._failures = 0
            self.answer = answer
            if self._is_ready(answer):
                LOG.debug('%(what)s: done after %(seconds).1f s, %(polls)d '
                          'polls', {'what': self.what, 'polls': self._polls,
                                    'seconds': _clock() - self._start})
                return True
        if _clock() - self._start >= self._timeout:
            raise WaitTimeout(self.what,
                              status_of(self.answer) or _('unknown'),
                              self._timeout, self._wanted)
        return False

    def pause(self):
        """Seconds until the next poll."""
        waited = _clock() - self._start
        return max(0.0, min(pause_after(waited, self._polling),
                            self._timeout - waited))

    def run(self):
        """Poll until the wait is over, sleeping in between; the last
        answer."""
        _poll_until_over(self)
        return self.answer


def _poll_until_over(wait):
    """Poll ``wait`` (a Wait or a Pending) in this thread, sleeping its
    pauses in between, until it is over."""
    while not wait.poll():
        _sleep(wait.pause())


def wait_for(fetch, is_ready, what, timeout, polling, is_transient=None,
             wanted=None):
    """Poll until ``is_ready(fetch())`` (see :class:`Wait`); return the
    last answer."""
    return Wait(fetch, is_ready, what, timeout, polling, is_transient,
                wanted).run()


class Pending(object):
    """What a hook returns to wait without holding a thread: ``wait`` (a
    :class:`Wait`), then ``then(answer)``, which finishes the hook and may
    return another Pending.

    ``within(guard)`` runs the polls and ``then`` inside ``guard()``, a
    context manager: the error translation or failure report that the
    hook's own code runs in.
    """

    def __init__(self, wait, then):
        self.wait = wait
        self._then = then
        self._guards = []
        self._error = None

    def within(self, guard):
        self._guards.append(guard)
        return self

    @contextlib.contextmanager
    def _guarded(self):
        with contextlib.ExitStack() as stack:
            for guard in reversed(self._guards):
                stack.enter_context(guard())
            yield

    def poll(self):
        """Poll once: True when the wait is over or failed (finish says
        which)."""
        try:
            with self._guarded():
                return self.wait.poll()
        except Exception as exc:
            self._error = exc
            return True

    def pause(self):
        return self.wait.pause()

    def finish(self):
        """What follows the wait: the hook's result (maybe another
        Pending, under the same guards); raises what the wait raised."""
        if self._error is not None:
            raise self._error
        with self._guarded():
            result = self._then(self.wait.answer)
        if isinstance(result, Pending):
            result._guards.extend(self._guards)
        return result

    def run(self):
        """Wait in this thread, through every Pending that follows; the
        hook's result."""
        pending = self
        while True:
            _poll_until_over(pending)
            result = pending.finish()
            if not isinstance(result, Pending):
                return result
            pending = result


_taking_over = threading.local()


@contextlib.contextmanager
def taking_over():
    """Within it, :func:`hand_over` takes this thread's Pending; the
    context gives a callable that returns it (or None)."""
    _taking_over.pending = None
    _taking_over.open = True
    try:
        yield lambda: _taking_over.pending
    finally:
        _taking_over.open = False
        _taking_over.pending = None


def hand_over(pending):
    """Give ``pending`` to the executor that runs this thread's task
    (engine.py), which polls it and runs the task again once it is over;
    False when no executor takes it (then wait with ``pending.run()``)."""
    if getattr(_taking_over, 'open', False) and _taking_over.pending is None:
        _taking_over.pending = pending
        return True
    return False


def status_wait(fetch, wanted, failed, what, timeout, polling,
                is_transient=None, failure=None):
    """The Wait until the status of ``fetch()`` is ``wanted``.

    ``failed(status)`` says that the awaited operation failed: then
    ``failure(answer)`` (default: a PluginError "<what> is <status>") is
    raised.
    """
    def is_ready(answer):
        status = status_of(answer)
        if status == wanted:
            return True
        if failed(status):
            if failure is not None:
                raise failure(answer)
            raise errors.PluginError(
                reason=_('%(what)s is %(status)s') % {'what': what,
                                                      'status': status})
        return False

    return Wait(fetch, is_ready, what, timeout, polling, is_transient,
                wanted=wanted)


def finished(outcome):
    """What a hook returned, once the wait it returned (if it is a
    Pending) is over, waited for in this thread: for those who call a
    hook directly."""
    if isinstance(outcome, Pending):
        return outcome.run()
    return outcome
