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

"""Client side of karbor-protection's RPC API (what karbor-api calls).

Each method mirrors, name for name, an endpoint of
karbor.services.protection.manager.ProtectionManager.
"""

from oslo_config import cfg
import oslo_messaging as messaging

from karbor import exception
from karbor.i18n import _
from karbor import rpc

CONF = cfg.CONF


class ProtectionAPI(object):
    """Version history:

    1.0 - Initial version.
    1.1 - verify
    1.2 - copy
    1.3 - list_checkpoints and show_checkpoint answer JSON text (as_text),
          which the serializers do not walk value by value, and leave the
          resources' statuses out unless asked (with_statuses)
    1.4 - list_checkpoints and show_checkpoint answer each checkpoint as
          the JSON text of each field (as_encoded_fields), which karbor-api
          puts into its answers without decoding them
    """

    RPC_API_VERSION = '1.4'

    def __init__(self):
        # Calls say the oldest version that has them, so that a
        # karbor-protection not yet upgraded answers what it knows.
        target = messaging.Target(topic=CONF.protection_topic, version='1.0')
        self._client = rpc.get_client(target,
                                      version_cap=self.RPC_API_VERSION)

    def _call(self, ctxt, method, version=None, **kwargs):
        client = (self._client.prepare() if version is None
                  else self._client.prepare(version=version))
        try:
            return client.call(ctxt, method, **kwargs)
        except messaging.MessagingTimeout:
            # No worker answered in rpc_response_timeout: a 503 the caller
            # may retry, not a failure of the request.
            raise exception.ServiceUnavailable(
                service='karbor-protection',
                reason=_('no answer to %s within [DEFAULT] '
                         'rpc_response_timeout') % method)

    # Checkpoints

    def protect(self, ctxt, plan, checkpoint_properties):
        """Start protecting ``plan``; return the new checkpoint."""
        return self._call(ctxt, 'protect', plan=plan,
                          checkpoint_properties=checkpoint_properties)

    def list_checkpoints(self, ctxt, provider_id, marker=None, limit=None,
                         sort_dir='desc', filters=None, all_projects=False,
                         with_statuses=True):
        """A page of checkpoints, each {field: the JSON text of its
        value}; without ``with_statuses``, with no resources_status and
        resources_reason."""
        return self._call(
            ctxt, 'list_checkpoints', version='1.4', provider_id=provider_id,
            marker=marker, limit=limit, sort_dir=sort_dir,
            filters=filters or {}, all_projects=all_projects,
            with_statuses=with_statuses, as_encoded_fields=True)

    def show_checkpoint(self, ctxt, provider_id, checkpoint_id,
                        with_statuses=True):
        """The checkpoint as list_checkpoints gives each."""
        return self._call(
            ctxt, 'show_checkpoint', version='1.4', provider_id=provider_id,
            checkpoint_id=checkpoint_id, with_statuses=with_statuses,
            as_encoded_fields=True)

    def delete_checkpoint(self, ctxt, provider_id, checkpoint_id):
        """Mark the checkpoint deleting and start deleting it; whether no
        delete had taken it before."""
        return self._call(ctxt, 'delete_checkpoint', provider_id=provider_id,
                          checkpoint_id=checkpoint_id)

    def reset_state(self, ctxt, provider_id, checkpoint_id, state):
        return self._call(ctxt, 'reset_state', provider_id=provider_id,
                          checkpoint_id=checkpoint_id, state=state)

    # Restores

    def restore(self, ctxt, restore, restore_auth):
        """Check the restore can start, then run it in the background."""
        return self._call(ctxt, 'restore', restore=restore,
                          restore_auth=restore_auth)

    # Verifications

    def verify(self, ctxt, verification):
        """Check the verification can start, then run it in the
        background."""
        return self._call(ctxt, 'verify', version='1.1',
                          verification=verification)

    # Copies

    def copy(self, ctxt, plan, parameters=None):
        """Start copying the plan's checkpoints not copied yet into the
        provider's copy_provider; return [{"checkpoint_protect_id",
        "checkpoint_copy_id", "copy_provider_id"}]."""
        return self._call(ctxt, 'copy', version='1.2', plan=plan,
                          parameters=parameters)

    # Providers

    def list_providers(self, ctxt, marker=None, limit=None, sort_dir='asc',
                       filters=None):
        return self._call(ctxt, 'list_providers', marker=marker, limit=limit,
                          sort_dir=sort_dir, filters=filters or {})

    def show_provider(self, ctxt, provider_id):
        return self._call(ctxt, 'show_provider', provider_id=provider_id)

    # Protectables

    def list_protectable_types(self, ctxt):
        return self._call(ctxt, 'list_protectable_types')

    def show_protectable_type(self, ctxt, protectable_type):
        return self._call(ctxt, 'show_protectable_type',
                          protectable_type=protectable_type)

    def list_protectable_instances(self, ctxt, protectable_type, marker=None,
                                   limit=None, filters=None,
                                   parameters=None):
        return self._call(ctxt, 'list_protectable_instances',
                          protectable_type=protectable_type, marker=marker,
                          limit=limit, filters=filters or {},
                          parameters=parameters)

    def show_protectable_instance(self, ctxt, protectable_type,
                                  protectable_id, parameters=None):
        return self._call(ctxt, 'show_protectable_instance',
                          protectable_type=protectable_type,
                          protectable_id=protectable_id,
                          parameters=parameters)
