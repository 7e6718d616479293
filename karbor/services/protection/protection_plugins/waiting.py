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

A wait sleeps between its polls (time.sleep: the thread lets go of the
GIL and holds no lock), so the many resources of a checkpoint wait side
by side at the cost of an idle thread each.

The Cinder plugins set their polling in their provider file sections
(:func:`poll_opts`); the image and server plugins poll as their
constants say.
"""

import collections
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


def wait_for(fetch, is_ready, what, timeout, polling, is_transient=None,
             wanted=None):
    """Poll until ``is_ready(fetch())``; return the last answer.

    ``fetch()`` asks the service (an exception it raises ends the wait,
    unless ``is_transient(exc)`` says it was on the way and the failures in
    a row are fewer than TRANSIENT_FAILURES). ``is_ready(answer)`` is True
    when the wait is over and raises when the awaited operation failed.
    After ``timeout`` seconds WaitTimeout names ``what``, its last status
    and ``wanted`` (the status awaited, when there is one); a wait whose
    last poll failed raises that failure instead.
    """
    start = _clock()
    failures = 0
    polls = 0
    answer = None
    while True:
        polls += 1
        try:
            answer = fetch()
        except Exception as exc:
            failures += 1
            if (is_transient is None or not is_transient(exc) or
                    failures > TRANSIENT_FAILURES or
                    _clock() - start >= timeout):
                raise
            LOG.warning('%(what)s: polling failed (%(count)d in a row), '
                        'trying again: %(error)s',
                        {'what': what, 'count': failures, 'error': exc})
        else:
            failures = 0
            if is_ready(answer):
                LOG.debug('%(what)s: done after %(seconds).1f s, %(polls)d '
                          'polls', {'what': what, 'polls': polls,
                                    'seconds': _clock() - start})
                return answer
        waited = _clock() - start
        if waited >= timeout:
            raise WaitTimeout(what, status_of(answer) or _('unknown'),
                              timeout, wanted)
        _sleep(min(pause_after(waited, polling), timeout - waited))


def wait_for_status(fetch, wanted, failed, what, timeout, polling,
                    is_transient=None, failure=None):
    """Poll until the status of ``fetch()`` is ``wanted``; return the
    answer.

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

    return wait_for(fetch, is_ready, what, timeout, polling, is_transient,
                    wanted=wanted)
