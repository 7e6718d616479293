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

"""Database access: one function per question the services ask.

Every function that reads or writes a project's rows takes the request
context and confines itself to the caller's project unless the caller is
an administrator; another project's row is simply not found.
"""

import collections
import datetime
import functools
import json
import threading

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_db import options as db_options
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import types as db_types
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from karbor.db.sqlalchemy import models
from karbor import exception
from karbor.i18n import _

CONF = cfg.CONF
db_options.set_defaults(CONF)

_CONTEXT = threading.local()
main_context_manager = enginefacade.transaction_context()
_CONFIGURED = False
_CONFIGURE_LOCK = threading.Lock()


def _configure():
    global _CONFIGURED
    with _CONFIGURE_LOCK:
        if not _CONFIGURED:
            # No sleep(0) at each connection's check-in: it lets green
            # threads run, and Karbor runs none; for real threads it only
            # hands the GIL away in the middle of every request.
            main_context_manager.configure(thread_checkin=False,
                                           **dict(CONF.database.items()))
            engine = main_context_manager.writer.get_engine()
            if engine.dialect.name == 'sqlite':
                _pool_sqlite_connections(engine)
                _serialize_sqlite_writers(engine)
            _CONFIGURED = True


def _pool_sqlite_connections(engine):
    """Keep the SQLite file's connections open in a pool, as the other
    databases' are.

    oslo.db gives an SQLite file no pool: every transaction opened the
    file anew, set its pragmas and read its schema again, which cost
    more than the transaction's own statements, and the close of the
    last connection checkpointed the write-ahead log. The pool keeps
    every connection it opens, up to [database] max_pool_size plus
    max_overflow (a connection to a file holds no server's resources,
    and an overflow connection closed at its check-in cost the next
    request the opening again), and waits pool_timeout for one beyond.
    It takes over the listeners of the engine's first pool (oslo.db's),
    as SQLAlchemy's own Pool.recreate() does.
    """
    if not isinstance(engine.pool, sa.pool.NullPool):
        return  # An in-memory database: one connection already.
    args, params = engine.dialect.create_connect_args(engine.url)
    # A connection is used by one thread at a time, from the pool.
    params['check_same_thread'] = False
    database = CONF.database
    unpooled = engine.pool
    kept = database.max_pool_size or 5
    overflow = (database.max_overflow
                if database.max_overflow is not None else 10)
    if overflow >= 0:  # Else no bound: the pool keeps max_pool_size.
        kept, overflow = kept + overflow, 0
    engine.pool = sa.pool.QueuePool(
        lambda: engine.dialect.connect(*args, **params),
        pool_size=kept, max_overflow=overflow,
        timeout=database.pool_timeout or 60, dialect=engine.dialect,
        _dispatch=unpooled.dispatch)
    unpooled.dispose()


def _serialize_sqlite_writers(engine):
    """Make the embedded default's SQLite take many writing threads, and
    keep its foreign keys.

    A transaction that reads, then writes, cannot wait for another writer
    in SQLite ("database is locked" at once): every transaction starts
    IMMEDIATE instead, taking the write lock up front and waiting for it
    (busy_timeout). The write-ahead log lets readers of other processes
    go on meanwhile, and commits without an fsync each (synchronous
    NORMAL: what a crash of the process leaves is consistent).
    """
    @sa.event.listens_for(engine, 'connect')
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.execute('PRAGMA busy_timeout = 60000')
        # TaskFlow removes an operation's progress by deleting its logbook
        # and counts on the cascade, as on MySQL and PostgreSQL.
        dbapi_connection.execute('PRAGMA foreign_keys = ON')
        if not dbapi_connection.execute(
                'PRAGMA journal_mode').fetchone()[0] == 'memory':
            dbapi_connection.execute('PRAGMA journal_mode = WAL')
            dbapi_connection.execute('PRAGMA synchronous = NORMAL')

    # oslo.db begins SQLite's transactions itself, with a plain BEGIN. A
    # transaction that a thread opens inside another of its own (a
    # reflection while a migration runs) stays deferred: it reads, and
    # waiting for the write lock its own thread holds would never end.
    open_here = threading.local()

    @sa.event.listens_for(engine, 'before_cursor_execute', retval=True)
    def _begin_immediate(connection, cursor, statement, parameters, context,
                         executemany):
        if statement == 'BEGIN':
            opened = open_here.__dict__.setdefault('connections', set())
            if not opened:
                statement = 'BEGIN IMMEDIATE'
            opened.add(id(connection))
        return statement, parameters

    @sa.event.listens_for(engine, 'commit')
    @sa.event.listens_for(engine, 'rollback')
    def _ended(connection):
        open_here.__dict__.get('connections', set()).discard(id(connection))

    # Connections made before these listeners (oslo.db tries one) go.
    engine.dispose()


def get_engine():
    _configure()
    return main_context_manager.writer.get_engine()


def get_pooled_engine():
    """The engine for TaskFlow's persistence: on SQLite, one of its own
    whose one connection its writers queue for.

    TaskFlow writes a transaction for every task that ends, from every
    engine of an operation at once. SQLite takes one writer at a time;
    on the main engine's several connections the others would wait in
    SQLite's busy handler, which sleeps between its tries (up to 100 ms),
    where a thread queued for the one connection is woken as soon as it
    is free. A 100-resource No-Op checkpoint takes about a sixth longer
    on the main engine.
    """
    engine = get_engine()
    if engine.dialect.name != 'sqlite':
        return engine
    pooled = sa.create_engine(
        engine.url, poolclass=sa.pool.QueuePool, pool_size=1,
        max_overflow=0, pool_timeout=60,
        connect_args={'check_same_thread': False})
    _serialize_sqlite_writers(pooled)
    return pooled


def dispose_engine():
    """Forget the engine (tests point each run at a new database)."""
    global _CONFIGURED, main_context_manager
    with _CONFIGURE_LOCK:
        if _CONFIGURED:
            main_context_manager.writer.get_engine().dispose()
        main_context_manager = enginefacade.transaction_context()
        _CONFIGURED = False


def _reader():
    _configure()
    return main_context_manager.reader.using(_CONTEXT)


def _writer():
    _configure()
    return main_context_manager.writer.using(_CONTEXT)


def _project_filter(context, query, model, all_projects=False):
    if _lists_all_projects(context, all_projects):
        return query
    return query.filter(model.project_id == context.project_id)


def _lists_all_projects(context, all_projects):
    return context.is_admin and (all_projects or context.project_id is None)


def _scoped_get(context, session, model, object_id, not_found,
                for_update=False):
    query = session.query(model).filter(model.id == object_id)
    if for_update:
        # Writers of one row wait for each other: two updates of a plan
        # never interleave their resource rows.
        query = query.with_for_update()
    # An administrator reaches any project's object by id.
    if not context.is_admin:
        query = query.filter(model.project_id == context.project_id)
    row = query.first()
    if row is None:
        raise not_found
    return row


def _paginate(context, session, model, marker, limit, sort_keys, sort_dirs,
              filters, all_projects, not_found_marker, around_page=None):
    """A page of ``model``'s rows, as plain rows of its columns: a page is
    read, not changed, and a row costs a fraction of an ORM object.

    ``around_page(page, order)``, when given, is the statement that reads
    the rows from the page's subquery and the page's order (a list of
    ORDER BY terms on the subquery's columns).

    The statement of a page depends only on its shape (the project scope,
    which filters, the sort, whether a marker and a limit are given): it
    is built once per shape, with bound parameters for the values, and
    run on the session's connection, without the ORM's compilation and
    loading. Building it each time took a quarter of a plan list's time.
    """
    scoped = not _lists_all_projects(context, all_projects)
    filters = filters or {}
    # 'id' last makes the order total, so pages never repeat or skip rows.
    sort_keys = list(sort_keys or ['created_at'])
    sort_dirs = list(sort_dirs or ['desc'] * len(sort_keys))
    if 'id' not in sort_keys:
        sort_keys.append('id')
        sort_dirs.append(sort_dirs[0])
    params = {'filter_' + key: value for key, value in filters.items()}
    if scoped:
        params['scope_project_id'] = context.project_id
    marker_nulls = None
    if marker is not None:
        marker_row = _project_filter(
            context, session.query(model).filter(model.id == marker),
            model, all_projects).first()
        if marker_row is None:
            raise not_found_marker
        values = [getattr(marker_row, key) for key in sort_keys]
        marker_nulls = tuple(value is None for value in values)
        params.update(('marker_' + key, value)
                      for key, value in zip(sort_keys, values))
    if limit is not None:
        params['page_limit'] = limit
    statement = _page_statement(
        model.__table__, around_page, scoped,
        tuple(sorted((key, value is None) for key, value in filters.items())),
        tuple(sort_keys), tuple(sort_dirs), marker_nulls, limit is not None,
        session.get_bind().dialect.name != 'postgresql')
    return session.connection().execute(statement, params).all()


@functools.lru_cache(maxsize=256)
def _page_statement(table, around_page, scoped, filters, sort_keys,
                    sort_dirs, marker_nulls, limited, nulls_sort_first):
    """The statement of a page of the shape described (see _paginate).
    ``nulls_sort_first``: the database orders NULL before any value
    (SQLite and MySQL do; PostgreSQL orders it after)."""
    statement = sa.select(table)
    if scoped:
        statement = statement.where(
            table.c.project_id == sa.bindparam('scope_project_id'))
    for key, null in filters:
        column = table.c[key]
        statement = statement.where(
            column.is_(None) if null else
            column == sa.bindparam('filter_' + key))
    if marker_nulls is not None:
        statement = statement.where(_after_marker(
            table, sort_keys, sort_dirs, marker_nulls, nulls_sort_first))
    statement = statement.order_by(*_order(table.c, sort_keys, sort_dirs))
    if limited:
        statement = statement.limit(
            sa.bindparam('page_limit', type_=sa.Integer))
    if around_page is None:
        return statement
    page = statement.subquery()
    return around_page(page, _order(page.c, sort_keys, sort_dirs))


def _order(columns, sort_keys, sort_dirs):
    return [sa.asc(columns[key]) if direction == 'asc'
            else sa.desc(columns[key])
            for key, direction in zip(sort_keys, sort_dirs)]


def _after_marker(table, sort_keys, sort_dirs, marker_nulls,
                  nulls_sort_first):
    """The rows after the marker's in the page's order, its sort keys'
    values the bound parameters "marker_<key>".

    A row comes after the marker when it has the marker's values on the
    first keys and comes after it on the next: a key where either value
    is NULL compares as the database orders NULL. (oslo.db's
    paginate_query leaves a key out where the marker's value is NULL,
    which skipped or repeated rows in pages sorted by updated_at.)
    """
    alternatives = []
    same = []
    for key, direction, null in zip(sort_keys, sort_dirs, marker_nulls):
        column = table.c[key]
        value = sa.bindparam('marker_' + key)
        # Whether NULL comes before the values in this key's order.
        null_first = nulls_sort_first == (direction == 'asc')
        if null:
            after = column.is_not(None) if null_first else None
        else:
            after = column > value if direction == 'asc' else column < value
            if column.nullable and not null_first:
                after = sa.or_(after, column.is_(None))
        if after is not None:
            alternatives.append(sa.and_(*same, after))
        same.append(column.is_(None) if null else column == value)
    return sa.or_(*alternatives)


# The JSON and text columns are TEXT, which MySQL keeps up to this many
# bytes (a longer value is an error in its strict mode, the one oslo.db
# sets).
MAX_JSON_BYTES = 65535


def _check_json_fits(model, values, owner):
    """Every JSON column of ``values`` fits; ``owner`` names whose values
    they are in the message."""
    for column in model.__table__.columns:
        value = values.get(column.name)
        if value is None or not isinstance(column.type,
                                           db_types.JsonEncodedType):
            continue
        # As the column type encodes it.
        size = len(json.dumps(value).encode('utf-8'))
        if size > MAX_JSON_BYTES:
            raise exception.InvalidInput(
                reason=_('%(column)s of %(owner)s take %(size)d bytes as '
                         'JSON; the database keeps at most %(max)d.') % {
                    'column': column.name, 'owner': owner, 'size': size,
                    'max': MAX_JSON_BYTES})


# Each of these takes ``within``, a function of the session that does more
# in the same transaction (after the row is locked, for an update or a
# delete): a check that must hold when the row is written, or a write that
# goes with it.

def _insert(model, values, within=None):
    row = model(**values)
    with _writer() as session:
        if within is not None:
            within(session)
        session.add(row)
        session.flush()
        session.refresh(row)
        return row


def _update(context, model, row_id, values, not_found, within=None):
    with _writer() as session:
        row = _scoped_get(context, session, model, row_id, not_found,
                          for_update=True)
        if within is not None:
            within(session)
        row.update(values)
        row.updated_at = timeutils.utcnow()
        session.flush()
        session.refresh(row)
        return row


def _destroy(context, model, row_id, not_found, within=None):
    with _writer() as session:
        row = _scoped_get(context, session, model, row_id, not_found,
                          for_update=True)
        if within is not None:
            within(session)
        session.delete(row)


# Plans

def _resource_rows(resources):
    rows = []
    for r in resources:
        row = {'resource_id': r['id'], 'resource_type': r['type'],
               'resource_name': r.get('name'),
               'resource_extra_info': r.get('extra_info')}
        _check_json_fits(models.Resource, row,
                         _('resource %(type)s %(id)s') % r)
        rows.append(models.Resource(**row))
    return rows


def plan_create(context, values, charge=None):
    """Write the plan; with ``charge`` (a QuotaRequest), count it in use
    in the same transaction: OverQuota, writing nothing, when it would
    pass its limit. The plan and its count commit or roll back together,
    so a plan needs no reservation."""
    values = dict(values)
    resources = values.pop('resources', [])
    _check_json_fits(models.Plan, values, _('the plan'))
    values.setdefault('id', uuidutils.generate_uuid())
    plan = models.Plan(**values)
    plan.resources = _resource_rows(resources)

    def write(session):
        session.add(plan)
        session.flush()
        # Not read back: every column's value, its timestamps too, is set
        # here, and the resources are in the order given.
        return plan

    def count_and_write(session, usages):
        _count_in_use(session, usages, charge)
        return write(session)

    if charge is None:
        with _writer() as session:
            return write(session)
    return _with_usages_locked(charge, count_and_write)


def plan_get(context, plan_id):
    with _reader() as session:
        return _scoped_get(context, session, models.Plan, plan_id,
                           exception.PlanNotFound(plan_id=plan_id))


def plan_update(context, plan_id, values):
    values = dict(values)
    resources = values.pop('resources', None)
    _check_json_fits(models.Plan, values, _('the plan'))
    with _writer() as session:
        plan = _scoped_get(context, session, models.Plan, plan_id,
                           exception.PlanNotFound(plan_id=plan_id),
                           for_update=True)
        plan.update(values)
        if resources is not None:
            plan.resources = _resource_rows(resources)
        plan.updated_at = timeutils.utcnow()
        session.flush()
        session.refresh(plan)
        return plan


def plan_destroy(context, plan_id):
    """Delete the plan; it no longer counts in its project's quota."""
    with _writer() as session:
        plan = _scoped_get(context, session, models.Plan, plan_id,
                           exception.PlanNotFound(plan_id=plan_id))
        session.delete(plan)
        _give_back(session, plan.project_id, {'plans': 1})


def plan_get_all(context, marker=None, limit=None, sort_keys=None,
                 sort_dirs=None, filters=None, all_projects=False):
    """A page of plans and their resources in one query: a row per
    resource (its columns None for a plan without any) with its plan's
    columns, the rows of a plan together, plans in the page's order and
    resources in the plan's."""
    with _reader() as session:
        return _paginate(context, session, models.Plan, marker, limit,
                         sort_keys, sort_dirs, filters, all_projects,
                         exception.PlanNotFound(plan_id=marker),
                         around_page=_with_resources)


def _with_resources(page, order):
    resources = models.Resource.__table__
    return (sa.select(page, resources.c.resource_id,
                      resources.c.resource_type, resources.c.resource_name,
                      resources.c.resource_extra_info)
            .outerjoin(resources, resources.c.plan_id == page.c.id)
            .order_by(*order, resources.c.id))


# Triggers

def trigger_create(context, values):
    values = dict(values)
    values.setdefault('id', uuidutils.generate_uuid())
    _check_json_fits(models.Trigger, values, _('the trigger'))
    return _insert(models.Trigger, values)


def trigger_get(context, trigger_id):
    with _reader() as session:
        return _scoped_get(context, session, models.Trigger, trigger_id,
                           exception.TriggerNotFound(trigger_id=trigger_id))


def trigger_update(context, trigger_id, values, next_run_at=None):
    """Update a trigger; with ``next_run_at`` (its properties changed),
    its operations next run then, in the same transaction."""
    _check_json_fits(models.Trigger, values, _('the trigger'))

    def reschedule(session):
        if 'properties' in values:
            session.query(models.ScheduledOperation).filter_by(
                trigger_id=trigger_id).update(
                    {'next_run_at': next_run_at},
                    synchronize_session=False)
    return _update(context, models.Trigger, trigger_id, values,
                   exception.TriggerNotFound(trigger_id=trigger_id),
                   within=reschedule)


def trigger_destroy(context, trigger_id):
    def refuse_if_used(session):
        users = [row.id for row in session.query(
            models.ScheduledOperation.id).filter_by(trigger_id=trigger_id)]
        if users:
            raise exception.TriggerInUse(trigger_id=trigger_id,
                                         operations=', '.join(users))
    _destroy(context, models.Trigger, trigger_id,
             exception.TriggerNotFound(trigger_id=trigger_id),
             within=refuse_if_used)


def trigger_get_all(context, marker=None, limit=None, sort_keys=None,
                    sort_dirs=None, filters=None, all_projects=False):
    with _reader() as session:
        return _paginate(context, session, models.Trigger, marker, limit,
                         sort_keys, sort_dirs, filters, all_projects,
                         exception.TriggerNotFound(trigger_id=marker))


# Scheduled operations (see models.ScheduledOperation)

def scheduled_operation_create(context, values):
    """Record a scheduled operation of one of the caller's triggers (in
    the transaction that checks it exists, so a delete cannot pass it)."""
    values = dict(values, generation=0)
    values.setdefault('id', uuidutils.generate_uuid())
    _check_json_fits(models.ScheduledOperation, values,
                     _('the scheduled operation'))
    return _insert(models.ScheduledOperation, values, within=lambda session:
                   _scoped_get(context, session, models.Trigger,
                               values['trigger_id'],
                               exception.TriggerNotFound(
                                   trigger_id=values['trigger_id']),
                               for_update=True))


def scheduled_operation_get(context, operation_id):
    with _reader() as session:
        return _scoped_get(context, session, models.ScheduledOperation,
                           operation_id,
                           exception.ScheduledOperationNotFound(
                               operation_id=operation_id))


def scheduled_operation_destroy(context, operation_id):
    _destroy(context, models.ScheduledOperation, operation_id,
             exception.ScheduledOperationNotFound(operation_id=operation_id))


def scheduled_operation_get_all(context, marker=None, limit=None,
                                sort_keys=None, sort_dirs=None, filters=None,
                                all_projects=False):
    with _reader() as session:
        return _paginate(context, session, models.ScheduledOperation, marker,
                         limit, sort_keys, sort_dirs, filters, all_projects,
                         exception.ScheduledOperationNotFound(
                             operation_id=marker))


def scheduled_operations_due(context, now, stale_before, limit=100):
    """Enabled operations with a due time not taken yet, or taken by an
    engine silent since before ``stale_before``; soonest first."""
    op = models.ScheduledOperation
    with _reader() as session:
        return session.query(op).filter(op.enabled.is_(True)).filter(
            sa.or_(op.next_run_at <= now,
                   sa.and_(op.pending_run_at.isnot(None),
                           sa.or_(op.heartbeat_at.is_(None),
                                  op.heartbeat_at < stale_before)))
        ).order_by(op.next_run_at, op.id).limit(limit).all()


def scheduled_operation_take(context, row, owner, values):
    """Compare and swap on ``row``'s generation: write ``values`` held by
    ``owner``; the row as written, or None when another engine was first.
    """
    op = models.ScheduledOperation
    values = dict(values, owner=owner, heartbeat_at=timeutils.utcnow(),
                  generation=row.generation + 1)
    with _writer() as session:
        taken = session.query(op).filter_by(
            id=row.id, generation=row.generation).update(
                values, synchronize_session=False)
        return session.query(op).filter_by(id=row.id).one() if taken \
            else None


def scheduled_operation_release(context, operation_id, owner, generation):
    """The run ``owner`` took is submitted (or given up): forget it."""
    with _writer() as session:
        return bool(session.query(models.ScheduledOperation).filter_by(
            id=operation_id, owner=owner, generation=generation).update(
                {'pending_run_at': None, 'owner': None,
                 'heartbeat_at': None}, synchronize_session=False))


def scheduled_operation_release_all(context, owner):
    """Let the runs ``owner`` held be taken again at once (an engine that
    starts again after a crash)."""
    with _writer() as session:
        return session.query(models.ScheduledOperation).filter_by(
            owner=owner).update({'heartbeat_at': None},
                                synchronize_session=False)


# Operation logs

def _log_values(values):
    """``values`` of an operation log, its error_info cut to what its
    TEXT column holds (the reasons of thousands of failed resources may
    not fit), and marked where it is cut."""
    values = dict(values)
    error = (values.get('error_info') or '').encode('utf-8')
    if len(error) > MAX_JSON_BYTES:
        values['error_info'] = error[:MAX_JSON_BYTES - 3].decode(
            'utf-8', 'ignore') + '...'
    return values


def operation_log_create(context, values):
    """An operation log of no operation (a scheduled run refused)."""
    values = _log_values(values)
    values.setdefault('id', uuidutils.generate_uuid())
    _check_json_fits(models.OperationLog, values, _('the operation log'))
    return _insert(models.OperationLog, values)


def operation_log_get(context, operation_log_id):
    with _reader() as session:
        return _scoped_get(context, session, models.OperationLog,
                           operation_log_id,
                           exception.OperationLogNotFound(
                               operation_log_id=operation_log_id))


def operation_log_update(context, operation_log_id, values):
    with _writer() as session:
        session.query(models.OperationLog).filter_by(
            id=operation_log_id).update(dict(
                _log_values(values), updated_at=timeutils.utcnow()),
                synchronize_session=False)


def operation_log_get_all(context, marker=None, limit=None, sort_keys=None,
                          sort_dirs=None, filters=None, all_projects=False):
    with _reader() as session:
        return _paginate(context, session, models.OperationLog, marker,
                         limit, sort_keys, sort_dirs, filters, all_projects,
                         exception.OperationLogNotFound(
                             operation_log_id=marker))


# Restores

def restore_create(context, values):
    values = dict(values)
    values.setdefault('id', uuidutils.generate_uuid())
    values.setdefault('resources_status', {})
    values.setdefault('resources_reason', {})
    _check_json_fits(models.Restore, values, _('the restore'))
    return _insert(models.Restore, values)


def restore_get(context, restore_id):
    with _reader() as session:
        return _scoped_get(context, session, models.Restore, restore_id,
                           exception.RestoreNotFound(restore_id=restore_id))


def restore_update(context, restore_id, values):
    return _update(context, models.Restore, restore_id, values,
                   exception.RestoreNotFound(restore_id=restore_id))


def restore_destroy(context, restore_id):
    _destroy(context, models.Restore, restore_id,
             exception.RestoreNotFound(restore_id=restore_id))


def restore_get_all(context, marker=None, limit=None, sort_keys=None,
                    sort_dirs=None, filters=None, all_projects=False):
    with _reader() as session:
        return _paginate(context, session, models.Restore, marker, limit,
                         sort_keys, sort_dirs, filters, all_projects,
                         exception.RestoreNotFound(restore_id=marker))


# Verifications

def verification_create(context, values):
    values = dict(values)
    values.setdefault('id', uuidutils.generate_uuid())
    values.setdefault('resources_status', {})
    values.setdefault('resources_reason', {})
    _check_json_fits(models.Verification, values, _('the verification'))
    return _insert(models.Verification, values)


def verification_get(context, verification_id):
    with _reader() as session:
        return _scoped_get(context, session, models.Verification,
                           verification_id, exception.VerificationNotFound(
                               verification_id=verification_id))


def verification_update(context, verification_id, values):
    return _update(context, models.Verification, verification_id, values,
                   exception.VerificationNotFound(
                       verification_id=verification_id))


def verification_destroy(context, verification_id):
    _destroy(context, models.Verification, verification_id,
             exception.VerificationNotFound(verification_id=verification_id))


def verification_get_all(context, marker=None, limit=None, sort_keys=None,
                         sort_dirs=None, filters=None, all_projects=False):
    with _reader() as session:
        return _paginate(context, session, models.Verification, marker,
                         limit, sort_keys, sort_dirs, filters, all_projects,
                         exception.VerificationNotFound(
                             verification_id=marker))


# Services

def service_heartbeat(context, host, binary, topic):
    """Create or touch the row of a running service; return its id."""
    with _writer() as session:
        service = session.query(models.Service).filter_by(
            host=host, binary=binary).first()
        if service is None:
            service = models.Service(host=host, binary=binary, topic=topic,
                                     report_count=0, disabled=False)
            session.add(service)
            try:
                session.flush()
            except db_exc.DBDuplicateEntry:
                # Two processes of one host started at once: the other won.
                session.rollback()
                service = session.query(models.Service).filter_by(
                    host=host, binary=binary).one()
        service.report_count = (service.report_count or 0) + 1
        service.updated_at = timeutils.utcnow()
        session.flush()
        return service.id


def service_get(context, service_id):
    with _reader() as session:
        service = session.query(models.Service).filter_by(
            id=service_id).first()
    if service is None:
        raise exception.ServiceNotFound(service_id=service_id)
    return service


def service_update(context, service_id, values):
    """Write what an administrator changes of a service (disabled,
    disabled_reason). Its updated_at stays the time of its last heartbeat,
    which is what tells whether it is up: a change to a dead service does
    not make it look alive."""
    service = models.Service
    with _writer() as session:
        updated = session.query(service).filter_by(id=service_id).update(
            dict(values, updated_at=service.updated_at),
            synchronize_session=False)
        if not updated:
            raise exception.ServiceNotFound(service_id=service_id)
        return session.query(service).filter_by(id=service_id).one()


def service_get_all(context, host=None, binary=None):
    with _reader() as session:
        query = session.query(models.Service)
        if host:
            query = query.filter(models.Service.host == host)
        if binary:
            query = query.filter(models.Service.binary == binary)
        return query.order_by(models.Service.id).all()


def ping(context):
    """Whether the database answers (used by upgrade checks)."""
    with _reader() as session:
        return session.execute(sa.text('SELECT 1')).scalar() == 1


# Operations (see models.Operation)

def operation_create(context, values, held_by):
    """Record a new operation, held by ``held_by`` until operation_queue().

    The hold keeps workers from claiming the operation before its caller
    has made it visible (a delete writes "deleting" only once recorded);
    if the caller dies before it queues the operation, the hold lapses
    like a claim whose owner stopped renewing it. A second protect or
    delete of one checkpoint while another is recorded raises
    CheckpointBusy.
    """
    values = dict(values, owner=held_by, heartbeat_at=timeutils.utcnow(),
                  generation=0)
    values.setdefault('id', uuidutils.generate_uuid())
    operation = models.Operation(**values)
    try:
        with _writer() as session:
            session.add(operation)
            session.flush()
            session.refresh(operation)
            return operation
    except db_exc.DBDuplicateEntry:
        raise exception.CheckpointBusy(
            checkpoint_id=values['checkpoint_id'],
            reason=_('another protect or delete of it is running'))


def operation_queue(context, operation_id, log):
    """Release the hold operation_create() put on a new operation, and
    record its operation log (values of models.OperationLog), at once: an
    operation runs if and only if it is logged."""
    values = dict(log, id=operation_id, started_at=timeutils.utcnow())
    _check_json_fits(models.OperationLog, values, _('the operation log'))
    with _writer() as session:
        queued = session.query(models.Operation).filter_by(
            id=operation_id, generation=0).filter(
                models.Operation.owner.isnot(None)).update(
                    {'owner': None, 'heartbeat_at': None},
                    synchronize_session=False)
        if queued:
            session.add(models.OperationLog(**values))


def operation_get(context, operation_id):
    with _reader() as session:
        return session.query(models.Operation).filter_by(
            id=operation_id).first()


def operation_get_all_by_checkpoint(context, checkpoint_id):
    """The operations on the checkpoint: those that read or write it
    (``checkpoint_id``), and a copy that writes it (its
    ``exclusive_checkpoint_id``, its source being ``checkpoint_id``)."""
    op = models.Operation
    with _reader() as session:
        return session.query(op).filter(sa.or_(
            op.checkpoint_id == checkpoint_id,
            op.exclusive_checkpoint_id == checkpoint_id)).order_by(
                models.Operation.created_at, models.Operation.id).all()


def operation_get_all(context):
    """Every operation recorded, oldest first."""
    with _reader() as session:
        return session.query(models.Operation).order_by(
            models.Operation.created_at, models.Operation.id).all()


def operation_destroy(context, operation_id):
    with _writer() as session:
        session.query(models.Operation).filter_by(id=operation_id).delete()


def operation_claim(context, owner, stale_before, project_limit=0,
                    exclude=()):
    """Claim the next operation for ``owner``; return it, or None.

    Claimable are the queued ones and those whose owner's heartbeat is
    older than ``stale_before``. Projects with the fewest operations
    running come first, then the oldest operation; a project already
    running ``project_limit`` (0: no limit) waits, and its queue does not
    hide the others'. The claim is a compare and swap on the generation:
    of two workers claiming one row, one wins.
    """
    op = models.Operation
    fresh = sa.and_(op.owner.isnot(None), op.heartbeat_at >= stale_before)
    with _reader() as session:
        running = dict(session.query(op.project_id, sa.func.count(op.id))
                       .filter(fresh).group_by(op.project_id).all())
        query = session.query(op).filter(sa.not_(fresh))
        full = [project for project, count in running.items()
                if project_limit and count >= project_limit]
        if full:
            query = query.filter(op.project_id.notin_(full))
        if exclude:
            query = query.filter(op.id.notin_(list(exclude)))
        candidates = query.order_by(op.created_at, op.id).limit(
            _CLAIM_CANDIDATES).all()
    candidates.sort(key=lambda row: running.get(row.project_id, 0))
    for candidate in candidates:
        claimed = _claim(candidate, owner, stale_before, project_limit)
        if claimed is not None:
            return claimed
    return None


# How many claimable rows one claim looks at.
_CLAIM_CANDIDATES = 100


def _claim(candidate, owner, stale_before, project_limit):
    """The operation ``candidate`` (a row as read), claimed by ``owner``;
    None when another worker changed it first, or when its project has
    reached ``project_limit`` meanwhile."""
    op = models.Operation
    with _writer() as session:
        if project_limit:
            # The project's rows locked: the claims of one project take
            # turns, so that none passes its limit.
            held = session.query(op.owner, op.heartbeat_at).filter(
                op.project_id == candidate.project_id).order_by(
                    op.id).with_for_update().all()
            running = sum(1 for row in held if row.owner is not None and
                          row.heartbeat_at >= stale_before)
            if running >= project_limit:
                return None
        claimed = session.query(op).filter_by(
            id=candidate.id, generation=candidate.generation).update(
                {'owner': owner, 'generation': candidate.generation + 1,
                 'heartbeat_at': timeutils.utcnow()},
                synchronize_session=False)
        if claimed:
            return session.query(op).filter_by(id=candidate.id).one()
    return None


def operation_heartbeat(context, operation_id, owner, generation):
    """Renew a claim; False when ``owner`` no longer holds it."""
    with _writer() as session:
        return bool(session.query(models.Operation).filter_by(
            id=operation_id, owner=owner, generation=generation).update(
                {'heartbeat_at': timeutils.utcnow()},
                synchronize_session=False))


def operation_release_all(context, owner):
    """Queue again the operations ``owner`` held (a worker that starts
    again after a crash resumes them at once, or another one does)."""
    with _writer() as session:
        return session.query(models.Operation).filter_by(
            owner=owner).update({'owner': None, 'heartbeat_at': None},
                                synchronize_session=False)


def _orphaned(model, operation_column, created_before):
    with _reader() as session:
        running = session.query(operation_column).filter(
            operation_column.isnot(None))
        return session.query(model).filter(
            model.status == 'in_progress',
            model.created_at < created_before,
            model.id.notin_(running)).all()


def restores_orphaned(context, created_before):
    """Restores still running that no operation runs, older than
    ``created_before``: their worker died before it recorded one."""
    return _orphaned(models.Restore, models.Operation.restore_id,
                     created_before)


def verifications_orphaned(context, created_before):
    """As restores_orphaned, of verifications."""
    return _orphaned(models.Verification, models.Operation.verification_id,
                     created_before)


# Quotas (see karbor/quota.py): limits, usage and reservations. A usage row
# is locked by every write of its counts, so writers take turns on it.

def _limits(rows):
    return {row.resource: row.hard_limit for row in rows}


def quota_class_get_all_by_name(context, class_name):
    with _reader() as session:
        return _limits(session.query(models.QuotaClass).filter_by(
            class_name=class_name))


def _limits_now(session, project_id, class_name, defaults):
    """The project's limits as ``session``'s transaction sees them: its
    own, else quota class ``class_name``'s, else ``defaults``."""
    limits = dict(defaults)
    limits.update(_limits(session.query(models.QuotaClass).filter_by(
        class_name=class_name)))
    limits.update(_limits(session.query(models.Quota).filter_by(
        project_id=project_id)))
    return limits


def quota_limits_get(context, project_id, class_name, defaults):
    """The project's limits, as _limits_now."""
    with _reader() as session:
        return _limits_now(session, project_id, class_name, defaults)


def _set_limits(session, model, owner, limits):
    """Write ``limits`` of the row owner ``owner`` ({column: value})."""
    rows = {row.resource: row for row in
            session.query(model).filter_by(**owner).with_for_update()}
    for resource, limit in limits.items():
        if resource in rows:
            rows[resource].hard_limit = limit
        else:
            session.add(model(resource=resource, hard_limit=limit, **owner))


def quota_update(context, project_id, limits):
    """Set the project's own limits; QuotaBelowUsage for one below what
    the project uses and has reserved. Checked and written under the
    usage's lock, under which every admission reads the limits, so none
    passes the new limit meanwhile."""
    _ensure_usages(project_id, limits, until_refresh=0)
    with _writer() as session:
        usages = _locked_usages(session, project_id, limits)
        for resource, limit in limits.items():
            usage = usages.get(resource)
            if usage is None or limit < 0:
                continue
            if limit < usage.in_use + usage.reserved:
                raise exception.QuotaBelowUsage(
                    resource=resource, project_id=project_id, limit=limit,
                    in_use=usage.in_use, reserved=usage.reserved)
        _set_limits(session, models.Quota, {'project_id': project_id},
                    limits)


def quota_destroy_all_by_project(context, project_id):
    """The project has the default limits again (its usage stays)."""
    with _writer() as session:
        session.query(models.Quota).filter_by(project_id=project_id).delete(
            synchronize_session=False)


def quota_class_update(context, class_name, limits):
    with _writer() as session:
        _set_limits(session, models.QuotaClass, {'class_name': class_name},
                    limits)


def quota_usage_get_all_by_project(context, project_id):
    """{resource: {'in_use', 'reserved'}} of the resources with a usage."""
    with _reader() as session:
        return {usage.resource: {'in_use': usage.in_use,
                                 'reserved': usage.reserved}
                for usage in session.query(models.QuotaUsage).filter_by(
                    project_id=project_id)}


def _count_plans(session, project_id):
    return session.query(sa.func.count(models.Plan.id)).filter_by(
        project_id=project_id).scalar()


# How the usage of a resource is counted from the truth. Checkpoints live
# in the banks, where counting them means reading every provider's index:
# their usage is kept by reservations and deletes alone.
_USAGE_COUNTERS = {'plans': _count_plans}


def _ensure_usages(project_id, resources, until_refresh):
    """Make the usage rows of ``resources``, which the project does not
    have yet, each in a transaction of its own: locking a row that does
    not exist would lock a range, where two creators wait for each other
    on MySQL. A new row counts what there already is (plans made before
    quotas were)."""
    for resource in resources:
        try:
            with _writer() as session:
                counter = _USAGE_COUNTERS.get(resource)
                session.add(models.QuotaUsage(
                    project_id=project_id, resource=resource,
                    in_use=counter(session, project_id) if counter else 0,
                    reserved=0, until_refresh=until_refresh or None))
        except db_exc.DBDuplicateEntry:
            pass  # Another request made it meanwhile.


def _locked_usages(session, project_id, resources):
    usage = models.QuotaUsage
    return {row.resource: row for row in session.query(usage).filter(
        usage.project_id == project_id,
        usage.resource.in_(list(resources))).order_by(
            usage.id).with_for_update()}


def _release_expired(session, usages, now):
    reservations = session.query(models.Reservation).filter(
        models.Reservation.usage_id.in_([u.id for u in usages.values()]),
        models.Reservation.expire < now).all()
    by_id = {usage.id: usage for usage in usages.values()}
    for reservation in reservations:
        usage = by_id[reservation.usage_id]
        usage.reserved = max(0, usage.reserved - reservation.delta)
        session.delete(reservation)


def _refresh_due(usage, until_refresh, max_age, now):
    """Whether the usage is to be counted again: after ``until_refresh``
    admissions (reservations, plans counted as they are written), or when
    it has not changed for ``max_age`` seconds."""
    due = False
    if until_refresh:
        left = (usage.until_refresh if usage.until_refresh is not None
                else until_refresh) - 1
        due = left <= 0
        usage.until_refresh = until_refresh if due else left
    else:
        usage.until_refresh = None
    changed = usage.updated_at or usage.created_at
    if max_age and (now - changed).total_seconds() >= max_age:
        due = True
    return due


class QuotaRequest(collections.namedtuple(
        'QuotaRequest', ['project_id', 'deltas', 'defaults', 'class_name',
                         'until_refresh', 'max_age'])):
    """``deltas`` ({resource: n > 0}) the project asks for, within its
    limits (-1 none) as they are once its usage is locked: its own, else
    quota class ``class_name``'s, else ``defaults``. After
    ``until_refresh`` admissions, or ``max_age`` seconds without a
    change, its usage is counted again (0: never)."""


def quota_reserve(context, request, expire):
    """Reserve the QuotaRequest's deltas; the reservations' uuids, which
    lapse after ``expire`` seconds. OverQuota, reserving nothing, when
    one would pass its limit."""
    return _with_usages_locked(
        request, lambda session, usages: _reserve(session, usages, request,
                                                  expire))


def _with_usages_locked(request, work):
    """``work(session, usages)`` in a transaction that holds the usage
    rows of the QuotaRequest's project and resources locked ({resource:
    row}); the rows that do not exist yet are made first."""
    while True:
        with _writer() as session:
            usages = _locked_usages(session, request.project_id,
                                    request.deltas)
            missing = set(request.deltas) - set(usages)
            if not missing:
                return work(session, usages)
        # Once for each project and resource.
        _ensure_usages(request.project_id, missing, request.until_refresh)


def _reserve(session, usages, request, expire):
    now = _admit(session, usages, request)
    uuids = []
    for resource, delta in request.deltas.items():
        usage = usages[resource]
        usage.reserved += delta
        reservation = models.Reservation(
            uuid=uuidutils.generate_uuid(), usage_id=usage.id,
            project_id=request.project_id, resource=resource, delta=delta,
            expire=now + datetime.timedelta(seconds=expire))
        session.add(reservation)
        uuids.append(reservation.uuid)
    return uuids


def _admit(session, usages, request):
    """Check that the QuotaRequest fits the project's limits (OverQuota
    if not), after giving back lapsed reservations and counting again
    the usages due a count; the time it checked. The limits are read
    here, under the usages' lock, which quota_update holds while it
    checks a new limit against them."""
    now = timeutils.utcnow()
    _release_expired(session, usages, now)
    for resource, usage in usages.items():
        counter = _USAGE_COUNTERS.get(resource)
        if (_refresh_due(usage, request.until_refresh, request.max_age, now)
                and counter):
            usage.in_use = counter(session, request.project_id)
    limits = _limits_now(session, request.project_id, request.class_name,
                         request.defaults)
    for resource, delta in sorted(request.deltas.items()):
        usage = usages[resource]
        limit = limits[resource]
        if 0 <= limit < usage.in_use + usage.reserved + delta:
            raise exception.OverQuota(
                resource=resource, requested=delta, in_use=usage.in_use,
                reserved=usage.reserved, limit=limit)
    return now


def _count_in_use(session, usages, request):
    """Count the QuotaRequest in use on the locked ``usages``, in
    ``session``'s transaction; OverQuota when it would pass a limit."""
    _admit(session, usages, request)
    for resource, delta in request.deltas.items():
        usages[resource].in_use += delta


def _settle(session, reservations, commit):
    """Commit (count in use) or roll back ``reservations``: those still
    there. The usages are locked first, as a reservation takes them."""
    if not reservations:
        return
    held = sa.select(models.Reservation.usage_id).where(
        models.Reservation.uuid.in_(reservations))
    usages = {usage.id: usage for usage in session.query(
        models.QuotaUsage).filter(models.QuotaUsage.id.in_(held)).order_by(
            models.QuotaUsage.id).with_for_update()}
    for reservation in session.query(models.Reservation).filter(
            models.Reservation.uuid.in_(reservations)):
        usage = usages[reservation.usage_id]
        usage.reserved = max(0, usage.reserved - reservation.delta)
        if commit:
            usage.in_use += reservation.delta
        session.delete(reservation)


def reservation_commit(context, reservations):
    with _writer() as session:
        _settle(session, reservations, commit=True)


def reservation_rollback(context, reservations):
    with _writer() as session:
        _settle(session, reservations, commit=False)


def _give_back(session, project_id, deltas):
    for usage in _locked_usages(session, project_id, deltas).values():
        usage.in_use = max(0, usage.in_use - deltas[usage.resource])


def quota_usage_release(context, project_id, deltas):
    """``deltas`` ({resource: n}) fewer of the project's are in use."""
    with _writer() as session:
        _give_back(session, project_id, deltas)
