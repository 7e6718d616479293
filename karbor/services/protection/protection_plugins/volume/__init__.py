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

"""Protection plugins of OS::Cinder::Volume.

``karbor-volume-protection-plugin``
    cinder_protection_plugin.CinderBackupProtectionPlugin: Cinder backups
    (full or incremental), restored into new volumes.
``karbor-volume-snapshot-plugin``
    volume_snapshot_plugin.VolumeSnapshotProtectionPlugin: Cinder
    snapshots, restored as new volumes made from them.

Both wait for Cinder with polls that back off (protection_plugins/waiting.py)
and share what they do with volumes (volumes.py). Their hooks may run
again on another worker: each finds what an earlier run started.
"""
