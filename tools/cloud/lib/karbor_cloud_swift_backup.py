"""Cinder's Swift backup driver, with restores onto file-backed volumes kept full size.

Backups go to Swift as in a devstack cloud: per-user auth, the caller's object-store endpoint
from the catalog, container ``volumebackups`` in the caller's project.

One upstream behaviour needs a fix here. cinder 29.0.0's backup manager opens the restore
target with ``open(path, 'wb')``. The cloud's volumes are files (NfsDriver), so that truncates
the volume to 0 bytes, and for a new volume the chunked driver then skips the all-zero 1 MiB
pieces: the file ends at the last piece holding data. The recipe restored a 1 GiB volume that
held 32 MiB and got a 32 MiB file back (qemu-img: virtual size 32 MiB; upload-to-image then
made a 32 MiB image). After the upstream restore this driver grows a regular file back to the
volume's size; the grown tail reads as zeros, which is what it held. Block devices are left
alone.

cinder.conf: ``backup_driver = karbor_cloud_swift_backup.SwiftBackupDriver``
"""
import os
import stat

from oslo_log import log as logging
from oslo_utils import units

from cinder.backup.drivers import swift
from cinder import objects

LOG = logging.getLogger(__name__)


class SwiftBackupDriver(swift.SwiftBackupDriver):

    def restore(self, backup, volume_id, volume_file, volume_is_new):
        super().restore(backup, volume_id, volume_file, volume_is_new)
        try:
            st = os.fstat(volume_file.fileno())
        except (AttributeError, OSError, TypeError):
            return  # not a real file (a connector's file-like object)
        if not stat.S_ISREG(st.st_mode):
            return
        want = objects.Volume.get_by_id(self.context, volume_id).size * units.Gi
        if st.st_size < want:
            volume_file.truncate(want)
            LOG.info('restore of backup %s: grew the file of volume %s from %d to %d bytes',
                     backup.id, volume_id, st.st_size, want)
