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

"""What both volume plugins do with Cinder volumes.

Cinder is called as the request's caller (its token and catalog, see
clients/session.py), at microversion 3.43: backups with metadata (3.43)
that can be updated (3.9), and Cinder's user messages (3.3), which say why
a volume or a snapshot went wrong.
"""

import contextlib

from cinderclient import exceptions as cinder_exceptions
from oslo_log import log as logging

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.clients import cinder
from karbor.services.protection import protection_plugin
from karbor.services.protection import protection_plugins as plugins
from karbor.services.protection.protection_plugins import errors
from karbor.services.protection.protection_plugins import waiting

LOG = logging.getLogger(__name__)

RESOURCE_TYPE = 'OS::Cinder::Volume'
API_VERSION = '3.43'

NotFound = cinder_exceptions.NotFound
BadRequest = cinder_exceptions.BadRequest
ClientError = cinder_exceptions.ClientException

# What a restore reports for each restored volume, under its new id.
RESTORING = plugins.RESTORING
RESTORED = plugins.AVAILABLE
RESTORE_FAILED = plugins.ERROR

# The status of the record in the bank: the backup or snapshot is being
# made, or it is available.
RECORD_CREATING = 'creating'
RECORD_AVAILABLE = plugins.AVAILABLE

# Volume statuses in which Cinder backs up or snapshots a volume; the
# others are passing (creating, attaching, backing-up...) except these
# failed or final ones.
PROTECTABLE_STATUSES = ('available', 'in-use')
FAILED_STATUS_PREFIX = 'error'
GONE_STATUSES = ('deleting', 'deleted')

RESTORE_SCHEMA = {
    'title': 'Cinder Protection Restore',
    'type': 'object',
    'properties': {
        'restore_name': {
            'type': 'string', 'title': 'Restore Name',
            'description': 'The name of the restored volume; the original '
                           'volume\'s name when not given.'},
        'restore_description': {
            'type': 'string', 'title': 'Restore Description',
            'description': 'The description of the restored volume.'},
        'volume_type': {
            'type': 'string', 'title': 'Volume Type',
            'description': 'The volume type of the restored volume; '
                           'Cinder\'s default when not given.'},
        'availability_zone': {
            'type': 'string', 'title': 'Availability Zone',
            'description': 'The availability zone of the restored volume; '
                           'Cinder\'s default when not given.'},
    },
    # A misspelt parameter would otherwise be ignored and the restore
    # would go on without it.
    'additionalProperties': False,
}


# A volume could not be protected, restored or deleted; the message says
# why. The plugins' one error, under the name this module always gave it.
VolumeProtectionError = errors.PluginError


def client(context):
    """A Cinder client acting as the caller of ``context``."""
    return cinder.create(context, API_VERSION)


def reaching_cinder(doing):
    """A hook whose client errors name Cinder and say what was being done
    (``doing``, with the resource's ``%(id)s``): "Block storage service
    (cinder) is not available: ..." when Cinder cannot be reached."""
    return errors.reaching(cinder.SERVICE_TITLE, doing)


def cinder_answers(doing, not_found=None):
    """The block's client errors, naming Cinder (errors.answers)."""
    return errors.answers(cinder.SERVICE_TITLE, doing, not_found)


# Whether a failed call to Cinder is worth trying again.
is_transient = errors.is_transient


def resource_section(checkpoint, resource):
    """The resource's place in the checkpoint."""
    return plugins.resource_section(checkpoint, resource)


def saved_metadata(section):
    """The record of a volume in its bank section, or None."""
    try:
        return section.get_object('metadata')
    except exception.BankObjectNotFound:
        return None


def find_made_for(things, checkpoint_id, key, description):
    """The first of Cinder's ``things`` (backups, snapshots) that Karbor
    made for the checkpoint: marked with ``key`` (metadata) or described
    with ``description``; None when there is none. One being deleted does
    not count."""
    for thing in things:
        if getattr(thing, 'status', None) in GONE_STATUSES + (
                'error_deleting',):
            continue
        metadata = getattr(thing, 'metadata', None) or {}
        if (metadata.get(key) == checkpoint_id or
                getattr(thing, 'description', None) == description):
            return thing
    return None


def find_restored(cinder_api, marks):
    """The volume that an earlier run of the same restore made for the
    same original volume (restore_marks in its metadata), or None."""
    found = cinder_api.volumes.list(search_opts={'metadata': marks})
    for volume in found:
        if (plugins.has_marks(getattr(volume, 'metadata', None), marks) and
                (volume.status or '') not in GONE_STATUSES):
            return volume
    return None


def user_messages(cinder_api, resource_id):
    """Cinder's own words about what went wrong with a resource, or ''.

    Best effort: a Cinder without messages leaves the reason as it was.
    """
    try:
        messages = cinder_api.messages.list(
            search_opts={'resource_uuid': resource_id})
    except Exception as exc:
        LOG.debug('No Cinder messages about %(id)s: %(error)s',
                  {'id': resource_id, 'error': exc})
        return ''
    texts = []
    for message in messages:
        text = getattr(message, 'user_message', None)
        if text and text not in texts:
            texts.append(text)
    return '; '.join(texts)


def _with_messages(reason, cinder_api, resource_id):
    said = user_messages(cinder_api, resource_id)
    return '%s (Cinder: %s)' % (reason, said) if said else reason


def wait_until_protectable(cinder_api, volume_id, timeout, polling_):
    """The volume once Cinder can back it up or snapshot it.

    A volume in a passing state (attaching, backing-up for another
    checkpoint...) is waited for; one that is missing, being deleted or in
    error fails the protection with that reason.
    """
    def fetch():
        try:
            return cinder_api.volumes.get(volume_id)
        except NotFound:
            raise VolumeProtectionError(
                reason=_('volume %s no longer exists in Cinder') % volume_id)

    def is_ready(volume):
        status = volume.status or ''
        if status in PROTECTABLE_STATUSES:
            return True
        if status in GONE_STATUSES:
            raise VolumeProtectionError(
                reason=_('volume %(id)s is being deleted (status '
                         '%(status)s)') % {'id': volume_id,
                                           'status': status})
        if status.startswith(FAILED_STATUS_PREFIX):
            raise VolumeProtectionError(reason=_with_messages(
                _('volume %(id)s is in status %(status)s') %
                {'id': volume_id, 'status': status}, cinder_api, volume_id))
        return False

    return waiting.wait_for(
        fetch, is_ready, _('volume %s to protect') % volume_id, timeout,
        polling_, is_transient, wanted=_('available or in-use'))


def until_volume_available(cinder_api, volume_id, what, timeout, polling_):
    """The wait (waiting.Wait) for a volume being created or restored to be
    "available".

    ``what`` names the operation in the reason of a failure.
    """
    def fetch():
        try:
            return cinder_api.volumes.get(volume_id)
        except NotFound:
            raise VolumeProtectionError(
                reason=_('%(what)s: volume %(id)s disappeared') %
                {'what': what, 'id': volume_id})

    def is_ready(volume):
        status = volume.status or ''
        if status == 'available':
            return True
        if status.startswith(FAILED_STATUS_PREFIX) or status in GONE_STATUSES:
            raise VolumeProtectionError(reason=_with_messages(
                _('%(what)s: volume %(id)s went to status %(status)s') %
                {'what': what, 'id': volume_id, 'status': status},
                cinder_api, volume_id))
        return False

    return waiting.Wait(fetch, is_ready, what, timeout, polling_,
                        is_transient, wanted='available')


def wait_until_gone(get, resource_id, what, timeout, polling_):
    """Wait until ``get(resource_id)`` answers NotFound (or "deleted").

    A resource that ends in error_deleting fails with that reason.
    """
    def fetch():
        try:
            return get(resource_id)
        except NotFound:
            return None

    def is_ready(found):
        if found is None or found.status == 'deleted':
            return True
        if found.status == 'error_deleting':
            raise VolumeProtectionError(
                reason=_('%(what)s: Cinder could not delete %(id)s (status '
                         'error_deleting)') % {'what': what,
                                               'id': resource_id})
        return False

    waiting.wait_for(fetch, is_ready, what, timeout, polling_, is_transient,
                     wanted=_('its deletion'))


def restore_name(parameters, metadata):
    """The name of a restored volume: as asked, else the original's."""
    return (parameters.get('restore_name') or metadata.get('volume_name') or
            'restored-%s' % metadata['volume_id'])


def restore_description(parameters, checkpoint, metadata):
    return parameters.get('restore_description') or (
        _('Restored by Karbor from checkpoint %(checkpoint)s (volume '
          '%(volume)s)') % {'checkpoint': checkpoint.id,
                            'volume': metadata['volume_id']})


def read_metadata(section, resource):
    """What the checkpoint holds about a volume; a clear error if
    nothing."""
    try:
        return section.get_object('metadata')
    except exception.BankObjectNotFound:
        raise VolumeProtectionError(
            reason=_('the checkpoint holds nothing of volume %s: its '
                     'protection did not get far enough') % resource.id)


class VerifyRecorded(protection_plugin.Operation):
    """Verifies a volume's protection by what Cinder holds of it: the
    record complete, and the backup or snapshot it names (``id_key`` of
    the record; ``things(cinder_api)`` is Cinder's manager of them, named
    ``what`` in messages) still there, ``available``, and of the recorded
    size."""

    def __init__(self, id_key, things, what):
        self._id_key = id_key
        self._things = things
        self._what = what

    @reaching_cinder(_('verifying volume %(id)s'))
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        metadata = read_metadata(resource_section(checkpoint, resource),
                                 resource)
        if metadata.get('status') != RECORD_AVAILABLE:
            raise VolumeProtectionError(
                reason=_('the protection of volume %s did not finish') %
                resource.id)
        thing_id = metadata[self._id_key]
        try:
            thing = self._things(client(context)).get(thing_id)
        except NotFound:
            raise VolumeProtectionError(
                reason=_('%(what)s %(id)s of volume %(volume)s no longer '
                         'exists') % {'what': self._what, 'id': thing_id,
                                      'volume': resource.id})
        problems = []
        if thing.status != 'available':
            problems.append(_('it is %s') % thing.status)
        size = metadata.get('size')
        if size is not None and getattr(thing, 'size', size) != size:
            problems.append(_('its size is %(size)s GiB, not %(recorded)s')
                            % {'size': thing.size, 'recorded': size})
        if problems:
            raise VolumeProtectionError(
                reason=_('%(what)s %(id)s of volume %(volume)s cannot be '
                         'restored: %(problems)s') % {
                    'what': self._what, 'id': thing_id,
                    'volume': resource.id, 'problems': '; '.join(problems)})


# In the record of a copy: the checkpoint (provider_id, checkpoint_id) whose
# backup or snapshot it names.
COPIED_FROM_KEY = 'copied_from'


class CopyRecord(protection_plugin.Operation):
    """Copies the volume's record into the checkpoint's copy, marked with
    the checkpoint it comes from. The backup or snapshot stays where it is
    in Cinder, owned by that checkpoint: a restore from the copy uses it,
    and deleting the copy (see :func:`is_copy`) leaves it alone."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        checkpoint_copy = kwargs['checkpoint_copy']
        plugins.copy_section(checkpoint, resource, checkpoint_copy)
        section = resource_section(checkpoint_copy, resource)
        metadata = read_metadata(section, resource)
        metadata.setdefault(COPIED_FROM_KEY, {
            'provider_id': checkpoint.provider_id,
            'checkpoint_id': checkpoint.id})
        section.update_object('metadata', metadata)


def is_copy(metadata):
    """Whether the record is a copy's: its backup or snapshot belongs to
    the checkpoint it was copied from, which deletes it."""
    return COPIED_FROM_KEY in metadata


class RestoredVolume(object):
    """Reports one volume of a restore, under its new id.

    ``created(new_id)`` as soon as Cinder has the new volume
    ("restoring"); ``done()`` when it is available, which also tells the
    restore's other hooks (a server attaching it) the new id; ``failed``
    (or a failure inside ``with reporting():``) reports "error" with the
    reason.
    """

    def __init__(self, resource, hook_kwargs):
        self._resource = resource
        self._restore = hook_kwargs['restore']
        self._new_resources = hook_kwargs['new_resources']
        self.new_id = None
        # What the volume is marked with: a rerun of the restore finds it.
        self.marks = plugins.restore_marks(self._restore, resource)

    def created(self, new_id):
        self.new_id = new_id
        self._restore.update_resource_status(RESOURCE_TYPE, new_id,
                                             RESTORING)

    def done(self):
        self._new_resources[plugins.resource_key(
            RESOURCE_TYPE, self._resource.id)] = self.new_id
        self._restore.update_resource_status(RESOURCE_TYPE, self.new_id,
                                             RESTORED)

    def failed(self, reason):
        if self.new_id is not None:
            self._restore.update_resource_status(
                RESOURCE_TYPE, self.new_id, RESTORE_FAILED, reason=reason)

    @contextlib.contextmanager
    def reporting(self):
        """A failure in the block is reported (``failed``) and raised."""
        try:
            yield
        except Exception as exc:
            self.failed(exc)
            raise
