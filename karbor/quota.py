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

"""Quotas: how many plans and checkpoints a project may have.

A project's limit of a resource is its own (PUT /quotas/<project>), else
the ``default`` quota class's (PUT /quota_classes/default), else the
``quota_<resource>`` option; -1 is no limit. Every count is checked
under a lock of the project's usage row, so two requests at the last free
place never both pass. A plan, written in one transaction, is counted in
that transaction (charge). A checkpoint is made by karbor-protection, in
another service: its request reserves one first and commits the
reservation once the checkpoint exists (rolls it back when it could not
be made), so a failed request holds nothing; a reservation that is
neither committed nor rolled back (its karbor-api died in between) lapses
after ``reservation_expire`` seconds.

The options keep the original's names, in [DEFAULT], so that an existing
karbor.conf goes on working.
"""

import contextlib
import threading

from oslo_config import cfg
from oslo_utils import importutils

from karbor.db import api as db
from karbor import exception

CONF = cfg.CONF

quota_opts = [
    cfg.IntOpt('quota_plans', default=50, min=-1,
               help='Number of plans a project may have (-1: no limit).'),
    cfg.IntOpt('quota_checkpoints', default=-1, min=-1,
               help='Number of checkpoints a project may have (-1: no '
                    'limit).'),
    cfg.IntOpt('reservation_expire', default=86400, min=1,
               help='Seconds after which a reservation that was neither '
                    'committed nor rolled back is released.'),
    cfg.IntOpt('until_refresh', default=0, min=0,
               help='Count a project\'s plans again after this many '
                    'plans made (0: never).'),
    cfg.IntOpt('max_age', default=0, min=0,
               help='Count a project\'s plans again at its next plan '
                    'when its usage has not changed for this many seconds '
                    '(0: never).'),
    cfg.StrOpt('quota_driver', default='karbor.quota.DbQuotaDriver',
               help='The class that keeps quotas.'),
]
CONF.register_opts(quota_opts)

RESOURCES = ('plans', 'checkpoints')
DEFAULT_CLASS = 'default'


class DbQuotaDriver(object):
    """Limits, usage and reservations in Karbor's database."""

    def get_defaults(self, context):
        """The limits of a project without its own: the ``default``
        class's, else the options'."""
        return self.get_class_quotas(context, DEFAULT_CLASS)

    def get_class_quotas(self, context, class_name):
        limits = _option_limits()
        limits.update(_known(db.quota_class_get_all_by_name(context,
                                                            class_name)))
        return limits

    def get_project_quotas(self, context, project_id):
        return _known(db.quota_limits_get(context, project_id,
                                          DEFAULT_CLASS, _option_limits()))

    def get_project_usages(self, context, project_id):
        """{resource: {'limit', 'in_use', 'reserved'}} of every resource."""
        usages = db.quota_usage_get_all_by_project(context, project_id)
        return {resource: dict(usages.get(resource, {'in_use': 0,
                                                     'reserved': 0}),
                               limit=limit)
                for resource, limit in self.get_project_quotas(
                    context, project_id).items()}

    def update_project_quotas(self, context, project_id, limits):
        db.quota_update(context, project_id, limits)

    def destroy_project_quotas(self, context, project_id):
        db.quota_destroy_all_by_project(context, project_id)

    def update_class_quotas(self, context, class_name, limits):
        db.quota_class_update(context, class_name, limits)

    def reserve(self, context, project_id, deltas):
        return db.quota_reserve(context, _request(project_id, deltas),
                                expire=CONF.reservation_expire)

    def charge(self, context, project_id, deltas):
        return _request(project_id, deltas)

    def commit(self, context, reservations):
        db.reservation_commit(context, reservations)

    def rollback(self, context, reservations):
        db.reservation_rollback(context, reservations)

    def release(self, context, project_id, deltas):
        db.quota_usage_release(context, project_id, deltas)


def _request(project_id, deltas):
    # The limits themselves are read under the usage's lock.
    return db.QuotaRequest(project_id, deltas, _option_limits(),
                           DEFAULT_CLASS, until_refresh=CONF.until_refresh,
                           max_age=CONF.max_age)


def _option_limits():
    return {resource: CONF['quota_' + resource] for resource in RESOURCES}


def _known(limits):
    # Rows of a resource this Karbor no longer knows are left alone.
    return {resource: limit for resource, limit in limits.items()
            if resource in RESOURCES}


# What karbor-api asks of a quota driver; DbQuotaDriver's methods say
# what each does.
DRIVER_METHODS = (
    'get_defaults', 'get_class_quotas', 'get_project_quotas',
    'get_project_usages', 'update_project_quotas', 'destroy_project_quotas',
    'update_class_quotas', 'reserve', 'charge', 'commit', 'rollback',
    'release')


class QuotaEngine(object):
    """The driver [DEFAULT] quota_driver names, loaded on first use;
    QuotaDriverIncomplete when it lacks one of DRIVER_METHODS."""

    def __init__(self):
        self._driver = None
        self._lock = threading.Lock()

    @property
    def driver(self):
        return self.load()

    def load(self):
        """The driver, loaded now unless it already is."""
        with self._lock:
            if self._driver is None:
                driver = importutils.import_object(CONF.quota_driver)
                missing = [name for name in DRIVER_METHODS
                           if not callable(getattr(driver, name, None))]
                if missing:
                    raise exception.QuotaDriverIncomplete(
                        driver=CONF.quota_driver,
                        missing=', '.join(missing))
                self._driver = driver
            return self._driver

    def reserve(self, context, project_id, **deltas):
        """Reserve ``deltas`` ({resource: how many more}) of the project;
        the reservations' ids. OverQuota when one would pass its limit."""
        _check_resources(deltas)
        return self.driver.reserve(context, project_id, deltas)

    def charge(self, context, project_id, **deltas):
        """What counts ``deltas`` in use in the transaction that writes
        them, checked against the project's limits there: for the db
        function that writes the thing (db.plan_create), which needs no
        reservation."""
        _check_resources(deltas)
        return self.driver.charge(context, project_id, deltas)

    def commit(self, context, reservations):
        """The reserved things exist: count them in use. Reservations
        already committed (or lapsed) are skipped."""
        self.driver.commit(context, reservations)

    def rollback(self, context, reservations):
        self.driver.rollback(context, reservations)

    def release(self, context, project_id, **deltas):
        """Things that were in use are gone: ``deltas`` fewer in use."""
        _check_resources(deltas)
        self.driver.release(context, project_id, deltas)


def _check_resources(deltas):
    unknown = set(deltas) - set(RESOURCES)
    if unknown:
        raise ValueError('No quota of %s' % ', '.join(sorted(unknown)))


QUOTAS = QuotaEngine()


@contextlib.contextmanager
def reserved(context, project_id, **deltas):
    """Reserve ``deltas`` for what the block makes: rolled back if it
    raises, else committed."""
    reservations = QUOTAS.reserve(context, project_id, **deltas)
    try:
        yield reservations
    except BaseException:
        QUOTAS.rollback(context, reservations)
        raise
    QUOTAS.commit(context, reservations)
