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

"""The ``crontab`` time format: a five-field cron pattern, in UTC.

``minute hour day-of-month month day-of-week``, read by croniter as cron
reads it: numbers, names (``jan``, ``mon``), ranges, steps and lists, and
croniter's ``L`` (last day of the month), ``15W`` (the weekday nearest the
15th) and ``mon#2`` (the second Monday). A day matching either day field
fires when both are restricted, as in cron. Random and hashed values
(croniter's ``R`` and ``H``) are refused: every operation engine must
compute the same fire times from the same pattern.
"""

import datetime

import croniter

from karbor import exception
from karbor.i18n import _
from karbor.services.operationengine.triggers import time_formats

FIELDS = ('minute', 'hour', 'day-of-month', 'month', 'day-of-week')

_DAY = 86400
# The Gregorian calendar repeats itself every 400 years; the walk over
# them starts in a year no earlier than croniter knows.
_CYCLE_START = 2001
_CYCLE_YEARS = 400


def _invalid(pattern, problem):
    return exception.InvalidInput(reason=_(
        "the crontab pattern '%(pattern)s' is invalid: %(problem)s") % {
            'pattern': pattern, 'problem': problem})


def _normalized(pattern):
    """``pattern`` with its fields one space apart, once it is known to
    fire; InvalidInput naming its fault otherwise."""
    if not isinstance(pattern, str):
        raise _invalid(pattern, _('a crontab pattern is a string'))
    fields = pattern.split()
    if len(fields) != len(FIELDS):
        raise _invalid(pattern, _(
            'it has %(count)d fields instead of 5 (%(names)s)') % {
                'count': len(fields), 'names': ' '.join(FIELDS)})
    for field in fields:
        if any(item[:1].lower() in ('r', 'h') for item in field.split(',')):
            raise _invalid(pattern, _(
                'random and hashed values (R, H) are not supported'))
    normalized = ' '.join(fields)
    try:
        croniter.croniter(normalized, datetime.datetime(_CYCLE_START, 1, 1),
                          ret_type=datetime.datetime).get_next()
    except croniter.CroniterBadDateError:
        raise _invalid(pattern, _('it never fires'))
    except (croniter.CroniterError, croniter.CroniterBadTypeRangeError) as e:
        raise _invalid(pattern, e)
    return normalized


def _all_values(field, count):
    return range(count) if field == ['*'] else field


def _year_type(year):
    """The year's length and the weekday of its 1 January."""
    first = datetime.date(year, 1, 1)
    return first.replace(year=year + 1) - first, first.weekday()


def _fire_days(day_pattern, year):
    """The days of ``year`` that ``day_pattern`` fires on, 0 for
    1 January."""
    first = datetime.datetime(year, 1, 1)
    return [(fire - first).days for fire in croniter.croniter_range(
        first, datetime.datetime(year, 12, 31), day_pattern)]


def _fewest_days_apart(day_fields):
    """The fewest days between two consecutive days the day fields match.

    Which days of a year match depends only on the year's type: leap or
    not, and the weekday of 1 January. So croniter lists the matching days
    once for each of the 14 types, in the first year of that type, and the
    gaps are read off the 400 years after which the Gregorian calendar
    repeats, plus the next 400 for the gap across their end. Walking
    croniter through 400 years of fire days would take seconds: it takes
    a tenth of a millisecond a step.
    """
    day_pattern = '0 0 ' + day_fields
    days_by_type = {}
    fewest = previous = None
    for year in range(_CYCLE_START, _CYCLE_START + 2 * _CYCLE_YEARS):
        year_type = _year_type(year)
        if year_type not in days_by_type:
            days_by_type[year_type] = _fire_days(day_pattern, year)
        first = datetime.date(year, 1, 1).toordinal()
        for day in days_by_type[year_type]:
            if previous is not None:
                gap = first + day - previous
                fewest = gap if fewest is None else min(fewest, gap)
                if fewest == 1:
                    return fewest
            previous = first + day
    return fewest


class CrontabTimeFormat(time_formats.TimeFormat):
    """A cron pattern's fire times, in UTC."""

    def __init__(self, start_time, pattern):
        super().__init__(start_time, pattern)
        self._pattern = _normalized(pattern)

    @classmethod
    def check_time_format(cls, pattern):
        _normalized(pattern)

    def compute_next_time(self, current_time):
        return croniter.croniter(
            self._pattern, self._fire_time_floor(current_time),
            ret_type=datetime.datetime).get_next()

    def get_min_interval(self):
        # Every day the pattern fires on, it fires at the same times: the
        # shortest interval is between two of those times, or from the
        # last of them to the first on the next fire day.
        expanded, _nth_weekdays = croniter.croniter.expand(self._pattern)
        minutes, hours = expanded[:2]
        times = sorted(hour * 3600 + minute * 60
                       for hour in _all_values(hours, 24)
                       for minute in _all_values(minutes, 60))
        day_fields = self._pattern.split(' ', 2)[2]
        across_days = (_fewest_days_apart(day_fields) * _DAY -
                       (times[-1] - times[0]))
        return min([across_days] +
                   [later - earlier
                    for earlier, later in zip(times, times[1:])])
