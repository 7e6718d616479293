#!/usr/bin/env python3
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

"""Measure how long Karbor takes to recover an operation whose worker dies.

Starts two karbor-protection workers and karbor-api on the machine's
MariaDB and RabbitMQ (a scratch database, dropped at the end) with a
provider whose plugin spends --seconds in each resource's main hook. For
each of protect, restore and delete of a plan of --resources resources it
SIGKILLs the worker running the operation once --kill-after resources are
done, then prints how long until the other worker resumed it (its first
hook run), how long until the operation ended, and how many finished
resources were done again. Figures only: nothing here passes or fails.

    python tools/bench/recovery.py [--resources 16] [--kill-after 8]
        [--seconds 1] [--takeover-timeout 6]

Run it with the Python of the test virtualenv (tools/run-tests builds it).
"""

import argparse
import collections
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from karbor.tests.functional import fixtures  # noqa: E402
from karbor.tests.functional import workers  # noqa: E402


def _ended(cloud, operation, subject_id):
    if operation == 'restore':
        status = cloud.call('GET', '/restores/' + subject_id).json()[
            'restore']['status']
        return status if status != 'in_progress' else None
    status = cloud.checkpoint(subject_id)['status']
    return status if status not in ('protecting', 'deleting') else None


def _measure(cloud, operation, subject_id, kill_after):
    _name, pid, finished = cloud.kill_the_worker_running(
        operation, subject_id, ended=kill_after)
    killed_at = time.monotonic()
    resumed_at = None
    while True:
        if resumed_at is None and any(
                run_pid != pid for run_pid, _event, _resource
                in cloud.runs(operation, subject_id)):
            resumed_at = time.monotonic()
        status = _ended(cloud, operation, subject_id)
        if status is not None:
            break
        time.sleep(0.1)
    ended_at = time.monotonic()
    ends = collections.Counter(
        resource for _pid, event, resource in cloud.runs(operation,
                                                         subject_id)
        if event == 'end')
    again = sum(1 for count in ends.values() if count > 1)
    print('%-8s killed after %2d done: resumed after %5.1f s, ended %s '
          'after %5.1f s, %d finished resources done again' % (
              operation, len(finished),
              (resumed_at or ended_at) - killed_at, status,
              ended_at - killed_at, again), flush=True)
    return _name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--resources', type=int, default=workers.RESOURCES)
    parser.add_argument('--kill-after', type=int, default=None,
                        help='resources done when the worker is killed '
                             '(default: half of them)')
    parser.add_argument('--seconds', type=float, default=1.0,
                        help="each resource's main hook takes this long")
    parser.add_argument('--takeover-timeout', type=int, default=6,
                        help='[DEFAULT] operation_takeover_timeout')
    args = parser.parse_args()
    kill_after = (args.kill_after if args.kill_after is not None
                  else args.resources // 2)
    with tempfile.TemporaryDirectory() as state, \
            fixtures.scratch_database() as database, \
            workers.deployment(pathlib.Path(state), database,
                               seconds=args.seconds,
                               takeover_timeout=args.takeover_timeout
                               ) as cloud:
        print('%d resources, %.1f s each, 2 at a time; takeover timeout '
              '%d s' % (args.resources, args.seconds,
                        args.takeover_timeout), flush=True)
        plan = cloud.plan(count=args.resources)
        checkpoint_id = cloud.protect(plan)
        cloud.start_worker(_measure(cloud, 'protect', checkpoint_id,
                                    kill_after))
        restore_id = cloud.restore(checkpoint_id).json()['restore']['id']
        cloud.start_worker(_measure(cloud, 'restore', restore_id,
                                    kill_after))
        cloud.call('DELETE', cloud.checkpoint_path(checkpoint_id))
        _measure(cloud, 'delete', checkpoint_id, kill_after)


if __name__ == '__main__':
    main()
