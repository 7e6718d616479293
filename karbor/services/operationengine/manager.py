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

"""karbor-operationengine: runs scheduled operations when their triggers
fire.

Every trigger_poll_interval seconds each engine looks for scheduled
operations with a fire time due, and takes each due time with a compare
and swap on the operation's row (db.scheduled_operation_take): of several
engines, one takes it, and it is taken once. The row then holds the
taken time until the run is submitted, so that a run taken by an engine
that dies before it submits is taken again, by another engine once the
hold is operation_takeover_timeout old, or by the same one when it
starts again; before it submits, the new taker looks in the operation
logs for the run's checkpoint, so the run is never made twice.

A run starts only within its trigger's window after its fire time: a
fire time whose window closed while no engine was up is skipped, the
latest one whose window is still open is run. A run whose previous run of
the same operation is still protecting is skipped, not queued behind it.
A refused run (the plan was deleted, a quota is full) is recorded as an
operation log in error, so its owner sees it.

An engine that an administrator disabled (os-services) takes no due run;
the other engines take them, and it takes them again once enabled (the
runs whose window closed meanwhile are missed, as while no engine ran).
It reads its own row once per poll.
"""

import collections
import datetime
import threading

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import timeutils

from karbor import context as karbor_context
from karbor.db import api as db
from karbor.objects import service as service_objects
from karbor.services.operationengine import client
from karbor.services.operationengine import executors
from karbor.services.operationengine import operations
from karbor.services.operationengine.triggers import time_trigger

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# A taken fire time: the operation's row as taken, the fire time, how long
# after it the run may start, and whether an earlier taker had it.
Run = collections.namedtuple('Run', 'operation fire_time window resumed')
_RESOLUTION = datetime.timedelta(microseconds=1)
# How many of an operation's latest logs are searched for a run's
# checkpoint.
_RECENT_LOGS = 20


class OperationEngineManager(object):

    target = messaging.Target(version='1.0')

    def __init__(self):
        self._host = CONF.host
        self._admin = karbor_context.get_admin_context()
        self._stopping = threading.Event()
        self._poller = None
        self._executor = None
        self._enabled = service_objects.EnabledCheck(
            service_objects.OPERATION_ENGINE)

    def start(self):
        self._executor = executors.load(self.run)
        # What this host held before it stopped is taken again at once.
        db.scheduled_operation_release_all(self._admin, self._host)
        self._poller = threading.Thread(target=self._keep_polling,
                                        daemon=True, name='trigger-poller')
        self._poller.start()

    def stop(self, timeout=None):
        """Take no more runs; wait for the ones being submitted (their
        calls have timeouts; runs that wait for a checkpoint stop)."""
        self._stopping.set()
        if self._poller is not None:
            self._poller.join()
        if self._executor is not None:
            self._executor.shutdown()

    def _keep_polling(self):
        while not self._stopping.is_set():
            try:
                self.poll()
            except Exception:
                LOG.exception('Looking for due scheduled operations failed.')
            self._stopping.wait(CONF.trigger_poll_interval)

    def poll(self, now=None):
        """Take every run due at now and hand it to the executor, unless
        this engine is disabled."""
        if not self._enabled.enabled(self._admin, self._host):
            return
        now = now or timeutils.utcnow()
        stale_before = now - datetime.timedelta(
            seconds=CONF.operation_takeover_timeout)
        for row in db.scheduled_operations_due(self._admin, now,
                                               stale_before):
            try:
                run = self._take(row, now, stale_before)
            except Exception:
                # One operation that cannot be scheduled (its time format
                # is no longer installed, say) holds up no other.
                LOG.exception('Scheduled operation %s could not be taken.',
                              row.id)
                continue
            if run is not None:
                self._executor.execute(run)

    def _take(self, row, now, stale_before):
        properties = db.trigger_get(self._admin, row.trigger_id).properties
        window = datetime.timedelta(seconds=time_trigger.window_of(
            properties))
        if row.pending_run_at is not None:
            if row.heartbeat_at is not None and (
                    row.heartbeat_at >= stale_before):
                return None
            taken = db.scheduled_operation_take(self._admin, row,
                                                self._host, {})
            return taken and Run(taken, taken.pending_run_at, window, True)
        fire_time = row.next_run_at
        if fire_time < now - window:
            # Its window closed while no engine looked: the first fire
            # time whose window is still open, if one is due yet.
            fire_time = time_trigger.next_fire_time(
                properties, now - window - _RESOLUTION)
            LOG.warning('Scheduled operation %(id)s missed its run of '
                        '%(missed)s: its window closed while no operation '
                        'engine ran it.',
                        {'id': row.id, 'missed': row.next_run_at})
            if fire_time is None or fire_time > now:
                db.scheduled_operation_take(self._admin, row, None,
                                            {'next_run_at': fire_time})
                return None
        taken = db.scheduled_operation_take(self._admin, row, self._host, {
            'pending_run_at': fire_time,
            'next_run_at': time_trigger.next_fire_time(properties,
                                                       fire_time)})
        return taken and Run(taken, fire_time, window, False)

    def run(self, run):
        """Submit one taken run; then what its type does after (the
        executor calls this)."""
        operation = run.operation
        try:
            submitted = self._submit(run)
        except Exception:
            LOG.exception('The run of %(time)s of scheduled operation '
                          '%(id)s failed.',
                          {'time': run.fire_time, 'id': operation.id})
            submitted = None
        finally:
            db.scheduled_operation_release(self._admin, operation.id,
                                           self._host, operation.generation)
        if submitted is None:
            return
        kind, karbor, checkpoint = submitted
        try:
            kind.after(karbor, operation, checkpoint, self._stopping)
        except Exception:
            LOG.exception('Scheduled operation %(id)s failed after its '
                          'checkpoint %(checkpoint)s.',
                          {'id': operation.id, 'checkpoint': checkpoint.id})

    def _submit(self, run):
        """Start the run's checkpoint; (type, client, checkpoint), or None
        when the run is not to be made."""
        operation = run.operation
        described = {'time': run.fire_time, 'id': operation.id}
        if timeutils.utcnow() > run.fire_time + run.window:
            LOG.warning('The run of %(time)s of scheduled operation %(id)s '
                        'is dropped: its window closed before it started.',
                        described)
            return None
        if run.resumed and self._submitted(operation, run.fire_time):
            LOG.info('The run of %(time)s of scheduled operation %(id)s '
                     'was submitted before.', described)
            return None
        if self._still_running(operation):
            LOG.warning('The run of %(time)s of scheduled operation %(id)s '
                        'is skipped: its previous run is still protecting.',
                        described)
            return None
        kind = operations.get(operation.operation_type)
        try:
            karbor = client.client_for(operation)
            checkpoint = kind.run(karbor, operation, run.fire_time)
        except Exception as exc:
            LOG.error('The run of %(time)s of scheduled operation %(id)s '
                      'was refused: %(error)s', dict(described, error=exc))
            self._log_refusal(operation, run.fire_time, exc)
            return None
        LOG.info('The run of %(time)s of scheduled operation %(id)s is '
                 'checkpoint %(checkpoint)s.',
                 dict(described, checkpoint=checkpoint.id))
        return kind, karbor, checkpoint

    def _logs(self, operation, **filters):
        return db.operation_log_get_all(
            self._admin, limit=_RECENT_LOGS, all_projects=True,
            filters=dict(filters, scheduled_operation_id=operation.id))

    def _submitted(self, operation, fire_time):
        written = operations.scheduled_at(fire_time)
        return any((log.extra_info or {}).get('scheduled_at') == written
                   for log in self._logs(operation))

    def _still_running(self, operation):
        return bool(self._logs(operation, status=operations.PROTECTING))

    def _log_refusal(self, operation, fire_time, error):
        now = timeutils.utcnow()
        definition = operation.operation_definition
        db.operation_log_create(self._admin, {
            'project_id': operation.project_id,
            'operation_type': 'protect',
            'plan_id': definition.get('plan_id'),
            'provider_id': definition.get('provider_id'),
            'scheduled_operation_id': operation.id,
            'status': 'error', 'started_at': now, 'ended_at': now,
            'error_info': str(error),
            'extra_info': operations.run_marks(operation, fire_time)})
