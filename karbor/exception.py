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

"""Karbor's exceptions.

Every exception that a request can provoke carries the HTTP status it maps
to (``code``) and a message that names the problem; the API's fault
middleware turns them into the JSON error body. The module is listed in
oslo.messaging's allowed remote modules, so an exception raised by
karbor-protection reaches karbor-api as the same class.
"""

from karbor.i18n import _


class KarborException(Exception):
    """Base exception: ``message`` is a format string filled from kwargs."""

    message = _("An unknown exception occurred.")
    code = 500

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.message % kwargs
            except (KeyError, TypeError):
                # A wrong format must not hide the original problem.
                message = self.message
        self.msg = str(message)
        super().__init__(self.msg)

    def __str__(self):
        return self.msg


# Plugins written for the original Karbor name a resource ``type`` and
# ``id`` where ours say ``resource_type`` and ``resource_id``.
def _accept_original_names(kwargs):
    """The original's ``type`` and ``id`` keywords as ours."""
    for original, ours in (('type', 'resource_type'), ('id', 'resource_id')):
        if original in kwargs:
            kwargs.setdefault(ours, kwargs[original])


class Invalid(KarborException):
    message = _("Unacceptable parameters: %(reason)s")
    code = 400


class InvalidInput(Invalid):
    message = _("Invalid input received: %(reason)s")


class ValidationError(Invalid):
    message = "%(detail)s"


class InvalidId(Invalid):
    message = _("Invalid %(kind)s id provided.")


class InvalidPlan(Invalid):
    message = _("Invalid plan: %(reason)s")


class InvalidCheckpoint(Invalid):
    message = _("Invalid checkpoint: %(reason)s")


class InvalidRestore(Invalid):
    message = _("Invalid restore: %(reason)s")


class InvalidSortKey(Invalid):
    message = _("Sort key %(key)s is not supported; use one of: %(allowed)s.")


class MalformedRequestUrl(Invalid):
    message = _("Malformed request url")


class MethodNotAllowed(KarborException):
    message = _("Method %(method)s is not allowed here; allowed: "
                "%(allow)s.")
    code = 405

    @property
    def headers(self):
        return [('Allow', self.kwargs.get('allow', ''))]


class NotAuthenticated(KarborException):
    message = _("Authentication required.")
    code = 401


class NotAuthorized(KarborException):
    message = _("Not authorized.")
    code = 403


class PolicyNotAuthorized(NotAuthorized):
    message = _("Policy doesn't allow %(action)s to be performed.")


class NotFound(KarborException):
    message = _("Resource could not be found.")
    code = 404


class PlanNotFound(NotFound):
    message = _("Plan %(plan_id)s could not be found.")


class RestoreNotFound(NotFound):
    message = _("Restore %(restore_id)s could not be found.")


class VerificationNotFound(NotFound):
    message = _("Verification %(verification_id)s could not be found.")


class TriggerNotFound(NotFound):
    message = _("Trigger %(trigger_id)s could not be found.")


class ScheduledOperationNotFound(NotFound):
    message = _("Scheduled operation %(operation_id)s could not be found.")


class OperationLogNotFound(NotFound):
    message = _("Operation log %(operation_log_id)s could not be found.")


class ProviderNotFound(NotFound):
    message = _("Provider %(provider_id)s could not be found.")


class CheckpointNotFound(NotFound):
    message = _("Checkpoint %(checkpoint_id)s could not be found.")


class ProtectableTypeNotFound(NotFound):
    message = _("Protectable type %(protectable_type)s could not be found.")


class ProtectableResourceNotFound(NotFound):
    message = _("%(resource_type)s %(resource_id)s could not be found: "
                "%(reason)s")

    def __init__(self, message=None, **kwargs):
        # The original Karbor's plugins name the resource ``type`` and
        # ``id``.
        _accept_original_names(kwargs)
        super().__init__(message, **kwargs)


class ServiceNotFound(NotFound):
    message = _("Service %(service_id)s could not be found.")


class Conflict(KarborException):
    message = _("Conflict: %(reason)s")
    code = 409


class CheckpointNotAvailable(Conflict):
    message = _("Checkpoint %(checkpoint_id)s is %(status)s; it must be "
                "available.")


class CheckpointNotBeDeleted(Conflict):
    message = _("Checkpoint %(checkpoint_id)s is %(status)s and cannot be "
                "deleted now.")


class CheckpointBusy(Conflict):
    message = _("Checkpoint %(checkpoint_id)s is busy: %(reason)s.")


class TriggerInUse(Conflict):
    message = _("Trigger %(trigger_id)s is used by scheduled operations "
                "%(operations)s; delete them first.")


class OverQuota(KarborException):
    """As the original's QuotaError: 413, naming what is full."""

    message = _("Quota exceeded for %(resource)s: %(requested)d more asked "
                "for, with %(in_use)d in use and %(reserved)d reserved of "
                "a limit of %(limit)d.")
    code = 413


class QuotaBelowUsage(Invalid):
    message = _("The %(resource)s quota of project %(project_id)s cannot "
                "be %(limit)d: %(in_use)d are in use and %(reserved)d "
                "reserved.")


class QuotaDriverIncomplete(KarborException):
    message = _("The quota driver %(driver)s ([DEFAULT] quota_driver) has "
                "no %(missing)s: see karbor.quota.DbQuotaDriver for what "
                "each does.")


class PlanUsesUnknownResourceType(Invalid):
    message = _("Provider %(provider)s has no protection plugin for "
                "resource type %(resource_type)s.")


class ProtectableListNotSupported(KarborException):
    """A protectable plugin cannot reach the service behind its type."""

    message = _("Cannot list %(resource_type)s instances: %(reason)s")
    code = 503


class ListProtectableResourceFailed(ProtectableListNotSupported):
    """The original Karbor's name, kept for plugins written to it: a
    protectable plugin could not list its type's instances
    (``type=``, ``reason=``)."""

    def __init__(self, message=None, **kwargs):
        _accept_original_names(kwargs)
        super().__init__(message, **kwargs)


class ServiceUnavailable(KarborException):
    message = _("%(service)s is not available: %(reason)s")
    code = 503


class NoProtectionServiceEnabled(ServiceUnavailable):
    message = _("No karbor-protection service is enabled and up: the "
                "operation would never run. An administrator enables one "
                "with os-services.")


class BankError(KarborException):
    message = _("Bank operation failed: %(reason)s")


class LeaseLost(BankError):
    message = _("The bank lease of %(owner_id)s is no longer valid.")


class ClaimLost(KarborException):
    message = _("Operation %(operation_id)s is no longer this worker's: "
                "%(reason)s.")


class FlowError(KarborException):
    message = _("Flow %(flow)s failed: %(error)s")


class ProtectionPluginError(KarborException):
    message = _("%(resource_type)s %(resource_id)s: %(reason)s")


class InvalidBankKey(BankError):
    message = _("Bank object key %(key)s cannot be used: %(reason)s")


class BankReadonlyViolation(BankError):
    message = _("Bank section %(section)s is read-only.")


# The original Karbor's exceptions, kept for plugins written to it: each is
# one of ours, so that Karbor handles it as its own (a hook's error fails
# its resource with the message as the reason, a bank error is waited out
# like any other).
class InvalidParameterValue(Invalid):
    message = "%(err)s"


class ProtectableResourceInvalidStatus(Conflict):
    message = _("%(type)s %(id)s is %(status)s.")


class CreateResourceFailed(ProtectionPluginError):
    """A protect hook failed: ``name`` (what it made), ``reason``,
    ``resource_id``, ``resource_type``."""
    message = _("%(resource_type)s %(resource_id)s: creating %(name)s "
                "failed: %(reason)s")


class DeleteResourceFailed(ProtectionPluginError):
    message = _("%(resource_type)s %(resource_id)s: deleting %(name)s "
                "failed: %(reason)s")


class RestoreResourceFailed(ProtectionPluginError):
    message = _("%(resource_type)s %(resource_id)s: restoring %(name)s "
                "failed: %(reason)s")


class VerifyResourceFailed(ProtectionPluginError):
    message = _("%(resource_type)s %(resource_id)s: verifying %(name)s "
                "failed: %(reason)s")


class BankCreateObjectFailed(BankError):
    pass


class BankUpdateObjectFailed(BankError):
    message = _("Bank object %(key)s could not be written: %(reason)s")


class BankGetObjectFailed(BankError):
    message = _("Bank object %(key)s could not be read: %(reason)s")


class BankDeleteObjectFailed(BankError):
    message = _("Bank object %(key)s could not be deleted: %(reason)s")


class BankListObjectsFailed(BankError):
    message = _("Bank objects could not be listed: %(reason)s")


class AcquireLeaseFailed(BankError):
    message = _("The bank lease could not be taken: %(reason)s")


class CreateContainerFailed(BankError):
    message = _("The bank's container could not be created: %(reason)s")


class BankObjectChanged(Conflict, BankUpdateObjectFailed):
    """A conditional write found the object no longer at the ETag it was
    read at: another writer replaced it since."""
    message = _("Bank object %(key)s was replaced by another writer since "
                "it was read.")


class BankObjectNotFound(NotFound, BankGetObjectFailed,
                         BankDeleteObjectFailed):
    """No object has the key. The original Karbor's banks reported it as a
    failed read or delete, which plugins written for it catch: so it is
    those too."""
    message = _("Bank object %(key)s could not be found.")
