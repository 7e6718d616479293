"""Nova's fake hypervisor, made good enough for Karbor's server plugin.

This machine has no hypervisor, so nova-compute runs nova's own fake driver: servers go ACTIVE,
volumes attach through the real Cinder attachment API, nothing boots. Two things of upstream's
FakeDriver get in the way of data protection, and this subclass fixes them:

* ``snapshot`` (createImage, what Karbor's server plugin calls) only moves the task state
  upstream; the Glance image stays ``queued`` with no data, so it can be neither downloaded
  nor booted. Here it uploads real bytes, like the libvirt driver would: the server's base
  image (or, for a server without one, a 4 KiB marker), with the disk/container format and
  the snapshot properties nova sets, so the image goes ``active``.
* Upstream FakeDriver invents a new compute node UUID in every process, so nova-compute cannot
  be restarted against the same database. FakeDriverWithoutFakeNodes keeps a stable UUID in
  ``$state_path/compute_id``; this driver is based on it. Guests live in memory only, so after
  a restart ``get_info`` takes back the servers nova still records on this host, instead of
  letting the power-state sync shut them off.

* Cinder's NFS driver snapshots an attached (in-use) volume with Nova's help ("assisted
  volume snapshots"): Cinder writes a new qcow2 overlay, asks Nova to move the guest onto it
  (or, to delete a snapshot, to merge two files of the chain), and waits until Nova reports
  back through the snapshot's status; a backup of an in-use volume goes the same way, through
  a temporary snapshot. Upstream FakeDriver does not implement these calls, so Cinder waited
  ten minutes and failed. Here they do on the files what libvirt has QEMU do on a running
  guest: nothing for a create (the fake guest writes nothing: the new overlay is just the
  active file from now on), ``qemu-img rebase`` or ``qemu-img commit`` for a delete; then the
  status goes back to Cinder as libvirt sends it.

Nova loads drivers only from its own package (``nova.virt.<compute_driver>``), so
nova-compute is started through karbor_cloud_nova_compute.py, which registers this module as
``nova.virt.karbor_cloud_fake_virt``.
nova.conf: ``compute_driver = karbor_cloud_fake_virt.SnapshotUploadingFakeDriver``
"""
import json
import os
import tempfile

from oslo_concurrency import processutils
from oslo_log import log as logging

from nova.compute import power_state
from nova.compute import task_states
import nova.conf
from nova import exception
from nova.image import glance
from nova import objects
from nova.virt import fake
from nova.volume import cinder

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

# vm_states whose guest would still exist on a real hypervisor after nova-compute restarts
_GUEST_EXISTS = {'active': power_state.RUNNING, 'stopped': power_state.SHUTDOWN,
                 'paused': power_state.SHUTDOWN, 'suspended': power_state.SHUTDOWN}


class SnapshotUploadingFakeDriver(fake.FakeDriverWithoutFakeNodes):

    def __init__(self, virtapi, read_only=False):
        super().__init__(virtapi, read_only)
        self._images = glance.API()
        self._volumes = cinder.API()

    def snapshot(self, context, instance, image_id, update_task_state):
        if instance.uuid not in self.instances:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        target = self._images.get(context, image_id)
        meta = instance.image_meta

        def from_base(field, default):
            return getattr(meta, field) if meta.obj_attr_is_set(field) else default

        update = {
            'status': 'active',
            'name': target['name'],
            'disk_format': from_base('disk_format', 'raw'),
            'container_format': from_base('container_format', 'bare'),
            'properties': {'image_location': 'snapshot', 'image_state': 'available',
                           'owner_id': instance.project_id},
        }
        update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)
        os.makedirs(CONF.instances_path, exist_ok=True)
        fd, disk = tempfile.mkstemp(prefix='fake-snapshot-', dir=CONF.instances_path)
        os.close(fd)
        try:
            self._fake_disk_contents(context, instance, disk)
            update_task_state(task_state=task_states.IMAGE_UPLOADING,
                              expected_state=task_states.IMAGE_PENDING_UPLOAD)
            with open(disk, 'rb') as data:
                self._images.update(context, image_id, update, data)
        finally:
            os.unlink(disk)
        LOG.info('fake snapshot: uploaded image %s', image_id, instance=instance)

    def _fake_disk_contents(self, context, instance, path):
        """The "disk" of a fake guest is the image it booted from."""
        if instance.image_ref:
            try:
                self._images.download(context, instance.image_ref, dest_path=path)
                return
            except Exception as e:  # base image deleted since, or without data
                LOG.warning('fake snapshot: base image %s unreadable (%s); uploading a marker',
                            instance.image_ref, e, instance=instance)
        with open(path, 'wb') as f:
            f.write(('karbor-cloud fake disk of %s\n' % instance.uuid).encode().ljust(4096, b'\0'))

    def get_info(self, instance, use_cache=True):
        state = _GUEST_EXISTS.get(instance.vm_state)
        if instance.uuid not in self.instances and not instance.deleted and state is not None:
            flavor = instance.flavor
            self.resources.claim(vcpus=flavor.vcpus, mem=flavor.memory_mb, disk=flavor.root_gb)
            self.instances[instance.uuid] = fake.FakeInstance(instance.name, state, instance.uuid)
            LOG.info('fake driver: took back the guest after a restart', instance=instance)
        return super().get_info(instance, use_cache)

    # Assisted volume snapshots (Cinder's NFS driver, volume attached)

    def volume_snapshot_create(self, context, instance, volume_id, create_info):
        if instance.uuid not in self.instances:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        if create_info.get('type') != 'qcow2' or not create_info.get('snapshot_id'):
            raise exception.InternalError('unexpected create_info %s' % create_info)
        # Cinder made the overlay; a real guest would switch its writes to it here.
        LOG.info('fake assisted snapshot %s of volume %s: now on %s',
                 create_info['snapshot_id'], volume_id, create_info['new_file'],
                 instance=instance)
        self._volumes.update_snapshot_status(context, create_info['snapshot_id'], 'creating')

    def volume_snapshot_delete(self, context, instance, volume_id, snapshot_id, delete_info):
        if instance.uuid not in self.instances:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        try:
            self._merge(context, instance, volume_id, delete_info)
        except Exception:
            LOG.exception('fake assisted snapshot delete of %s failed', snapshot_id,
                          instance=instance)
            self._volumes.update_snapshot_status(context, snapshot_id, 'error_deleting')
            raise
        self._volumes.update_snapshot_status(context, snapshot_id, 'deleting')

    def _merge(self, context, instance, volume_id, delete_info):
        """What libvirt's blockRebase/blockCommit do, with qemu-img on the volume's files."""
        if delete_info.get('type') != 'qcow2':
            raise exception.InternalError('unexpected delete_info %s' % delete_info)
        bdm = objects.BlockDeviceMapping.get_by_volume_and_instance(
            context, volume_id, instance.uuid)
        data = json.loads(bdm.connection_info)['data']
        # The cloud's NFS share is a directory of this very machine.
        directory = data['export'].partition(':')[2]
        with open(os.path.join(directory, 'volume-%s.info' % volume_id)) as info:
            active = json.load(info)['active']

        def qemu_img(*args):
            processutils.execute('qemu-img', *args, cwd=directory)

        merge, target = delete_info['file_to_merge'], delete_info['merge_target_file']
        if target is None:
            # blockRebase: the active file takes in everything above ``merge`` (all of its
            # backing chain when ``merge`` is None) and is backed by ``merge`` from now on.
            if merge is None:
                qemu_img('rebase', '-f', 'qcow2', '-b', '', active)
            else:
                qemu_img('rebase', '-f', 'qcow2', '-b', merge, '-F',
                         self._format(directory, merge), active)
            return
        # blockCommit: ``merge`` goes down into ``target``, its backing file; whatever was
        # backed by ``merge`` is backed by ``target`` from now on.
        above = self._backed_by(directory, active, merge)
        qemu_img('commit', '-f', 'qcow2', '-d', merge)
        if above is not None:
            qemu_img('rebase', '-u', '-f', 'qcow2', '-b', target, '-F',
                     self._format(directory, target), above)

    @staticmethod
    def _format(directory, name):
        out, _ = processutils.execute('qemu-img', 'info', '--output=json', name,
                                      cwd=directory)
        return json.loads(out)['format']

    @staticmethod
    def _backed_by(directory, active, backing):
        """The file of ``active``'s chain whose backing file is ``backing``, if any."""
        out, _ = processutils.execute('qemu-img', 'info', '--backing-chain', '--output=json',
                                      active, cwd=directory)
        for image in json.loads(out):
            if os.path.basename(image.get('backing-filename') or '') == backing:
                return os.path.basename(image['filename'])
        return None
