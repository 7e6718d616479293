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

"""Operations claimed in the database, run by whichever worker is alive.

An accepted protect, restore or delete is a row of the ``operations``
table, queued. Every karbor-protection with a free slot claims queued
rows, and rows whose owner stopped renewing its claim for
[DEFAULT] operation_takeover_timeout seconds: a compare and swap on the
row's generation, so one worker wins each row. The owner renews its claims
every operation_heartbeat_interval. A worker that fails to renew a claim
that another has taken stops writing for that operation: its
:class:`Claim` says so to the checkpoint and restore writes it guards, and
its flow runs on its own TaskFlow flow detail (flows/engine.py), so
nothing it still does touches the taker's record of progress.

Why a claim in the database rather than a TaskFlow jobboard: the
jobboards need ZooKeeper, Redis or etcd, which a Karbor deployment
otherwise does without; the database is there already, and a row update
that checks the generation is the compare and swap a claim needs, on
SQLite, MySQL and PostgreSQL alike.

Fairness: a free slot goes to the project with the fewest operations
running (over all workers), and a project never runs more than
max_concurrent_operations_per_project at once.

A worker that an administrator disabled (os-services) claims nothing new;
what it runs goes on to its end. It reads its own row once per round of
claims, so enabling it again resumes claiming within
operation_poll_interval.
"""

import datetime
import threading
import time

import futurist
from futurist import waiters
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from karbor import context as karbor_context
from karbor.db import api as db
from karbor import exception
from karbor.i18n import _
from karbor.objects import service as service_objects

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# A module attribute, so that tests can run claims on a fake clock.
_clock = time.monotonic


def check_timing():
    """Refuse a takeover timeout that one late heartbeat would break."""
    timeout = CONF.operation_takeover_timeout
    interval = CONF.operation_heartbeat_interval
    if timeout < 3 * interval:
        raise cfg.Error(
            _('[DEFAULT] operation_takeover_timeout (%(timeout)d) must be at '
              'least three times operation_heartbeat_interval (%(interval)d):'
              ' a worker whose heartbeat came late once would otherwise lose '
              'its operations while it runs them') %
            {'timeout': timeout, 'interval': interval})


class Claim(object):
    """One worker's claim on one operation, as that worker knows it.

    The worker may write the operation's progress while the claim has at
    least operation_heartbeat_interval left, counted from when the last
    renewal was asked (so the worker never believes it lasts longer than
    the database keeps it), and until it learns that another took it.
    """

    def __init__(self, operation_id, generation):
        self.operation_id = operation_id
        self.generation = generation
        self._expires_at = _clock() + CONF.operation_takeover_timeout
        self._lost = None

    @property
    def lost(self):
        return self._lost is not None

    def renewed(self, asked_at):
        self._expires_at = asked_at + CONF.operation_takeover_timeout

    def lose(self, reason):
        if self._lost is None:
            LOG.warning('Operation %(id)s: %(reason)s; this worker stops '
                        'writing its progress.',
                        {'id': self.operation_id, 'reason': reason})
            self._lost = reason

    def check(self):
        """Raise ClaimLost unless a write for the operation may go ahead."""
        if self._lost is None and (self._expires_at - _clock() <
                                   CONF.operation_heartbeat_interval):
            self.lose(_('its claim was not renewed in time'))
        if self._lost is not None:
            raise exception.ClaimLost(operation_id=self.operation_id,
                                      reason=self._lost)


class OperationRunner(object):
    """Claims operations for this worker and runs them.

    ``run(row, claim)`` runs one claimed operation (the manager's) and
    says whether it reached its end: then, if the claim is still held, the
    row is removed and ``forget(operation_id)`` drops its TaskFlow
    progress. An operation that could not write its end (its bank is
    down) keeps its row, unrenewed: it is resumed once the claim lapses.
    """

    def __init__(self, owner, run, forget):
        self._owner = owner
        self._run = run
        self._forget = forget
        self._slots = CONF.max_concurrent_operations
        self._pool = futurist.ThreadPoolExecutor(max_workers=self._slots)
        self._claims = {}
        self._futures = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads = []
        self._context = karbor_context.get_admin_context()
        self._enabled = service_objects.EnabledCheck(
            service_objects.PROTECTION)

    def start(self):
        check_timing()
        # Claims this host held before a restart: its previous life died
        # with them; queued again, they are resumed at once.
        released = db.operation_release_all(self._context, self._owner)
        if released:
            LOG.info('Resuming %d operations this worker was running when '
                     'it stopped.', released)
        for target, name in ((self._dispatch, 'operation-dispatcher'),
                             (self._heartbeat, 'operation-heartbeat')):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self):
        """Look for work now (an operation was just accepted)."""
        self._wake.set()

    def stop(self, timeout=None):
        """Stop claiming; let running operations finish for at most
        ``timeout`` seconds (None: until they do). Those still running
        keep their rows: another worker resumes them once the claims
        lapse."""
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join()
        with self._lock:
            running = list(self._futures)
        unfinished = waiters.wait_for_all(running, timeout=timeout).not_done
        if unfinished:
            LOG.warning('Stopping with %d operations unfinished; another '
                        'karbor-protection resumes them.', len(unfinished))
            with self._lock:
                for claim in self._claims.values():
                    claim.lose(_('its worker stopped'))
        self._pool.shutdown(wait=False)

    @property
    def running(self):
        with self._lock:
            return sorted(self._claims)

    def _free(self):
        with self._lock:
            return len(self._claims) < self._slots

    def _dispatch(self):
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self.claim_round()
            except Exception:
                LOG.exception('Looking for operations to run failed.')
            self._wake.wait(CONF.operation_poll_interval)

    def claim_round(self):
        """Claim operations while a slot is free, unless this worker is
        disabled."""
        if not self._enabled.enabled(self._context, self._owner):
            return
        while self._free() and not self._stopping.is_set():
            if not self._claim_one():
                break

    def _claim_one(self):
        stale_before = timeutils.utcnow() - datetime.timedelta(
            seconds=CONF.operation_takeover_timeout)
        row = db.operation_claim(
            self._context, self._owner, stale_before,
            project_limit=CONF.max_concurrent_operations_per_project,
            exclude=self.running)
        if row is None:
            return False
        claim = Claim(row.id, row.generation)
        if row.generation > 1:
            LOG.info('Taking over %(type)s operation %(id)s (claim '
                     '%(generation)d).', {'type': row.operation_type,
                                          'id': row.id,
                                          'generation': row.generation})
        with self._lock:
            self._claims[row.id] = claim
            future = self._pool.submit(self._run_claimed, row, claim)
            self._futures.add(future)
        future.add_done_callback(self._discard)
        return True

    def _discard(self, future):
        with self._lock:
            self._futures.discard(future)

    def _run_claimed(self, row, claim):
        ended = False
        try:
            ended = self._run(row, claim)
        except Exception:
            LOG.exception('Operation %s failed unexpectedly.', row.id)
        finally:
            with self._lock:
                self._claims.pop(row.id, None)
            if ended and not claim.lost:
                try:
                    self._forget(row.id)
                    db.operation_destroy(self._context, row.id)
                except Exception:
                    LOG.exception('Could not remove finished operation %s.',
                                  row.id)
            self._wake.set()

    def _heartbeat(self):
        while not self._stopping.wait(CONF.operation_heartbeat_interval):
            with self._lock:
                claims = list(self._claims.values())
            for claim in claims:
                asked_at = _clock()
                try:
                    held = db.operation_heartbeat(
                        self._context, claim.operation_id, self._owner,
                        claim.generation)
                except Exception as exc:
                    # The old expiry stands; the next renewal may work.
                    LOG.warning('Could not renew the claim on operation '
                                '%(id)s: %(error)s',
                                {'id': claim.operation_id, 'error': exc})
                    continue
                if held:
                    claim.renewed(asked_at)
                else:
                    claim.lose(_('another karbor-protection took it over'))
