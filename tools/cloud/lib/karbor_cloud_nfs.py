"""Cinder's NfsDriver, with backups of snapshotted volumes read from a raw clone.

The cloud's volumes are files: upstream NfsDriver over a directory that is bind-mounted where
os-brick expects the NFS share (tools/cloud/libexec/common.sh), no kernel storage needed.

With ``nfs_snapshot_support`` a volume that has snapshots is a chain: the raw base file
``volume-<id>`` plus a qcow2 overlay per snapshot, the newest overlay being the active file.
Upstream (cinder 29.0.0) gives cinder-backup that active overlay, which the backup manager
copies byte for byte, so the backup holds qcow2 overlay bytes, not the volume's content (the
recipe saw such a restore differ from the volume). Karbor backs up volumes that have
snapshots, so here such a backup takes cinder's own temporary-clone path, the one upstream
uses for in-use volumes: ``qemu-img convert`` to a raw temporary volume, back that up,
cinder-backup deletes it afterwards.

Deleting a snapshot of an attached volume, Cinder asks Nova to merge files of the chain and
waits until Nova sets the snapshot's progress to 90 %. Upstream does not reset the progress
first, and the temporary snapshot of a backup or clone still has the 90 % that Nova set when
it was created: Cinder then goes on at once, rewrites the chain's info file and deletes a file
while Nova is merging it (seen here: a backup of an in-use volume lost the volume's base
file). Here the progress goes back to 0 % before Nova is asked. Everything else is upstream.

cinder.conf: ``volume_driver = karbor_cloud_nfs.NfsDriver``
"""
import os

from cinder import objects
from cinder.objects import fields
from cinder.volume.drivers import nfs


class NfsDriver(nfs.NfsDriver):

    def _get_backup_volume_temp_volume(self, context, backup):
        volume = objects.Volume.get_by_id(context, backup.volume_id)
        active_file = self.get_active_image_from_info(volume)
        on_overlay = active_file != os.path.basename(self.local_path(volume))
        if (on_overlay and not backup.snapshot_id
                and volume.get('previous_status') != 'in-use'):
            clone = self._create_temp_cloned_volume(
                context, volume, status=fields.VolumeStatus.BACKING_UP)
            backup.temp_volume_id = clone.id
            backup.save()
            return clone
        return super()._get_backup_volume_temp_volume(context, backup)

    def _nova_assisted_vol_snap_delete(self, context, snapshot, delete_info):
        snapshot.progress = '0%'
        snapshot.save()
        return super()._nova_assisted_vol_snap_delete(context, snapshot, delete_info)
