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

"""oslo.messaging setup shared by the API and the services.

The transport comes from [DEFAULT] transport_url: rabbit:// for a real
deployment, inproc:// for karbor-all's in-process messaging
(karbor.common.inproc_transport). Servers use the
threading executor.

Notifications (karbor.common.notification) have a transport of their own,
from [oslo_messaging_notifications] transport_url or else the RPC one, as
oslo.messaging does. They are off while [oslo_messaging_notifications]
driver names no driver but noop (its default): then there is neither a
notification transport nor a notifier, and get_notifier() answers None.
"""

from oslo_config import cfg
import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts
from oslo_messaging.rpc import dispatcher

from karbor import context as karbor_context
from karbor import exception
from karbor.objects import base as objects_base

CONF = cfg.CONF
CONF.import_opt('host', 'karbor.common.config')
TRANSPORT = None
NOTIFICATION_TRANSPORT = None
NOTIFIER = None

# Exceptions from these modules are rebuilt on the caller's side as the
# same class, so karbor-api answers a worker's NotFound with a 404.
ALLOWED_EXMODS = [exception.__name__]


class RequestContextSerializer(messaging.Serializer):
    """Carries the request context and Karbor objects across RPC."""

    def __init__(self, base=None):
        self._base = base or messaging.NoOpSerializer()

    def serialize_entity(self, context, entity):
        return self._base.serialize_entity(context, entity)

    def deserialize_entity(self, context, entity):
        return self._base.deserialize_entity(context, entity)

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return karbor_context.RequestContext.from_dict(context)


def init(conf):
    global TRANSPORT, NOTIFICATION_TRANSPORT, NOTIFIER
    if TRANSPORT is None:
        TRANSPORT = messaging.get_rpc_transport(
            conf, allowed_remote_exmods=ALLOWED_EXMODS)
    if NOTIFIER is None and _notifications_enabled(conf):
        NOTIFICATION_TRANSPORT = messaging.get_notification_transport(
            conf, allowed_remote_exmods=ALLOWED_EXMODS)
        NOTIFIER = messaging.Notifier(
            NOTIFICATION_TRANSPORT,
            serializer=RequestContextSerializer(
                messaging.JsonPayloadSerializer()))


def _notifications_enabled(conf):
    """Whether [oslo_messaging_notifications] driver names a real driver."""
    for group, opts in messaging_opts.list_opts():
        if group == 'oslo_messaging_notifications':
            conf.register_opts(opts, group=group)
    return bool(set(conf.oslo_messaging_notifications.driver) - {'noop'})


def cleanup():
    global TRANSPORT, NOTIFICATION_TRANSPORT, NOTIFIER
    for transport in (TRANSPORT, NOTIFICATION_TRANSPORT):
        if transport is not None:
            transport.cleanup()
    TRANSPORT = NOTIFICATION_TRANSPORT = NOTIFIER = None


def _serializer():
    return RequestContextSerializer(objects_base.KarborObjectSerializer())


def get_client(target, version_cap=None):
    return messaging.get_rpc_client(TRANSPORT, target,
                                    version_cap=version_cap,
                                    serializer=_serializer())


def get_notifier(publisher):
    """The notifier of ``publisher`` (e.g. "karbor-api"), publisher id
    "<publisher>.<host>"; None when notifications are off."""
    if NOTIFIER is None:
        return None
    return NOTIFIER.prepare(publisher_id='%s.%s' % (publisher, CONF.host))


def get_server(target, endpoints):
    """A threading RPC server; only @oslo_messaging.expose methods answer."""
    return messaging.get_rpc_server(
        TRANSPORT, target, endpoints, executor='threading',
        serializer=_serializer(),
        access_policy=dispatcher.ExplicitRPCAccessPolicy)
