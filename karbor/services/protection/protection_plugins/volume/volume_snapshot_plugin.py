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

"""Volumes protected by Cinder snapshots: ``karbor-volume-snapshot-plugin``.

Protect
    Cinder snapshots the volume (forced when it is attached), in the
    prepare-finish hook: a server's plugin quiesces it before its volumes'
    prepare-finish and un-quiesces it after, so the snapshots are taken
    while it is quiet. The checkpoint keeps the snapshot's id, written as
    soon as Cinder has the snapshot. A rerun of the hook waits for that
    snapshot, or for the one of the volume whose metadata
    ``karbor_checkpoint_id`` names the checkpoint, rather than take
    another.
Restore
    A new volume is made from the snapshot, marked with the restore's id
    and the original volume, and reported under its new id; a rerun
    finds it and waits for it.
Verify
    The snapshot the checkpoint names is still in Cinder, ``available``,
    and of the recorded size.
Delete
    The snapshot is deleted; one already gone is no error.

A snapshot lives beside its volume, on the same storage: it protects from
mistakes, not from the loss of that storage (the backup plugin does).
The provider file's section ``[volume_snapshot_protection_plugin]`` sets
how Cinder is polled and how long a snapshot and a restore may take.
"""

from oslo_config import cfg
from oslo_log import log as logging

from karbor import exception
from karbor.i18n import _
from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins.volume import volumes
from karbor.services.protection.protection_plugins import waiting

LOG = logging.getLogger(__name__)

SECTION = 'volume_snapshot_protection_plugin'

volume_snapshot_protection_plugin_opts = waiting.poll_opts(
    _('a Cinder snapshot or a volume made from one')) + [
    cfg.IntOpt('snapshot_timeout', default=3600, min=1,
               help=_('Seconds a Cinder snapshot (and the deletion of one) '
                      'may take before the operation fails.')),
    cfg.IntOpt('restore_timeout', default=86400, min=1,
               help=_('Seconds making a new volume from a snapshot may take '
                      'before the restore fails.')),
]

CHECKPOINT_KEY = 'karbor_checkpoint_id'

OPTIONS_SCHEMA = {
    'title': 'Volume Snapshot Options',
    'type': 'object',
    'properties': {
        'snapshot_name': {
            'type': 'string', 'title': 'Snapshot Name',
            'description': 'The name of the Cinder snapshot.'},
    },
}

SAVED_INFO_SCHEMA = {
    'title': 'Volume Snapshot Saved Info',
    'type': 'object',
    'properties': {
        'name': {'type': 'string', 'title': 'Name',
                 'description': 'The name of the snapshot.'},
        'snapshot_id': {'type': 'string', 'title': 'Snapshot Id',
                        'description': 'The Cinder snapshot.'},
        'volume_id': {'type': 'string', 'title': 'Volume Id',
                      'description': 'The volume it was taken of.'},
        'size': {'type': 'integer', 'title': 'Size',
                 'description': 'The size of the volume in GiB.'},
    },
    'required': ['name', 'snapshot_id'],
}


def list_opts():
    return [(SECTION, volume_snapshot_protection_plugin_opts)]


class _Settings(object):
    """The plugin's options as its operations use them."""

    def __init__(self, options):
        self.polling = waiting.polling_from(options)
        self.snapshot_timeout = options.snapshot_timeout
        self.restore_timeout = options.restore_timeout


def _checkpoint_description(checkpoint_id):
    return _('Karbor checkpoint %s') % checkpoint_id


class _ProtectVolume(protection_plugin.Operation):
    """Snapshots a volume. Run again, it finds the snapshot that it
    started (recorded in the bank, or marked in Cinder with the
    checkpoint's id) and waits for that one."""

    def __init__(self, settings):
        self._settings = settings

    @volumes.reaching_cinder(_('snapshotting volume %(id)s'))
    def on_prepare_finish(self, checkpoint, resource, context, parameters,
                          **kwargs):
        cinder_api = volumes.client(context)
        section = volumes.resource_section(checkpoint, resource)
        metadata = volumes.saved_metadata(section)
        if metadata and metadata.get('status') == volumes.RECORD_AVAILABLE:
            return  # an earlier run finished
        snapshot = None
        if metadata:
            try:
                snapshot = cinder_api.volume_snapshots.get(
                    metadata['snapshot_id'])
            except volumes.NotFound:
                snapshot = None
        if snapshot is None:
            metadata = None
            snapshot = volumes.find_made_for(
                cinder_api.volume_snapshots.list(
                    search_opts={'volume_id': resource.id}),
                checkpoint.id, CHECKPOINT_KEY,
                _checkpoint_description(checkpoint.id))
            if snapshot is not None:
                LOG.info('Cinder snapshot %(snapshot)s of volume %(volume)s '
                         'was started for checkpoint %(checkpoint)s '
                         'already: waiting for it.',
                         {'snapshot': snapshot.id, 'volume': resource.id,
                          'checkpoint': checkpoint.id})
                try:
                    volume = cinder_api.volumes.get(resource.id)
                except volumes.NotFound:
                    volume = None
                metadata = _record(snapshot, volume, resource.id,
                                   getattr(snapshot, 'name', None) or '')
        if snapshot is None:
            snapshot, metadata = self._start(cinder_api, checkpoint,
                                             resource, parameters)
        # Recorded before the wait: a rerun and deleting the checkpoint
        # find it.
        section.update_object('metadata', metadata)
        self._wait(cinder_api, snapshot.id, resource.id)
        metadata['status'] = volumes.RECORD_AVAILABLE
        section.update_object('metadata', metadata)

    def _start(self, cinder_api, checkpoint, resource, parameters):
        settings = self._settings
        volume = volumes.wait_until_protectable(
            cinder_api, resource.id, settings.snapshot_timeout,
            settings.polling)
        name = parameters.get('snapshot_name') or (
            'karbor-%s' % checkpoint.id)
        with volumes.cinder_answers(_('snapshotting volume %s') % volume.id):
            snapshot = cinder_api.volume_snapshots.create(
                volume.id, force=volume.status == 'in-use', name=name,
                description=_checkpoint_description(checkpoint.id),
                metadata={CHECKPOINT_KEY: checkpoint.id})
        return snapshot, _record(snapshot, volume, volume.id, name)

    def _wait(self, cinder_api, snapshot_id, volume_id):
        def fetch():
            try:
                return cinder_api.volume_snapshots.get(snapshot_id)
            except volumes.NotFound:
                raise volumes.VolumeProtectionError(
                    reason=_('Cinder snapshot %(snapshot)s of volume '
                             '%(volume)s was deleted before it was '
                             'available') % {'snapshot': snapshot_id,
                                             'volume': volume_id})

        def is_ready(snapshot):
            if snapshot.status == 'available':
                return True
            if snapshot.status.startswith(volumes.FAILED_STATUS_PREFIX):
                reason = volumes.user_messages(
                    cinder_api, snapshot_id) or _('no reason given')
                raise volumes.VolumeProtectionError(
                    reason=_('Cinder snapshot %(snapshot)s of volume '
                             '%(volume)s failed (status %(status)s): '
                             '%(reason)s') % {'snapshot': snapshot_id,
                                              'volume': volume_id,
                                              'status': snapshot.status,
                                              'reason': reason})
            return False

        waiting.wait_for(
            fetch, is_ready,
            _('Cinder snapshot %(snapshot)s of volume %(volume)s') %
            {'snapshot': snapshot_id, 'volume': volume_id},
            self._settings.snapshot_timeout, self._settings.polling,
            volumes.is_transient, wanted='available')


def _record(snapshot, volume, volume_id, name):
    """The record of a snapshot being made; ``volume`` None when Cinder
    has it no more."""
    return {
        'snapshot_id': snapshot.id,
        'name': name,
        'size': volume.size if volume else getattr(snapshot, 'size', None),
        'status': volumes.RECORD_CREATING,
        'volume_id': volume_id,
        'volume_name': (volume.name if volume else None) or '',
        'volume_type': getattr(volume, 'volume_type', None),
        'availability_zone': getattr(volume, 'availability_zone', None),
        'bootable': getattr(volume, 'bootable', 'false'),
    }


class _RestoreVolume(protection_plugin.Operation):
    """Makes a new volume of the snapshot, marked with the restore's id and
    the original volume; a rerun finds it and waits for it."""

    def __init__(self, settings):
        self._settings = settings

    @volumes.reaching_cinder(_('restoring volume %(id)s'))
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        restored = volumes.RestoredVolume(resource, kwargs)
        with restored.reporting():
            return self._restore(checkpoint, resource, context, parameters,
                                 restored).within(restored.reporting)

    def _restore(self, checkpoint, resource, context, parameters, restored):
        settings = self._settings
        metadata = volumes.read_metadata(
            volumes.resource_section(checkpoint, resource), resource)
        snapshot_id = metadata['snapshot_id']
        cinder_api = volumes.client(context)
        volume = volumes.find_restored(cinder_api, restored.marks)
        if volume is None:
            volume = self._create(cinder_api, checkpoint, parameters,
                                  metadata, restored.marks)
        else:
            LOG.info('Volume %(volume)s of this restore was made already: '
                     'waiting for it.', {'volume': volume.id})
        restored.created(volume.id)
        return waiting.Pending(
            volumes.until_volume_available(
                cinder_api, volume.id,
                _('new volume from Cinder snapshot %s') % snapshot_id,
                settings.restore_timeout, settings.polling),
            lambda _volume: restored.done())

    def _create(self, cinder_api, checkpoint, parameters, metadata, marks):
        snapshot_id = metadata['snapshot_id']
        try:
            snapshot = cinder_api.volume_snapshots.get(snapshot_id)
        except volumes.NotFound:
            raise volumes.VolumeProtectionError(
                reason=_('Cinder snapshot %s of this checkpoint no longer '
                         'exists') % snapshot_id)
        if snapshot.status != 'available':
            raise volumes.VolumeProtectionError(
                reason=_('Cinder snapshot %(snapshot)s cannot be restored: '
                         'it is %(status)s') % {'snapshot': snapshot_id,
                                                'status': snapshot.status})
        with volumes.cinder_answers(_('making a volume of Cinder snapshot '
                                      '%s') % snapshot_id):
            return cinder_api.volumes.create(
                snapshot.size, snapshot_id=snapshot_id,
                name=volumes.restore_name(parameters, metadata),
                description=volumes.restore_description(
                    parameters, checkpoint, metadata),
                volume_type=parameters.get('volume_type'),
                availability_zone=parameters.get('availability_zone'),
                metadata=marks)


class _DeleteSnapshot(protection_plugin.Operation):
    """Deletes the checkpoint's snapshot; what is gone already is not an
    error, so a rerun succeeds."""

    def __init__(self, settings):
        self._settings = settings

    @volumes.reaching_cinder(_('deleting the snapshot of volume %(id)s'))
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = volumes.resource_section(checkpoint, resource)
        try:
            metadata = section.get_object('metadata')
        except exception.BankObjectNotFound:
            return  # the protection failed before it made a snapshot
        if not volumes.is_copy(metadata):
            self._delete_snapshot(context, metadata['snapshot_id'])
        try:
            section.delete_object('metadata')
        except exception.BankObjectNotFound:
            pass

    def _delete_snapshot(self, context, snapshot_id):
        settings = self._settings
        cinder_api = volumes.client(context)
        what = _('deletion of Cinder snapshot %s') % snapshot_id

        def fetch():
            try:
                return cinder_api.volume_snapshots.get(snapshot_id)
            except volumes.NotFound:
                return None

        def is_ready(snapshot):
            # Cinder deletes a snapshot that is available or in error;
            # wait_until_gone reports one that it failed to delete.
            return snapshot is None or snapshot.status in (
                'available', 'error', 'deleting', 'deleted',
                'error_deleting')

        snapshot = waiting.wait_for(fetch, is_ready, what,
                                    settings.snapshot_timeout,
                                    settings.polling, volumes.is_transient,
                                    wanted=_('available or error'))
        if snapshot is not None and snapshot.status in ('available',
                                                        'error'):
            try:
                cinder_api.volume_snapshots.delete(snapshot_id)
            except volumes.NotFound:
                pass
        volumes.wait_until_gone(cinder_api.volume_snapshots.get, snapshot_id,
                                what, settings.snapshot_timeout,
                                settings.polling)


class VolumeSnapshotProtectionPlugin(protection_plugin.ProtectionPlugin):
    """Protection plugin ``karbor-volume-snapshot-plugin``: Cinder
    snapshots of volumes."""

    def __init__(self, config=None):
        super().__init__(config)
        if config is None:
            config = cfg.ConfigOpts()
        config.register_opts(volume_snapshot_protection_plugin_opts,
                             group=SECTION)
        self._settings = _Settings(config[SECTION])

    def get_protect_operation(self, resource):
        return _ProtectVolume(self._settings)

    def get_restore_operation(self, resource):
        return _RestoreVolume(self._settings)

    def get_verify_operation(self, resource):
        return volumes.VerifyRecorded(
            'snapshot_id', lambda cinder_api: cinder_api.volume_snapshots,
            _('Cinder snapshot'))

    def get_copy_operation(self, resource):
        return volumes.CopyRecord()

    def get_delete_operation(self, resource):
        return _DeleteSnapshot(self._settings)

    @classmethod
    def get_supported_resources_types(cls):
        return [volumes.RESOURCE_TYPE]

    @classmethod
    def get_options_schema(cls, resource_type):
        return OPTIONS_SCHEMA

    @classmethod
    def get_restore_schema(cls, resource_type):
        return volumes.RESTORE_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return SAVED_INFO_SCHEMA

    @classmethod
    def get_saved_info(cls, metadata_store, resource):
        metadata = metadata_store.get_object('metadata')
        return {key: metadata[key] for key in SAVED_INFO_SCHEMA['properties']
                if key in metadata}
