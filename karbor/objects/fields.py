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

"""Field types Karbor's objects need beyond oslo.versionedobjects'."""

from oslo_serialization import jsonutils
from oslo_versionedobjects import fields


class Json(fields.FieldType):
    """A JSON document (dicts, lists, strings, numbers, booleans, null)."""

    def coerce(self, obj, attr, value):
        # Round-tripping rejects what JSON cannot hold, and copies.
        try:
            return jsonutils.loads(jsonutils.dumps(value))
        except (TypeError, ValueError) as exc:
            raise ValueError('%s is not JSON: %s' % (attr, exc))

    def to_primitive(self, obj, attr, value):
        return value

    def from_primitive(self, obj, attr, value):
        return value


class JsonField(fields.AutoTypedField):
    AUTO_TYPE = Json()


class PlanStatus(fields.Enum):
    SUSPENDED = 'suspended'
    STARTED = 'started'
    ALL = (SUSPENDED, STARTED)

    def __init__(self):
        super().__init__(valid_values=PlanStatus.ALL)


class PlanStatusField(fields.BaseEnumField):
    AUTO_TYPE = PlanStatus()


class RestoreStatus(fields.Enum):
    IN_PROGRESS = 'in_progress'
    SUCCESS = 'success'
    FAIL = 'fail'
    ALL = (IN_PROGRESS, SUCCESS, FAIL)

    def __init__(self):
        super().__init__(valid_values=RestoreStatus.ALL)


class RestoreStatusField(fields.BaseEnumField):
    AUTO_TYPE = RestoreStatus()
