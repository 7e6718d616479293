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

Nova loads drivers only from its own package (``nova.virt.<compute_driver>``), so
nova-compute is started through karbor_cloud_nova_compute.py, which registers this module as
``nova.virt.karbor_cloud_fake_virt``.
nova.conf: ``compute_driver = karbor_cloud_fake_virt.SnapshotUploadingFakeDriver``
"""
import os
import tempfile

from oslo_log import log as logging

from nova.compute import power_state
from nova.compute import task_states
import nova.conf
from nova import exception
from nova.image import glance
from nova.virt import fake

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

# vm_states whose guest would still exist on a real hypervisor after nova-compute restarts
_GUEST_EXISTS = {'active': power_state.RUNNING, 'stopped': power_state.SHUTDOWN,
                 'paused': power_state.SHUTDOWN, 'suspended': power_state.SHUTDOWN}


class SnapshotUploadingFakeDriver(fake.FakeDriverWithoutFakeNodes):

    def __init__(self, virtapi, read_only=False):
        super().__init__(virtapi, read_only)
        self._images = glance.API()

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
