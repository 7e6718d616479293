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

"""karbor-protection's RPC endpoints (the server side of rpcapi.py).

Requests are answered at once; protect, restore and delete then run in the
background, [DEFAULT] max_concurrent_operations at a time, each as a
TaskFlow flow (see flows/). Every error a caller can cause is raised as a
karbor.exception class, which karbor-api turns into a 4xx.
"""

import datetime
import operator
import threading

import futurist
from futurist import waiters
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import uuidutils
from stevedore import driver

from karbor import exception
from karbor.i18n import _
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import delete as delete_flow
from karbor.services.protection.flows import protect as protect_flow
from karbor.services.protection.flows import restore as restore_flow
from karbor.services.protection import protectable_registry

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

CHECKPOINT_FILTERS = ('plan_id', 'start_date', 'end_date', 'project_id')
PROVIDER_FILTERS = ('name', 'description')
RESETTABLE_STATES = (checkpoints.AVAILABLE, checkpoints.ERROR)


def _check_sort_dir(sort_dir):
    if sort_dir not in ('asc', 'desc'):
        raise exception.InvalidInput(
            reason=_('sort_dir must be "asc" or "desc", not %r') % sort_dir)


def _check_filters(filters, allowed):
    unknown = sorted(set(filters or {}) - set(allowed))
    if unknown:
        raise exception.InvalidInput(
            reason=_('unknown filters: %(unknown)s; use: %(allowed)s') %
            {'unknown': ', '.join(unknown), 'allowed': ', '.join(allowed)})
    return dict(filters or {})


def _page_size(limit):
    if limit is None:
        return None
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        limit = -1
    if limit < 0:
        raise exception.InvalidInput(
            reason=_('limit must be a non-negative integer'))
    return limit


def _date(filters, name):
    value = filters.get(name)
    if value is None:
        return None
    try:
        return datetime.datetime.strptime(value, '%Y-%m-%d').date()
    except (TypeError, ValueError):
        raise exception.InvalidInput(
            reason=_('%(name)s must be a date, YYYY-MM-DD, not %(value)r') %
            {'name': name, 'value': value})


def _page(items, item_id, marker, limit, not_found):
    """The items after the one whose ``item_id(item)`` is ``marker``, at
    most ``limit`` of them; ``not_found`` is raised for an unknown marker.
    """
    if marker is not None:
        ids = [item_id(item) for item in items]
        if marker not in ids:
            raise not_found
        items = items[ids.index(marker) + 1:]
    return items if limit is None else items[:limit]


def _project_scope(ctxt):
    """The project whose checkpoints ``ctxt`` sees; None for all."""
    return None if ctxt.is_admin else ctxt.project_id


class ProtectionManager(object):
    """The endpoint of topic karbor-protection.

    Only the methods marked @messaging.expose answer RPC (the server uses
    oslo.messaging's explicit access policy); start() and stop() belong to
    the service that runs the manager.
    """

    target = messaging.Target(version='1.0')

    def __init__(self):
        self._protectables = protectable_registry.ProtectableRegistry()
        self._providers = None
        self._operations = futurist.ThreadPoolExecutor(
            max_workers=CONF.max_concurrent_operations)
        self._running = set()
        self._running_lock = threading.Lock()
        self._stopping = threading.Event()
        self._sweeper = None

    # Service life

    def start(self):
        """Load plugins and providers, take the bank leases, sweep."""
        self._protectables.load_plugins()
        self._providers = driver.DriverManager(
            'karbor.provider', 'provider-registry',
            invoke_on_load=True).driver
        self._providers.load_providers()
        providers = self._providers.list_providers()
        for provider in providers:
            try:
                provider.bank.plugin.acquire_lease()
            except Exception:
                # Checkpoint writes renew the lease on demand; until that
                # works they fail, but the other providers serve.
                LOG.exception('Could not take the bank lease of provider '
                              '%s.', provider.name)
        if providers:
            self._sweep_zombies()
            interval = min(provider.bank.plugin.lease_renew_window
                           for provider in providers)
            self._sweeper = threading.Thread(
                target=self._keep_sweeping, args=(interval,), daemon=True,
                name='checkpoint-sweeper')
            self._sweeper.start()

    def stop(self, timeout=None):
        """Let running operations finish, for at most ``timeout`` seconds
        (None: until they do); give up leases.

        Checkpoints still protecting after that are marked failed by the
        next karbor-protection that sweeps the bank.
        """
        self._stopping.set()
        if self._sweeper is not None:
            self._sweeper.join()
        with self._running_lock:
            running = list(self._running)
        unfinished = waiters.wait_for_all(running, timeout=timeout).not_done
        if unfinished:
            LOG.warning('Stopping with %d operations unfinished; their '
                        'checkpoints will be marked failed.',
                        len(unfinished))
        self._operations.shutdown(wait=False)
        for provider in self._all_providers():
            provider.bank.plugin.release_lease()

    def _keep_sweeping(self, interval):
        while not self._stopping.wait(interval):
            self._sweep_zombies()

    def _sweep_zombies(self):
        for provider in self._all_providers():
            try:
                provider.checkpoints.sweep_zombies()
            except Exception:
                LOG.exception('Sweeping the bank of provider %s failed.',
                              provider.name)

    def _run_in_background(self, ctxt, description, subject, operation,
                           *args):
        """Run ``operation(ctxt, *args)`` on the operations' pool.

        Its thread holds ``ctxt`` as oslo.context's current context, so every
        line logged for the operation carries the request's ids; the first
        and the last say that ``description`` started and how it ended
        (``subject``'s status).
        """
        def run():
            ctxt.update_store()
            LOG.info('%s started.', description)
            try:
                operation(ctxt, *args)
            finally:
                LOG.info('%(operation)s ended: %(status)s.',
                         {'operation': description,
                          'status': subject.status})

        future = self._operations.submit(run)
        with self._running_lock:
            self._running.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future):
        with self._running_lock:
            self._running.discard(future)

    def _all_providers(self):
        # Before start() there are none.
        return self._providers.list_providers() if self._providers else []

    def _provider(self, provider_id):
        if self._providers is None:
            raise exception.ProviderNotFound(provider_id=provider_id)
        return self._providers.show_provider(provider_id)

    # Checkpoints

    @messaging.expose
    def protect(self, ctxt, plan, checkpoint_properties):
        provider = self._provider(plan.provider_id)
        if not plan.resources:
            raise exception.InvalidPlan(reason=_('it has no resources'))
        provider.check_plan(plan)
        extra_info = (checkpoint_properties or {}).get('extra_info')
        if extra_info is not None and not isinstance(extra_info, dict):
            raise exception.InvalidInput(
                reason=_('extra_info must be an object'))
        checkpoint = provider.checkpoints.create(plan, extra_info)
        # Taken before the flow starts changing it.
        created = checkpoint.to_dict()
        self._run_in_background(
            ctxt, 'Protect of plan %s into checkpoint %s' % (
                plan.id, checkpoint.id), checkpoint,
            protect_flow.run, provider, self._protectables, checkpoint, plan)
        return created

    @messaging.expose
    def list_checkpoints(self, ctxt, provider_id, marker=None, limit=None,
                         sort_dir='desc', filters=None, all_projects=False):
        provider = self._provider(provider_id)
        filters = _check_filters(filters, CHECKPOINT_FILTERS)
        _check_sort_dir(sort_dir)
        if not ctxt.is_admin:
            project_id = ctxt.project_id
        elif filters.get('project_id'):
            project_id = filters['project_id']
        else:
            project_id = None if all_projects else ctxt.project_id
        plan_id = filters.get('plan_id')
        if plan_id is not None and not uuidutils.is_uuid_like(plan_id):
            raise exception.InvalidInput(
                reason=_('plan_id must be a UUID, not %r') % plan_id)
        page = provider.checkpoints.list(
            project_id=project_id, plan_id=plan_id,
            start_date=_date(filters, 'start_date'),
            end_date=_date(filters, 'end_date'),
            marker=marker, limit=_page_size(limit), sort_dir=sort_dir)
        return [checkpoint.to_dict() for checkpoint in page]

    def _checkpoint(self, ctxt, provider, checkpoint_id):
        return provider.checkpoints.get(checkpoint_id, _project_scope(ctxt))

    @messaging.expose
    def show_checkpoint(self, ctxt, provider_id, checkpoint_id):
        provider = self._provider(provider_id)
        return self._checkpoint(ctxt, provider, checkpoint_id).to_dict()

    @messaging.expose
    def delete_checkpoint(self, ctxt, provider_id, checkpoint_id):
        provider = self._provider(provider_id)
        checkpoint = self._checkpoint(ctxt, provider, checkpoint_id)
        if checkpoint.status in checkpoints.IN_PROGRESS:
            raise exception.CheckpointNotBeDeleted(
                checkpoint_id=checkpoint_id, status=checkpoint.status)
        if checkpoint.status == checkpoints.DELETED:
            return
        checkpoint.start_deleting()
        self._run_in_background(
            ctxt, 'Delete of checkpoint %s' % checkpoint_id, checkpoint,
            delete_flow.run, provider, checkpoint)

    @messaging.expose
    def reset_state(self, ctxt, provider_id, checkpoint_id, state):
        if state not in RESETTABLE_STATES:
            raise exception.InvalidInput(
                reason=_('a checkpoint can be reset to %(states)s, not '
                         '%(state)r') % {'states': ' or '.join(
                             RESETTABLE_STATES), 'state': state})
        provider = self._provider(provider_id)
        checkpoint = self._checkpoint(ctxt, provider, checkpoint_id)
        if checkpoint.status == checkpoints.DELETED:
            raise exception.InvalidCheckpoint(
                reason=_('checkpoint %s is deleted') % checkpoint_id)
        checkpoint.reset_state(state)

    # Restores

    @messaging.expose
    def restore(self, ctxt, restore, restore_auth):
        provider = self._provider(restore.provider_id)
        checkpoint = self._checkpoint(ctxt, provider, restore.checkpoint_id)
        if checkpoint.status != checkpoints.AVAILABLE:
            raise exception.CheckpointNotAvailable(
                checkpoint_id=checkpoint.id, status=checkpoint.status)
        self._run_in_background(
            ctxt, 'Restore %s of checkpoint %s' % (restore.id, checkpoint.id),
            restore, restore_flow.run, provider, checkpoint, restore,
            restore_auth)

    # Providers

    @messaging.expose
    def list_providers(self, ctxt, marker=None, limit=None, sort_dir='asc',
                       filters=None):
        filters = _check_filters(filters, PROVIDER_FILTERS)
        _check_sort_dir(sort_dir)
        providers = sorted(
            (provider.to_dict() for provider in self._all_providers()),
            key=lambda provider: (provider['name'], provider['id']),
            reverse=sort_dir == 'desc')
        providers = [provider for provider in providers
                     if all(provider[name] == value
                            for name, value in filters.items())]
        return _page(providers, operator.itemgetter('id'), marker,
                     _page_size(limit),
                     exception.ProviderNotFound(provider_id=marker))

    @messaging.expose
    def show_provider(self, ctxt, provider_id):
        return self._provider(provider_id).to_dict()

    # Protectables

    @messaging.expose
    def list_protectable_types(self, ctxt):
        return self._protectables.list_resource_types()

    @messaging.expose
    def show_protectable_type(self, ctxt, protectable_type):
        return self._protectables.show_resource_type(protectable_type)

    @messaging.expose
    def list_protectable_instances(self, ctxt, protectable_type, marker=None,
                                   limit=None, filters=None,
                                   parameters=None):
        """The instances of a type. A filter on id, type or name matches
        that field; any other filter matches a key of extra_info."""
        resources = [
            resource for resource in self._protectables.list_resources(
                ctxt, protectable_type, parameters=parameters)
            if _matches(resource, filters or {})]
        page = _page(resources, operator.attrgetter('id'), marker,
                     _page_size(limit),
                     exception.ProtectableResourceNotFound(
                         resource_type=protectable_type, resource_id=marker,
                         reason=_('the marker is not one of them')))
        # Dependencies cost calls to other services: only the page's.
        return [self._instance(ctxt, resource) for resource in page]

    @messaging.expose
    def show_protectable_instance(self, ctxt, protectable_type,
                                  protectable_id, parameters=None):
        resource = self._protectables.show_resource(
            ctxt, protectable_type, protectable_id, parameters=parameters)
        return self._instance(ctxt, resource)

    def _instance(self, ctxt, resource):
        instance = {'id': resource.id, 'type': resource.type,
                    'name': resource.name}
        if resource.extra_info is not None:
            instance['extra_info'] = resource.extra_info
        instance['dependent_resources'] = [
            {'id': dependent.id, 'type': dependent.type,
             'name': dependent.name}
            for dependent in self._protectables.fetch_dependent_resources(
                ctxt, resource)]
        return instance


def _matches(resource, filters):
    for name, value in filters.items():
        if name in ('id', 'type', 'name'):
            if getattr(resource, name) != value:
                return False
        elif (resource.extra_info or {}).get(name) != value:
            return False
    return True
