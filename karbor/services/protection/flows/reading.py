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

"""What a restore and a verification share: each reads a checkpoint and
keeps its own record (a Restore, a Verification) of its status and each
resource's, which ends "success" or "fail"."""

from oslo_log import log as logging

from karbor.common import notification
from karbor import exception
from karbor.objects import fields

LOG = logging.getLogger(__name__)


def run(work, context, checkpoint, record, claim, body):
    """Run ``body()``, the ``work`` ("restore", "verify") of ``record`` on
    ``checkpoint``, which sets the record's end status; ``claim`` guards
    every write of the record. A body that raises ends the record "fail".
    The end is announced as karbor.<work>.end or .error, unless this
    worker lost its claim (the one that took the work over announces it).
    """
    record.guard_writes(claim.check)
    try:
        body()
    except Exception:
        if claim.lost:
            return
        LOG.exception('The %(work)s %(id)s of checkpoint %(checkpoint)s '
                      'failed.', {'work': work, 'id': record.id,
                                  'checkpoint': checkpoint.id})
        record.status = fields.RestoreStatus.FAIL
        try:
            record.save()
        except exception.ClaimLost:
            return
    notification.notify_reading_done(
        context, work, record,
        failed=record.status != fields.RestoreStatus.SUCCESS)
