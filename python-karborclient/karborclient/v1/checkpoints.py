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

    def _reread(self):
        provider_id = (self._info.get('protection_plan') or {}).get(
            'provider_id')
        return self.manager.get(provider_id, self.id)


class Copy(base.Resource):
    """A copy action's answer: ``checkpoint_id`` lists each copied
    checkpoint ({"checkpoint_protect_id", "checkpoint_copy_id"}), the
    copies being checkpoints of provider ``copy_provider_id``."""


def _checkpoints_path(provider_id, *rest):
    return base.path('providers', provider_id, 'checkpoints', *rest)


class CheckpointManager(base.Manager):
    resource_class = Checkpoint
    list_arguments = ('provider_id',)

    def create(self, provider_id, plan_id, extra_info=None,
               checkpoint_extra_info=None):
        """Start protecting a plan; the checkpoint starts ``protecting``.

        ``checkpoint_extra_info`` is 2.1.0's name for ``extra_info``.
        """
        extra_info = base.pick('extra_info', extra_info,
                               'checkpoint_extra_info', checkpoint_extra_info)
        body = {'checkpoint': {'plan_id': plan_id, 'extra_info': extra_info}}
        return self._create(_checkpoints_path(provider_id), body,
                            'checkpoint')

    def get(self, provider_id, checkpoint_id, session_id=None):
        return self._get(_checkpoints_path(provider_id, checkpoint_id),
                         'checkpoint', session_id=session_id)

    def list(self, provider_id, search_opts=None, marker=None, limit=None,
             sort_key=None, sort_dir=None, sort=None, **filters):
        """List a provider's checkpoints; filters (``search_opts`` or
        keyword arguments): ``plan_id``, ``start_date``, ``end_date``
        (YYYY-MM-DD), ``project_id``, ``all_tenants``.

        2.1.0 let ``provider_id`` default to None and then asked for
        ``/providers/None/checkpoints``; here it is required.
        """
        return self._list(_checkpoints_path(provider_id), 'checkpoints',
                          marker, limit, sort,
                          base.query_filters(search_opts, filters),
                          sort_key=sort_key, sort_dir=sort_dir)

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

    def update(self, provider_id, checkpoint_id, values):
        """Send an action (``{"os-resetState": {...}}``) to a checkpoint;
        None, as the server answers with an empty object."""
        self._update(_checkpoints_path(provider_id, checkpoint_id), values)

    def reset_state(self, provider_id, checkpoint_id, state):
        """Force the status to ``available`` or ``error`` (admin only)."""
        self.update(provider_id, checkpoint_id,
                    {'os-resetState': {'state': state}})
