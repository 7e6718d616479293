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

"""A project's own resources on the cloud, made and removed by a test."""

import hashlib
import io
import os
import time
import uuid

from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exceptions
from glanceclient import client as glance_client
from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions

from karbor.tests.fullstack import cloud

TIMEOUT = 300


def wait_for(read, want, timeout=TIMEOUT):
    """Poll ``read()`` (backing off) until its status is ``want``."""
    delay = 0.1
    deadline = time.monotonic() + timeout
    while True:
        thing = read()
        status = getattr(thing, 'status', None)
        if status == want:
            return thing
        if status in ('error', 'ERROR', 'killed') or \
                time.monotonic() > deadline:
            raise AssertionError('%r is %s, not %s' % (thing, status, want))
        time.sleep(delay)
        delay = min(delay * 2, 1)


def file_digest(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as stream:
        for block in iter(lambda: stream.read(4 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


class Tenant(object):
    """One user of the cloud; every name it makes starts with its tag, so
    clean_up also finds what Karbor restored from them."""

    def __init__(self, user):
        self.session = cloud.session(user)
        self.project_id = self.session.get_project_id()
        self.tag = 'kfs-%s' % uuid.uuid4().hex[:6]
        self.cinder = cinder_client.Client('3', session=self.session)
        self.glance = glance_client.Client('2', session=self.session)
        self.nova = nova_client.Client('2.37', session=self.session)

    def name(self, what):
        return '%s-%s' % (self.tag, what)

    def new_volume(self, what, size_gb=1, known_bytes=True):
        """A volume whose first and last 8 MiB hold random bytes."""
        volume = self.cinder.volumes.create(size_gb, name=self.name(what))
        volume = wait_for(lambda: self.cinder.volumes.get(volume.id),
                          'available')
        if known_bytes:
            with open(cloud.volume_path(volume.id), 'r+b') as stream:
                stream.write(os.urandom(8 << 20))
                stream.seek((size_gb << 30) - (8 << 20))
                stream.write(os.urandom(8 << 20))
        return volume

    def volume_digest(self, volume_id):
        return file_digest(cloud.volume_path(volume_id))

    def new_image(self, what, size=4 << 20):
        image = self.glance.images.create(
            name=self.name(what), disk_format='raw', container_format='bare')
        self.glance.images.upload(image.id, io.BytesIO(os.urandom(size)),
                                  image_size=size)
        return wait_for(lambda: self.glance.images.get(image.id), 'active')

    def new_server(self, what, image_id, volume_id, metadata):
        flavor = self.nova.flavors.find(name='m1.tiny')
        server = self.nova.servers.create(
            self.name(what), image_id, flavor.id, nics='none',
            meta=metadata)
        server = wait_for(lambda: self.nova.servers.get(server.id), 'ACTIVE')
        self.nova.volumes.create_server_volume(server.id, volume_id)
        wait_for(lambda: self.cinder.volumes.get(volume_id), 'in-use')
        return self.nova.servers.get(server.id)

    def attached_volumes(self, server_id):
        return [attachment.volumeId for attachment in
                self.nova.volumes.get_server_volumes(server_id)]

    def backups_of(self, volume_id):
        return [backup for backup in self.cinder.backups.list()
                if backup.volume_id == volume_id]

    def clean_up(self, prefixes=None):
        """Remove every server, volume, backup, snapshot and image whose
        name starts with this tenant's tag (or one of ``prefixes``)."""
        prefixes = tuple(prefixes or (self.tag,))
        mine = lambda thing: (thing.name or '').startswith(prefixes)  # noqa
        for server in filter(mine, self.nova.servers.list()):
            _quietly(server.delete)
        for server in filter(mine, self.nova.servers.list()):
            wait_until_gone(lambda: self.nova.servers.get(server.id),
                            nova_exceptions.NotFound)
        for volume in filter(mine, self.cinder.volumes.list()):
            for backup in self.backups_of(volume.id):
                _quietly(lambda: self.cinder.backups.delete(backup.id))
            for snapshot in self.cinder.volume_snapshots.list(
                    search_opts={'volume_id': volume.id}):
                _quietly(lambda: self.cinder.volume_snapshots.delete(
                    snapshot.id))
        # Backups and snapshots left without their volume; incremental
        # backups before those they depend on.
        backups = sorted(filter(mine, self.cinder.backups.list()),
                         key=lambda backup: not getattr(
                             backup, 'is_incremental', False))
        for backup in backups:
            _quietly(lambda: self.cinder.backups.delete(backup.id))
        for snapshot in filter(mine, self.cinder.volume_snapshots.list()):
            _quietly(lambda: self.cinder.volume_snapshots.delete(snapshot.id))
        for volume in filter(mine, self.cinder.volumes.list()):
            _quietly(lambda: self.cinder.volumes.delete(volume.id,
                                                        cascade=True))
        for volume in filter(mine, self.cinder.volumes.list()):
            wait_until_gone(lambda: self.cinder.volumes.get(volume.id),
                            cinder_exceptions.NotFound)
        for image in self.glance.images.list():
            if mine(image):
                _quietly(lambda: self.glance.images.delete(image.id))


def _quietly(action):
    try:
        action()
    except Exception:
        # Cleaning up: what is already gone or busy is left to the next
        # step (or run); the test's own assertions said what matters.
        pass


def wait_until_gone(read, not_found, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            read()
        except not_found:
            return
        time.sleep(0.5)
