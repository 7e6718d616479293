#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Checkpoints: the protected copies a provider keeps in its bank."""

from karborclient.common import base


class Checkpoint(base.Resource):
    pass


class Copy(base.Resource):
    """A copy action's answer: ``checkpoint_id`` lists each copied
    checkpoint ({"checkpoint_protect_id", "checkpoint_copy_id"}), the
    copies being checkpoints of provider ``copy_provider_id``."""


def _checkpoints_path(provider_id, *rest):
    return base.path('providers', provider_id, 'checkpoints', *rest)


class CheckpointManager(base.Manager):
    resource_class = Checkpoint

    def create(self, provider_id, plan_id, extra_info=None):
        """Start protecting a plan; the checkpoint starts ``protecting``."""
        body = {'checkpoint': {'plan_id': plan_id, 'extra_info': extra_info}}
        return self._create(_checkpoints_path(provider_id), body,
                            'checkpoint')

    def get(self, provider_id, checkpoint_id):
        return self._get(_checkpoints_path(provider_id, checkpoint_id),
                         'checkpoint')

    def list(self, provider_id, marker=None, limit=None, sort=None,
             **filters):
        """List checkpoints; filters: ``plan_id``, ``start_date``,
        ``end_date`` (YYYY-MM-DD), ``project_id``, ``all_tenants``."""
        return self._list(_checkpoints_path(provider_id), 'checkpoints',
                          marker, limit, sort, filters)

    def delete(self, provider_id, checkpoint_id):
        """Start deleting; the checkpoint goes ``deleting`` then ``deleted``.
        """
        self._delete(_checkpoints_path(provider_id, checkpoint_id))

    def copy(self, provider_id, plan_id, parameters=None):
        """Copy the plan's checkpoints that have no copy yet into the
        provider's copy provider; the copies start ``wait_copying``."""
        body = {'copy': {'plan_id': plan_id,
                         'parameters': parameters or {}}}
        return Copy(self, self._json(
            'POST', _checkpoints_path(provider_id, 'action'),
            json=body)['copy'])

    def reset_state(self, provider_id, checkpoint_id, state):
        """Force the status to ``available`` or ``error`` (admin only)."""
        self._update(_checkpoints_path(provider_id, checkpoint_id),
                     {'os-resetState': {'state': state}})
