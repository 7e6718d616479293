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

"""The original Karbor's plugin helpers, kept for plugins written to it.

``status_poll`` waits with Karbor's one waiter (waiting.py);
``update_resource_restore_result`` and ``update_resource_verify_result``
report a resource on a restore or a verification, whose
``update_resource_status`` saves the record itself. Karbor's own plugins
use waiting.py and the records directly.
"""

from oslo_log import log as logging

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.protection_plugins import waiting

LOG = logging.getLogger(__name__)

# How long a status poll waits at most when its caller says nothing: the
# original's had no end, and a resource stuck in an ignored status would
# keep its operation running for ever. A day, as long as Karbor's own
# plugins let a Cinder backup take.
STATUS_POLL_TIMEOUT = 86400


def status_poll(get_status_func, interval, success_statuses=frozenset(),
                failure_statuses=frozenset(), ignore_statuses=frozenset(),
                ignore_unexpected=False, timeout=STATUS_POLL_TIMEOUT):
    """Call ``get_status_func()`` every ``interval`` seconds until the
    status it returns ends the wait: True for one of
    ``success_statuses``, False for one of ``failure_statuses`` or,
    unless ``ignore_unexpected``, for a status that is in none of the
    three sets. After ``timeout`` seconds the wait fails
    (waiting.WaitTimeout, which fails the resource); an exception of
    ``get_status_func`` ends it too.
    """
    def is_over(status):
        return (status in success_statuses or status in failure_statuses or
                not (ignore_unexpected or status in ignore_statuses))

    status = waiting.wait_for(
        get_status_func, is_over, _('a status poll'), timeout,
        waiting.Polling(interval, interval))
    return status in success_statuses


def update_resource_restore_result(restore_record, resource_type,
                                   resource_id, status, reason=''):
    """Report a restored resource. As in the original, a report that
    fails is logged, not raised, unless this worker no longer runs the
    restore."""
    try:
        restore_record.update_resource_status(resource_type, resource_id,
                                              status, reason)
    except exception.ClaimLost:
        raise
    except Exception as exc:
        LOG.error('Could not report %(type)s %(id)s as %(status)s on its '
                  'restore: %(error)s', {'type': resource_type,
                                         'id': resource_id,
                                         'status': status, 'error': exc})


def update_resource_verify_result(verify_record, resource_type, resource_id,
                                  status, reason=''):
    """Report a verified resource; a report that fails is raised."""
    verify_record.update_resource_status(resource_type, resource_id, status,
                                         reason)
