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

"""SQLAlchemy models of the rows Karbor keeps in its database.

Checkpoints are not here: they live in the provider's bank. TaskFlow's
own tables (logbooks, flowdetails, atomdetails: the progress of running
operations) are made by the migrations and used through TaskFlow's
persistence, not through these models.
"""

from oslo_db.sqlalchemy import models
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa
from sqlalchemy import orm

BASE = orm.declarative_base()


class KarborBase(models.TimestampMixin, models.ModelBase):
    """Rows with created_at/updated_at, dict access and update()."""


class Plan(BASE, KarborBase):
    __tablename__ = 'plans'
    __table_args__ = (
        # Listing a project's plans newest first, page by page.
        sa.Index('plans_project_created_idx', 'project_id', 'created_at',
                 'id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.String(255))
    provider_id = sa.Column(sa.String(36), nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255))
    status = sa.Column(sa.String(64), nullable=False)
    parameters = sa.Column(db_types.JsonEncodedDict, nullable=False)

    resources = orm.relationship(
        'Resource', back_populates='plan', lazy='selectin',
        order_by='Resource.id', cascade='all, delete-orphan')


class Resource(BASE, KarborBase):
    """One resource of a plan, in the order the user gave them."""

    __tablename__ = 'resources'

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    plan_id = sa.Column(sa.String(36),
                        sa.ForeignKey('plans.id', ondelete='CASCADE'),
                        nullable=False, index=True)
    resource_id = sa.Column(sa.String(255), nullable=False)
    resource_type = sa.Column(sa.String(64), nullable=False)
    resource_name = sa.Column(sa.String(255))
    resource_extra_info = sa.Column(db_types.JsonEncodedDict)

    plan = orm.relationship('Plan', back_populates='resources')


class Restore(BASE, KarborBase):
    __tablename__ = 'restores'
    __table_args__ = (
        sa.Index('restores_project_created_idx', 'project_id', 'created_at',
                 'id'),
        sa.Index('restores_checkpoint_status_idx', 'checkpoint_id',
                 'status'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255))
    provider_id = sa.Column(sa.String(36), nullable=False)
    checkpoint_id = sa.Column(sa.String(36), nullable=False)
    restore_target = sa.Column(sa.String(255))
    parameters = sa.Column(db_types.JsonEncodedDict, nullable=False)
    status = sa.Column(sa.String(64), nullable=False)
    resources_status = sa.Column(db_types.JsonEncodedDict, nullable=False)
    resources_reason = sa.Column(db_types.JsonEncodedDict, nullable=False)


class Verification(BASE, KarborBase):
    """A check that a checkpoint's data is still there and restorable."""

    __tablename__ = 'verifications'
    __table_args__ = (
        sa.Index('verifications_project_created_idx', 'project_id',
                 'created_at', 'id'),
        sa.Index('verifications_checkpoint_status_idx', 'checkpoint_id',
                 'status'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255))
    provider_id = sa.Column(sa.String(36), nullable=False)
    checkpoint_id = sa.Column(sa.String(36), nullable=False)
    parameters = sa.Column(db_types.JsonEncodedDict, nullable=False)
    status = sa.Column(sa.String(64), nullable=False)
    resources_status = sa.Column(db_types.JsonEncodedDict, nullable=False)
    resources_reason = sa.Column(db_types.JsonEncodedDict, nullable=False)


class Service(BASE, KarborBase):
    """A running karbor-* process and its last heartbeat."""

    __tablename__ = 'services'
    __table_args__ = (
        sa.UniqueConstraint('host', 'binary', name='uniq_services0host0binary'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    host = sa.Column(sa.String(255), nullable=False)
    binary = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255))
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    disabled_reason = sa.Column(sa.String(255))


class Operation(BASE, KarborBase):
    """A protect, restore or delete that karbor-protection runs.

    The row is the operation's claim: ``owner`` (a worker's host) runs it
    while it renews ``heartbeat_at``; every claim adds one to
    ``generation``, so a worker that lost its claim cannot renew it, and
    its writes are fenced off. The TaskFlow flow detail of the operation
    (its finished tasks) has the same id. Protects and deletes hold
    ``exclusive_checkpoint_id``: one of them per checkpoint at a time.
    """

    __tablename__ = 'operations'
    __table_args__ = (
        sa.UniqueConstraint('exclusive_checkpoint_id',
                            name='uniq_operations0exclusive_checkpoint_id'),
        sa.Index('operations_checkpoint_idx', 'checkpoint_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    operation_type = sa.Column(sa.String(16), nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)
    provider_id = sa.Column(sa.String(36), nullable=False)
    checkpoint_id = sa.Column(sa.String(36), nullable=False)
    exclusive_checkpoint_id = sa.Column(sa.String(36))
    restore_id = sa.Column(sa.String(36))
    verification_id = sa.Column(sa.String(36))
    # The request's context (to_dict()) to resume with, service catalog
    # included, and the operation's arguments (a plan's parameters, which
    # alone may fill a TEXT column): more than MySQL's TEXT holds.
    request_context = sa.Column(
        db_types.JsonEncodedDict(mysql_as_medium=True), nullable=False)
    arguments = sa.Column(db_types.JsonEncodedDict(mysql_as_medium=True),
                          nullable=False)
    owner = sa.Column(sa.String(255))
    generation = sa.Column(sa.Integer, nullable=False, default=0)
    heartbeat_at = sa.Column(sa.DateTime)


class Trigger(BASE, KarborBase):
    """When scheduled operations run: a type ("time") and its properties
    (for a time trigger: format, pattern, start_time, end_time, window)."""

    __tablename__ = 'triggers'
    __table_args__ = (
        sa.Index('triggers_project_created_idx', 'project_id', 'created_at',
                 'id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    name = sa.Column(sa.String(255), nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)
    type = sa.Column(sa.String(64), nullable=False)
    properties = sa.Column(db_types.JsonEncodedDict, nullable=False)


class ScheduledOperation(BASE, KarborBase):
    """An operation (protect, retention_protect) that the operation engine
    runs each time its trigger fires.

    ``next_run_at`` is the next time due that no engine has taken yet. An
    engine takes a due time with a compare and swap on ``generation``
    that moves ``next_run_at`` on and records the taken time in
    ``pending_run_at``, held by ``owner`` while it renews ``heartbeat_at``,
    until the run is submitted: so each due time is taken once, and one
    taken by an engine that died is found again (see operationengine).
    """

    __tablename__ = 'scheduled_operations'
    __table_args__ = (
        sa.Index('scheduled_operations_project_created_idx', 'project_id',
                 'created_at', 'id'),
        sa.Index('scheduled_operations_next_run_idx', 'enabled',
                 'next_run_at'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.String(255))
    operation_type = sa.Column(sa.String(64), nullable=False)
    # No two operations of a trigger delete it: the API answers 409, and
    # the key stops a delete racing a create.
    trigger_id = sa.Column(sa.String(36), sa.ForeignKey('triggers.id'),
                           nullable=False)
    operation_definition = sa.Column(db_types.JsonEncodedDict,
                                     nullable=False)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255))
    # The Keystone trust the engine acts through (None without Keystone,
    # where it acts as the recorded user and project).
    trust_id = sa.Column(sa.String(255))
    next_run_at = sa.Column(sa.DateTime)
    pending_run_at = sa.Column(sa.DateTime)
    owner = sa.Column(sa.String(255))
    heartbeat_at = sa.Column(sa.DateTime)
    generation = sa.Column(sa.Integer, nullable=False, default=0)


class OperationLog(BASE, KarborBase):
    """What happened to one protect, restore or delete, scheduled or not:
    kept after the operation, and after its checkpoint, is gone."""

    __tablename__ = 'operation_logs'
    __table_args__ = (
        sa.Index('operation_logs_project_created_idx', 'project_id',
                 'created_at', 'id'),
        sa.Index('operation_logs_scheduled_idx', 'scheduled_operation_id',
                 'status'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    operation_type = sa.Column(sa.String(64), nullable=False)
    checkpoint_id = sa.Column(sa.String(36))
    plan_id = sa.Column(sa.String(36))
    provider_id = sa.Column(sa.String(36))
    restore_id = sa.Column(sa.String(36))
    scheduled_operation_id = sa.Column(sa.String(36))
    status = sa.Column(sa.String(64))
    started_at = sa.Column(sa.DateTime)
    ended_at = sa.Column(sa.DateTime)
    error_info = sa.Column(sa.Text)
    extra_info = sa.Column(db_types.JsonEncodedDict)


class Quota(BASE, KarborBase):
    """A project's own limit of one resource (see karbor/quota.py)."""

    __tablename__ = 'quotas'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'resource',
                            name='uniq_quotas0project_id0resource'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    resource = sa.Column(sa.String(255), nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=False)


class QuotaClass(BASE, KarborBase):
    """A quota class's limit of one resource; the class ``default`` holds
    the limits of projects without their own."""

    __tablename__ = 'quota_classes'
    __table_args__ = (
        sa.UniqueConstraint('class_name', 'resource',
                            name='uniq_quota_classes0class_name0resource'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    class_name = sa.Column(sa.String(255), nullable=False)
    resource = sa.Column(sa.String(255), nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=False)


class QuotaUsage(BASE, KarborBase):
    """How much of one resource a project uses and has reserved. The row
    is locked by every writer of its counts (a reservation, its commit, a
    plan counted as it is written), so they take turns.
    ``until_refresh`` counts down the admissions (reservations, plans)
    before the usage is counted again from the truth."""

    __tablename__ = 'quota_usages'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'resource',
                            name='uniq_quota_usages0project_id0resource'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    resource = sa.Column(sa.String(255), nullable=False)
    in_use = sa.Column(sa.Integer, nullable=False)
    reserved = sa.Column(sa.Integer, nullable=False)
    until_refresh = sa.Column(sa.Integer)


class Reservation(BASE, KarborBase):
    """``delta`` of a usage's resource held by a request until it commits
    or rolls back, or until ``expire``."""

    __tablename__ = 'reservations'

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False, unique=True)
    usage_id = sa.Column(sa.Integer,
                         sa.ForeignKey('quota_usages.id', ondelete='CASCADE'),
                         nullable=False, index=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    resource = sa.Column(sa.String(255), nullable=False)
    delta = sa.Column(sa.Integer, nullable=False)
    expire = sa.Column(sa.DateTime, nullable=False)
