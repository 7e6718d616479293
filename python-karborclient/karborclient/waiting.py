#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""``--wait``: poll a resource until its status is final."""

import time

from karborclient import exceptions
from karborclient import formatting

FIRST_INTERVAL = 0.2
MAX_INTERVAL = 2.0
# An unchanged progress line is repeated this often, to show it is alive.
REPEAT_PROGRESS_EVERY = 10.0


def wait_for(poll, final_statuses, timeout, describe, current=None):
    """Call ``poll()`` until the status it returns is one of final_statuses.

    Polls start 0.2 s apart and back off to 2 s, so quick operations finish
    quickly without hammering the server during long ones. Each new state is
    reported on stderr as ``describe(resource)``.

    :param poll: returns the resource as a dict with a ``status``.
    :param current: the resource as already known (e.g. from the create
        call); no poll is made if it is already final.
    :returns: the final resource.
    :raises WaitTimeout: when ``timeout`` seconds pass first.
    """
    started = time.monotonic()
    interval = FIRST_INTERVAL
    reported, reported_at = None, None
    while current is None or current.get('status') not in final_statuses:
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            raise exceptions.WaitTimeout(
                'Gave up waiting after %g s; last seen: %s'
                % (timeout, describe(current) if current else 'nothing'))
        time.sleep(min(interval, remaining))
        interval = min(interval * 2, MAX_INTERVAL)
        current = poll()
        elapsed = time.monotonic() - started
        progress = describe(current)
        if (progress != reported or
                elapsed - reported_at >= REPEAT_PROGRESS_EVERY):
            formatting.print_progress('%s (%.1f s)' % (progress, elapsed))
            reported, reported_at = progress, elapsed
    return current
