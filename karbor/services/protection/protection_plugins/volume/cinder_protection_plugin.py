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

"""Volumes protected by Cinder backups: ``karbor-volume-protection-plugin``.

Protect
    Cinder backs the volume up (into its backup store, Swift in a devstack
    cloud), full or incremental; the checkpoint keeps the backup's id in
    the resource's bank section, ``metadata``, as soon as Cinder has the
    backup, before the wait for it. A rerun of the hook (its worker died)
    waits for the backup the bank names or, when the first run died
    before it wrote the record, for the backup of the volume whose
    metadata ``karbor_checkpoint_id`` names the checkpoint: one backup per
    checkpoint, however many runs.
Restore
    A new volume is made, marked with the restore's id and the original
    volume (protection_plugins.restore_marks), and Cinder restores the
    backup into it; the restore reports it under its new id and tells the
    other hooks that id in ``new_resources``. A rerun finds the marked
    volume and waits for it (restoring into it if Cinder was not asked to
    yet), rather than make a second one.
Verify
    The backup the checkpoint names is still in Cinder, ``available``,
    and of the recorded size (Cinder offers no check of a backup's bytes).
Delete
    The checkpoint's backup is deleted. Cinder refuses to delete a backup
    that later incremental backups depend on, so deleting the oldest
    checkpoints first (what retention does) would always fail: such a
    backup is marked instead (metadata ``karbor_deleted_checkpoint``) and
    goes when Karbor deletes the last backup that depends on it. A backup
    or record already gone is no error: a rerun finishes the deletion.

The provider file's section ``[cinder_backup_protection_plugin]`` sets
how Cinder is polled and how long a backup and a restore may take.
"""

from oslo_config import cfg
from oslo_log import log as logging

from karbor import exception
from karbor.i18n import _
from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins.volume import volumes
from karbor.services.protection.protection_plugins import waiting

LOG = logging.getLogger(__name__)

SECTION = 'cinder_backup_protection_plugin'

cinder_backup_protection_plugin_opts = waiting.poll_opts(
    _('a Cinder backup or restore')) + [
    cfg.IntOpt('backup_timeout', default=86400, min=1,
               help=_('Seconds a Cinder backup (and the deletion of one) '
                      'may take before the protection fails. A day by '
                      'default: raise it for volumes of many TiB.')),
    cfg.IntOpt('restore_timeout', default=86400, min=1,
               help=_('Seconds the restore of a Cinder backup into a new '
                      'volume may take before the restore fails.')),
]

FULL = 'full'
INCREMENTAL = 'incremental'
AUTO = 'auto'

# Cinder metadata of the backups Karbor makes and of those it deletes as
# soon as no incremental backup depends on them.
CHECKPOINT_KEY = 'karbor_checkpoint_id'
DELETED_KEY = 'karbor_deleted_checkpoint'

OPTIONS_SCHEMA = {
    'title': 'Cinder Protection Options',
    'type': 'object',
    'properties': {
        'backup_mode': {
            'type': 'string', 'title': 'Backup Mode',
            'enum': [FULL, INCREMENTAL, AUTO], 'default': AUTO,
            'description': 'The backup mode: auto is incremental when an '
                           'available backup of the volume exists, else '
                           'full.'},
        'backup_name': {
            'type': 'string', 'title': 'Backup Name',
            'description': 'The name of the Cinder backup.'},
        'force': {
            'type': 'boolean', 'title': 'Force', 'default': True,
            'description': 'Whether to back up a volume that is attached '
                           '(in-use), as a server\'s volumes are; false '
                           'refuses attached volumes.'},
    },
}

SAVED_INFO_SCHEMA = {
    'title': 'Cinder Protection Saved Info',
    'type': 'object',
    'properties': {
        'name': {'type': 'string', 'title': 'Name',
                 'description': 'The name of the backup.'},
        'backup_id': {'type': 'string', 'title': 'Backup Id',
                      'description': 'The Cinder backup.'},
        'backup_mode': {'type': 'string', 'title': 'Backup Mode',
                        'enum': [FULL, INCREMENTAL],
                        'description': 'Whether the backup is full or '
                                       'incremental.'},
        'size': {'type': 'integer', 'title': 'Size',
                 'description': 'The size of the volume in GiB.'},
    },
    'required': ['name', 'backup_id'],
}


def list_opts():
    return [(SECTION, cinder_backup_protection_plugin_opts)]


class _Settings(object):
    """The plugin's options as its operations use them."""

    def __init__(self, options):
        self.polling = waiting.polling_from(options)
        self.backup_timeout = options.backup_timeout
        self.restore_timeout = options.restore_timeout


def _available_backups(cinder_api, volume_id):
    backups = cinder_api.backups.list(detailed=True,
                                      search_opts={'volume_id': volume_id})
    return [backup for backup in backups
            if backup.volume_id == volume_id and
            backup.status == 'available']


def _backup_failed(cinder_api, backup, volume_id):
    reason = getattr(backup, 'fail_reason', None) or volumes.user_messages(
        cinder_api, backup.id) or _('no reason given')
    return volumes.VolumeProtectionError(
        reason=_('Cinder backup %(backup)s of volume %(volume)s failed: '
                 '%(reason)s') % {'backup': backup.id, 'volume': volume_id,
                                  'reason': reason})


def _delete_quietly(cinder_api, backup_id):
    try:
        cinder_api.backups.delete(backup_id)
    except Exception as exc:
        LOG.warning('The failed backup %(backup)s could not be deleted: '
                    '%(error)s', {'backup': backup_id, 'error': exc})


def _checkpoint_description(checkpoint_id):
    return _('Karbor checkpoint %s') % checkpoint_id


def _find_backup(cinder_api, volume_id, checkpoint_id):
    """The backup of the volume that Karbor started for the checkpoint
    (an earlier run of the hook, which died before it recorded it), or
    None."""
    return volumes.find_made_for(
        cinder_api.backups.list(detailed=True,
                                search_opts={'volume_id': volume_id}),
        checkpoint_id, CHECKPOINT_KEY, _checkpoint_description(checkpoint_id))


def _get_or_none(get, thing_id):
    try:
        return get(thing_id)
    except volumes.NotFound:
        return None


class _ProtectVolume(protection_plugin.Operation):
    """Backs a volume up. Run again, it finds the backup that it started
    (recorded in the bank, or marked in Cinder with the checkpoint's id)
    and waits for that one."""

    def __init__(self, settings):
        self._settings = settings

    @volumes.reaching_cinder(_('backing up volume %(id)s'))
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        cinder_api = volumes.client(context)
        section = volumes.resource_section(checkpoint, resource)
        metadata = volumes.saved_metadata(section)
        if metadata and metadata.get('status') == volumes.RECORD_AVAILABLE:
            return  # an earlier run finished
        backup = None
        if metadata:
            backup = _get_or_none(cinder_api.backups.get,
                                  metadata['backup_id'])
        if backup is None:
            backup = _find_backup(cinder_api, resource.id, checkpoint.id)
            metadata = None
        if backup is None:
            backup, metadata = self._start(cinder_api, checkpoint, resource,
                                           parameters)
        elif metadata is None:
            LOG.info('Cinder backup %(backup)s of volume %(volume)s was '
                     'started for checkpoint %(checkpoint)s already: '
                     'waiting for it.', {'backup': backup.id,
                                         'volume': resource.id,
                                         'checkpoint': checkpoint.id})
            metadata = _record(
                backup, _get_or_none(cinder_api.volumes.get, resource.id),
                resource.id, getattr(backup, 'name', None) or '',
                bool(getattr(backup, 'is_incremental', False)))
        # Recorded before the wait: whatever happens next, a rerun and
        # deleting the checkpoint find the backup.
        section.update_object('metadata', metadata)

        def record_available(backup):
            # Cinder has the last word on what it made.
            if getattr(backup, 'is_incremental', None) is not None:
                metadata['backup_mode'] = (
                    INCREMENTAL if backup.is_incremental else FULL)
            metadata['status'] = volumes.RECORD_AVAILABLE
            section.update_object('metadata', metadata)

        return waiting.Pending(
            self._backup_made(cinder_api, backup.id, resource.id),
            record_available)

    def _start(self, cinder_api, checkpoint, resource, parameters):
        """Start the backup; the backup and its record."""
        settings = self._settings
        volume = volumes.wait_until_protectable(
            cinder_api, resource.id, settings.backup_timeout,
            settings.polling)
        # Protecting a server protects its attached volumes: they are
        # backed up attached unless the plan says "force": false.
        force = bool(parameters.get('force', True))
        if volume.status == 'in-use' and not force:
            raise volumes.VolumeProtectionError(
                reason=_('volume %s is attached (in-use) and the plan\'s '
                         'parameters say "force": false') % volume.id)
        mode = parameters.get('backup_mode', AUTO)
        incremental = mode == INCREMENTAL or (
            mode == AUTO and bool(_available_backups(cinder_api, volume.id)))
        name = parameters.get('backup_name') or (
            'karbor-%s' % checkpoint.id)
        backup, incremental = self._create(
            cinder_api, volume, checkpoint, name, incremental, force,
            fall_back=mode == AUTO)
        return backup, _record(backup, volume, volume.id, name, incremental)

    def _create(self, cinder_api, volume, checkpoint, name, incremental,
                force, fall_back):
        """The new backup, and whether it is incremental."""
        def create(incremental):
            return cinder_api.backups.create(
                volume.id, name=name, incremental=incremental, force=force,
                description=_checkpoint_description(checkpoint.id),
                metadata={CHECKPOINT_KEY: checkpoint.id}), incremental
        with volumes.cinder_answers(_('backing up volume %s') % volume.id):
            try:
                return create(incremental)
            except volumes.BadRequest:
                # The backup an incremental one would build on went away
                # since we looked; a full backup does not need it.
                if not (incremental and fall_back):
                    raise
                LOG.info('No backup of volume %s to build an incremental '
                         'backup on any more: making a full one.', volume.id)
                return create(False)

    def _backup_made(self, cinder_api, backup_id, volume_id):
        """The wait for the backup to be available."""
        settings = self._settings

        def fetch():
            try:
                return cinder_api.backups.get(backup_id)
            except volumes.NotFound:
                try:
                    cinder_api.volumes.get(volume_id)
                except volumes.NotFound:
                    reason = _('volume %s was deleted while it was being '
                               'backed up') % volume_id
                else:
                    reason = _('Cinder backup %(backup)s of volume '
                               '%(volume)s was deleted before it was '
                               'available') % {'backup': backup_id,
                                               'volume': volume_id}
                raise volumes.VolumeProtectionError(reason=reason)

        def is_ready(found):
            if found.status == 'available':
                return True
            if found.status == 'error':
                _delete_quietly(cinder_api, backup_id)
                raise _backup_failed(cinder_api, found, volume_id)
            return False

        return waiting.Wait(
            fetch, is_ready,
            _('Cinder backup %(backup)s of volume %(volume)s') %
            {'backup': backup_id, 'volume': volume_id},
            settings.backup_timeout, settings.polling, volumes.is_transient,
            wanted='available')


def _record(backup, volume, volume_id, name, incremental):
    """The record of a backup being made; ``volume`` None when Cinder has
    it no more."""
    return {
        'backup_id': backup.id,
        'name': name,
        'backup_mode': INCREMENTAL if incremental else FULL,
        'size': volume.size if volume else getattr(backup, 'size', None),
        'status': volumes.RECORD_CREATING,
        'volume_id': volume_id,
        'volume_name': (volume.name if volume else None) or '',
        'volume_type': getattr(volume, 'volume_type', None),
        'availability_zone': getattr(volume, 'availability_zone', None),
        'bootable': getattr(volume, 'bootable', 'false'),
    }


# A restored volume is marked with this in its metadata once Cinder
# restores the backup into it: a rerun that finds the volume available
# and unmarked restores the backup (again) rather than report an empty
# volume.
RESTORED_BACKUP_KEY = 'karbor_restored_backup'


class _RestoreVolume(protection_plugin.Operation):
    """Restores the backup into a new volume, made first (of the type and
    zone asked for, with the restore's marks). Run again, it finds that
    volume and waits for it, restoring into it when Cinder had not been
    asked to."""

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
        backup_id = metadata['backup_id']
        cinder_api = volumes.client(context)
        what = _('restore of Cinder backup %s') % backup_id
        doing = _('restoring Cinder backup %s') % backup_id
        volume = volumes.find_restored(cinder_api, restored.marks)
        if volume is not None:
            LOG.info('Volume %(volume)s of this restore was made already: '
                     'waiting for it.', {'volume': volume.id})
            restored.created(volume.id)
            if volume.status == 'restoring-backup' or (
                    (getattr(volume, 'metadata', None) or {}).get(
                        RESTORED_BACKUP_KEY) == backup_id):
                volume = None  # Cinder restores into it or did
        else:
            backup = self._wait_backup_available(cinder_api, backup_id)
            with volumes.cinder_answers(doing):
                volume = cinder_api.volumes.create(
                    backup.size, name=volumes.restore_name(parameters,
                                                           metadata),
                    description=volumes.restore_description(
                        parameters, checkpoint, metadata),
                    volume_type=parameters.get('volume_type'),
                    availability_zone=parameters.get('availability_zone'),
                    metadata=restored.marks)
            restored.created(volume.id)
        if volume is not None:
            volumes.until_volume_available(
                cinder_api, volume.id, what, settings.restore_timeout,
                settings.polling).run()
            self._wait_backup_available(cinder_api, backup_id)
            with volumes.cinder_answers(doing):
                cinder_api.restores.restore(backup_id, volume_id=volume.id)
            _mark_restored(cinder_api, volume.id, backup_id)
        return waiting.Pending(
            volumes.until_volume_available(
                cinder_api, restored.new_id, what, settings.restore_timeout,
                settings.polling),
            lambda _volume: restored.done())

    def _wait_backup_available(self, cinder_api, backup_id):
        # Another restore of the same backup may still run: Cinder
        # restores a backup only while it is "available".
        def fetch():
            try:
                return cinder_api.backups.get(backup_id)
            except volumes.NotFound:
                raise volumes.VolumeProtectionError(
                    reason=_('Cinder backup %s of this checkpoint no longer '
                             'exists') % backup_id)

        def is_ready(backup):
            if backup.status == 'available':
                return True
            if backup.status in ('error', 'deleting', 'error_deleting',
                                 'deleted'):
                raise volumes.VolumeProtectionError(
                    reason=_('Cinder backup %(backup)s cannot be restored: '
                             'it is %(status)s') %
                    {'backup': backup_id, 'status': backup.status})
            return False

        return waiting.wait_for(
            fetch, is_ready, _('Cinder backup %s to restore') % backup_id,
            self._settings.restore_timeout, self._settings.polling,
            volumes.is_transient, wanted='available')


def _mark_restored(cinder_api, volume_id, backup_id):
    # Best effort: without the mark a rerun restores the backup again
    # into the same volume, which costs time but gives the same volume.
    try:
        cinder_api.volumes.set_metadata(volume_id,
                                        {RESTORED_BACKUP_KEY: backup_id})
    except Exception as exc:
        LOG.warning('Could not mark volume %(volume)s as restored: '
                    '%(error)s', {'volume': volume_id, 'error': exc})


class _DeleteBackup(protection_plugin.Operation):
    """Deletes the checkpoint's backup (or marks it); what is gone
    already is not an error, so a rerun succeeds."""

    def __init__(self, settings):
        self._settings = settings

    @volumes.reaching_cinder(_('deleting the backup of volume %(id)s'))
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = volumes.resource_section(checkpoint, resource)
        try:
            metadata = section.get_object('metadata')
        except exception.BankObjectNotFound:
            return  # the protection failed before it made a backup
        if not volumes.is_copy(metadata):
            cinder_api = volumes.client(context)
            if self._delete_or_mark(cinder_api, metadata['backup_id'],
                                    checkpoint):
                self._delete_marked(cinder_api, metadata['volume_id'])
        try:
            section.delete_object('metadata')
        except exception.BankObjectNotFound:
            pass

    def _delete_or_mark(self, cinder_api, backup_id, checkpoint):
        """Delete the backup, or mark it when backups depend on it.

        True when it is gone.
        """
        settings = self._settings
        backup = self._wait_deletable(cinder_api, backup_id)
        if backup is None:
            return True
        if not getattr(backup, 'has_dependent_backups', False):
            try:
                cinder_api.backups.delete(backup_id)
            except volumes.NotFound:
                return True
            except volumes.BadRequest:
                # An incremental backup was made on it since we looked.
                backup = cinder_api.backups.get(backup_id)
                if not getattr(backup, 'has_dependent_backups', False):
                    raise
            else:
                volumes.wait_until_gone(
                    cinder_api.backups.get, backup_id,
                    _('deletion of Cinder backup %s') % backup_id,
                    settings.backup_timeout, settings.polling)
                return True
        LOG.info('Cinder backup %(backup)s of deleted checkpoint '
                 '%(checkpoint)s has incremental backups: it goes with the '
                 'last of them.', {'backup': backup_id,
                                   'checkpoint': checkpoint.id})
        cinder_api.backups.update(
            backup_id,
            description=_('Karbor checkpoint %s, deleted: the backup goes '
                          'when no incremental backup depends on it') %
            checkpoint.id,
            metadata=dict(getattr(backup, 'metadata', None) or {},
                          **{DELETED_KEY: checkpoint.id}))
        return False

    def _wait_deletable(self, cinder_api, backup_id):
        """The backup once Cinder may delete it; None when it is gone."""
        def fetch():
            try:
                return cinder_api.backups.get(backup_id)
            except volumes.NotFound:
                return None

        def is_ready(backup):
            return backup is None or backup.status in (
                'available', 'error', 'deleted')

        backup = waiting.wait_for(
            fetch, is_ready, _('Cinder backup %s to delete') % backup_id,
            self._settings.backup_timeout, self._settings.polling,
            volumes.is_transient, wanted=_('available or error'))
        if backup is None or backup.status == 'deleted':
            return None
        return backup

    def _delete_marked(self, cinder_api, volume_id):
        """Delete the marked backups of the volume that nothing depends on
        any more, each freeing the one it was built on."""
        while True:
            ready = [backup for backup in cinder_api.backups.list(
                detailed=True, search_opts={'volume_id': volume_id})
                if backup.volume_id == volume_id and
                DELETED_KEY in (getattr(backup, 'metadata', None) or {}) and
                backup.status in ('available', 'error') and
                not getattr(backup, 'has_dependent_backups', False)]
            if not ready:
                return
            for backup in ready:
                LOG.info('Deleting Cinder backup %(backup)s of deleted '
                         'checkpoint %(checkpoint)s: no backup depends on '
                         'it any more.',
                         {'backup': backup.id,
                          'checkpoint': backup.metadata[DELETED_KEY]})
                try:
                    cinder_api.backups.delete(backup.id)
                except volumes.NotFound:
                    continue
                volumes.wait_until_gone(
                    cinder_api.backups.get, backup.id,
                    _('deletion of Cinder backup %s') % backup.id,
                    self._settings.backup_timeout, self._settings.polling)


class CinderBackupProtectionPlugin(protection_plugin.ProtectionPlugin):
    """Protection plugin ``karbor-volume-protection-plugin``: Cinder
    backups of volumes."""

    def __init__(self, config=None):
        super().__init__(config)
        if config is None:
            config = cfg.ConfigOpts()
        config.register_opts(cinder_backup_protection_plugin_opts,
                             group=SECTION)
        self._settings = _Settings(config[SECTION])

    def get_protect_operation(self, resource):
        return _ProtectVolume(self._settings)

    def get_restore_operation(self, resource):
        return _RestoreVolume(self._settings)

    def get_verify_operation(self, resource):
        return volumes.VerifyRecorded(
            'backup_id', lambda cinder_api: cinder_api.backups,
            _('Cinder backup'))

    def get_copy_operation(self, resource):
        return volumes.CopyRecord()

    def get_delete_operation(self, resource):
        return _DeleteBackup(self._settings)

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
