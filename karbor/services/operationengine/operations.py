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

"""The types of scheduled operation: what a definition holds, and what a
run of one does.

A run acts through Karbor's own API as the user who created the
operation (karborclient, on a session from engine.client_for()), so it
goes through the same policy, quota and protection workers as a request
of that user would.

- protect (plan_id, provider_id) creates a checkpoint of the plan,
  its extra_info marked as the original marked it ("created_by":
  "operation-engine") and naming the scheduled operation and the fire
  time it is for.
- retention_protect (the same, plus max_backups and
  retention_duration in days) then waits for that checkpoint to end and
  deletes the plan's available checkpoints beyond the newest max_backups,
  and those older than retention_duration days. Either may be -1 (the
  original's default): no limit.
"""

import datetime

from oslo_log import log as logging
from oslo_utils import timeutils
from oslo_utils import uuidutils

from karbor import exception
from karbor.i18n import _
from karbor.objects import plan as plan_objects
from karbor.services.protection import checkpoint as checkpoints

LOG = logging.getLogger(__name__)

CREATED_BY = 'operation-engine'
NO_LIMIT = -1
# The status of a checkpoint, and of its protect's log, while it protects.
PROTECTING = checkpoints.PROTECTING


def _bad(reason):
    return exception.InvalidInput(reason=reason)


def scheduled_at(fire_time):
    """How a fire time is written in a checkpoint's extra_info."""
    return fire_time.strftime('%Y-%m-%dT%H:%M:%S')


def run_marks(operation, fire_time):
    """The extra_info of the run of ``operation`` due at ``fire_time``:
    its checkpoint's, and its operation log's if Karbor refuses it."""
    return {'created_by': CREATED_BY,
            'scheduled_operation_id': operation.id,
            'scheduled_at': scheduled_at(fire_time)}


class Protect(object):
    """Protect a plan: create one checkpoint of it per run."""

    KEYS = ('plan_id', 'provider_id')
    REQUIRED = ('plan_id', 'provider_id')

    def check_definition(self, context, definition):
        """The definition as stored; InvalidInput naming what is wrong."""
        unknown = sorted(set(definition) - set(self.KEYS))
        if unknown:
            raise _bad(_('unknown keys in operation_definition: '
                         '%(unknown)s; it takes: %(keys)s') % {
                'unknown': ', '.join(unknown),
                'keys': ', '.join(self.KEYS)})
        for key in self.REQUIRED:
            if not uuidutils.is_uuid_like(definition.get(key)):
                raise _bad(_('operation_definition needs %(key)s, a UUID, '
                             'not %(value)r') % {
                    'key': key, 'value': definition.get(key)})
        definition = dict(definition)
        try:
            plan = plan_objects.Plan.get_by_id(context, definition['plan_id'])
        except exception.PlanNotFound as exc:
            raise _bad(str(exc))
        if plan.project_id != context.project_id:
            raise _bad(_('plan %s belongs to another project') % plan.id)
        if plan.provider_id != definition['provider_id']:
            raise _bad(_('plan %(plan)s is protected by provider '
                         '%(plan_pro)s, not %(provider)s') % {
                'plan': plan.id, 'plan_pro': plan.provider_id,
                'provider': definition['provider_id']})
        return definition

    def run(self, client, operation, fire_time):
        """Start the run due at fire_time; the new checkpoint."""
        definition = operation.operation_definition
        return client.checkpoints.create(definition['provider_id'],
                                         definition['plan_id'],
                                         run_marks(operation, fire_time))

    def after(self, client, operation, checkpoint, stopping):
        """What a run does once its checkpoint is accepted."""


class RetentionProtect(Protect):
    """Protect, then keep the newest max_backups checkpoints, none older
    than retention_duration days."""

    KEYS = Protect.KEYS + ('max_backups', 'retention_duration')
    # Seconds between two looks at the run's checkpoint.
    poll_interval = 5
    # How long a run waits for its checkpoint before it leaves the
    # retention to the next run.
    wait_timeout = 6 * 3600

    def check_definition(self, context, definition):
        definition = super().check_definition(context, definition)
        for key in ('max_backups', 'retention_duration'):
            definition[key] = self._limit(definition, key)
        return definition

    @staticmethod
    def _limit(definition, key):
        # python-karborclient 2.1.0 sends every value as a string.
        value = definition.get(key, NO_LIMIT)
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            number = None
        if (number is None or isinstance(value, bool) or
                not (number >= 1 or number == NO_LIMIT)):
            raise _bad(_('%(key)s must be a whole number from 1 up, or -1 '
                         'for no limit, not %(value)r') % {
                'key': key, 'value': value})
        return number

    def after(self, client, operation, checkpoint, stopping):
        definition = operation.operation_definition
        provider_id = definition['provider_id']
        deadline = timeutils.utcnow() + datetime.timedelta(
            seconds=self.wait_timeout)
        status = checkpoint.status
        while status == PROTECTING:
            if stopping.wait(self.poll_interval) or (
                    timeutils.utcnow() > deadline):
                LOG.warning('Checkpoint %(checkpoint)s of scheduled operation '
                            '%(operation)s is still %(status)s; its '
                            'retention is left to the next run.',
                            {'checkpoint': checkpoint.id,
                             'operation': operation.id, 'status': status})
                return
            status = client.checkpoints.get(provider_id, checkpoint.id).status
        self.apply_retention(client, definition)

    @staticmethod
    def apply_retention(client, definition):
        """Delete the plan's available checkpoints beyond max_backups and
        older than retention_duration days (a checkpoint's created_at is
        a date)."""
        available = [c for c in client.checkpoints.list(
            definition['provider_id'], plan_id=definition['plan_id'],
            sort='created_at:desc') if c.status == 'available']
        doomed = {}
        if definition['max_backups'] != NO_LIMIT:
            doomed.update((c.id, c) for c in
                          available[definition['max_backups']:])
        if definition['retention_duration'] != NO_LIMIT:
            oldest = (timeutils.utcnow().date() - datetime.timedelta(
                days=definition['retention_duration'])).isoformat()
            doomed.update((c.id, c) for c in available
                          if c.created_at < oldest)
        for checkpoint in doomed.values():
            LOG.info('Retention of plan %(plan)s deletes checkpoint '
                     '%(checkpoint)s.', {'plan': definition['plan_id'],
                                         'checkpoint': checkpoint.id})
            try:
                client.checkpoints.delete(definition['provider_id'],
                                          checkpoint.id)
            except Exception as exc:
                # Being restored, say: the next run deletes it.
                LOG.warning('Retention could not delete checkpoint '
                            '%(checkpoint)s: %(error)s',
                            {'checkpoint': checkpoint.id, 'error': exc})


TYPES = {'protect': Protect(), 'retention_protect': RetentionProtect()}


def get(operation_type):
    try:
        return TYPES[operation_type]
    except KeyError:
        raise _bad(_('Invalid operation type: %(type)s; the types are: '
                     '%(types)s') % {'type': operation_type,
                                     'types': ', '.join(sorted(TYPES))})
