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

"""Notifications of what Karbor does, for Ceilometer-style listeners.

They are sent through oslo.messaging's notifier (see karbor.rpc) and only
when [oslo_messaging_notifications] driver names a driver (messagingv2 for
RabbitMQ); by default nothing is sent and nothing is built.

The API announces the changes a request makes, with the event types and
payload keys of the original Karbor: ``karbor.<event>.start`` when it
begins the change (the body matches its schema, the plan or checkpoint
acted on is found and the caller allowed), then ``karbor.<event>.end``, or
``karbor.<event>.error`` with ``message`` (the error) and ``exception``
(its traceback, a list of lines) when the change is refused (values the
provider does not accept, a checkpoint in the wrong state...) or fails; the
HTTP answer is the same as without notifications. All three have priority
INFO, errors included, as the original sent them, and publisher id
``karbor-api.<host>``. Every payload holds ``tenant_id``, ``client_ip`` and
``request_id``, then the event's own keys; end and error have start's, and
end the keys in the last column::

    event              start                       end adds
    plan_create        name, parameters            id
    plan_update        id
    plan_delete        id
    checkpoint_create  checkpoint_properties       checkpoint_id
    checkpoint_update  checkpoint_id, state
    checkpoint_delete  checkpoint_id, provider_id
    checkpoint_copy    plan_id, provider_id,       checkpoint_id (the
                       parameters                  copies, as answered)
    restore_create     parameters, provider_id,    id
                       checkpoint_id

checkpoint_properties is the checkpoint being asked for: project_id,
status ("protecting"), provider_id, protection_plan (id, name, resources)
and extra_info (JSON text, or null). checkpoint_update is the
os-resetState action. Triggers and scheduled operations take their place
in this table when Karbor has them.

karbor-protection announces, with publisher id ``karbor-protection.<host>``,
how the long work a request started ended: ``karbor.protect.*`` when a
checkpoint became available or error, ``karbor.delete.*`` when it became
deleted or error-deleting, ``karbor.copy.*`` when a copy (a checkpoint
of the copy provider) became available or error, ``karbor.restore.*``
when a restore ended success or fail; ``.end`` (priority INFO) when it succeeded, ``.error``
(priority ERROR) when it did not. Their ``request_id`` is the one of the
request that started the work::

    protect, delete,   tenant_id, request_id, checkpoint_id, provider_id,
    copy
                       plan_id, status, resources_reason
    restore            tenant_id, request_id, id, checkpoint_id,
                       provider_id, status, resources_reason

Sending never changes what Karbor answers or does: a failure to send is
logged and forgotten.
"""

import contextlib
import traceback

from oslo_log import log as logging

from karbor import rpc

LOG = logging.getLogger(__name__)

API_PUBLISHER = 'karbor-api'
PROTECTION_PUBLISHER = 'karbor-protection'


@contextlib.contextmanager
def notify_request(context, req, event, **payload):
    """Announce the change the ``with`` block makes for request ``req``.

    Sends karbor.<event>.start with ``payload`` (plus tenant_id, client_ip,
    request_id), then karbor.<event>.end, or karbor.<event>.error if the
    block raises; the exception goes on as it was. Yields the payload:
    what the block adds to it goes into the end notification.
    """
    notifier = rpc.get_notifier(API_PUBLISHER)
    if notifier is None:
        yield payload
        return
    payload.update(tenant_id=context.project_id, client_ip=req.remote_addr,
                   request_id=context.request_id)
    _send(notifier.info, context, 'karbor.%s.start' % event, payload)
    try:
        yield payload
    except Exception as exc:
        _send(notifier.info, context, 'karbor.%s.error' % event,
              dict(payload, message=str(exc),
                   exception=traceback.format_exception(exc)))
        raise
    _send(notifier.info, context, 'karbor.%s.end' % event, payload)


def notify_checkpoint_done(context, work, checkpoint, failed):
    """Announce that ``work`` ("protect", "delete", "copy") on ``checkpoint``
    ended, as karbor.<work>.error if it ``failed``, else .end."""
    notifier = rpc.get_notifier(PROTECTION_PUBLISHER)
    if notifier is None:
        return
    record = checkpoint.to_dict()
    _send_done(notifier, context, work, failed, {
        'tenant_id': record['project_id'],
        'checkpoint_id': record['id'],
        'provider_id': record['provider_id'],
        'plan_id': record['protection_plan']['id'],
        'status': record['status'],
        'resources_reason': record['resources_reason'],
    })


def notify_reading_done(context, work, record, failed):
    """Announce that ``record``, the restore or verification (``work``:
    "restore", "verify") of a checkpoint, ended, as karbor.<work>.error if
    it ``failed``, else karbor.<work>.end."""
    notifier = rpc.get_notifier(PROTECTION_PUBLISHER)
    if notifier is None:
        return
    _send_done(notifier, context, work, failed, {
        'tenant_id': record.project_id,
        'id': record.id,
        'checkpoint_id': record.checkpoint_id,
        'provider_id': record.provider_id,
        'status': record.status,
        'resources_reason': dict(record.resources_reason),
    })


def _send_done(notifier, context, work, failed, payload):
    payload['request_id'] = context.request_id
    if failed:
        _send(notifier.error, context, 'karbor.%s.error' % work, payload)
    else:
        _send(notifier.info, context, 'karbor.%s.end' % work, payload)


def _send(method, context, event_type, payload):
    try:
        method(context, event_type, payload)
    except Exception:
        # oslo.messaging logs a driver's failures itself; this is for what
        # fails before the driver (the context, the payload).
        LOG.exception('Could not send notification %s.', event_type)
