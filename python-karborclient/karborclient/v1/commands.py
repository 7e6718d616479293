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

"""The ``karbor`` subcommands for the v1 API.

Each command is a function ``name_with_underscores(client, args)``
registered by :func:`command` with its argparse arguments; it prints its
result and returns the exit status (None meaning success).
"""

import argparse

from oslo_serialization import jsonutils

from karborclient import exceptions
from karborclient import formatting
from karborclient.v1 import arguments
from karborclient import waiting

COMMANDS = {}


def command(*argument_specs):
    """Register the decorated function as a subcommand named after it.

    Each spec, made by :func:`arg`, is passed to ``add_argument``.
    """
    def register(func):
        COMMANDS[func.__name__.replace('_', '-')] = (func, argument_specs)
        return func
    return register


def arg(*flags, **options):
    return flags, options


MARKER = arg('--marker', metavar='<marker>',
             help='Start after the item with this id.')
LIMIT = arg('--limit', metavar='<limit>', type=arguments.positive_int,
            help='Return at most this many items. Without it, every page '
                 'is fetched.')
SORT = arg('--sort', metavar='<key>[:<asc|desc>][,...]', type=arguments.sort,
           help='Sort keys and directions, keys among %s.'
                % ', '.join(arguments.SORT_KEYS))
PAGING = (MARKER, LIMIT, SORT)
# python-karborclient 2.1.0's deprecated spelling of --sort, kept hidden.
OLD_SORT = (
    arg('--sort_key', metavar='<sort_key>', choices=arguments.SORT_KEYS,
        help=argparse.SUPPRESS),
    arg('--sort_dir', metavar='<sort_dir>',
        choices=arguments.SORT_DIRECTIONS, help=argparse.SUPPRESS),
)
ALL_TENANTS = arg('--all-tenants', dest='all_tenants', metavar='<0|1>',
                  nargs='?', type=int, const=1, default=0,
                  help='Show the items of all projects (admin only).')
TENANT = arg('--tenant', metavar='<tenant>',
             help='Show the items of this project only (admin only).')
PARAMETERS = (
    arg('--parameters-json', dest='parameters_json', metavar='<parameters>',
        help='Parameters as a JSON object keyed by resource type or by '
             '<type>#<id>.'),
    arg('--parameters', action='append', default=[],
        metavar=arguments.PARAMETERS_SYNTAX,
        help="Parameters of one resource type (or of one resource with "
             "resource_id); other keys follow the provider's schema. "
             "Repeat for several."),
)
INSTANCE_PARAMETERS = arg(
    '--parameters', nargs='*', metavar='<key=value>', default=[],
    help='Parameters the protectable plugin needs (e.g. region_name).')


def waiting_options(what):
    return (
        arg('--wait', action='store_true',
            help='Wait until %s is over, showing progress on stderr; fail '
                 'if it fails.' % what),
        arg('--wait-timeout', metavar='<seconds>', default=600.0,
            type=arguments.positive_seconds,
            help='Give up waiting after this long (default: 600).'),
    )


def paging(args):
    """The paging and sort arguments of a list call."""
    if args.sort and (args.sort_key or args.sort_dir):
        raise exceptions.CommandError(
            '--sort_key and --sort_dir are the deprecated form of --sort: '
            'give one or the other')
    return {'marker': args.marker, 'limit': args.limit, 'sort': args.sort,
            'sort_key': args.sort_key, 'sort_dir': args.sort_dir}


def _print_resources(resources, columns, args, formatters=None):
    # The server's order is the requested one when a sort is given.
    sorted_by_server = args.sort or args.sort_key or args.sort_dir
    formatting.print_list([r.to_dict() for r in resources], columns,
                          formatters, sort_by_first=not sorted_by_server)


def tenant_filters(args):
    """The old client's --tenant implied --all-tenants."""
    return {'all_tenants': 1 if args.tenant else args.all_tenants or None,
            'project_id': args.tenant}


def for_each(ids, action):
    """Run ``action(id)`` for every id, going on after failures.

    Each failure is reported on its own line; the exit status says whether
    any happened.
    """
    failed = False
    for item_id in ids:
        try:
            action(item_id)
        except exceptions.ClientException as error:
            formatting.print_error(error)
            failed = True
    return 1 if failed else None


# Checkpoints and restores map "<type>#<id>" of each resource to its
# status and failure reason: short maps, printed on one line each.
PER_RESOURCE_FIELDS = ('resources_status', 'resources_reason')
# Statuses of a resource still being worked on.
RESOURCE_BUSY = {'protecting', 'restoring', 'deleting', 'in_progress',
                 'wait_copying', 'copying'}


def progress(kind):
    """A --wait progress line: status, and resources done when known."""
    def describe(resource):
        line = '%s %s: %s' % (kind, resource['id'], resource['status'])
        statuses = list((resource.get('resources_status') or {}).values())
        if statuses:
            done = sum(1 for s in statuses if s not in RESOURCE_BUSY)
            line += ', %d of %d resources done' % (done, len(statuses))
        return line
    return describe


def wait_if_asked(args, resource, poll, succeeded, failed, describe):
    """With --wait, poll until the status is final.

    Returns the resource and, when it ended in a failed status, the error
    to raise once it is shown (its reasons are there); else None.
    """
    if not args.wait:
        return resource, None
    resource = waiting.wait_for(poll, succeeded | failed, args.wait_timeout,
                                describe, resource)
    if resource['status'] in succeeded:
        return resource, None
    return resource, exceptions.CommandError('Failed: %s'
                                             % describe(resource))


def _wait_then_show(args, resource, poll, succeeded, failed, describe,
                    show=None):
    """Show the resource, first waiting for a final status with --wait;
    a wait that ends in a failed status shows it, then fails."""
    resource, failure = wait_if_asked(args, resource, poll, succeeded,
                                      failed, describe)
    if show:
        show(resource)
    if failure:
        raise failure


# Providers

@command(arg('--name', metavar='<name>', help='Filter by name.'),
         arg('--description', metavar='<description>',
             help='Filter by description.'),
         *PAGING, *OLD_SORT)
def provider_list(client, args):
    """List protection providers."""
    providers = client.providers.list(
        **paging(args),
        name=args.name, description=args.description)
    _print_resources(providers, ['Id', 'Name', 'Description'], args)


@command(arg('provider_id', metavar='<provider_id>', help='Provider id.'))
def provider_show(client, args):
    """Show a provider and its option schemas."""
    formatting.print_resource(client.providers.get(args.provider_id)
                              .to_dict())


# Protectables

@command()
def protectable_list(client, args):
    """List the resource types that can be protected."""
    types = client.protectables.list()
    formatting.print_list([{'protectable_type': t} for t in types],
                          ['Protectable type'])


@command(arg('protectable_type', metavar='<protectable_type>',
             help='Protectable type, e.g. OS::Nova::Server.'))
def protectable_show(client, args):
    """Show a protectable type and the types it depends on."""
    formatting.print_resource(
        client.protectables.get(args.protectable_type).to_dict())


@command(arg('protectable_type', metavar='<protectable_type>',
             help='Protectable type, e.g. OS::Cinder::Volume.'),
         arg('--type', metavar='<type>', help='Filter by type.'),
         INSTANCE_PARAMETERS,
         *PAGING, *OLD_SORT)
def protectable_list_instances(client, args):
    """List the instances of a protectable type."""
    instances = client.protectables.list_instances(
        args.protectable_type, **paging(args),
        parameters=arguments.parse_key_values(args.parameters),
        type=args.type)
    _print_resources(instances, ['Id', 'Type', 'Name', 'Dependent resources',
                                 'Extra info'], args)


@command(arg('protectable_type', metavar='<protectable_type>',
             help='Protectable type.'),
         arg('protectable_id', metavar='<protectable_id>',
             help='Instance id.'),
         INSTANCE_PARAMETERS)
def protectable_show_instance(client, args):
    """Show a protectable instance and the resources it depends on."""
    instance = client.protectables.get_instance(
        args.protectable_type, args.protectable_id,
        parameters=arguments.parse_key_values(args.parameters))
    formatting.print_resource(instance.to_dict())


# Plans

def checked_resources(client, text, purpose):
    """Parse plan resources and make sure the server knows each of them.

    Like the old client, a plan naming a resource that its protectable
    plugin cannot find is refused before anything is created.
    """
    resources = arguments.parse_resources(text)
    for resource in resources:
        try:
            client.protectables.get_instance(resource['type'],
                                             resource['id'])
        except (exceptions.NotFound, exceptions.BadRequest) as error:
            raise exceptions.CommandError(
                'Refusing to %s: resource %s %s is unknown to Karbor (%s)'
                % (purpose, resource['type'], resource['id'], error))
    return resources


@command(arg('name', metavar='<name>', help='Plan name.'),
         arg('provider_id', metavar='<provider_id>',
             type=arguments.uuid_of('provider'), help='Provider id.'),
         arg('resources', metavar='<%s,...>' % arguments.RESOURCE_SYNTAX,
             help='Resources to protect, comma separated; what follows the '
                  'name is optional extra info.'),
         *PARAMETERS,
         arg('--description', metavar='<description>',
             help='Plan description.'))
def plan_create(client, args):
    """Create a plan (it starts suspended)."""
    parameters = arguments.parse_parameters(args.parameters,
                                            args.parameters_json)
    resources = checked_resources(client, args.resources, 'create the plan')
    plan = client.plans.create(args.name, args.provider_id, resources,
                               parameters, description=args.description)
    formatting.print_resource(plan.to_dict())


@command(ALL_TENANTS,
         arg('--name', metavar='<name>', help='Filter by name.'),
         arg('--description', metavar='<description>',
             help='Filter by description.'),
         arg('--status', metavar='<status>', help='Filter by status.'),
         *PAGING, *OLD_SORT,
         TENANT)
def plan_list(client, args):
    """List plans."""
    plans = client.plans.list(
        **paging(args), name=args.name,
        description=args.description, status=args.status,
        **tenant_filters(args))
    _print_resources(plans, ['Id', 'Name', 'Description', 'Provider id',
                             'Status'], args)


@command(arg('plan', metavar='<plan>', help='Plan id.'))
def plan_show(client, args):
    """Show a plan."""
    formatting.print_resource(client.plans.get(args.plan).to_dict())


@command(arg('plan_id', metavar='<plan_id>', help='Plan id.'),
         arg('--name', metavar='<name>', help='New name.'),
         arg('--description', metavar='<description>',
             help='New description.'),
         arg('--resources', metavar='<%s,...>' % arguments.RESOURCE_SYNTAX,
             help='New list of resources.'),
         arg('--status', metavar='<suspended|started>',
             choices=('suspended', 'started'),
             help='Start or suspend the plan.'))
def plan_update(client, args):
    """Update a plan."""
    plan = client.plans.update(args.plan_id, plan_changes(client, args))
    formatting.print_resource(plan.to_dict())


def plan_changes(client, args):
    """The plan update that the options ask for."""
    changes = {field: getattr(args, field)
               for field in ('name', 'description', 'status')
               if getattr(args, field) is not None}
    if args.resources is not None:
        changes['resources'] = checked_resources(client, args.resources,
                                                 'update the plan')
    if not changes:
        raise exceptions.CommandError(
            'Nothing to update: give --name, --description, --resources '
            'or --status')
    return changes


@command(arg('plan', metavar='<plan>', nargs='+', help='Plan id(s).'))
def plan_delete(client, args):
    """Delete plans."""
    return for_each(args.plan, client.plans.delete)


# Checkpoints

CHECKPOINT_SUCCEEDED = {'available'}
CHECKPOINT_FAILED = {'error'}
CHECKPOINT_DELETED = {'deleted'}
CHECKPOINT_DELETE_FAILED = {'error-deleting', 'error'}
# Karbor sends these fields as JSON text inside the JSON document.
CHECKPOINT_JSON_TEXT_FIELDS = ('resource_graph', 'extra_info')


def decoded_checkpoint(checkpoint):
    for field in CHECKPOINT_JSON_TEXT_FIELDS:
        value = checkpoint.get(field)
        if isinstance(value, str):
            try:
                checkpoint[field] = jsonutils.loads(value)
            except ValueError:
                pass  # Not JSON after all: shown as the server sent it.
    return checkpoint


def shown_checkpoint(checkpoint):
    """The fields of a checkpoint that both CLIs show."""
    shown = decoded_checkpoint(checkpoint)
    # The walkthrough's table; the per-resource maps join it when they
    # explain a failure.
    if shown.get('status') not in CHECKPOINT_FAILED:
        for name in PER_RESOURCE_FIELDS:
            shown.pop(name, None)
    return shown


def _show_checkpoint(checkpoint):
    formatting.print_resource(shown_checkpoint(checkpoint),
                              PER_RESOURCE_FIELDS)


def plan_summary(checkpoint):
    plan = checkpoint.get('protection_plan') or {}
    return 'Name: %s\nId: %s' % (plan.get('name'), plan.get('id'))


@command(arg('provider_id', metavar='<provider_id>', help='Provider id.'),
         arg('plan_id', metavar='<plan_id>', help='Plan id.'),
         arg('--extra_info', nargs='*', metavar='<key=value>',
             help='Extra information to keep with the checkpoint.'),
         *waiting_options('the protection'))
def checkpoint_create(client, args):
    """Protect a plan now: create a checkpoint."""
    extra_info = None
    if args.extra_info is not None:
        extra_info = arguments.parse_key_values(args.extra_info)
    checkpoint = client.checkpoints.create(args.provider_id, args.plan_id,
                                           extra_info)
    _wait_then_show(
        args, checkpoint.to_dict(),
        lambda: client.checkpoints.get(args.provider_id,
                                       checkpoint.id).to_dict(),
        CHECKPOINT_SUCCEEDED, CHECKPOINT_FAILED, progress('checkpoint'),
        _show_checkpoint)


@command(arg('provider_id', metavar='<provider_id>',
             help='Provider of the checkpoints to copy.'),
         arg('plan_id', metavar='<plan_id>', help='Plan id.'),
         *waiting_options('every copy'))
def checkpoint_copy(client, args):
    """Copy the plan's checkpoints that have no copy yet into the bank of
    the provider's copy provider."""
    answer = client.checkpoints.copy(args.provider_id, args.plan_id)
    copies = answer.to_dict()
    failed = False
    for pair in copies['checkpoint_id']:
        copy_id = pair['checkpoint_copy_id']
        copied = {'id': copy_id, 'status': copies['status']}
        if args.wait:
            copied = waiting.wait_for(
                lambda: client.checkpoints.get(
                    copies['copy_provider_id'], copy_id).to_dict(),
                CHECKPOINT_SUCCEEDED | CHECKPOINT_FAILED, args.wait_timeout,
                progress('checkpoint'), copied)
            failed = failed or copied['status'] not in CHECKPOINT_SUCCEEDED
        pair['status'] = copied['status']
    formatting.print_list(
        copies['checkpoint_id'],
        ['Checkpoint protect id', 'Checkpoint copy id', 'Status'])
    print('Copies are checkpoints of provider %s.' %
          copies['copy_provider_id'])
    if failed:
        raise exceptions.CommandError('Failed: a copy ended in error')


@command(ALL_TENANTS,
         arg('provider_id', metavar='<provider_id>', help='Provider id.'),
         arg('--plan_id', metavar='<plan_id>', type=arguments.uuid_of('plan'),
             help='Filter by plan.'),
         arg('--start_date', metavar='<YYYY-MM-DD>', type=arguments.date,
             help='Only checkpoints created on or after this date.'),
         arg('--end_date', metavar='<YYYY-MM-DD>', type=arguments.date,
             help='Only checkpoints created on or before this date.'),
         arg('--project_id', metavar='<project_id>',
             help='Filter by project (admin only).'),
         *PAGING, *OLD_SORT)
def checkpoint_list(client, args):
    """List the checkpoints of a provider."""
    checkpoints = client.checkpoints.list(
        args.provider_id, **paging(args),
        plan_id=args.plan_id, start_date=args.start_date,
        end_date=args.end_date, project_id=args.project_id,
        all_tenants=args.all_tenants or None)
    formatters = {
        'Protection plan': plan_summary,
        'Metadata': lambda c: decoded_checkpoint(c).get('extra_info'),
    }
    _print_resources(checkpoints, ['Id', 'Project id', 'Status',
                                   'Protection plan', 'Metadata',
                                   'Created at'], args, formatters)


@command(arg('provider_id', metavar='<provider_id>', help='Provider id.'),
         arg('checkpoint_id', metavar='<checkpoint_id>',
             help='Checkpoint id.'))
def checkpoint_show(client, args):
    """Show a checkpoint, its plan and resource graph, and the restores
    that read it now."""
    _show_checkpoint(checkpoint_with_restores(client, args.provider_id,
                                              args.checkpoint_id))


def checkpoint_with_restores(client, provider_id, checkpoint_id):
    """The checkpoint, with the restores and verifications that read it
    now if any: as the checkpoint names them (microversion 1.2), or, from
    a server that predates it, the restores a listing finds."""
    checkpoint = client.checkpoints.get(provider_id,
                                        checkpoint_id).to_dict()
    restoring = checkpoint.pop('restores_in_progress', None)
    verifying = checkpoint.pop('verifications_in_progress', None)
    if restoring is None and checkpoint.get('status') in CHECKPOINT_SUCCEEDED:
        restoring = sorted(restore.id for restore in client.restores.list(
            checkpoint_id=checkpoint_id, status=RESTORE_RUNNING))
    for name, ids in (('restores_in_progress', restoring),
                      ('verifications_in_progress', verifying)):
        if ids:
            checkpoint[name] = ', '.join(ids)
    return checkpoint


def _checkpoint_or_deleted(client, provider_id, checkpoint_id):
    try:
        return client.checkpoints.get(provider_id, checkpoint_id).to_dict()
    except exceptions.NotFound:
        # A server may forget deleted checkpoints instead of keeping them
        # as "deleted".
        return {'id': checkpoint_id, 'status': 'deleted'}


@command(arg('provider_id', metavar='<provider_id>', help='Provider id.'),
         arg('checkpoint', metavar='<checkpoint>', nargs='+',
             help='Checkpoint id(s).'),
         *waiting_options('the deletion'))
def checkpoint_delete(client, args):
    """Delete checkpoints."""
    def delete(checkpoint_id):
        client.checkpoints.delete(args.provider_id, checkpoint_id)
        if args.wait:
            # Nothing to show once deleted; only a failure is reported.
            _wait_then_show(
                args, None,
                lambda: _checkpoint_or_deleted(client, args.provider_id,
                                               checkpoint_id),
                CHECKPOINT_DELETED, CHECKPOINT_DELETE_FAILED,
                progress('checkpoint'))
    return for_each(args.checkpoint, delete)


@command(arg('provider_id', metavar='<provider_id>', help='Provider id.'),
         arg('checkpoint', metavar='<checkpoint>', nargs='+',
             help='Checkpoint id(s).'),
         arg('--available', action='store_const', dest='state',
             const='available', default='error',
             help='Reset to "available" instead of "error".'))
def checkpoint_reset_state(client, args):
    """Reset the status of checkpoints (admin only)."""
    return for_each(
        args.checkpoint,
        lambda checkpoint_id: client.checkpoints.reset_state(
            args.provider_id, checkpoint_id, args.state))


# Restores and verifications

RESTORE_RUNNING = 'in_progress'
RESTORE_SUCCEEDED = {'success'}
RESTORE_FAILED = {'fail', 'failed', 'error'}


def _show_with_resources(record):
    """A restore or verification, with each resource's status."""
    formatting.print_resource(record, PER_RESOURCE_FIELDS)


def restore_auth(args):
    """The credentials on --restore_target, None without a target."""
    if args.restore_target is None:
        return None
    if args.restore_username is None or args.restore_password is None:
        raise exceptions.CommandError(
            '--restore_target needs --restore_username and '
            '--restore_password')
    return {'type': 'password', 'username': args.restore_username,
            'password': args.restore_password}


@command(arg('provider_id', metavar='<provider_id>',
             type=arguments.uuid_of('provider'), help='Provider id.'),
         arg('checkpoint_id', metavar='<checkpoint_id>',
             type=arguments.uuid_of('checkpoint'), help='Checkpoint id.'),
         arg('--restore_target', metavar='<restore_target>',
             help='Identity URL of the cloud to restore to.'),
         arg('--restore_username', metavar='<restore_username>',
             help='User name on the restore target.'),
         arg('--restore_password', metavar='<restore_password>',
             help='Password on the restore target.'),
         *PARAMETERS,
         *waiting_options('the restore'))
def restore_create(client, args):
    """Restore a checkpoint."""
    parameters = arguments.parse_parameters(args.parameters,
                                            args.parameters_json)
    restore = client.restores.create(args.provider_id, args.checkpoint_id,
                                     args.restore_target, parameters,
                                     restore_auth(args))
    _wait_then_show(
        args, restore.to_dict(),
        lambda: client.restores.get(restore.id).to_dict(),
        RESTORE_SUCCEEDED, RESTORE_FAILED, progress('restore'),
        _show_with_resources)


@command(ALL_TENANTS,
         arg('--status', metavar='<status>', help='Filter by status.'),
         arg('--checkpoint_id', metavar='<checkpoint_id>',
             help='Only the restores of this checkpoint.'),
         *PAGING, *OLD_SORT,
         TENANT)
def restore_list(client, args):
    """List restores."""
    restores = client.restores.list(**paging(args),
                                    status=args.status,
                                    checkpoint_id=args.checkpoint_id,
                                    **tenant_filters(args))
    _print_resources(restores, ['Id', 'Project id', 'Provider id',
                                'Checkpoint id', 'Restore target',
                                'Parameters', 'Status'], args)


@command(arg('restore', metavar='<restore>', help='Restore id.'))
def restore_show(client, args):
    """Show a restore and the status of each restored resource."""
    _show_with_resources(client.restores.get(args.restore).to_dict())


@command(arg('provider_id', metavar='<provider_id>',
             type=arguments.uuid_of('provider'), help='Provider id.'),
         arg('checkpoint_id', metavar='<checkpoint_id>',
             type=arguments.uuid_of('checkpoint'), help='Checkpoint id.'),
         *PARAMETERS,
         *waiting_options('the verification'))
def verification_create(client, args):
    """Verify that a checkpoint's data is still there and restorable."""
    parameters = arguments.parse_parameters(args.parameters,
                                            args.parameters_json)
    verification = client.verifications.create(
        args.provider_id, args.checkpoint_id, parameters)
    _wait_then_show(
        args, verification.to_dict(),
        lambda: client.verifications.get(verification.id).to_dict(),
        RESTORE_SUCCEEDED, RESTORE_FAILED, progress('verification'),
        _show_with_resources)


@command(ALL_TENANTS,
         arg('--status', metavar='<status>', help='Filter by status.'),
         arg('--checkpoint_id', metavar='<checkpoint_id>',
             help='Only the verifications of this checkpoint.'),
         *PAGING, *OLD_SORT,
         TENANT)
def verification_list(client, args):
    """List verifications."""
    verifications = client.verifications.list(
        **paging(args), status=args.status,
        checkpoint_id=args.checkpoint_id, **tenant_filters(args))
    _print_resources(verifications, ['Id', 'Project id', 'Provider id',
                                     'Checkpoint id', 'Parameters',
                                     'Status'], args)


@command(arg('verification', metavar='<verification>',
             help='Verification id.'))
def verification_show(client, args):
    """Show a verification and the verdict on each resource."""
    _show_with_resources(client.verifications.get(args.verification).to_dict())


# Triggers

TRIGGER_PROPERTIES = ('<key=value,key=value>: for a time trigger format '
                      '(crontab or calendar), pattern, start_time, '
                      'end_time, window')


@command(arg('name', metavar='<name>', help='Trigger name.'),
         arg('type', metavar='<type>', help='Type of trigger (time).'),
         arg('properties', metavar='<key=value,key=value>',
             type=arguments.parse_properties,
             help='Properties of the trigger, %s.' % TRIGGER_PROPERTIES))
def trigger_create(client, args):
    """Create a trigger."""
    formatting.print_resource(client.triggers.create(
        args.name, args.type, args.properties).to_dict())


@command(ALL_TENANTS,
         arg('--name', metavar='<name>', help='Filter by name.'),
         arg('--type', metavar='<type>', help='Filter by type.'),
         arg('--properties', metavar='<properties>',
             help='Sent as python-karborclient 2.1.0 sent it; Karbor, like '
                  'the original, does not filter triggers by properties.'),
         *PAGING, *OLD_SORT,
         TENANT)
def trigger_list(client, args):
    """List triggers."""
    triggers = client.triggers.list(**paging(args),
                                    name=args.name, type=args.type,
                                    properties=args.properties,
                                    **tenant_filters(args))
    _print_resources(triggers, ['Id', 'Name', 'Type', 'Properties'], args)


@command(arg('trigger', metavar='<trigger>', help='Trigger id.'))
def trigger_show(client, args):
    """Show a trigger."""
    formatting.print_resource(client.triggers.get(args.trigger).to_dict())


@command(arg('trigger_id', metavar='<trigger_id>', help='Trigger id.'),
         arg('--name', metavar='<name>', help='New name.'),
         arg('--properties', metavar='<key=value,key=value>',
             type=arguments.parse_properties,
             help='New properties (the start time stays unless given), '
                  '%s.' % TRIGGER_PROPERTIES))
def trigger_update(client, args):
    """Update a trigger."""
    formatting.print_resource(
        client.triggers.update(args.trigger_id,
                               trigger_changes(args)).to_dict())


def trigger_changes(args):
    """The trigger update that the options ask for."""
    changes = {field: getattr(args, field)
               for field in ('name', 'properties')
               if getattr(args, field) is not None}
    if not changes:
        raise exceptions.CommandError(
            'Nothing to update: give --name or --properties')
    return changes


@command(arg('trigger', metavar='<trigger>', nargs='+',
             help='Trigger id(s).'))
def trigger_delete(client, args):
    """Delete triggers."""
    return for_each(args.trigger, client.triggers.delete)


# Scheduled operations

OPERATION_TYPES = ('protect', 'retention_protect')


@command(arg('name', metavar='<name>', help='Scheduled operation name.'),
         arg('operation_type', metavar='<operation_type>',
             choices=OPERATION_TYPES,
             help='Operation type: %s.' % ' or '.join(OPERATION_TYPES)),
         arg('trigger_id', metavar='<trigger_id>',
             help='Trigger that runs the operation.'),
         arg('operation_definition', metavar='<key=value,key=value>',
             type=arguments.parse_operation_definition,
             help='Operation definition: provider_id and plan_id; for '
                  'retention_protect also max_backups and '
                  'retention_duration.'),
         arg('--description', metavar='<description>',
             help='Scheduled operation description.'))
def scheduledoperation_create(client, args):
    """Create a scheduled operation."""
    formatting.print_resource(client.scheduled_operations.create(
        args.name, args.operation_type, args.trigger_id,
        args.operation_definition, description=args.description).to_dict())


@command(ALL_TENANTS,
         arg('--name', metavar='<name>', help='Filter by name.'),
         arg('--operation_type', metavar='<operation_type>',
             help='Filter by operation type.'),
         arg('--trigger_id', metavar='<trigger_id>',
             help='Filter by trigger.'),
         arg('--operation_definition', metavar='<operation_definition>',
             help='Filter by operation definition.'),
         *PAGING, *OLD_SORT,
         TENANT)
def scheduledoperation_list(client, args):
    """List scheduled operations."""
    operations = client.scheduled_operations.list(
        **paging(args), name=args.name,
        operation_type=args.operation_type, trigger_id=args.trigger_id,
        operation_definition=args.operation_definition,
        **tenant_filters(args))
    _print_resources(operations, ['Id', 'Name', 'OperationType', 'TriggerId',
                                  'OperationDefinition'], args)


@command(arg('scheduledoperation', metavar='<scheduledoperation>',
             help='Scheduled operation id.'))
def scheduledoperation_show(client, args):
    """Show a scheduled operation."""
    formatting.print_resource(
        client.scheduled_operations.get(args.scheduledoperation).to_dict())


@command(arg('scheduledoperation', metavar='<scheduledoperation>',
             nargs='+', help='Scheduled operation id(s).'))
def scheduledoperation_delete(client, args):
    """Delete scheduled operations."""
    return for_each(args.scheduledoperation,
                    client.scheduled_operations.delete)


# Operation logs

@command(ALL_TENANTS,
         arg('--status', metavar='<status>', help='Filter by status.'),
         arg('--operation_type', metavar='<operation_type>',
             help='Filter by operation type.'),
         arg('--checkpoint_id', metavar='<checkpoint_id>',
             help='Filter by checkpoint.'),
         arg('--plan_id', metavar='<plan_id>', help='Filter by plan.'),
         arg('--scheduled_operation_id', metavar='<scheduled_operation_id>',
             help='Filter by scheduled operation.'),
         *PAGING, *OLD_SORT,
         TENANT)
def operationlog_list(client, args):
    """List operation logs."""
    logs = client.operation_logs.list(
        **paging(args), status=args.status,
        operation_type=args.operation_type,
        checkpoint_id=args.checkpoint_id, plan_id=args.plan_id,
        scheduled_operation_id=args.scheduled_operation_id,
        **tenant_filters(args))
    _print_resources(logs, ['Id', 'Operation Type', 'Checkpoint id',
                            'Plan Id', 'Provider id', 'Restore Id',
                            'Scheduled Operation Id', 'Status', 'Started At',
                            'Ended At', 'Error Info', 'Extra Info'], args)


@command(arg('operation_log', metavar='<operation_log>',
             help='Operation log id.'))
def operationlog_show(client, args):
    """Show an operation log."""
    formatting.print_resource(
        client.operation_logs.get(args.operation_log).to_dict())


# Services

SERVICE_COLUMNS = ['Id', 'Binary', 'Host', 'Status', 'State', 'Updated_at',
                   'Disabled Reason']


@command(arg('--host', metavar='<hostname>', help='Filter by host.'),
         arg('--binary', metavar='<binary>',
             help='Filter by binary (karbor-protection, '
                  'karbor-operationengine).'))
def service_list(client, args):
    """List the Karbor services, whether each is up and enabled (admin
    only)."""
    formatting.print_list(
        [s.to_dict() for s in client.services.list(args.host, args.binary)],
        SERVICE_COLUMNS, sort_by_first=False)


@command(arg('service_id', metavar='<service_id>', help='Service id.'))
def service_enable(client, args):
    """Let a service take new work again (admin only)."""
    formatting.print_list([client.services.enable(args.service_id).to_dict()],
                          SERVICE_COLUMNS)


@command(arg('service_id', metavar='<service_id>', help='Service id.'),
         arg('--reason', metavar='<reason>',
             help='Why the service is disabled.'))
def service_disable(client, args):
    """Stop a service from taking new work; what it runs goes on to its
    end (admin only)."""
    if args.reason is None:
        service = client.services.disable(args.service_id)
    else:
        service = client.services.disable_log_reason(args.service_id,
                                                     args.reason)
    formatting.print_list([service.to_dict()], SERVICE_COLUMNS)


# Quotas

def own_project(client):
    """The caller's project: Keystone's, or without Keystone the last
    segment of the Karbor URL (.../v1/<project>)."""
    return (client.http.get_project_id() or
            client.http.get_endpoint().rstrip('/').rsplit('/', 1)[-1])


def quota_fields(quota):
    """A quota's fields; a limit with its usage (--detail) reads as
    python-karborclient 2.1.0 showed it: "in_use = 1" and so on, one a
    line."""
    return {
        name: '\n'.join('%s = %s' % item for item in sorted(value.items()))
        if isinstance(value, dict) else value
        for name, value in quota.to_dict().items()}


def _print_quota(quota):
    formatting.print_resource(quota_fields(quota))


QUOTA_TENANT = arg('--tenant', metavar='<tenant>',
                   help='Project id (default: your own).')
QUOTA_LIMITS = (
    arg('--plans', metavar='<plans>', type=int,
        help='New limit of plans (-1: none).'),
    arg('--checkpoints', metavar='<checkpoints>', type=int,
        help='New limit of checkpoints (-1: none).'),
)


def quota_limits(args):
    limits = {resource: getattr(args, resource)
              for resource in ('plans', 'checkpoints')
              if getattr(args, resource) is not None}
    if not limits:
        raise exceptions.CommandError(
            'Nothing to update: give --plans or --checkpoints')
    return limits


@command(QUOTA_TENANT,
         arg('--detail', action='store_true',
             help='Show each limit with what is in use and reserved.'))
def quota_show(client, args):
    """Show the quotas of a project."""
    _print_quota(client.quotas.get(args.tenant or own_project(client),
                                   detail=args.detail))


@command(QUOTA_TENANT)
def quota_defaults(client, args):
    """Show the quotas of a project without its own."""
    _print_quota(client.quotas.defaults(args.tenant or own_project(client)))


@command(arg('tenant', metavar='<tenant>', help='Project id.'),
         *QUOTA_LIMITS)
def quota_update(client, args):
    """Set the quotas of a project (admin only)."""
    _print_quota(client.quotas.update(args.tenant, quota_limits(args)))


@command(arg('class_name', metavar='<class_name>',
             help='Quota class ("default": of every project without its '
                  'own quotas).'))
def quota_class_show(client, args):
    """Show the quotas of a quota class (admin only)."""
    _print_quota(client.quota_classes.get(args.class_name))


@command(arg('class_name', metavar='<class_name>',
             help='Quota class ("default": of every project without its '
                  'own quotas).'),
         *QUOTA_LIMITS)
def quota_class_update(client, args):
    """Set the quotas of a quota class (admin only)."""
    _print_quota(client.quota_classes.update(args.class_name, quota_limits(args)))
