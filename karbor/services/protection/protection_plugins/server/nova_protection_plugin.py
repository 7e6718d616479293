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

"""The Nova server protection plugin, ``karbor-server-protection-plugin``.

In the resource graph a server is the parent of its attached volumes and
of the image it was booted from; their own plugins protect and restore
their data. This plugin keeps what it takes to rebuild the server around
them: one record, the object ``metadata`` of the bank section
``OS::Nova::Server#<id>`` (see schemas.SAVED_INFO_SCHEMA).

Protect
    ``on_prepare_begin``, before any child's hook: read the server (name,
    flavor, metadata, key pair with its public key, boot image or root
    volume, attached volumes and their devices, availability zone,
    networks) and record it, "protecting". This is where a guest would be
    quiesced; the fake virt driver of the test cloud has nothing to
    quiesce. ``on_complete``, after every child is protected: the server
    must still exist; the record becomes "available".

Restore
    ``on_prepare_begin`` checks the record and the flavor to use, so that a
    restore bound to fail does so before the children copy any data.
    ``on_complete`` runs after every child's complete, when the restored
    image and volumes are in ``new_resources``: it boots a new server from
    the restored image (the original one when the checkpoint has no copy)
    or the restored root volume, with the same flavor, metadata, key pair
    (recreated from the saved public key when it is gone), availability
    zone and networks (``networks='none'`` when it had none), waits until
    it is ACTIVE, attaches the restored volumes and waits until each is
    ``in-use``. The new server is reported on the Restore under its new
    id, "available" or "error" with the reason, and put in
    ``new_resources``. It is booted with the tags ``karbor-restore:<restore
    id>`` and ``karbor-from:<original server id>``: a rerun of the hook
    (its worker died) finds it, waits for it and attaches the volumes not
    attached yet, rather than boot a second server.

Verify
    ``on_complete``, after the children are verified: the record is
    complete (every field a restore boots the server from is there), and
    the volumes and the image it names that the checkpoint protected
    passed their own verification (``verify.resources_status``).

Delete
    ``on_main`` removes the server's bank section.

Options, section ``[nova_protection_plugin]`` of the provider file:
``server_active_timeout`` and ``volume_attach_timeout`` (seconds).
"""

import contextlib

from novaclient import exceptions as nova_exceptions
from oslo_config import cfg
from oslo_log import log as logging

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.clients import cinder
from karbor.services.protection.clients import nova
from karbor.services.protection import graph
from karbor.services.protection import protection_plugin
from karbor.services.protection import protection_plugins as plugins
from karbor.services.protection.protection_plugins import errors
from karbor.services.protection.protection_plugins.server import schemas
from karbor.services.protection.protection_plugins import waiting

LOG = logging.getLogger(__name__)

RESOURCE_TYPE = 'OS::Nova::Server'
IMAGE_TYPE = 'OS::Glance::Image'
VOLUME_TYPE = 'OS::Cinder::Volume'

# The server's record in its bank section.
RECORD_KEY = 'metadata'
RECORD_PROTECTING = plugins.PROTECTING
RECORD_AVAILABLE = plugins.AVAILABLE

# What the Restore is told about the new server.
RESTORED = plugins.AVAILABLE
RESTORE_FAILED = plugins.ERROR

# The tags of a restored server (Nova tags are at most 60 characters, too
# short for restore_marks): the restore's id and the original server's.
RESTORE_TAG = 'karbor-restore:%s'
RESTORED_FROM_TAG = 'karbor-from:%s'
# A server restored from a restored server is tagged anew.
_TAG_PREFIXES = (RESTORE_TAG % '', RESTORED_FROM_TAG % '')

# 2.47 shows the flavor's details in a server, 2.37 boots without a network
# (networks='none'), 2.52 boots with tags, 2.79 attaches a volume with
# delete_on_termination.
NOVA_MICROVERSION = '2.79'

# A server in one of these states has nothing worth protecting.
UNPROTECTABLE_STATUSES = frozenset(['BUILD', 'ERROR', 'DELETED',
                                    'SOFT_DELETED', 'UNKNOWN'])

# Polls of a server or volume status (waiting.py): the first after 0.2 s,
# then an eighth of the time waited, at most 2 s, until the option's
# timeout.
FIRST_POLL = 0.2
LONGEST_POLL = 2.0
POLLING = waiting.Polling(FIRST_POLL, LONGEST_POLL)

OPTIONS_GROUP = 'nova_protection_plugin'

nova_protection_opts = [
    cfg.IntOpt('server_active_timeout', default=600, min=1,
               help=_('Seconds a restored server may take to become '
                      'ACTIVE before the restore of the server fails.')),
    cfg.IntOpt('volume_attach_timeout', default=300, min=1,
               help=_('Seconds a restored volume may take to become '
                      'available, then again to become in-use once '
                      'attached to the restored server.')),
]

# A server could not be protected or restored; the message says why. The
# plugins' one error, under this plugin's former name.
ServerPluginError = errors.PluginError


# Talking to the services

def _compute(context):
    """A Nova client acting as the caller, at NOVA_MICROVERSION."""
    return nova.create(context, NOVA_MICROVERSION)


def _block_storage(context):
    return cinder.create(context)


def _nova_answers(doing):
    """Nova's failures as reasons that say what was being done (a caller
    that expects a NotFound catches it inside)."""
    return errors.answers(nova.SERVICE_TITLE, doing)


def _cinder_answers(doing):
    return errors.answers(cinder.SERVICE_TITLE, doing)


def _status_wait(what, fetch, wanted, has_failed, timeout,
                 failure_detail=None):
    """The wait (waiting.Wait) until the status of ``fetch()`` is
    ``wanted``.

    It raises ServerPluginError when ``has_failed(status)``, WaitTimeout
    when the status is still not ``wanted`` after ``timeout`` seconds.
    """
    def failure(thing):
        detail = failure_detail(thing) if failure_detail else None
        return ServerPluginError(
            reason=_('%(what)s is %(status)s%(detail)s') %
            {'what': what, 'status': waiting.status_of(thing),
             'detail': ': %s' % detail if detail else ''})

    return waiting.status_wait(fetch, wanted, has_failed, what, timeout,
                               POLLING, errors.is_transient, failure)


# The record in the bank

def _section(checkpoint, resource):
    return plugins.resource_section(checkpoint, resource)


def _read_record(checkpoint, resource, complete=True):
    try:
        record = _section(checkpoint, resource).get_object(RECORD_KEY)
    except exception.BankObjectNotFound:
        raise ServerPluginError(
            reason=_('checkpoint %(checkpoint)s holds no record of server '
                     '%(server)s') % {'checkpoint': checkpoint.id,
                                      'server': resource.id})
    if complete and record.get('status') != RECORD_AVAILABLE:
        raise ServerPluginError(
            reason=_('the record of server %s in the checkpoint is '
                     'incomplete: its protection did not finish') %
            resource.id)
    return record


# Protect

def _server_gone(server_id, when):
    return ServerPluginError(
        reason=_('Nova has no server %(id)s any more: it was deleted '
                 '%(when)s') % {'id': server_id, 'when': when})


def _find_flavor_id(compute, flavor):
    """The id of the flavor a server shows by name and size, if any.

    Nova shows a server's flavor as a copy (name and specs) since 2.47,
    without its id; the flavor may have been deleted since the boot.
    """
    for candidate in compute.flavors.list(is_public=None):
        if (candidate.name == flavor.get('original_name') and
                all(getattr(candidate, spec, None) == flavor.get(spec)
                    for spec in ('vcpus', 'ram', 'disk'))):
            return candidate.id
    return None


def _describe_flavor(compute, flavor):
    saved = {spec: flavor.get(spec) for spec in
             ('original_name', 'vcpus', 'ram', 'disk', 'ephemeral', 'swap')}
    saved['extra_specs'] = dict(flavor.get('extra_specs') or {})
    # Older microversions (and some fakes) give the id itself.
    saved['id'] = flavor.get('id') or _find_flavor_id(compute, flavor)
    return saved


def _describe_key_pair(compute, key_name):
    if not key_name:
        return None
    try:
        key_pair = compute.keypairs.get(key_name)
    except nova.NotFound:
        LOG.warning('Key pair %s of a protected server is gone; a restore '
                    'cannot recreate it.', key_name)
        return None
    return {'name': key_pair.name, 'public_key': key_pair.public_key,
            'type': getattr(key_pair, 'type', None) or 'ssh'}


def _describe_volumes(server, attachments, image_id):
    volumes = sorted(
        ({'id': attachment.volumeId,
          'device': getattr(attachment, 'device', None),
          'delete_on_termination': bool(
              getattr(attachment, 'delete_on_termination', False)),
          'boot': False}
         for attachment in attachments),
        key=lambda volume: volume['device'] or '')
    if image_id is None and volumes:
        # Booted from a volume: its root disk is the root device (shown to
        # administrators only), else the first device (vda before vdb).
        root = getattr(server, 'OS-EXT-SRV-ATTR:root_device_name', None)
        boot = next((volume for volume in volumes
                     if root and volume['device'] == root), volumes[0])
        boot['boot'] = True
    return volumes


def _describe_networks(interfaces):
    return [{'network_id': interface.net_id,
             'mac_address': getattr(interface, 'mac_addr', None),
             'fixed_ips': [ip.get('ip_address') for ip in
                           getattr(interface, 'fixed_ips', None) or []]}
            for interface in interfaces]


def _security_group_names(server):
    names = []
    for group in getattr(server, 'security_groups', None) or []:
        if group.get('name') and group['name'] not in names:
            names.append(group['name'])
    return names


def _describe_server(compute, server_id):
    """The record of the server as Nova shows it now."""
    with _nova_answers(_('reading server %s') % server_id):
        try:
            server = compute.servers.get(server_id)
            if server.status in UNPROTECTABLE_STATUSES:
                raise ServerPluginError(
                    reason=_('server %(id)s is %(status)s: there is no '
                             'server to protect') %
                    {'id': server_id, 'status': server.status})
            attachments = compute.volumes.get_server_volumes(server_id)
            # A server without an address has no port to ask about (and
            # a cloud without Neutron could not answer).
            interfaces = (compute.servers.interface_list(server_id)
                          if getattr(server, 'addresses', None) else [])
        except nova.NotFound:
            raise _server_gone(server_id, _('before it was protected'))
        flavor = _describe_flavor(compute, server.flavor)
        key_pair = _describe_key_pair(compute, server.key_name)
    image_id = (server.image or {}).get('id') or None
    return {
        'id': server.id,
        'name': server.name,
        'description': getattr(server, 'description', None),
        'server_status': server.status,
        'flavor': flavor,
        'metadata': dict(server.metadata or {}),
        'tags': list(getattr(server, 'tags', None) or []),
        'key_name': server.key_name or None,
        'key_pair': key_pair,
        'image': image_id,
        'attached_volumes': _describe_volumes(server, attachments, image_id),
        'availability_zone': getattr(
            server, 'OS-EXT-AZ:availability_zone', None) or None,
        'networks': _describe_networks(interfaces),
        'security_groups': _security_group_names(server),
    }


class ProtectOperation(protection_plugin.Operation):
    """Records the server, then marks the record complete. Both hooks only
    write the record: run again, they write it again."""

    def on_prepare_begin(self, checkpoint, resource, context, parameters,
                         **kwargs):
        record = _describe_server(_compute(context), resource.id)
        record['status'] = RECORD_PROTECTING
        _section(checkpoint, resource).update_object(RECORD_KEY, record)
        LOG.info('Server %(id)s recorded in checkpoint %(checkpoint)s.',
                 {'id': resource.id, 'checkpoint': checkpoint.id})

    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        record = _read_record(checkpoint, resource, complete=False)
        compute = _compute(context)
        with _nova_answers(_('reading server %s') % resource.id):
            try:
                compute.servers.get(resource.id)
            except nova.NotFound:
                raise _server_gone(resource.id,
                                   _('while it was being protected'))
        record['status'] = RECORD_AVAILABLE
        _section(checkpoint, resource).update_object(RECORD_KEY, record)


# Restore

def _restored_id(new_resources, resource_type, original_id):
    return new_resources.get(plugins.resource_key(resource_type,
                                                  original_id))


def _choose_flavor(compute, record, requested):
    """The id of the flavor to boot the restored server with."""
    with _nova_answers(_('looking up the flavor')):
        if requested:
            try:
                return compute.flavors.get(requested).id
            except nova.NotFound:
                pass
            for flavor in compute.flavors.list(is_public=None):
                if flavor.name == requested:
                    return flavor.id
            raise ServerPluginError(
                reason=_('flavor %s of the restore parameters does not '
                         'exist') % requested)
        saved = record['flavor']
        if saved.get('id'):
            try:
                return compute.flavors.get(saved['id']).id
            except nova.NotFound:
                pass
        flavor_id = _find_flavor_id(compute, saved)
    if flavor_id is None:
        raise ServerPluginError(
            reason=_('the flavor of the server, %(name)s (%(id)s), no '
                     'longer exists: choose one with the restore parameter '
                     '"flavor"') % {'name': saved.get('original_name'),
                                    'id': saved.get('id')})
    return flavor_id


def _choose_disks(record, new_resources, notes):
    """What the restored server boots from, and what is attached after.

    Returns the image id (None when it boots from a volume), the block
    device mapping of the root volume (or None) and the data volumes to
    attach, as (new volume id, saved attachment).
    """
    image_id = None
    if record['image']:
        # An image the checkpoint has no copy of is still in Glance.
        image_id = (_restored_id(new_resources, IMAGE_TYPE,
                                 record['image']) or record['image'])
    root_mapping = None
    data_volumes = []
    for volume in record['attached_volumes']:
        new_id = _restored_id(new_resources, VOLUME_TYPE, volume['id'])
        if volume['boot']:
            if new_id is None:
                raise ServerPluginError(
                    reason=_('the root volume %s of the server was not '
                             'restored: the checkpoint has no copy of '
                             'it') % volume['id'])
            root_mapping = [{'boot_index': 0, 'uuid': new_id,
                             'source_type': 'volume',
                             'destination_type': 'volume',
                             'delete_on_termination':
                                 volume['delete_on_termination']}]
        elif new_id is None:
            notes.append(_('volume %s was not restored (the checkpoint has '
                           'no copy of it) and is not attached') %
                         volume['id'])
        else:
            data_volumes.append((new_id, volume))
    if image_id is None and root_mapping is None:
        raise ServerPluginError(
            reason=_('the record of server %s names neither a boot image '
                     'nor a root volume') % record['id'])
    return image_id, root_mapping, data_volumes


def _ensure_key_pair(compute, record, notes):
    """The name of the key pair to boot with, recreated if it is gone."""
    key_name = record.get('key_name')
    if not key_name:
        return None
    with _nova_answers(_('checking key pair %s') % key_name):
        try:
            compute.keypairs.get(key_name)
            return key_name
        except nova.NotFound:
            pass
        saved = record.get('key_pair') or {}
        if not saved.get('public_key'):
            notes.append(_('key pair %s is gone and the checkpoint has no '
                           'public key of it: the server was restored '
                           'without a key pair') % key_name)
            return None
        try:
            compute.keypairs.create(key_name,
                                    public_key=saved['public_key'],
                                    key_type=saved.get('type') or 'ssh')
            LOG.info('Key pair %s recreated for a restored server.',
                     key_name)
        except nova_exceptions.Conflict:
            pass  # another restored server recreated it meanwhile
    return key_name


def _requested_flavor(parameters):
    # restore_flavor_id: the original Karbor's name of the parameter.
    return parameters.get('flavor') or parameters.get('restore_flavor_id')


def _networks(record, parameters):
    if parameters.get('restore_net_id'):
        return [{'net-id': parameters['restore_net_id']}]
    if not record.get('networks'):
        return 'none'
    return [{'net-id': network['network_id']}
            for network in record['networks']]


def _server_fault(server):
    fault = getattr(server, 'fault', None) or {}
    return fault.get('message')


def _volume_has_failed(status):
    return status.startswith('error')


def _restore_tags(restore, resource):
    return [RESTORE_TAG % restore.id, RESTORED_FROM_TAG % resource.id]


def _find_restored(compute, tags):
    """The server that an earlier run of the same restore booted for the
    same server (tagged so), or None."""
    for server in compute.servers.list(search_opts={'tags': ','.join(tags)}):
        if set(tags) <= set(getattr(server, 'tags', None) or ()) and (
                server.status not in ('DELETED', 'SOFT_DELETED')):
            return server
    return None


class RestoreOperation(protection_plugin.Operation):
    """Boots the restored server, tagged with the restore's id and the
    original server's. Run again, it finds that server and goes on with
    it (waits until it is ACTIVE, attaches what is not attached yet),
    rather than boot a second one."""

    def __init__(self, options):
        self._options = options

    def on_prepare_begin(self, checkpoint, resource, context, parameters,
                         **kwargs):
        record = _read_record(checkpoint, resource)
        _choose_flavor(_compute(context), record,
                       _requested_flavor(parameters or {}))

    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        restore = kwargs['restore']
        new_resources = kwargs['new_resources']
        parameters = parameters or {}
        record = _read_record(checkpoint, resource)
        compute = _compute(context)
        notes = []
        image_id, root_mapping, data_volumes = _choose_disks(
            record, new_resources, notes)
        tags = _restore_tags(restore, resource)
        with _nova_answers(_('looking for the server this restore '
                             'booted')):
            server = _find_restored(compute, tags)
        if server is None:
            server = self._boot(compute, record, parameters, image_id,
                                root_mapping, tags, notes)
            LOG.info('Server %(original)s restored as %(new)s; waiting for '
                     'it.', {'original': resource.id, 'new': server.id})
        else:
            # The notes of the first run (a key pair it could not
            # recreate) are not known any more.
            LOG.info('Server %(new)s of this restore was booted already: '
                     'going on with it.', {'new': server.id})
        new_resources[graph.resource_key(resource)] = server.id

        @contextlib.contextmanager
        def reporting_failure():
            try:
                yield
            except Exception as exc:
                restore.update_resource_status(RESOURCE_TYPE, server.id,
                                               RESTORE_FAILED, reason=exc)
                raise

        def attach_and_report(_server):
            if data_volumes:
                block_storage = _block_storage(context)
                with _nova_answers(_('reading the volumes of server %s') %
                                   server.id):
                    attached = {
                        attachment.volumeId for attachment in
                        compute.volumes.get_server_volumes(server.id)}
                for new_id, volume in data_volumes:
                    self._attach(compute, block_storage, server.id, new_id,
                                 volume, new_id in attached)
            restore.update_resource_status(
                RESOURCE_TYPE, server.id, RESTORED,
                reason='; '.join(str(note) for note in notes) or None)

        # Booting takes Nova a while: the wait holds no thread.
        waiting_for = _('waiting for the restored server %s') % server.id
        return waiting.Pending(
            _status_wait(_('restored server %s') % server.id,
                         lambda: compute.servers.get(server.id), 'ACTIVE',
                         lambda status: status == 'ERROR',
                         self._options.server_active_timeout,
                         failure_detail=_server_fault),
            attach_and_report).within(
                lambda: _nova_answers(waiting_for)).within(reporting_failure)

    def _boot(self, compute, record, parameters, image_id, root_mapping,
              tags, notes):
        boot = {
            'name': parameters.get('restore_name') or record['name'],
            'image': image_id,
            'flavor': _choose_flavor(compute, record,
                                     _requested_flavor(parameters)),
            'meta': record['metadata'] or None,
            'key_name': _ensure_key_pair(compute, record, notes),
            'availability_zone': (parameters.get('availability_zone') or
                                  record['availability_zone']),
            'nics': _networks(record, parameters),
            'block_device_mapping_v2': root_mapping,
            'description': record.get('description'),
            'tags': [tag for tag in record.get('tags') or ()
                     if not tag.startswith(_TAG_PREFIXES)] + tags,
        }
        if boot['nics'] != 'none' and record.get('security_groups'):
            boot['security_groups'] = record['security_groups']
        with _nova_answers(_('booting the restored server')):
            return compute.servers.create(**boot)

    def _attach(self, compute, block_storage, server_id, volume_id, saved,
                attached=False):
        timeout = self._options.volume_attach_timeout
        what = _('restored volume %s') % volume_id
        doing = _('attaching restored volume %(volume)s to server '
                  '%(server)s') % {'volume': volume_id, 'server': server_id}
        if not attached:
            with _cinder_answers(doing):
                _status_wait(what,
                             lambda: block_storage.volumes.get(volume_id),
                             'available', _volume_has_failed, timeout).run()
            with _nova_answers(doing):
                self._create_server_volume(compute, server_id, volume_id,
                                           saved)
        with _cinder_answers(doing):
            _status_wait(what, lambda: block_storage.volumes.get(volume_id),
                         'in-use', _volume_has_failed, timeout).run()

    @staticmethod
    def _create_server_volume(compute, server_id, volume_id, saved):
        try:
            compute.volumes.create_server_volume(
                server_id, volume_id, device=saved['device'],
                delete_on_termination=saved['delete_on_termination'])
        except nova_exceptions.BadRequest:
            if not saved['device']:
                raise
            # The saved device name does not fit the new server (its
            # bus, a disk already there): let Nova choose.
            LOG.info('Nova refused device %(device)s for volume '
                     '%(volume)s; attaching it where Nova chooses.',
                     {'device': saved['device'], 'volume': volume_id})
            compute.volumes.create_server_volume(
                server_id, volume_id,
                delete_on_termination=saved['delete_on_termination'])


# Delete

# Verify

# What a restore boots a server from: a record without one of them is
# damaged.
RECORD_FIELDS = ('id', 'name', 'flavor', 'metadata', 'image',
                 'attached_volumes', 'networks')


class VerifyOperation(protection_plugin.Operation):
    """Checks the record, and that the children it names verified."""

    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        record = _read_record(checkpoint, resource)
        missing = [name for name in RECORD_FIELDS if name not in record]
        if missing:
            raise ServerPluginError(
                reason=_('the record of server %(id)s lacks %(fields)s') %
                {'id': resource.id, 'fields': ', '.join(missing)})
        children = [(VOLUME_TYPE, volume['id'])
                    for volume in record['attached_volumes']]
        if record['image']:
            children.append((IMAGE_TYPE, record['image']))
        verdicts = kwargs['verify'].resources_status
        failed = sorted(
            plugins.resource_key(*child) for child in children
            if verdicts.get(plugins.resource_key(*child), RECORD_AVAILABLE) !=
            RECORD_AVAILABLE)
        if failed:
            raise ServerPluginError(
                reason=_('server %(id)s cannot be restored: %(children)s '
                         'failed verification') %
                {'id': resource.id, 'children': ', '.join(failed)})


class DeleteOperation(protection_plugin.Operation):
    """Removes the server's bank section; what is gone already is no
    error."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = _section(checkpoint, resource)
        for key in section.list_objects():
            try:
                section.delete_object(key)
            except exception.BankObjectNotFound:
                pass  # removed meanwhile


class NovaProtectionPlugin(protection_plugin.ProtectionPlugin):
    """Protection plugin ``karbor-server-protection-plugin``."""

    def __init__(self, config=None):
        super().__init__(config)
        if config is None:
            config = cfg.ConfigOpts()
        config.register_opts(nova_protection_opts, group=OPTIONS_GROUP)
        self._options = config[OPTIONS_GROUP]

    def get_protect_operation(self, resource):
        return ProtectOperation()

    def get_restore_operation(self, resource):
        return RestoreOperation(self._options)

    def get_verify_operation(self, resource):
        return VerifyOperation()

    def get_copy_operation(self, resource):
        # The record is the server's protection; its volumes and image
        # are copied as resources of their own.
        return plugins.CopySection()

    def get_delete_operation(self, resource):
        return DeleteOperation()

    @classmethod
    def get_supported_resources_types(cls):
        return [RESOURCE_TYPE]

    @classmethod
    def get_options_schema(cls, resource_type):
        return schemas.OPTIONS_SCHEMA

    @classmethod
    def get_restore_schema(cls, resource_type):
        return schemas.RESTORE_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return schemas.SAVED_INFO_SCHEMA

    @classmethod
    def get_saved_info(cls, metadata_store, resource):
        try:
            return metadata_store.get_object(RECORD_KEY)
        except exception.BankObjectNotFound:
            return None
