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

"""karbor-protection's RPC endpoints (the server side of rpcapi.py).

Requests are answered at once. A protect, restore, verify, copy or delete
is recorded
as an operation in the database and then run, as a TaskFlow flow (see
flows/), by whichever karbor-protection claims it (operations.py): this
one at once if it has a free slot, another if this one dies. Every error
a caller can cause is raised as a karbor.exception class, which
karbor-api turns into a 4xx.

What may run on one checkpoint at once: one protect or one delete, or any
number of restores, verifications and copies (the readers). A delete is
refused while a reader reads the checkpoint, a reader while a delete runs;
of two deletes at once, one is accepted (the database's unique claim on the
checkpoint decides). A copy is a reader of its source and the one writer
of the new checkpoint it copies into (its exclusive claim is on that one).
"""

import datetime
import operator
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import timeutils
from oslo_utils import uuidutils
from stevedore import driver

from karbor import context as karbor_context
from karbor.db import api as db
from karbor import exception
from karbor.i18n import _
from karbor.objects import fields
from karbor.objects import restore as restore_objects
from karbor.objects import service as service_objects
from karbor.objects import verification as verification_objects
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import copy as copy_flow
from karbor.services.protection.flows import delete as delete_flow
from karbor.services.protection.flows import engine
from karbor.services.protection.flows import protect as protect_flow
from karbor.services.protection.flows import restore as restore_flow
from karbor.services.protection.flows import verify as verify_flow
from karbor.services.protection import graph
from karbor.services.protection import operations
from karbor.services.protection import protectable_registry

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

CHECKPOINT_FILTERS = ('plan_id', 'start_date', 'end_date', 'project_id')
PROVIDER_FILTERS = ('name', 'description')
RESETTABLE_STATES = (checkpoints.AVAILABLE, checkpoints.ERROR)
PROTECT = 'protect'
# Seconds an operation accepted on a checkpoint waits for the one that
# holds it to remove its row once it has written its end.
FINISHING_PATIENCE = 5
DELETE = 'delete'
RESTORE = 'restore'
VERIFY = 'verify'
COPY = 'copy'
# Readers whose record is a database row (a Restore, a Verification).
ROW_READERS = (RESTORE, VERIFY)
# Operations that read a checkpoint and write a record of their own (those,
# and a copy's new checkpoint): any number of them run on one checkpoint.
READERS = ROW_READERS + (COPY,)
# The status of an operation's log while it runs.
STARTED_STATUS = {PROTECT: checkpoints.PROTECTING,
                  DELETE: checkpoints.DELETING,
                  RESTORE: fields.RestoreStatus.IN_PROGRESS,
                  VERIFY: fields.RestoreStatus.IN_PROGRESS,
                  COPY: checkpoints.COPYING}
# And when what it was on is gone.
FAILED_STATUS = {PROTECT: checkpoints.ERROR, DELETE: checkpoints.ERROR,
                 RESTORE: fields.RestoreStatus.FAIL,
                 VERIFY: fields.RestoreStatus.FAIL,
                 COPY: checkpoints.ERROR}
# The copies of a source that count as made: a copy that failed or was
# deleted is made again.
COPIED_STATUSES = (checkpoints.AVAILABLE,) + checkpoints.IN_PROGRESS


def _check_sort_dir(sort_dir):
    if sort_dir not in ('asc', 'desc'):
        raise exception.InvalidInput(
            reason=_('sort_dir must be "asc" or "desc", not %r') % sort_dir)


def _check_filters(filters, allowed):
    unknown = sorted(set(filters or {}) - set(allowed))
    if unknown:
        raise exception.InvalidInput(
            reason=_('unknown filters: %(unknown)s; use: %(allowed)s') %
            {'unknown': ', '.join(unknown), 'allowed': ', '.join(allowed)})
    return dict(filters or {})


def _page_size(limit):
    if limit is None:
        return None
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        limit = -1
    if limit < 0:
        raise exception.InvalidInput(
            reason=_('limit must be a non-negative integer'))
    return limit


def _date(filters, name):
    value = filters.get(name)
    if value is None:
        return None
    try:
        return datetime.datetime.strptime(value, '%Y-%m-%d').date()
    except (TypeError, ValueError):
        raise exception.InvalidInput(
            reason=_('%(name)s must be a date, YYYY-MM-DD, not %(value)r') %
            {'name': name, 'value': value})


def _page(items, item_id, marker, limit, not_found):
    """The items after the one whose ``item_id(item)`` is ``marker``, at
    most ``limit`` of them; ``not_found`` is raised for an unknown marker.
    """
    if marker is not None:
        ids = [item_id(item) for item in items]
        if marker not in ids:
            raise not_found
        items = items[ids.index(marker) + 1:]
    return items if limit is None else items[:limit]


def _project_scope(ctxt):
    """The project whose checkpoints ``ctxt`` sees; None for all."""
    return None if ctxt.is_admin else ctxt.project_id


class ProtectionManager(object):
    """The endpoint of topic karbor-protection.

    Only the methods marked @messaging.expose answer RPC (the server uses
    oslo.messaging's explicit access policy); start() and stop() belong to
    the service that runs the manager.
    """

    target = messaging.Target(version='1.4')

    def __init__(self):
        self._protectables = protectable_registry.ProtectableRegistry()
        self._providers = None
        self._runner = operations.OperationRunner(
            CONF.host, self._run_operation, engine.Progress.forget)
        self._holder = '%s (accepting)' % CONF.host
        self._stopping = threading.Event()
        self._sweeper = None
        self._admin = karbor_context.get_admin_context()

    # Service life

    def start(self):
        """Load plugins and providers, take the bank leases, sweep, and
        start running operations."""
        self._protectables.load_plugins()
        self._providers = driver.DriverManager(
            'karbor.provider', 'provider-registry',
            invoke_on_load=True).driver
        self._providers.load_providers()
        providers = self._providers.list_providers()
        for provider in providers:
            try:
                provider.bank.plugin.acquire_lease()
            except Exception:
                # Checkpoint writes renew the lease on demand; until that
                # works they fail, but the other providers serve.
                LOG.exception('Could not take the bank lease of provider '
                              '%s.', provider.name)
        self._runner.start()
        self._sweep()
        interval = min([provider.bank.plugin.lease_renew_window
                        for provider in providers] +
                       [CONF.operation_takeover_timeout])
        self._sweeper = threading.Thread(
            target=self._keep_sweeping, args=(interval,), daemon=True,
            name='checkpoint-sweeper')
        self._sweeper.start()

    def stop(self, timeout=None):
        """Let running operations finish, for at most ``timeout`` seconds
        (None: until they do); give up leases.

        Operations still running after that are resumed by another
        karbor-protection, or by this one when it starts again.
        """
        self._stopping.set()
        if self._sweeper is not None:
            self._sweeper.join()
        self._runner.stop(timeout)
        for provider in self._all_providers():
            provider.bank.plugin.release_lease()

    def _keep_sweeping(self, interval):
        while not self._stopping.wait(interval):
            self._sweep()

    def _sweep(self):
        """Fail what no operation will ever finish: checkpoints,
        restores and verifications whose worker died before it recorded
        their operation."""
        def has_operation(checkpoint_id):
            return _written(db.operation_get_all_by_checkpoint(
                self._admin, checkpoint_id), checkpoint_id)

        for provider in self._all_providers():
            try:
                provider.checkpoints.sweep_zombies(has_operation)
            except Exception:
                LOG.exception('Sweeping the bank of provider %s failed.',
                              provider.name)
        created_before = timeutils.utcnow() - datetime.timedelta(
            seconds=CONF.operation_takeover_timeout)
        for kind, orphaned, update in (
                ('Restore', db.restores_orphaned, db.restore_update),
                ('Verification', db.verifications_orphaned,
                 db.verification_update)):
            try:
                for row in orphaned(self._admin, created_before):
                    LOG.warning('%s %s has no operation running it; '
                                'marking it failed.', kind, row.id)
                    update(self._admin, row.id,
                           {'status': fields.RestoreStatus.FAIL})
            except Exception:
                LOG.exception('Sweeping the %ss failed.', kind.lower())

    # Operations

    def _check_a_worker_claims(self):
        """Refuse a new operation that no karbor-protection would claim:
        every one is disabled (os-services) or down.

        Why refuse (503) rather than queue it: an operator disables the
        workers to drain them (for an upgrade, a move of the bank), and
        a checkpoint, restore or verification accepted meanwhile would
        show "protecting" or "in_progress" with nothing behind it, which
        its owner cannot tell from a hung one, and a scheduled run would
        spend its window waiting. Refused at once, the caller learns why
        and may try again later; the operation engine logs a refused
        scheduled run in error. Operations accepted before stay queued
        and run once a worker is enabled again.

        This worker answers the request, so it is up whatever its last
        heartbeat says; one that has not reported yet is enabled.
        """
        services = service_objects.ServiceList.get_all(
            self._admin, binary=service_objects.PROTECTION)
        mine = [s for s in services if s.host == CONF.host]
        claiming = [s for s in services if not s.disabled and (
            s.is_up or s.host == CONF.host)]
        if not mine or claiming:
            return
        raise exception.NoProtectionServiceEnabled()

    def _accept(self, ctxt, operation_type, provider_id, checkpoint_id,
                restore_id=None, verification_id=None, arguments=None,
                copy_id=None):
        """Record an operation, queued; CheckpointBusy when it conflicts
        with one already recorded on the checkpoint. A copy (``copy_id``:
        the checkpoint it writes) holds that checkpoint, not the one it
        reads."""
        if operation_type == COPY:
            exclusive = copy_id
        elif operation_type in READERS:
            exclusive = None
        else:
            exclusive = checkpoint_id
        values = {
            'operation_type': operation_type,
            'project_id': ctxt.project_id or '',
            'provider_id': provider_id,
            'checkpoint_id': checkpoint_id,
            'exclusive_checkpoint_id': exclusive,
            'restore_id': restore_id,
            'verification_id': verification_id,
            'request_context': ctxt.to_dict(),
            'arguments': arguments or {},
        }
        row = self._create_operation(ctxt, values)
        # Held until _start() has shown it accepted: a worker claiming it
        # before would find nothing to do.
        # Recorded first, checked after: of a delete and a restore accepted
        # at the same time, at least one sees the other.
        if operation_type == DELETE:
            conflicting = READERS
        elif operation_type in READERS:
            conflicting = (DELETE,)
        else:
            conflicting = ()
        for other in db.operation_get_all_by_checkpoint(ctxt, checkpoint_id):
            if other.operation_type not in conflicting:
                continue
            db.operation_destroy(ctxt, row.id)
            if other.operation_type == RESTORE:
                reason = _('restore %s is reading it') % other.restore_id
            elif other.operation_type == VERIFY:
                reason = _('verification %s is reading it') % (
                    other.verification_id)
            elif other.operation_type == COPY:
                reason = _('it is being copied into checkpoint %s') % (
                    other.exclusive_checkpoint_id)
            else:
                reason = _('it is being deleted')
            raise exception.CheckpointBusy(checkpoint_id=checkpoint_id,
                                           reason=reason)
        return row

    def _create_operation(self, ctxt, values):
        # The protect or delete that holds the checkpoint may have written
        # its end already and be about to remove its row (or have removed
        # it since): wait for that rather than refuse.
        deadline = time.monotonic() + FINISHING_PATIENCE
        while True:
            try:
                return db.operation_create(ctxt, values, self._holder)
            except exception.CheckpointBusy:
                holding = any(
                    row.exclusive_checkpoint_id is not None for row in
                    db.operation_get_all_by_checkpoint(
                        ctxt, values['checkpoint_id']))
                if holding:
                    provider = self._provider(values['provider_id'])
                    running = provider.checkpoints.get(
                        values['checkpoint_id']).status in (
                            checkpoints.IN_PROGRESS)
                    if running or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)

    def _start(self, ctxt, row, log, start=None):
        """Run ``start()`` (the status change that shows the operation
        accepted, if it needs one); forget the operation if it fails, else
        queue it to run with its operation log (``log``: what it is
        about)."""
        if start is not None:
            try:
                start()
            except Exception:
                db.operation_destroy(ctxt, row.id)
                raise
        db.operation_queue(ctxt, row.id, dict(
            log, operation_type=row.operation_type,
            project_id=row.project_id, provider_id=row.provider_id,
            checkpoint_id=row.checkpoint_id, restore_id=row.restore_id,
            status=STARTED_STATUS[row.operation_type]))
        self._runner.wake()

    def _run_operation(self, row, claim):
        """Run one claimed operation (on the runner's pool); whether it
        reached its end (see operations.OperationRunner). At its end, its
        operation log gets the end status and the resources' errors."""
        ended, subject, gone = self._run_flow(row, claim)
        if ended:
            db.operation_log_update(self._admin, row.id, dict(
                _log_end(row.operation_type, subject, gone),
                ended_at=timeutils.utcnow()))
        return ended

    def _run_flow(self, row, claim):
        """(ended, the checkpoint or restore, or None if it is gone, and
        why it is gone)."""
        ctxt = karbor_context.RequestContext.from_dict(row.request_context)
        ctxt.update_store()
        progress = engine.Progress(row.id, row.generation)
        try:
            provider = self._provider(row.provider_id)
            if row.operation_type == RESTORE:
                subject = restore_objects.Restore.get_by_id(ctxt,
                                                            row.restore_id)
                description = 'Restore %s of checkpoint %s' % (
                    row.restore_id, row.checkpoint_id)
                if subject.status != fields.RestoreStatus.IN_PROGRESS:
                    return True, subject, None
            elif row.operation_type == VERIFY:
                subject = verification_objects.Verification.get_by_id(
                    ctxt, row.verification_id)
                description = 'Verification %s of checkpoint %s' % (
                    row.verification_id, row.checkpoint_id)
                if subject.status != fields.RestoreStatus.IN_PROGRESS:
                    return True, subject, None
            elif row.operation_type == COPY:
                subject = self._provider(
                    row.arguments['copy_provider_id']).checkpoints.get(
                        row.exclusive_checkpoint_id)
                description = 'Copy of checkpoint %s into checkpoint %s' % (
                    row.checkpoint_id, row.exclusive_checkpoint_id)
                if subject.status not in checkpoints.IN_PROGRESS:
                    return True, subject, None
            else:
                subject = provider.checkpoints.get(row.checkpoint_id)
                if row.operation_type == PROTECT:
                    description = 'Protect of plan %s into checkpoint %s' % (
                        subject.protection_plan['id'], row.checkpoint_id)
                else:
                    description = 'Delete of checkpoint %s' % (
                        row.checkpoint_id)
                if subject.status not in checkpoints.IN_PROGRESS:
                    return True, subject, None
        except exception.NotFound as exc:
            LOG.warning('Operation %(id)s has nothing left to run: '
                        '%(error)s', {'id': row.id, 'error': exc})
            return True, None, str(exc)
        except exception.BankError as exc:
            LOG.warning('Operation %(id)s cannot run now: %(error)s',
                        {'id': row.id, 'error': exc})
            return False, None, None
        LOG.info('%s %s.', description,
                 'resumed' if row.generation > 1 else 'started')
        try:
            if row.operation_type == PROTECT:
                protect_flow.run(ctxt, provider, self._protectables, subject,
                                 row.arguments.get('parameters'), progress,
                                 claim)
            elif row.operation_type == DELETE:
                delete_flow.run(ctxt, provider, subject, progress, claim)
            elif row.operation_type == COPY:
                copy_flow.run(ctxt, provider, row.checkpoint_id, subject,
                              row.arguments.get('parameters'), progress,
                              claim)
            elif row.operation_type == VERIFY:
                verify_flow.run(ctxt, provider, provider.checkpoints.get(
                    row.checkpoint_id), subject, progress, claim)
            else:
                restore_flow.run(ctxt, provider, provider.checkpoints.get(
                    row.checkpoint_id), subject,
                    row.arguments.get('restore_auth'), progress, claim)
        finally:
            if claim.lost:
                LOG.info('%s left to the worker that took it over.',
                         description)
            else:
                LOG.info('%(operation)s ended: %(status)s.',
                         {'operation': description,
                          'status': subject.status})
        if row.operation_type in ROW_READERS:
            return (subject.status != fields.RestoreStatus.IN_PROGRESS,
                    subject, None)
        return subject.status not in checkpoints.IN_PROGRESS, subject, None

    def _all_providers(self):
        # Before start() there are none.
        return self._providers.list_providers() if self._providers else []

    def _provider(self, provider_id):
        if self._providers is None:
            raise exception.ProviderNotFound(provider_id=provider_id)
        return self._providers.show_provider(provider_id)

    # Checkpoints

    @messaging.expose
    def protect(self, ctxt, plan, checkpoint_properties):
        provider = self._provider(plan.provider_id)
        self._check_a_worker_claims()
        if not plan.resources:
            raise exception.InvalidPlan(reason=_('it has no resources'))
        provider.check_plan(plan)
        extra_info = (checkpoint_properties or {}).get('extra_info')
        if extra_info is not None and not isinstance(extra_info, dict):
            raise exception.InvalidInput(
                reason=_('extra_info must be an object'))
        checkpoint = provider.checkpoints.create(plan, extra_info)
        # Taken before the flow starts changing it.
        created = checkpoint.to_dict()
        try:
            row = self._accept(ctxt, PROTECT, provider.id, checkpoint.id,
                               arguments={'parameters': plan.parameters})
        except Exception as exc:
            checkpoint.fail(exc, waiting_out_outages=False)
            raise
        scheduled = (extra_info or {}).get('scheduled_operation_id')
        self._start(ctxt, row, {
            'plan_id': plan.id, 'extra_info': extra_info,
            'scheduled_operation_id': (
                scheduled if isinstance(scheduled, str) else None)})
        LOG.debug('Protect of plan %s is operation %s.', plan.id, row.id)
        return created

    @messaging.expose
    def list_checkpoints(self, ctxt, provider_id, marker=None, limit=None,
                         sort_dir='desc', filters=None, all_projects=False,
                         with_statuses=True, as_text=False,
                         as_encoded_fields=False):
        """A page of checkpoints; since 1.3, without their resources'
        statuses unless ``with_statuses``, and with ``as_text`` as the
        JSON text of that list; since 1.4, with ``as_encoded_fields``, each
        as Checkpoint.to_encoded_fields gives it."""
        provider = self._provider(provider_id)
        filters = _check_filters(filters, CHECKPOINT_FILTERS)
        _check_sort_dir(sort_dir)
        if not ctxt.is_admin:
            project_id = ctxt.project_id
        elif filters.get('project_id'):
            project_id = filters['project_id']
        else:
            project_id = None if all_projects else ctxt.project_id
        plan_id = filters.get('plan_id')
        if plan_id is not None and not uuidutils.is_uuid_like(plan_id):
            raise exception.InvalidInput(
                reason=_('plan_id must be a UUID, not %r') % plan_id)
        page = provider.checkpoints.list(
            project_id=project_id, plan_id=plan_id,
            start_date=_date(filters, 'start_date'),
            end_date=_date(filters, 'end_date'),
            marker=marker, limit=_page_size(limit), sort_dir=sort_dir,
            with_statuses=with_statuses)
        if as_encoded_fields:
            return [checkpoint.to_encoded_fields(with_statuses)
                    for checkpoint in page]
        if as_text:
            return '[%s]' % ','.join(checkpoint.to_json(with_statuses)
                                     for checkpoint in page)
        return [checkpoint.to_dict() for checkpoint in page]

    def _checkpoint(self, ctxt, provider, checkpoint_id, with_statuses=True):
        return provider.checkpoints.get(checkpoint_id, _project_scope(ctxt),
                                        with_statuses)

    @messaging.expose
    def show_checkpoint(self, ctxt, provider_id, checkpoint_id,
                        with_statuses=True, as_text=False,
                        as_encoded_fields=False):
        """The checkpoint; since 1.3 and 1.4 as list_checkpoints says."""
        provider = self._provider(provider_id)
        checkpoint = self._checkpoint(ctxt, provider, checkpoint_id,
                                      with_statuses)
        if as_encoded_fields:
            return checkpoint.to_encoded_fields(with_statuses)
        if as_text:
            return checkpoint.to_json(with_statuses)
        return checkpoint.to_dict()

    @messaging.expose
    def delete_checkpoint(self, ctxt, provider_id, checkpoint_id):
        """Start deleting the checkpoint; whether no delete had taken it
        before (one that failed left it "error-deleting")."""
        provider = self._provider(provider_id)
        checkpoint = self._checkpoint(ctxt, provider, checkpoint_id)
        self._check_deletable(checkpoint)
        if checkpoint.status == checkpoints.DELETED:
            return False
        self._check_a_worker_claims()
        row = self._accept(ctxt, DELETE, provider.id, checkpoint.id)
        # Read again under the claim: what was true before may not be.
        checkpoint = self._checkpoint(ctxt, provider, checkpoint_id)
        first = checkpoint.status not in (checkpoints.DELETED,
                                          checkpoints.ERROR_DELETING)

        def start():
            self._check_deletable(checkpoint)
            if checkpoint.status != checkpoints.DELETED:
                checkpoint.start_deleting()
        self._start(ctxt, row, _log_of(checkpoint), start)
        return first

    @staticmethod
    def _check_deletable(checkpoint):
        if checkpoint.status in checkpoints.IN_PROGRESS:
            raise exception.CheckpointNotBeDeleted(
                checkpoint_id=checkpoint.id, status=checkpoint.status)

    @messaging.expose
    def reset_state(self, ctxt, provider_id, checkpoint_id, state):
        if state not in RESETTABLE_STATES:
            raise exception.InvalidInput(
                reason=_('a checkpoint can be reset to %(states)s, not '
                         '%(state)r') % {'states': ' or '.join(
                             RESETTABLE_STATES), 'state': state})
        provider = self._provider(provider_id)
        checkpoint = self._checkpoint(ctxt, provider, checkpoint_id)
        if checkpoint.status not in RESETTABLE_STATES:
            raise exception.CheckpointBusy(
                checkpoint_id=checkpoint_id,
                reason=_('it is %(status)s; only an available or error '
                         'checkpoint can be reset') %
                {'status': checkpoint.status})
        if _written(db.operation_get_all_by_checkpoint(ctxt, checkpoint_id),
                    checkpoint_id):
            raise exception.CheckpointBusy(
                checkpoint_id=checkpoint_id,
                reason=_('an operation on it is running'))
        checkpoint.reset_state(state)

    # Restores

    @messaging.expose
    def restore(self, ctxt, restore, restore_auth):
        provider = self._provider(restore.provider_id)
        checkpoint = self._checkpoint(ctxt, provider, restore.checkpoint_id)
        self._check_restorable(checkpoint)
        self._check_a_worker_claims()
        row = self._accept(ctxt, RESTORE, provider.id, checkpoint.id,
                           restore_id=restore.id,
                           arguments={'restore_auth': restore_auth})
        checkpoint = self._checkpoint(ctxt, provider, restore.checkpoint_id)
        self._start(ctxt, row, _log_of(checkpoint),
                    lambda: self._check_restorable(checkpoint))

    # Verifications

    @messaging.expose
    def verify(self, ctxt, verification):
        provider = self._provider(verification.provider_id)
        checkpoint = self._checkpoint(ctxt, provider,
                                      verification.checkpoint_id)
        self._check_restorable(checkpoint)
        self._check_a_worker_claims()
        row = self._accept(ctxt, VERIFY, provider.id, checkpoint.id,
                           verification_id=verification.id)
        checkpoint = self._checkpoint(ctxt, provider,
                                      verification.checkpoint_id)
        log = dict(_log_of(checkpoint),
                   extra_info={'verification_id': verification.id})
        self._start(ctxt, row, log,
                    lambda: self._check_restorable(checkpoint))

    # Copies

    @messaging.expose
    def copy(self, ctxt, plan, parameters=None):
        """Copy every available checkpoint of ``plan`` that has no copy yet
        into the provider's copy_provider; return [{"checkpoint_protect_id":
        the source, "checkpoint_copy_id": its copy, "copy_provider_id"}],
        oldest first.

        Each copy is an operation of its own (a reader of its source, the
        writer of its copy), so that one source deleted or failing leaves
        the others copied. A copy that is available or running counts as
        made; one that failed or was deleted is made again.
        """
        provider = self._provider(plan.provider_id)
        target = self._copy_provider(provider)
        if parameters is not None and not isinstance(parameters, dict):
            raise exception.InvalidInput(
                reason=_('parameters must be an object'))
        copied = {
            (checkpoint.to_dict()['extra_info'] or {}).get(
                'copied_from', {}).get('checkpoint_id')
            for checkpoint in target.checkpoints.list(
                project_id=plan.project_id, plan_id=plan.id)
            if checkpoint.status in COPIED_STATUSES}
        sources = [
            checkpoint for checkpoint in provider.checkpoints.list(
                project_id=plan.project_id, plan_id=plan.id,
                sort_dir='asc')
            if checkpoint.status == checkpoints.AVAILABLE and
            checkpoint.id not in copied]
        if not sources:
            raise exception.InvalidInput(
                reason=_('plan %(plan)s has no available checkpoint in '
                         'provider %(provider)s that is not copied yet') %
                {'plan': plan.id, 'provider': provider.id})
        for source in sources:
            for node in graph.iter_nodes(source.resource_graph or []):
                if not target.supports(node.value.type):
                    raise exception.InvalidInput(
                        reason=_('provider %(target)s, where the copies of '
                                 'provider %(provider)s go, has no plugin '
                                 'for %(type)s') %
                        {'target': target.id, 'provider': provider.id,
                         'type': node.value.type})
        self._check_a_worker_claims()
        accepted, refused = [], None
        for source in sources:
            try:
                copy_id = self._start_copy(ctxt, provider, target, source,
                                           parameters)
            except (exception.CheckpointBusy,
                    exception.CheckpointNotAvailable) as exc:
                # Being deleted since it was listed: the others go on.
                refused = exc
                continue
            accepted.append({'checkpoint_protect_id': source.id,
                             'checkpoint_copy_id': copy_id,
                             'copy_provider_id': target.id})
        if not accepted:
            raise refused
        return accepted

    def _copy_provider(self, provider):
        if provider.copy_provider_id is None:
            raise exception.InvalidInput(
                reason=_('provider %s does not copy checkpoints: its '
                         'provider file names no [provider] copy_provider')
                % provider.id)
        try:
            return self._provider(provider.copy_provider_id)
        except exception.ProviderNotFound:
            raise exception.InvalidInput(
                reason=_('provider %(target)s, the [provider] copy_provider '
                         'of provider %(provider)s, is not loaded') %
                {'target': provider.copy_provider_id,
                 'provider': provider.id})

    def _start_copy(self, ctxt, provider, target, source, parameters):
        """Make the copy of ``source`` in ``target``'s bank and queue the
        operation that fills it; the copy's id."""
        checkpoint_copy = target.checkpoints.create_copy(source)
        try:
            row = self._accept(
                ctxt, COPY, provider.id, source.id,
                arguments={'parameters': parameters or {},
                           'copy_provider_id': target.id},
                copy_id=checkpoint_copy.id)
            # Read again under the claim: a delete may have begun since.
            checked = self._checkpoint(ctxt, provider, source.id)
            self._start(ctxt, row, dict(
                _log_of(checked), extra_info={
                    'copy_provider_id': target.id,
                    'copy_checkpoint_id': checkpoint_copy.id}),
                lambda: self._check_restorable(checked))
        except Exception as exc:
            checkpoint_copy.fail(exc, waiting_out_outages=False)
            raise
        LOG.debug('Copy of checkpoint %s is operation %s.', source.id,
                  row.id)
        return checkpoint_copy.id

    @staticmethod
    def _check_restorable(checkpoint):
        if checkpoint.status != checkpoints.AVAILABLE:
            raise exception.CheckpointNotAvailable(
                checkpoint_id=checkpoint.id, status=checkpoint.status)

    # Providers

    @messaging.expose
    def list_providers(self, ctxt, marker=None, limit=None, sort_dir='asc',
                       filters=None):
        filters = _check_filters(filters, PROVIDER_FILTERS)
        _check_sort_dir(sort_dir)
        providers = sorted(
            (provider.to_dict() for provider in self._all_providers()),
            key=lambda provider: (provider['name'], provider['id']),
            reverse=sort_dir == 'desc')
        providers = [provider for provider in providers
                     if all(provider[name] == value
                            for name, value in filters.items())]
        return _page(providers, operator.itemgetter('id'), marker,
                     _page_size(limit),
                     exception.ProviderNotFound(provider_id=marker))

    @messaging.expose
    def show_provider(self, ctxt, provider_id):
        return self._provider(provider_id).to_dict()

    # Protectables

    @messaging.expose
    def list_protectable_types(self, ctxt):
        return self._protectables.list_resource_types()

    @messaging.expose
    def show_protectable_type(self, ctxt, protectable_type):
        return self._protectables.show_resource_type(protectable_type)

    @messaging.expose
    def list_protectable_instances(self, ctxt, protectable_type, marker=None,
                                   limit=None, filters=None,
                                   parameters=None):
        """The instances of a type. A filter on id, type or name matches
        that field; any other filter matches a key of extra_info."""
        resources = [
            resource for resource in self._protectables.list_resources(
                ctxt, protectable_type, parameters=parameters)
            if _matches(resource, filters or {})]
        page = _page(resources, operator.attrgetter('id'), marker,
                     _page_size(limit),
                     exception.ProtectableResourceNotFound(
                         resource_type=protectable_type, resource_id=marker,
                         reason=_('the marker is not one of them')))
        # Dependencies cost calls to other services: only the page's.
        return [self._instance(ctxt, resource) for resource in page]

    @messaging.expose
    def show_protectable_instance(self, ctxt, protectable_type,
                                  protectable_id, parameters=None):
        resource = self._protectables.show_resource(
            ctxt, protectable_type, protectable_id, parameters=parameters)
        return self._instance(ctxt, resource)

    def _instance(self, ctxt, resource):
        instance = {'id': resource.id, 'type': resource.type,
                    'name': resource.name}
        if resource.extra_info is not None:
            instance['extra_info'] = resource.extra_info
        instance['dependent_resources'] = [
            {'id': dependent.id, 'type': dependent.type,
             'name': dependent.name}
            for dependent in self._protectables.fetch_dependent_resources(
                ctxt, resource)]
        return instance


def _log_end(operation_type, subject, gone):
    """An ended operation's log status and errors: of ``subject``, its
    checkpoint or restore, or, when that was gone, failed for ``gone``."""
    if subject is None:
        return {'status': FAILED_STATUS[operation_type], 'error_info': gone}
    if operation_type in ROW_READERS:
        reasons = subject.resources_reason
    else:
        reasons = subject.to_dict()['resources_reason']
    return {'status': subject.status,
            'error_info': '; '.join('%s: %s' % item for item in
                                    sorted(reasons.items())) or None}


def _written(operations, checkpoint_id):
    """Whether one of ``operations`` writes checkpoint ``checkpoint_id``
    (a protect, a delete, or a copy into it)."""
    return any(row.exclusive_checkpoint_id == checkpoint_id
               for row in operations)


def _log_of(checkpoint):
    """The operation log values of an operation on ``checkpoint``."""
    return {'plan_id': checkpoint.protection_plan['id']}


def _matches(resource, filters):
    for name, value in filters.items():
        if name in ('id', 'type', 'name'):
            if getattr(resource, name) != value:
                return False
        elif (resource.extra_info or {}).get(name) != value:
            return False
    return True
