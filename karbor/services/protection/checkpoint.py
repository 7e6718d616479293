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

"""Checkpoints and how they are laid out in a provider's bank.

Layout::

    /checkpoints/<id>/index.json
        the checkpoint record: id, project_id, provider_id, status,
        protection_plan {id, name, provider_id, resources}, resource_graph
        (packed, see graph.py; null until built), extra_info, created_at,
        resources_status and resources_reason (keyed "<type>#<id>"), as
        they were when the last operation on it ended.
    /checkpoints/<id>/resources_status/<protect|delete|copy>/<key>@<status>
        one object per resource whose hooks ended during that operation,
        holding {"key", "reason"}: a resource's status costs one small
        write, not the whole record. While the operation runs, the
        checkpoint's statuses are the record's with these on top (one
        listing; a read only for each resource that failed, or whose key
        is too long or not ASCII, which is named "~<sha256 of the key>"
        instead); its end folds them into the record.
    /checkpoints/<id>/<resource key>/...
        the protection plugins' data about one resource
        (Checkpoint.get_resource_bank_section).
    /indices/by-project/<provider id>/<project id>/<created_at>@<id>
    /indices/by-date/<provider id>/<created_at>@<id>
    /indices/by-plan/<plan id>/<created_at>@<id>
        one empty-ish object per checkpoint and listing. ``created_at`` is
        UTC with microseconds (2026-11-25T04:25:03.123456Z), so index names
        sort in creation order and a page of checkpoints is one
        list_objects call plus one read per checkpoint on the page; a date
        range becomes the listing's marker and end marker.
    /indices/unfinished_checkpoints/<id>
        {"owner_id", "operation"} while a protect, delete or copy runs. The
        operation's claim in the database (operations.py) is what another
        worker takes over; the marker is the last resort for a checkpoint
        that has no operation recorded (its worker died before recording
        it): once the owner's bank lease is gone, the sweep marks it
        failed instead of leaving it "protecting" forever.

Writes of a running operation go through its ``guard`` (the claim's
check): a worker whose claim lapsed or was taken over writes nothing more.
The record is written with compare-and-swap (the bank's
update_object_if_match, against the ETag it was read or last written
at), so that a write that stalled past the guard, and landed after the
worker that took the operation over wrote, does not stay: the writer
that still holds the claim overwrites it, any other gets
BankObjectChanged and writes nothing.

A deleted checkpoint keeps only its index.json, with status "deleted".

A copy (CheckpointCollection.create_copy) is a checkpoint of its own, in
the bank of the provider it is copied into: the source's protection_plan
and resource_graph, extra_info {"copied_from": {"provider_id",
"checkpoint_id"}}, status "wait_copying" until its operation starts,
"copying" while the plugins copy the resources' data, then "available"
with extra_info "copy_status": "finished" (or "error"). The source is only
read: its record and its readers are left alone.

A bank outage while a running operation records its progress (a
resource's status, the checkpoint's end) is waited out: the write is
tried again, the pauses doubling, for STATUS_WRITE_PATIENCE seconds. If
the bank is still down then, the operation ends with the error and the
checkpoint keeps, in the bank, its in-progress status and its unfinished
marker: the sweep marks it failed once its owner's lease is gone. The
writes of RPC calls (create, the start of a delete, reset-state) are
tried once, their caller gets the error; so are the sweep's, which tries
again at its next round.
"""

import concurrent.futures
import contextlib
import copy
import datetime
import hashlib
import threading
import time

from oslo_context import context as oslo_context
from oslo_log import log as logging
from oslo_serialization import jsonutils
from oslo_utils import timeutils
from oslo_utils import uuidutils

from karbor import exception
from karbor.i18n import _
from karbor.services.protection import graph

LOG = logging.getLogger(__name__)

PROTECTING = 'protecting'
AVAILABLE = 'available'
ERROR = 'error'
DELETING = 'deleting'
DELETED = 'deleted'
ERROR_DELETING = 'error-deleting'
WAIT_COPYING = 'wait_copying'
COPYING = 'copying'
# The copy_status of a copy's extra_info once its data is all there.
COPY_FINISHED = 'finished'

IN_PROGRESS = (PROTECTING, DELETING, WAIT_COPYING, COPYING)
# What a checkpoint becomes when the operation in progress fails; its
# unfinished resources become "error".
_FAILED_STATUS = {PROTECTING: ERROR, DELETING: ERROR_DELETING,
                  WAIT_COPYING: ERROR, COPYING: ERROR}

ZOMBIE_REASON = _('the karbor-protection that ran it stopped')

# How long a running operation waits out a bank that refuses its status
# writes, and the pauses between two tries.
STATUS_WRITE_PATIENCE = 120
FIRST_PAUSE = 0.5
LONGEST_PAUSE = 10.0
# Module attributes, so that tests can wait on a fake clock.
_clock = time.monotonic
_sleep = time.sleep

# The fields of the record that the resources' statuses make up.
_STATUS_FIELDS = ('resources_status', 'resources_reason')
_CREATED_AT_FORMAT = '%Y-%m-%dT%H:%M:%S.%fZ'
_UNFINISHED = '/indices/unfinished_checkpoints'
# The operation whose resource statuses a status names lives under.
_STATUS_FOLDERS = {PROTECTING: 'protect', DELETING: 'delete',
                   WAIT_COPYING: 'copy', COPYING: 'copy'}


def _record_key(checkpoint_id):
    return '/checkpoints/%s/index.json' % checkpoint_id


def _unfinished_key(checkpoint_id):
    return '%s/%s' % (_UNFINISHED, checkpoint_id)


def _statuses_prefix(checkpoint_id, status):
    return '/checkpoints/%s/resources_status/%s/' % (
        checkpoint_id, _STATUS_FOLDERS[status])


# Longer keys, or keys that are not ASCII, would not make a file name on
# every file system once the bank quotes them.
_LONGEST_NAMED_KEY = 160


def _status_name(key, status):
    if len(key) > _LONGEST_NAMED_KEY or not key.isascii():
        key = '~' + hashlib.sha256(key.encode('utf-8')).hexdigest()
    return '%s@%s' % (key, status)


def _by_project_prefix(provider_id, project_id):
    return '/indices/by-project/%s/%s/' % (provider_id, project_id)


def _by_date_prefix(provider_id):
    return '/indices/by-date/%s/' % provider_id


def _by_plan_prefix(plan_id):
    return '/indices/by-plan/%s/' % plan_id


def _index_name(record):
    return '%s@%s' % (record['created_at'], record['id'])


def _index_keys(record):
    name = _index_name(record)
    return [
        _by_project_prefix(record['provider_id'], record['project_id']) +
        name,
        _by_date_prefix(record['provider_id']) + name,
        _by_plan_prefix(record['protection_plan']['id']) + name,
    ]


def check_key_segment(value, what):
    """Refuse a value that would not be exactly one segment of a key."""
    if not value or '/' in value or value in ('.', '..'):
        raise exception.InvalidInput(
            reason=_('%(what)s %(value)r is not valid') %
            {'what': what, 'value': value})
    return value


class Checkpoint(object):
    """One checkpoint, as its record in the bank says.

    Protection plugins read its id, status, project_id, provider_id,
    created_at, protection_plan and resource_graph, and keep their data in
    get_resource_bank_section(). Hooks of several resources update it at
    the same time from different threads; the lock keeps each change and
    the write that follows it together, so no update undoes another.
    """

    def __init__(self, bank, record, etag=None):
        self._bank = bank
        self._record = record
        # The record's ETag in the bank as this object last read or wrote
        # it; None for a new record.
        self._etag = etag
        self._lock = threading.RLock()
        # The running operation's claim check (operations.Claim.check).
        self.guard = None

    @property
    def id(self):
        return self._record['id']

    @property
    def status(self):
        return self._record['status']

    @property
    def project_id(self):
        return self._record['project_id']

    @property
    def provider_id(self):
        return self._record['provider_id']

    @property
    def created_at(self):
        return self._record['created_at']

    @property
    def protection_plan(self):
        return copy.deepcopy(self._record['protection_plan'])

    @property
    def resource_graph(self):
        """The graph (a list of GraphNode), or None before it is built."""
        packed = self._record['resource_graph']
        return None if packed is None else graph.unpack_graph(packed)

    def to_dict(self):
        with self._lock:
            return copy.deepcopy(self._record)

    def to_json(self, with_statuses=True):
        """The record as JSON text: what an RPC answer carries, so that
        neither side walks a large plan's record value by value; without
        the resources' statuses and reasons unless ``with_statuses``."""
        with self._lock:
            return jsonutils.dumps(self._fields(with_statuses))

    def to_encoded_fields(self, with_statuses=True):
        """{field: the JSON text of its value}, as to_json leaves fields
        out: karbor-api puts these texts into its answers as they are,
        and decodes only the few values it looks at."""
        with self._lock:
            return {name: jsonutils.dumps(value)
                    for name, value in self._fields(with_statuses).items()}

    def _fields(self, with_statuses):
        if with_statuses:
            return self._record
        return {name: value for name, value in self._record.items()
                if name not in _STATUS_FIELDS}

    def get_resource_bank_section(self, resource_id):
        """Where a protection plugin keeps one resource's data.

        Karbor's plugins pass the resource key, "<type>#<id>"; plugins
        written for the original Karbor pass the bare id, which works too.
        """
        return self._bank.get_sub_section(
            '/checkpoints/%s/%s' % (self.id, resource_id))

    def _check_writer(self):
        if self.guard is not None:
            self.guard()
        _check_lease(self._bank)

    def commit(self):
        with self._lock:
            if self.status in IN_PROGRESS or self.guard is not None:
                self._check_writer()
            key = _record_key(self.id)
            try:
                self._etag = self._bank.update_object_if_match(
                    key, self._record, self._etag)
            except exception.BankObjectChanged:
                if self.guard is None:
                    raise
                # The claim is this worker's (checked again here), so what
                # changed the record is a write of a worker it took the
                # operation over from, stalled until now: it goes.
                self._check_writer()
                LOG.warning('Checkpoint %(id)s: replacing its record, '
                            'written by a worker that no longer runs its '
                            'operation.', {'id': self.id})
                _stale, etag = self._bank.get_object_and_etag(key)
                self._etag = self._bank.update_object_if_match(
                    key, self._record, etag)

    def load_resource_statuses(self):
        """Put the statuses the running operation wrote on top of the
        record's."""
        with self._lock:
            if self.status not in IN_PROGRESS:
                return
            prefix = _statuses_prefix(self.id, self.status)
            for key in self._bank.list_objects(prefix=prefix):
                resource, _at, status = key[len(prefix):].rpartition('@')
                if not resource:
                    continue
                value = {}
                if status == ERROR or resource.startswith('~'):
                    try:
                        value = self._bank.get_object(key)
                    except exception.BankObjectNotFound:
                        continue
                    resource = value.get('key', resource)
                self._record['resources_status'][resource] = status
                if value.get('reason') is not None:
                    self._record['resources_reason'][resource] = (
                        value['reason'])

    @contextlib.contextmanager
    def _changing(self, waiting_out_outages=True):
        """Change the record in the block, then write it.

        A running operation's write waits out a bank outage (see the
        module documentation). If the write fails, the record is left as
        the bank has it, so that what follows (fail(), a notification)
        sees the checkpoint's real status.
        """
        with self._lock:
            before = copy.deepcopy(self._record)
            try:
                yield self._record
                if waiting_out_outages:
                    self._commit_waiting_out_outages()
                else:
                    self.commit()
            except BaseException:
                self._record = before
                raise

    def _commit_waiting_out_outages(self):
        self._waiting_out_outages(self.commit)

    def _waiting_out_outages(self, write):
        deadline = _clock() + STATUS_WRITE_PATIENCE
        pause = FIRST_PAUSE
        while True:
            try:
                write()
                return
            except (exception.InvalidBankKey,
                    exception.BankReadonlyViolation,
                    exception.BankObjectChanged):
                raise
            except exception.BankError as exc:
                left = deadline - _clock()
                if left <= 0:
                    LOG.error('Checkpoint %(id)s: the bank still refuses '
                              'its %(status)s record after %(patience)d s, '
                              'giving up: %(error)s',
                              {'id': self.id, 'status': self.status,
                               'patience': STATUS_WRITE_PATIENCE,
                               'error': exc})
                    raise
                LOG.warning('Checkpoint %(id)s: writing its %(status)s '
                            'record failed, trying again in %(pause).1f s: '
                            '%(error)s', {'id': self.id,
                                          'status': self.status,
                                          'pause': min(pause, left),
                                          'error': exc})
                _sleep(min(pause, left))
                pause = min(pause * 2, LONGEST_PAUSE)

    def _forget_unfinished(self):
        # The end is written: a marker left behind would only cost the
        # sweep a look once this owner's lease is gone.
        try:
            _delete_quietly(self._bank, _unfinished_key(self.id))
        except exception.BankError as exc:
            LOG.warning('Checkpoint %(id)s is %(status)s, but its unfinished '
                        'marker stays: %(error)s',
                        {'id': self.id, 'status': self.status, 'error': exc})

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        """Record how one resource ended in the running operation: one
        small object, tried again through a bank outage like the
        record."""
        key = graph.key_of(resource_type, resource_id)
        value = {'key': key}
        if reason is not None:
            value['reason'] = str(reason)
        with self._lock:
            name = _statuses_prefix(self.id, self.status) + _status_name(
                key, status)
        # Each resource has an object of its own: resources end at once
        # without waiting on each other's writes.
        self._waiting_out_outages(lambda: self._write_guarded(name, value))
        with self._lock:
            self._record['resources_status'][key] = status
            if reason is not None:
                self._record['resources_reason'][key] = str(reason)

    def _write_guarded(self, key, value):
        self._check_writer()
        self._bank.update_object(key, value)

    def reset_state(self, status):
        with self._changing(waiting_out_outages=False) as record:
            record['status'] = status

    # The life of a checkpoint

    def start_protecting(self, resource_graph):
        with self._changing() as record:
            record['resource_graph'] = graph.pack_graph(resource_graph)
            record['resources_status'] = {
                graph.resource_key(node.value): PROTECTING
                for node in graph.iter_nodes(resource_graph)}
            # A protect resumed by another worker keeps what ended before.
            self.load_resource_statuses()

    def adopt(self):
        """This worker takes the operation in progress over: the
        unfinished marker names its bank lease from now on."""
        if self.status in IN_PROGRESS:
            self._write_guarded(_unfinished_key(self.id), {
                'owner_id': self._bank.get_owner_id(),
                'operation': _STATUS_FOLDERS[self.status]})

    def finish_protecting(self):
        with self._changing() as record:
            record['status'] = AVAILABLE
        self._forget_unfinished()

    def start_copying(self):
        """The copy's operation runs: its resources are being copied (a
        copy resumed by another worker keeps what ended before)."""
        with self._changing() as record:
            record['status'] = COPYING
            record['resources_status'] = dict.fromkeys(
                (graph.resource_key(node.value) for node in
                 graph.iter_nodes(self.resource_graph or [])), COPYING)
            self.load_resource_statuses()

    def finish_copying(self):
        with self._changing() as record:
            record['status'] = AVAILABLE
            record['extra_info'] = dict(record['extra_info'] or {},
                                        copy_status=COPY_FINISHED)
        self._forget_unfinished()

    def start_deleting(self):
        with self._changing(waiting_out_outages=False) as record:
            self._bank.update_object(
                _unfinished_key(self.id),
                {'owner_id': self._bank.get_owner_id(),
                 'operation': 'delete'})
            record['status'] = DELETING
            record['resources_status'] = dict.fromkeys(
                record['resources_status'], DELETING)
            record['resources_reason'] = {}
        # Statuses of an earlier delete that failed are not this one's.
        prefix = _statuses_prefix(self.id, DELETING)
        for key in self._bank.list_objects(prefix=prefix):
            _delete_quietly(self._bank, key)

    def finish_deleting(self):
        """Remove the resources' data and the indices; keep the record."""
        prefix = '/checkpoints/%s/' % self.id
        for key in self._bank.list_objects(prefix=prefix):
            if key != _record_key(self.id):
                _delete_quietly(self._bank, key)
        for key in _index_keys(self._record):
            _delete_quietly(self._bank, key)
        with self._changing() as record:
            record['status'] = DELETED
        self._forget_unfinished()

    def fail(self, reason, waiting_out_outages=True):
        """End the operation in progress as failed.

        Resources it had not finished become "error" too, with ``reason``;
        none is left "protecting" or "deleting". The sweep, which tries
        again at its next round, does not wait out a bank outage.
        """
        with self._lock:
            in_progress = self.status
            if in_progress not in IN_PROGRESS:
                return
            with self._changing(waiting_out_outages) as record:
                statuses = record['resources_status']
                reasons = record['resources_reason']
                for resource in record['protection_plan']['resources']:
                    statuses.setdefault(
                        graph.key_of(resource['type'], resource['id']),
                        in_progress)
                for key, status in statuses.items():
                    if status == in_progress:
                        statuses[key] = ERROR
                        reasons.setdefault(key,
                                           _('not finished: %s') % reason)
                record['status'] = _FAILED_STATUS[in_progress]
        self._forget_unfinished()


def _delete_quietly(bank, key):
    try:
        bank.delete_object(key)
    except exception.BankObjectNotFound:
        pass


def _check_lease(bank):
    # The lease guards the writes of an operation in progress: with less
    # than the validity window left, a sweeper elsewhere could take the
    # checkpoint for a zombie while it is being written. The background
    # renewals keep it valid (see the bank's lease windows); renewing here
    # covers one of them that failed.
    if not bank.check_lease_validity():
        bank.renew_lease()
        if not bank.check_lease_validity():
            raise exception.LeaseLost(owner_id=bank.get_owner_id())


class CheckpointCollection(object):
    """The checkpoints of one provider, in that provider's bank."""

    def __init__(self, bank, provider_id):
        self._bank = bank
        self._provider_id = provider_id

    def create(self, plan, extra_info=None):
        """Record a new "protecting" checkpoint of ``plan``."""
        return self._add(PROTECTING, {
            'project_id': plan.project_id,
            'protection_plan': {
                'id': plan.id,
                'name': plan.name,
                'provider_id': plan.provider_id,
                'resources': copy.deepcopy(plan.resources),
            },
            'resource_graph': None,
            'extra_info': extra_info,
        })

    def create_copy(self, source):
        """Record a new "wait_copying" copy of checkpoint ``source`` (of
        another provider) in this provider's bank."""
        record = source.to_dict()
        return self._add(WAIT_COPYING, {
            'project_id': record['project_id'],
            'protection_plan': record['protection_plan'],
            'resource_graph': record['resource_graph'],
            'extra_info': {'copied_from': {
                'provider_id': record['provider_id'],
                'checkpoint_id': record['id']}},
        })

    def _add(self, status, values):
        """Write a new checkpoint's record (``values`` and what every new
        one has), its unfinished marker and its indices."""
        _check_lease(self._bank)
        checkpoint_id = uuidutils.generate_uuid()
        record = dict(
            values, id=checkpoint_id, provider_id=self._provider_id,
            status=status,
            created_at=timeutils.utcnow().strftime(_CREATED_AT_FORMAT),
            resources_status={}, resources_reason={})
        # The unfinished marker comes first, so that a crash at any later
        # point leaves something the sweep finds.
        self._bank.update_object(
            _unfinished_key(checkpoint_id),
            {'owner_id': self._bank.get_owner_id(),
             'operation': _STATUS_FOLDERS[status]})
        checkpoint = Checkpoint(self._bank, record)
        checkpoint.commit()
        for key in _index_keys(record):
            self._bank.update_object(key, {'id': checkpoint_id})
        return checkpoint

    def _load(self, checkpoint_id, with_statuses=True):
        if not uuidutils.is_uuid_like(checkpoint_id):
            raise exception.CheckpointNotFound(checkpoint_id=checkpoint_id)
        try:
            record, etag = self._bank.get_object_and_etag(
                _record_key(checkpoint_id))
        except exception.BankObjectNotFound:
            raise exception.CheckpointNotFound(checkpoint_id=checkpoint_id)
        checkpoint = Checkpoint(self._bank, record, etag)
        if with_statuses:
            checkpoint.load_resource_statuses()
        return checkpoint

    def get(self, checkpoint_id, project_id=None, with_statuses=True):
        """The checkpoint, if it belongs to this provider and, unless
        ``project_id`` is None, to that project. Without ``with_statuses``
        the statuses of a running operation's resources are not read (a
        listing of as many objects): only the record's are there."""
        checkpoint = self._load(checkpoint_id, with_statuses)
        if (checkpoint.provider_id != self._provider_id or
                project_id is not None and
                checkpoint.project_id != project_id):
            raise exception.CheckpointNotFound(checkpoint_id=checkpoint_id)
        return checkpoint

    def list(self, project_id=None, plan_id=None, start_date=None,
             end_date=None, marker=None, limit=None, sort_dir='desc',
             with_statuses=True):
        """One page of checkpoints, newest first unless sort_dir is 'asc'.

        ``project_id`` None lists every project's. ``start_date`` and
        ``end_date`` (datetime.date) are inclusive; ``marker`` is the id of
        the checkpoint the page follows; ``with_statuses`` as for get.
        """
        if plan_id is not None:
            prefix = _by_plan_prefix(check_key_segment(plan_id, 'plan_id'))
        elif project_id is not None:
            prefix = _by_project_prefix(
                self._provider_id, check_key_segment(project_id,
                                                     'project_id'))
        else:
            prefix = _by_date_prefix(self._provider_id)

        lower = prefix + start_date.isoformat() if start_date else None
        # The last day of the calendar has no next day to stop before.
        upper = (prefix + (end_date + datetime.timedelta(days=1)).isoformat()
                 if end_date and end_date < datetime.date.max else None)
        if marker is not None:
            marker_key = prefix + _index_name(
                self.get(marker, project_id, with_statuses=False)._record)
            if sort_dir == 'desc':
                upper = min(upper, marker_key) if upper else marker_key
            else:
                lower = max(lower, marker_key) if lower else marker_key

        if sort_dir == 'desc':
            keys = self._bank.list_objects(prefix=prefix, limit=limit,
                                           marker=upper, end_marker=lower,
                                           sort_dir='desc')
        else:
            keys = self._bank.list_objects(prefix=prefix, limit=limit,
                                           marker=lower, end_marker=upper,
                                           sort_dir='asc')
        names = [key[len(prefix):] for key in keys]
        checkpoint_ids = [name.rsplit('@', 1)[1] for name in names
                          if '/' not in name and '@' in name]
        # The plan index holds every project's and provider's entries.
        return [checkpoint for checkpoint
                in self._load_all(checkpoint_ids, with_statuses)
                if checkpoint is not None and
                checkpoint.provider_id == self._provider_id and
                (project_id is None or checkpoint.project_id == project_id)]

    def _load_all(self, checkpoint_ids, with_statuses):
        """The checkpoints of ``checkpoint_ids``, in their order, read as
        many at a time as the bank says is worth it; None for one deleted
        while we listed."""
        request_context = oslo_context.get_current()

        def load(checkpoint_id):
            # The bank's requests name the request they serve.
            if request_context is not None:
                request_context.update_store()
            try:
                return self._load(checkpoint_id, with_statuses)
            except exception.CheckpointNotFound:
                return None

        readers = min(self._bank.concurrent_reads, len(checkpoint_ids))
        if readers < 2:
            return [load(checkpoint_id) for checkpoint_id in checkpoint_ids]
        with concurrent.futures.ThreadPoolExecutor(
                readers, thread_name_prefix='checkpoint-page') as pool:
            return list(pool.map(load, checkpoint_ids))

    def sweep_zombies(self, has_operation=lambda checkpoint_id: False):
        """Fail the checkpoints whose owner stopped before finishing.

        An unfinished checkpoint whose owner's lease is gone, and for
        which ``has_operation`` says no operation is recorded (one that is
        gets taken over), goes from "protecting", "wait_copying" or
        "copying" to "error" and from "deleting" to "error-deleting".
        """
        own_id = self._bank.get_owner_id()
        for key in self._bank.list_objects(prefix=_UNFINISHED + '/'):
            checkpoint_id = key.rsplit('/', 1)[1]
            if has_operation(checkpoint_id):
                continue
            try:
                owner_id = self._bank.get_object(key).get('owner_id')
            except exception.BankObjectNotFound:
                continue  # finished meanwhile
            if owner_id == own_id or self._bank.check_lease_existence(
                    owner_id):
                continue
            try:
                checkpoint = self._load(checkpoint_id)
            except exception.CheckpointNotFound:
                _delete_quietly(self._bank, key)
                continue
            if checkpoint.status in IN_PROGRESS:
                LOG.warning('Checkpoint %(id)s was %(status)s by %(owner)s, '
                            'whose bank lease is gone; marking it failed.',
                            {'id': checkpoint_id,
                             'status': checkpoint.status, 'owner': owner_id})
                try:
                    checkpoint.fail(ZOMBIE_REASON, waiting_out_outages=False)
                except exception.BankObjectChanged:
                    # Written meanwhile: the next sweep looks again.
                    continue
            else:
                # Its state was reset by hand meanwhile.
                _delete_quietly(self._bank, key)
