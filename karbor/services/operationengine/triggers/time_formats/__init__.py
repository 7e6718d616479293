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

"""Time formats: how a time trigger's pattern turns into fire times.

A time format is a plugin in the ``karbor.operationengine.engine.timetrigger
.time_format`` entry-point namespace, named by a trigger's ``format``
property (``crontab`` and ``calendar`` ship with Karbor). It is a subclass
of ``TimeFormat`` with the original Karbor's four methods, so that a format
written for the original loads unchanged:

- ``check_time_format(pattern)``, a class method, refuses a pattern the
  format cannot evaluate with ``InvalidInput`` naming what is wrong; the API
  calls it before it stores a trigger.
- ``TimeFormat(start_time, pattern)`` evaluates one trigger's pattern from
  its start time on.
- ``compute_next_time(current_time)`` is the first fire time strictly after
  ``current_time`` and never before the start time, or None once the
  pattern will not fire again.
- ``get_min_interval()`` is the shortest time in seconds between two
  consecutive fire times, or None for a pattern that fires at most once;
  the API refuses patterns that fire more often than ``[DEFAULT]
  min_interval``.

Every time in and out is a naive datetime in UTC.
"""

import abc
import datetime

from stevedore import driver
from stevedore import exception as stevedore_exception
from stevedore import extension

from karbor import exception
from karbor.i18n import _

NAMESPACE = 'karbor.operationengine.engine.timetrigger.time_format'

# The smallest step of a datetime: a fire time later than (start_time minus
# this) is one at or after start_time.
_RESOLUTION = datetime.timedelta(microseconds=1)


class TimeFormat(metaclass=abc.ABCMeta):
    """One trigger's pattern, evaluated from its start time on."""

    def __init__(self, start_time, pattern):
        self.start_time = start_time
        self.pattern = pattern

    @classmethod
    @abc.abstractmethod
    def check_time_format(cls, pattern):
        """Raise InvalidInput naming what is wrong with ``pattern``."""

    @abc.abstractmethod
    def compute_next_time(self, current_time):
        """The first fire time after ``current_time``, None if none."""

    @abc.abstractmethod
    def get_min_interval(self):
        """The shortest seconds between two fire times, None if it fires
        at most once."""

    def _fire_time_floor(self, current_time):
        """What the next fire time must be strictly later than: the current
        time, or just before the start time while that is still ahead."""
        return max(current_time, self.start_time - _RESOLUTION)


def _raise_load_failure(manager, entry_point, error):
    # A format that is installed but does not import must say why, not
    # pass for an unknown one.
    raise error


def get_time_format_class(name):
    """The ``TimeFormat`` subclass installed under ``name``."""
    try:
        return driver.DriverManager(
            NAMESPACE, name, invoke_on_load=False,
            on_load_failure_callback=_raise_load_failure).driver
    except stevedore_exception.NoMatches:
        known = sorted(extension.ExtensionManager(NAMESPACE).names())
        raise exception.InvalidInput(reason=_(
            "unknown time format '%(name)s', the known ones are: "
            "%(known)s") % {'name': name, 'known': ', '.join(known)})
