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

import operator

from oslo_versionedobjects import fields

from karbor.db import api as db
from karbor.objects import base
from karbor.objects import fields as karbor_fields


@base.obj_registry.register
class Plan(base.KarborPersistentObject, base.KarborObject):
    """A named set of resources that one provider protects."""

    # Version 1.0: Initial version
    VERSION = '1.0'

    DB_FIELDS = ('id', 'name', 'description', 'provider_id', 'project_id',
                 'user_id', 'status', 'parameters', 'created_at',
                 'updated_at')

    _db_get = staticmethod(db.plan_get)
    # create(context, values, charge=...): the plan is counted against its
    # project's quota in the transaction that writes it.
    _db_create = staticmethod(db.plan_create)

    fields = {
        'id': fields.UUIDField(),
        'name': fields.StringField(),
        'description': fields.StringField(nullable=True),
        'provider_id': fields.UUIDField(),
        'project_id': fields.StringField(),
        'user_id': fields.StringField(nullable=True),
        'status': karbor_fields.PlanStatusField(),
        # Each resource: {"id", "type", "name"[, "extra_info"]}.
        'resources': karbor_fields.JsonField(),
        'parameters': karbor_fields.JsonField(),
    }

    @classmethod
    def _from_db_object(cls, context, obj, db_row):
        obj.resources = [_resource_dict(row) for row in db_row.resources]
        return super()._from_db_object(context, obj, db_row)

    @classmethod
    def update(cls, context, plan_id, values):
        return cls._from_db_object(context, cls(),
                                   db.plan_update(context, plan_id, values))

    @classmethod
    def destroy(cls, context, plan_id):
        db.plan_destroy(context, plan_id)


def _resource_dict(row):
    return _resource(row.resource_id, row.resource_type, row.resource_name,
                     row.resource_extra_info)


def _resource(resource_id, resource_type, name, extra_info):
    resource = {'id': resource_id, 'type': resource_type, 'name': name}
    # Left out when empty, as the original answered (and the walkthrough
    # shows).
    if extra_info:
        resource['extra_info'] = extra_info
    return resource


_RESOURCE_COLUMNS = ('resource_id', 'resource_type', 'resource_name',
                     'resource_extra_info')


def list_page(context, **query):
    """A page of plans (``query`` as db.plan_get_all's), each a dict of
    the Plan's fields: read as they are, without building a Plan each."""
    rows = db.plan_get_all(context, **query)
    if not rows:
        return []
    # Columns read by position: a row reads one by name at several times
    # the cost, which was a fifth of a plan list's.
    columns = rows[0]._fields
    id_at = columns.index('id')
    plan_of = operator.itemgetter(*map(columns.index, Plan.DB_FIELDS))
    resource_of = operator.itemgetter(*map(columns.index, _RESOURCE_COLUMNS))
    plans = []
    for row in rows:
        if not plans or plans[-1]['id'] != row[id_at]:
            plans.append(dict(zip(Plan.DB_FIELDS, plan_of(row)),
                              resources=[]))
        resource = resource_of(row)
        if resource[0] is not None:
            plans[-1]['resources'].append(_resource(*resource))
    return plans
