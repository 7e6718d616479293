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

"""Waiting for Cinder: polls that back off, never a long fixed sleep.

The original Karbor slept 15 s between polls, so a backup that Cinder
finished in 16 s took Karbor 77 s. Here the first poll comes after
``poll_interval``; after that each pause is an eighth of the time already
waited, never shorter than ``poll_interval`` nor longer than
``poll_max_interval``. A wait therefore notices the end of an operation at
most an eighth of its length (and at most ``poll_max_interval``) late,
whatever that length, for a few dozen GETs a minute at the start and one
every ``poll_max_interval`` in a long operation. Plain doubling up to the
cap can notice a 9 s restore 2 s late, more than a fifth of its length.

A poll that fails on the way to Cinder (connection refused, a 5xx answer)
is retried: a restarting cinder-api does not fail a long backup.
"""

import collections
import time

from oslo_config import cfg
from oslo_log import log as logging

from karbor import exception
from karbor.i18n import _

LOG = logging.getLogger(__name__)

# The longest pause, as a share of the time already waited.
PAUSE_SHARE = 0.125
# Polls in a row that may fail on the way before the wait gives up.
TRANSIENT_FAILURES = 5

# Module attributes, so that tests can run waits on a fake clock.
_clock = time.monotonic
_sleep = time.sleep

Polling = collections.namedtuple('Polling', ['interval', 'max_interval'])


def poll_opts(what):
    """The polling options of a plugin's section; ``what`` says what it
    waits for."""
    return [
        cfg.FloatOpt('poll_interval', default=0.2, min=0.01,
                     help=_('Seconds before the first poll of Cinder while '
                            'waiting for %s; later pauses grow with the '
                            'time waited (an eighth of it).') % what),
        cfg.FloatOpt('poll_max_interval', default=2.0, min=0.01,
                     help=_('Longest pause in seconds between two polls of '
                            'Cinder while waiting for %s.') % what),
    ]


def polling_from(options):
    """The Polling of a plugin's option group."""
    return Polling(options.poll_interval,
                   max(options.poll_interval, options.poll_max_interval))


class WaitTimeout(exception.KarborException):
    message = _('%(what)s: still %(status)s after %(timeout)s s')


def pause_after(waited, polling):
    """How long to sleep after ``waited`` seconds of waiting."""
    return min(polling.max_interval,
               max(polling.interval, waited * PAUSE_SHARE))


def wait_for(fetch, is_ready, what, timeout, polling, is_transient=None):
    """Poll until Cinder says an operation ended; return the last answer.

    ``fetch()`` asks Cinder (an exception it raises ends the wait, unless
    ``is_transient(exc)`` says it was on the way and the failures in a row
    are fewer than TRANSIENT_FAILURES). ``is_ready(answer)`` is True when
    the wait is over and raises when the operation failed. After
    ``timeout`` seconds WaitTimeout names ``what`` and its last status.
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
                    failures > TRANSIENT_FAILURES):
                raise
            LOG.warning('%(what)s: polling Cinder failed (%(count)d in a '
                        'row), trying again: %(error)s',
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
            raise WaitTimeout(what=what, timeout=timeout,
                              status=getattr(answer, 'status', 'unknown'))
        _sleep(min(pause_after(waited, polling), timeout - waited))
