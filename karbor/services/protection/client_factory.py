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

"""The original Karbor's client factory, kept for plugins written to it.

``ClientFactory.create_client(service, context)`` gives a plugin a client
of an OpenStack service acting as the request's caller: Karbor's own
clients (clients/), on their keystoneauth1 sessions, so a client made here
has the timeouts, the request id and the service token of every other
client Karbor makes (see clients/session.py). Its options are those of
karbor.conf's ``[<service>_client]`` group, as in the original.

Services: ``cinder``, ``glance``, ``nova`` and ``keystone``. A plugin
that needs another one registers how to make it with
``ClientFactory.register_client(service, create)``, ``create`` being
called as ``create(context, **kwargs)``; ``clients.session.make_session``
gives it a session like the others'. A service nobody registered is
unavailable (``karbor.exception.ServiceUnavailable``), as a service that
cannot be reached is.
"""

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.clients import cinder
from karbor.services.protection.clients import glance
from karbor.services.protection.clients import keystone
from karbor.services.protection.clients import nova


class ClientFactory(object):
    """Clients by service name; see the module documentation."""

    _creators = {
        'cinder': cinder.create,
        'glance': glance.create,
        'keystone': keystone.create,
        'nova': nova.create,
    }

    @classmethod
    def register_client(cls, service, create):
        """Make ``create_client(service, ...)`` return
        ``create(context, **kwargs)``."""
        cls._creators[service] = create

    @classmethod
    def create_client(cls, service, context, conf=None,
                      privileged_user=False, **kwargs):
        """A client of ``service`` acting as the caller of ``context``.

        ``conf`` is accepted for the original's callers: the options come
        from karbor.conf either way. ``kwargs`` go to the client's maker
        (``api_version`` for cinder and nova). Karbor calls a service as
        the user who asked, never as itself: ``privileged_user`` is
        refused.
        """
        create = cls._creators.get(service)
        if create is None:
            raise exception.ServiceUnavailable(
                service=service,
                reason=_('Karbor has no client for it; a plugin that needs '
                         'one registers it with '
                         'ClientFactory.register_client'))
        if privileged_user:
            raise exception.KarborException(
                _('A %s client acting as Karbor itself (privileged_user) '
                  'is not available: clients act as the caller of the '
                  'request.') % service)
        return create(context, **kwargs)
