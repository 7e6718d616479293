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

"""The ``calendar`` time format: the RRULE of an iCalendar event.

The pattern is one VEVENT, alone or inside a VCALENDAR, with one RRULE
(RFC 5545, read by icalendar and evaluated by dateutil) and maybe a
DTSTART::

    BEGIN:VEVENT
    RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;BYHOUR=2;BYMINUTE=0
    END:VEVENT

Its lines may also be separated by a literal backslash and ``n``, as JSON
clients send them. RDATE, EXDATE and EXRULE are refused rather than
ignored, and so are FREQ=SECONDLY and several BYSECOND values: a trigger
fires at most once a minute, as cron does.

A DTSTART with a TZID (``DTSTART;TZID=Europe/Paris:20261101T020000``)
starts the rule then and evaluates it on that zone's wall clock, so that
"every day at 02:00" stays at 02:00 local time across daylight saving
changes; a DTSTART in UTC (``...Z``), floating or a date evaluates it in
UTC. Without DTSTART the rule starts at the trigger's start time, rounded
up to a whole minute, in UTC, and the hour, minute and second the rule
does not name come from there, as RFC 5545 takes them from DTSTART. No fire
time comes before the trigger's start time either way.

Daylight saving changes follow RFC 5545 (3.3.5): a local time that does not
exist on the day clocks go forward (02:30 in Paris on 29 March 2026) fires
at the UTC offset from before the change, an hour later on the new clock
(03:30); a local time that happens twice on the day clocks go back fires
the first time only. So a daily rule fires once every day, never twice and
never not at all; an hourly one fires once in the hour that is skipped and
once, not twice, in the hour that is repeated.
"""

import datetime
import math

from dateutil import rrule
import icalendar

from karbor import exception
from karbor.i18n import _
from karbor.services.operationengine.triggers import time_formats

UTC = datetime.timezone.utc

_DAY = 86400
_WEEK = 7 * _DAY
_FREQUENCY_SECONDS = {'MINUTELY': 60, 'HOURLY': 3600, 'DAILY': _DAY,
                      'WEEKLY': _WEEK}
# What a BYxxx part other than these and BYSETPOS varies is a day.
_PART_SECONDS = {'BYSECOND': 1, 'BYMINUTE': 60, 'BYHOUR': 3600}
# The parts about the calendar rather than the weekday and the time of day;
# in a rule of at most weekly frequency they filter its dates.
_CALENDAR_PARTS = {'BYMONTH', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO',
                   'BYEASTER'}
_UNSUPPORTED = ('RDATE', 'EXDATE', 'EXRULE')
_WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']
# The Gregorian calendar repeats itself every 400 years, weekdays included.
_CYCLE = datetime.timedelta(days=146097)
_CYCLE_YEARS = 400
# UTC offsets run from -12:00 to +14:00, so two times on one zone's wall
# clock at least this far apart are in the same order in UTC.
_OFFSET_SPREAD = datetime.timedelta(hours=26)


def _invalid(problem):
    return exception.InvalidInput(reason=_(
        'the calendar pattern is invalid: %s') % problem)


def _single(component, name):
    """The ``name`` property of ``component``, None if it has none."""
    value = component.get(name)
    if isinstance(value, list):
        raise _invalid(_('it has %(count)d %(name)s properties, one is '
                         'expected') % {'count': len(value), 'name': name})
    return value


def _event(pattern):
    """The one VEVENT of ``pattern``."""
    if not isinstance(pattern, str):
        raise _invalid(_('a calendar pattern is a string'))
    if '\n' not in pattern:
        pattern = pattern.replace('\\n', '\n')
    try:
        events = icalendar.Component.from_ical(pattern).walk('VEVENT')
    except ValueError as exc:
        raise _invalid(exc)
    if len(events) != 1:
        raise _invalid(_('it has %d VEVENTs, one is expected') %
                       len(events))
    (event,) = events
    if event.errors:
        raise _invalid('; '.join('%s: %s' % error for error in event.errors))
    for name in _UNSUPPORTED:
        if name in event:
            raise _invalid(_('%s is not supported') % name)
    return event


def _rule_parts(event):
    """The parts of the event's RRULE, FREQ=WEEKLY as {'FREQ': ['WEEKLY']}
    and so on."""
    recur = _single(event, 'RRULE')
    if recur is None:
        raise _invalid(_('its VEVENT has no RRULE'))
    parts = dict(recur)
    if 'FREQ' not in parts:
        raise _invalid(_("its RRULE '%s' has no FREQ") %
                       recur.to_ical().decode())
    if parts['FREQ'] == ['SECONDLY'] or len(parts.get('BYSECOND', ())) > 1:
        raise _invalid(_('it fires more than once a minute (FREQ=SECONDLY '
                         'or several BYSECOND)'))
    return parts


def _rule_text(parts):
    return icalendar.vRecur(parts).to_ical().decode()


def _whole_minute_from(moment):
    """``moment`` if it is a whole minute, else the next whole minute."""
    rounded = moment.replace(second=0, microsecond=0)
    return rounded if rounded == moment else rounded + datetime.timedelta(
        minutes=1)


def _start(event, start_time):
    """When the rule starts on its zone's wall clock, and the zone."""
    dtstart = _single(event, 'DTSTART')
    if dtstart is None:
        return _whole_minute_from(start_time), UTC
    value = dtstart.dt
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            return value.replace(tzinfo=None), value.tzinfo
        if 'TZID' in dtstart.params:
            raise _invalid(_("its DTSTART's time zone %s is unknown") %
                           dtstart.params['TZID'])
        return value, UTC
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time()), UTC
    raise _invalid(_('its DTSTART is not a date or a time'))


def _wall_clock(moment, zone):
    """``moment`` (naive UTC) on ``zone``'s wall clock."""
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def _utc(wall_time, zone):
    """``wall_time`` on ``zone``'s clock in UTC: fold=0 reads a time that
    happens twice as the first, and one that does not exist at the offset
    from before the change, as RFC 5545 does."""
    return wall_time.replace(tzinfo=zone, fold=0).astimezone(UTC).replace(
        tzinfo=None)


def _wall_until(until, zone):
    """RRULE's UNTIL on the rule's wall clock; a date lasts all day."""
    if isinstance(until, datetime.datetime):
        if until.tzinfo is None:
            return until
        return until.astimezone(zone).replace(tzinfo=None)
    return datetime.datetime.combine(until, datetime.time.max)


def _repeat_period(parts):
    """After how long a rule of at most weekly frequency repeats its
    weekdays and times of day; None for monthly and yearly rules.

    Those repeat after its step (FREQ times INTERVAL) and after a week:
    after their least common multiple, a whole number of weeks.
    """
    frequency = _FREQUENCY_SECONDS.get(parts['FREQ'][0])
    if frequency is None:
        return None
    step = frequency * parts.get('INTERVAL', [1])[0]
    return datetime.timedelta(seconds=math.lcm(step, _WEEK))


def _shortest_possible_interval(parts):
    """A lower bound of the rule's intervals, in seconds.

    Two occurrences differ only in the fields the rule steps or names, the
    others coming from its start: they are at least the smallest such field
    apart, and a multiple of the step apart when no named part is finer
    than FREQ. Monthly and yearly rules count as stepping days.
    """
    frequency = _FREQUENCY_SECONDS.get(parts['FREQ'][0])
    named = [_PART_SECONDS.get(name, _DAY) for name in parts
             if name.startswith('BY') and name != 'BYSETPOS']
    if frequency is None:
        return min(named + [_DAY])
    finer = [seconds for seconds in named if seconds < frequency]
    return min(finer) if finer else frequency * parts.get('INTERVAL', [1])[0]


def _without_calendar_parts(parts):
    """The same rule of at most weekly frequency without COUNT, UNTIL and
    its parts about the calendar: it has every occurrence the rule has,
    and more."""
    kept = {name: value for name, value in parts.items()
            if name not in _CALENDAR_PARTS | {'COUNT', 'UNTIL'}}
    if (kept['FREQ'] == ['WEEKLY'] and 'BYDAY' not in kept and
            _CALENDAR_PARTS - {'BYMONTH'} & set(parts)):
        # dateutil gives a weekly rule its start's weekday unless it names
        # days some other way.
        kept['BYDAY'] = _WEEKDAYS
    return kept


def _allowed_dates(parts):
    """A yearly rule of the dates at midnight that the rule's parts about
    the calendar and the weekday allow."""
    dates = {name: value for name, value in parts.items()
             if name in _CALENDAR_PARTS}
    dates.update(FREQ=['YEARLY'], BYHOUR=[0], BYMINUTE=[0], BYSECOND=[0],
                 BYDAY=parts.get('BYDAY', _WEEKDAYS))
    return dates


def _shorter(interval, other):
    """The shorter of two intervals, either of which may be None."""
    if interval is None or other is None:
        return other if interval is None else interval
    return min(interval, other)


def _shortest_interval(rule, horizon, floor):
    """The shortest interval, in seconds, between consecutive occurrences
    of ``rule`` until one at least ``horizon`` after the first or one
    interval of ``floor``; None if it has fewer than two."""
    shortest = first = previous = None
    for wall_time in rule:
        if previous is None:
            first = wall_time
        else:
            shortest = _shorter(
                shortest, int((wall_time - previous).total_seconds()))
            if shortest == floor or wall_time >= first + horizon:
                break
        previous = wall_time
    return shortest


def _fires_within_a_cycle(rule, start):
    """Whether ``rule``, started at ``start`` and without its COUNT and
    UNTIL, fires within the calendar's 400 years of its start.

    dateutil looks for the next occurrence until the year 9999; moved by
    whole cycles, which keep every date's weekday, to within 800 years of
    it, the rule is not looked for longer.
    """
    cycles = max((datetime.MAXYEAR - start.year) // _CYCLE_YEARS - 1, 0)
    probe = rule.replace(dtstart=start + cycles * _CYCLE, count=None,
                         until=None)
    return next(iter(probe), None) is not None


class CalendarTimeFormat(time_formats.TimeFormat):
    """An iCalendar RRULE's fire times, on its DTSTART's wall clock."""

    def __init__(self, start_time, pattern):
        super().__init__(start_time, pattern)
        event = _event(pattern)
        self._parts = _rule_parts(event)
        self._first, self._zone = _start(event, start_time)
        self._period = _repeat_period(self._parts)
        try:
            self._rule = self._wall_clock_rule(self._parts)
            fires = self._fires_at_all()
        except (ValueError, TypeError) as exc:
            raise _invalid(_("its RRULE '%(rule)s' is not valid: "
                             "%(problem)s") % {
                'rule': _rule_text(self._parts), 'problem': exc})
        if not fires:
            raise _invalid(_("its RRULE '%s' never fires") %
                           _rule_text(self._parts))

    @classmethod
    def check_time_format(cls, pattern):
        cls(datetime.datetime.now(UTC).replace(tzinfo=None), pattern)

    def _wall_clock_rule(self, parts, start=None):
        """dateutil's rule of ``parts`` on the rule's wall clock, from its
        start or from ``start``."""
        parts = dict(parts)
        until = parts.pop('UNTIL', None)
        rule = rrule.rrulestr(_rule_text(parts), dtstart=start or self._first)
        if until:
            rule = rule.replace(until=_wall_until(until[0], self._zone))
        return rule

    def _calendar_filtered(self):
        """Whether the rule is one of at most weekly frequency whose parts
        about the calendar filter its dates."""
        return (self._period is not None and
                bool(_CALENDAR_PARTS.intersection(self._parts)))

    def _fires_at_all(self):
        # dateutil steps through every day that the parts about the
        # calendar refuse, a minute at a time for some rules: the dates
        # they allow are looked for first, a year at a time.
        if self._calendar_filtered() and not _fires_within_a_cycle(
                self._wall_clock_rule(_allowed_dates(self._parts)),
                self._first):
            return False
        return _fires_within_a_cycle(self._rule, self._first)

    def _rule_near(self, wall_time):
        """The rule, started as many whole periods later as keep its start
        before ``wall_time``: dateutil walks every occurrence from the
        start, years of them for an old hourly trigger. The parts about the
        calendar filter dates wherever the rule starts."""
        if self._period is None or 'COUNT' in self._parts:
            return self._rule
        periods = (wall_time - self._first) // self._period
        if periods <= 0:
            return self._rule
        return self._rule.replace(dtstart=self._first +
                                  periods * self._period)

    def compute_next_time(self, current_time):
        after = self._fire_time_floor(current_time)
        # On a wall clock with daylight saving, occurrences are in UTC order
        # only when far enough apart: look from that far before ``after``
        # to that far past the best one found.
        earliest = _wall_clock(after, self._zone) - _OFFSET_SPREAD
        best = best_wall_time = None
        for wall_time in self._rule_near(earliest).xafter(earliest):
            if best is not None and (
                    wall_time >= best_wall_time + _OFFSET_SPREAD):
                break
            fire_time = _utc(wall_time, self._zone)
            if fire_time > after and (best is None or fire_time < best):
                best, best_wall_time = fire_time, wall_time
        return best

    def get_min_interval(self):
        # The intervals of the rule itself, on its wall clock: a daily rule
        # in Paris has 86400 seconds, though the days clocks change last 23
        # and 25 hours. A rule that repeats within weeks shows all of them
        # in one period of occurrences and the next one; a monthly or
        # yearly one in the calendar's 400 years, walked until an interval
        # as short as it can have.
        floor = _shortest_possible_interval(self._parts)
        if self._period is None:
            return _shortest_interval(self._rule, _CYCLE, floor)
        if not self._calendar_filtered():
            return _shortest_interval(self._rule, self._period, floor)
        if 'BYSETPOS' in self._parts:
            # It picks among the dates the calendar parts allow.
            return _shortest_interval(self._rule, _CYCLE, floor)
        # Without its calendar parts, the rule has every occurrence it has
        # and repeats within weeks: no interval of it is shorter than that
        # rule's shortest.
        unfiltered = self._wall_clock_rule(
            _without_calendar_parts(self._parts))
        floor = _shortest_interval(unfiltered, self._period, floor)
        if 'COUNT' in self._parts or 'UNTIL' in self._parts:
            return _shortest_interval(self._rule, _CYCLE, floor)
        return self._shortest_on_allowed_dates(unfiltered, floor)

    def _shortest_on_allowed_dates(self, unfiltered, floor):
        # The rule fires at the times of ``unfiltered`` on the dates its
        # calendar parts allow. The first repeats every period: its times
        # of day on each day of one are listed once. The dates repeat every
        # 400 years, and the pair every least common multiple of both: its
        # dates are walked a year at a time, not a minute at a time as
        # dateutil would step through the days in between.
        period_days = self._period.days
        anchor = datetime.datetime.combine(
            self._first.date(), datetime.time()) + self._period
        times = [[] for _day in range(period_days)]
        for wall_time in unfiltered.xafter(anchor, inc=True):
            offset = wall_time - anchor
            if offset >= self._period:
                break
            times[offset.days].append(offset.seconds)
        within_days = [
            min((later - earlier for earlier, later in zip(day, day[1:])),
                default=None) for day in times]
        horizon_days = math.lcm(period_days, _CYCLE.days)
        shortest = previous_end = None
        for date in self._wall_clock_rule(_allowed_dates(self._parts),
                                          start=anchor):
            day = (date - anchor).days
            if day >= horizon_days:
                break
            day_times = times[day % period_days]
            if not day_times:
                continue
            shortest = _shorter(shortest, within_days[day % period_days])
            if previous_end is not None:
                shortest = _shorter(
                    shortest, day * _DAY + day_times[0] - previous_end)
            if shortest == floor:
                break
            previous_end = day * _DAY + day_times[-1]
        return shortest
