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

"""The time formats of time triggers, as a trigger's owner sees them: the
fire times of cron patterns and iCalendar rules, in UTC, across daylight
saving changes and month ends; their shortest intervals; and patterns
refused with a message that names what is wrong."""

import configparser
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from importlib import metadata
import os
import sys
import zoneinfo

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest

from karbor import exception
from karbor.services.operationengine.triggers import time_formats
from karbor.services.operationengine.triggers.time_formats import calendar
from karbor.services.operationengine.triggers.time_formats import crontab

DAY = 86400
_SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


@pytest.fixture(scope='module')
def installed_time_formats(tmp_path_factory):
    """setup.cfg's time formats as entry points: Karbor's own when it is
    installed, else published from a temporary dist-info (a plain
    checkout)."""
    if metadata.entry_points(group=time_formats.NAMESPACE):
        yield
        return
    parser = configparser.ConfigParser()
    parser.read(os.path.join(_SOURCE_ROOT, 'setup.cfg'))
    directory = tmp_path_factory.mktemp('entry-points')
    dist_info = directory / 'karbor_time_formats-0.0.0.dist-info'
    dist_info.mkdir()
    (dist_info / 'METADATA').write_text(
        'Metadata-Version: 2.1\nName: karbor_time_formats\n'
        'Version: 0.0.0\n')
    (dist_info / 'entry_points.txt').write_text('[%s]\n%s\n' % (
        time_formats.NAMESPACE,
        parser['entry_points'][time_formats.NAMESPACE]))
    sys.path.append(str(directory))
    yield
    sys.path.remove(str(directory))


def vevent(rule, dtstart=None):
    lines = ['BEGIN:VEVENT', 'RRULE:' + rule, 'END:VEVENT']
    if dtstart:
        lines.insert(1, 'DTSTART' + dtstart)
    return '\n'.join(lines)


def fire_times(time_format, after, count):
    """The next ``count`` fire times after ``after``, each asked for
    right at the one before, as a scheduler asks."""
    times = []
    for _ in range(count):
        after = time_format.compute_next_time(after)
        times.append(after)
        if after is None:
            break
    return times


def paris_daily(hour_minute, start='20260301'):
    return calendar.CalendarTimeFormat(
        datetime(2026, 1, 1),
        vevent('FREQ=DAILY', ';TZID=Europe/Paris:%sT%s00' % (
            start, hour_minute)))


# Loading and the contract


@pytest.mark.parametrize('name, time_format_class', [
    ('crontab', crontab.CrontabTimeFormat),
    ('calendar', calendar.CalendarTimeFormat),
])
def test_each_time_format_loads_by_its_entry_point_name(
        installed_time_formats, name, time_format_class):
    loaded = time_formats.get_time_format_class(name)
    assert loaded is time_format_class
    assert issubclass(loaded, time_formats.TimeFormat)


def test_an_unknown_time_format_is_refused_naming_it_and_the_known_ones(
        installed_time_formats):
    with pytest.raises(exception.InvalidInput) as caught:
        time_formats.get_time_format_class('sundial')
    assert "unknown time format 'sundial'" in str(caught.value)
    assert 'calendar, crontab' in str(caught.value)


def test_a_time_format_written_for_the_original_karbor_fits_the_contract():
    class EveryHour(time_formats.TimeFormat):
        def __init__(self, start_time, pattern):
            self.start = start_time

        @classmethod
        def check_time_format(cls, pattern):
            if pattern != 'hourly':
                raise exception.InvalidInput(reason='not hourly')

        def compute_next_time(self, current_time):
            return max(current_time, self.start) + timedelta(hours=1)

        def get_min_interval(self):
            return 3600

    EveryHour.check_time_format('hourly')
    assert EveryHour(datetime(2026, 1, 1), 'hourly').compute_next_time(
        datetime(2026, 5, 1)) == datetime(2026, 5, 1, 1)

    class Unfinished(time_formats.TimeFormat):
        def compute_next_time(self, current_time):
            return None

    with pytest.raises(TypeError):
        Unfinished(datetime(2026, 1, 1), 'hourly')


def test_the_trigger_options_keep_the_original_names_and_defaults(conf):
    assert {name: conf.conf[name] for name in (
        'min_interval', 'min_window_time', 'max_window_time',
        'trigger_poll_interval', 'time_format', 'scheduling_strategy')} == {
        'min_interval': 3600, 'min_window_time': 900,
        'max_window_time': 1800, 'trigger_poll_interval': 15,
        'time_format': 'calendar', 'scheduling_strategy': 'multi_node'}
    conf.config(time_format='crontab')
    with pytest.raises(ValueError):
        conf.config(time_format='sundial')


# crontab


def test_a_cron_pattern_fires_strictly_after_the_current_time():
    nightly = crontab.CrontabTimeFormat(datetime(2026, 1, 1), '0 2 * * *')
    assert nightly.compute_next_time(datetime(2026, 1, 1)) == datetime(
        2026, 1, 1, 2)
    assert nightly.compute_next_time(datetime(2026, 1, 1, 2)) == datetime(
        2026, 1, 2, 2)
    assert nightly.compute_next_time(
        datetime(2026, 1, 1, 1, 59, 59, 999999)) == datetime(2026, 1, 1, 2)


def test_a_cron_pattern_never_fires_before_the_start_time():
    hourly = crontab.CrontabTimeFormat(datetime(2026, 5, 5, 10, 30),
                                       '0 * * * *')
    assert hourly.compute_next_time(datetime(2026, 1, 1)) == datetime(
        2026, 5, 5, 11)
    on_the_hour = crontab.CrontabTimeFormat(datetime(2026, 5, 5, 10),
                                            '0 * * * *')
    assert on_the_hour.compute_next_time(datetime(2026, 1, 1)) == datetime(
        2026, 5, 5, 10)


def test_a_cron_pattern_runs_in_utc_whatever_the_daylight_saving():
    nightly = crontab.CrontabTimeFormat(datetime(2026, 1, 1), '30 2 * * *')
    assert fire_times(nightly, datetime(2026, 3, 28), 3) == [
        datetime(2026, 3, 28, 2, 30), datetime(2026, 3, 29, 2, 30),
        datetime(2026, 3, 30, 2, 30)]


def test_cron_on_the_31st_skips_the_months_without_one():
    monthly = crontab.CrontabTimeFormat(datetime(2026, 1, 1), '0 0 31 * *')
    assert fire_times(monthly, datetime(2026, 1, 1), 7) == [
        datetime(2026, 1, 31), datetime(2026, 3, 31), datetime(2026, 5, 31),
        datetime(2026, 7, 31), datetime(2026, 8, 31),
        datetime(2026, 10, 31), datetime(2026, 12, 31)]


def test_cron_on_the_29th_of_february_waits_for_a_leap_year():
    leap_day = crontab.CrontabTimeFormat(datetime(2026, 1, 1), '0 0 29 2 *')
    assert fire_times(leap_day, datetime(2026, 1, 1), 2) == [
        datetime(2028, 2, 29), datetime(2032, 2, 29)]
    last_day = crontab.CrontabTimeFormat(datetime(2028, 1, 1), '0 0 L * *')
    assert fire_times(last_day, datetime(2028, 1, 15), 3) == [
        datetime(2028, 1, 31), datetime(2028, 2, 29), datetime(2028, 3, 31)]


@pytest.mark.parametrize('pattern, seconds', [
    ('*/5 * * * *', 300),
    ('0 2 * * *', DAY),
    ('0 9-17 * * 1-5', 3600),
    ('0 22,2 * * *', 4 * 3600),
    ('30 23 * * 1', 7 * DAY),
    ('0 0 * * 1,3,5', 2 * DAY),
    ('0 0 31 * *', 31 * DAY),
    ('0 0 1,15 * *', 14 * DAY),
    ('0 0 29 2 *', 1461 * DAY),
    # A Monday 29 February comes every 28 years in this century, but 12
    # years after 2196, the century years that are not leap years moving
    # the weekdays: the whole 400-year calendar counts.
    ('0 0 * 2 mon#5', (12 * 365 + 2) * DAY),
])
def test_the_shortest_interval_of_a_cron_pattern(pattern, seconds):
    assert crontab.CrontabTimeFormat(
        datetime(2026, 1, 1), pattern).get_min_interval() == seconds


@pytest.mark.parametrize('pattern, words', [
    ('61 * * * *', 'out of range'),
    ('* 24 * * *', 'out of range'),
    ('* * *', 'it has 3 fields instead of 5'),
    ('0 0 * * * 2026', 'it has 6 fields instead of 5'),
    ('every night', 'it has 2 fields instead of 5'),
    ('a b c d e', 'not acceptable'),
    ('*/0 * * * *', "step '0'"),
    ('0 0 30 2 *', 'it never fires'),
    ('R 2 * * *', 'random and hashed values'),
    ('H 2 * * *', 'random and hashed values'),
])
def test_a_bad_cron_pattern_is_refused_naming_it_and_its_fault(
        pattern, words):
    for refuse in (crontab.CrontabTimeFormat.check_time_format,
                   lambda pattern: crontab.CrontabTimeFormat(
                       datetime(2026, 1, 1), pattern)):
        with pytest.raises(exception.InvalidInput) as caught:
            refuse(pattern)
        assert "crontab pattern '%s'" % pattern in str(caught.value)
        assert words in str(caught.value)


def test_a_cron_pattern_that_is_not_a_string_is_refused():
    with pytest.raises(exception.InvalidInput) as caught:
        crontab.CrontabTimeFormat.check_time_format(None)
    assert 'a crontab pattern is a string' in str(caught.value)


# calendar


WEEKLY = 'FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;BYHOUR=2;BYMINUTE=0'


@pytest.mark.parametrize('pattern', [
    vevent(WEEKLY),
    'BEGIN:VCALENDAR\nVERSION:2.0\n%s\nEND:VCALENDAR' % vevent(WEEKLY),
    vevent(WEEKLY).replace('\n', '\\n'),
    vevent(WEEKLY).replace('\n', '\r\n'),
])
def test_a_calendar_rule_reads_the_same_in_every_wrapping(pattern):
    weekly = calendar.CalendarTimeFormat(datetime(2026, 1, 1), pattern)
    assert fire_times(weekly, datetime(2026, 1, 1), 2) == [
        datetime(2026, 1, 5, 2), datetime(2026, 1, 12, 2)]


def test_a_rule_without_dtstart_starts_at_the_next_whole_minute():
    daily = calendar.CalendarTimeFormat(datetime(2026, 1, 1, 10, 17, 33),
                                        vevent('FREQ=DAILY'))
    assert fire_times(daily, datetime(2026, 1, 1), 2) == [
        datetime(2026, 1, 1, 10, 18), datetime(2026, 1, 2, 10, 18)]
    weekly = calendar.CalendarTimeFormat(datetime(2026, 1, 1, 10, 17, 33),
                                         vevent(WEEKLY))
    assert weekly.compute_next_time(datetime(2026, 1, 1)) == datetime(
        2026, 1, 5, 2)


def test_a_calendar_rule_fires_strictly_after_the_current_time():
    weekly = calendar.CalendarTimeFormat(datetime(2026, 1, 1),
                                         vevent(WEEKLY))
    assert weekly.compute_next_time(datetime(2026, 1, 5, 2)) == datetime(
        2026, 1, 12, 2)
    assert weekly.compute_next_time(
        datetime(2026, 1, 5, 1, 59, 59, 999999)) == datetime(2026, 1, 5, 2)


def test_a_calendar_rule_never_fires_before_the_start_time():
    pattern = vevent('FREQ=DAILY', ':20260101T020000Z')
    late = calendar.CalendarTimeFormat(datetime(2026, 6, 10, 12), pattern)
    assert late.compute_next_time(datetime(2026, 1, 1)) == datetime(
        2026, 6, 11, 2)
    on_time = calendar.CalendarTimeFormat(datetime(2026, 6, 10, 2), pattern)
    assert on_time.compute_next_time(datetime(2026, 1, 1)) == datetime(
        2026, 6, 10, 2)
    early = calendar.CalendarTimeFormat(datetime(2025, 1, 1), pattern)
    assert early.compute_next_time(datetime(2025, 1, 1)) == datetime(
        2026, 1, 1, 2)


def test_a_paris_rule_stays_at_two_local_time_through_the_year():
    daily = paris_daily('0200', start='20261101')
    assert fire_times(daily, datetime(2026, 1, 1), 1) == [
        datetime(2026, 11, 1, 1)]
    assert fire_times(daily, datetime(2027, 3, 26, 12), 4) == [
        datetime(2027, 3, 27, 1),   # 02:00 CET
        datetime(2027, 3, 28, 1),   # 02:00 does not exist: 03:00 CEST
        datetime(2027, 3, 29, 0),   # 02:00 CEST
        datetime(2027, 3, 30, 0)]


def test_a_local_time_skipped_in_spring_fires_an_hour_later_once():
    assert fire_times(paris_daily('0230'), datetime(2026, 3, 27), 4) == [
        datetime(2026, 3, 27, 1, 30),   # 02:30 CET
        datetime(2026, 3, 28, 1, 30),
        datetime(2026, 3, 29, 1, 30),   # 03:30 CEST, the day it is skipped
        datetime(2026, 3, 30, 0, 30)]   # 02:30 CEST
    new_york = calendar.CalendarTimeFormat(datetime(2026, 1, 1), vevent(
        'FREQ=DAILY', ';TZID=America/New_York:20260301T023000'))
    assert fire_times(new_york, datetime(2026, 3, 7), 3) == [
        datetime(2026, 3, 7, 7, 30),    # 02:30 EST
        datetime(2026, 3, 8, 7, 30),    # 03:30 EDT, the day it is skipped
        datetime(2026, 3, 9, 6, 30)]    # 02:30 EDT


def test_a_local_time_repeated_in_autumn_fires_the_first_time_only():
    assert fire_times(paris_daily('0230'), datetime(2026, 10, 24), 3) == [
        datetime(2026, 10, 24, 0, 30),   # 02:30 CEST
        datetime(2026, 10, 25, 0, 30),   # the first 02:30, still CEST
        datetime(2026, 10, 26, 1, 30)]   # 02:30 CET
    new_york = calendar.CalendarTimeFormat(datetime(2026, 1, 1), vevent(
        'FREQ=DAILY', ';TZID=America/New_York:20261001T013000'))
    assert fire_times(new_york, datetime(2026, 10, 31), 3) == [
        datetime(2026, 10, 31, 5, 30),   # 01:30 EDT
        datetime(2026, 11, 1, 5, 30),    # the first 01:30, still EDT
        datetime(2026, 11, 2, 6, 30)]    # 01:30 EST


def test_an_hourly_rule_fires_once_an_hour_through_both_changes():
    hourly = calendar.CalendarTimeFormat(datetime(2026, 1, 1), vevent(
        'FREQ=HOURLY', ';TZID=Europe/Paris:20260301T000000'))
    # 01:00 CET, then 02:00 and 03:00 local are both 01:00 UTC.
    assert fire_times(hourly, datetime(2026, 3, 28, 23, 30), 3) == [
        datetime(2026, 3, 29, 0), datetime(2026, 3, 29, 1),
        datetime(2026, 3, 29, 2)]
    # 02:00 CEST, then 03:00 CET: the repeated 02:00 does not fire again.
    assert fire_times(hourly, datetime(2026, 10, 24, 23, 30), 3) == [
        datetime(2026, 10, 25, 0), datetime(2026, 10, 25, 2),
        datetime(2026, 10, 25, 3)]


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(zone=st.sampled_from(['Europe/Paris', 'America/New_York',
                             'Australia/Lord_Howe']),
       hours=st.sets(st.integers(0, 23), min_size=1, max_size=3),
       minute=st.sampled_from([0, 15, 30, 45]),
       now=st.datetimes(datetime(2026, 1, 2), datetime(2026, 12, 30)))
def test_the_next_fire_time_is_the_first_local_occurrence_after_now(
        zone, hours, minute, now):
    """Against every day's local times read as RFC 5545 reads them."""
    rule = 'FREQ=DAILY;BYHOUR=%s;BYMINUTE=%d' % (
        ','.join(map(str, sorted(hours))), minute)
    daily = calendar.CalendarTimeFormat(datetime(2026, 1, 1), vevent(
        rule, ';TZID=%s:20251201T000000' % zone))
    local_zone = zoneinfo.ZoneInfo(zone)
    occurrences = (
        datetime(day.year, day.month, day.day, hour, minute,
                 tzinfo=local_zone).astimezone(timezone.utc).replace(
                     tzinfo=None)
        for day in (now.date() + timedelta(days=offset)
                    for offset in range(-2, 4))
        for hour in hours)
    assert daily.compute_next_time(now) == min(
        when for when in occurrences if when > now)


def test_a_rule_on_the_31st_skips_the_months_without_one():
    monthly = calendar.CalendarTimeFormat(
        datetime(2026, 1, 1), vevent('FREQ=MONTHLY;BYMONTHDAY=31'))
    assert fire_times(monthly, datetime(2026, 1, 1), 5) == [
        datetime(2026, 1, 31), datetime(2026, 3, 31), datetime(2026, 5, 31),
        datetime(2026, 7, 31), datetime(2026, 8, 31)]


def test_a_rule_on_the_last_day_finds_the_29th_of_february():
    last_day = calendar.CalendarTimeFormat(
        datetime(2028, 1, 1), vevent('FREQ=MONTHLY;BYMONTHDAY=-1'))
    assert fire_times(last_day, datetime(2028, 1, 15), 3) == [
        datetime(2028, 1, 31), datetime(2028, 2, 29), datetime(2028, 3, 31)]
    leap_day = calendar.CalendarTimeFormat(
        datetime(2026, 1, 1), vevent('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29'))
    assert fire_times(leap_day, datetime(2026, 1, 1), 2) == [
        datetime(2028, 2, 29), datetime(2032, 2, 29)]


def test_every_other_week_on_monday_and_thursday():
    fortnightly = calendar.CalendarTimeFormat(datetime(2026, 1, 1), vevent(
        'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH', ':20260105T020000Z'))
    assert fire_times(fortnightly, datetime(2026, 1, 1), 6) == [
        datetime(2026, 1, 5, 2), datetime(2026, 1, 8, 2),
        datetime(2026, 1, 19, 2), datetime(2026, 1, 22, 2),
        datetime(2026, 2, 2, 2), datetime(2026, 2, 5, 2)]


@pytest.mark.parametrize('limit', ['COUNT=3', 'UNTIL=20260103T020000Z'])
def test_a_rule_with_count_or_until_stops_firing(limit):
    limited = calendar.CalendarTimeFormat(datetime(2026, 1, 1), vevent(
        'FREQ=DAILY;' + limit, ':20260101T020000Z'))
    assert fire_times(limited, datetime(2026, 1, 1), 4) == [
        datetime(2026, 1, 1, 2), datetime(2026, 1, 2, 2),
        datetime(2026, 1, 3, 2), None]
    assert limited.compute_next_time(datetime(2030, 1, 1)) is None


@pytest.mark.parametrize('rule, seconds', [
    ('FREQ=MINUTELY', 60),
    ('FREQ=HOURLY;INTERVAL=1;', 3600),
    ('FREQ=DAILY;BYHOUR=2;BYMINUTE=0', DAY),
    ('FREQ=DAILY;BYHOUR=9,17', 8 * 3600),
    ('FREQ=HOURLY;BYMINUTE=15;BYMONTH=7', 3600),
    (WEEKLY, 7 * DAY),
    ('FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=2', 2 * DAY),
    ('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH', 3 * DAY),
    ('FREQ=MONTHLY;BYMONTHDAY=31', 31 * DAY),
    ('FREQ=DAILY;BYMONTHDAY=1,15', 14 * DAY),
    ('FREQ=HOURLY;BYHOUR=2;BYMINUTE=0;BYMONTHDAY=31', 31 * DAY),
    ('FREQ=MINUTELY;INTERVAL=23;BYMONTHDAY=1', 23 * 60),
    ('FREQ=WEEKLY;BYMONTH=6', 7 * DAY),
    ('FREQ=YEARLY', 365 * DAY),
    ('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', 1461 * DAY),
    # From 2098 to 2102, without the leap day 2100 does not have.
    ('FREQ=YEARLY;INTERVAL=4', 1460 * DAY),
    ('FREQ=DAILY;COUNT=2', DAY),
    ('FREQ=DAILY;COUNT=1', None),
])
def test_the_shortest_interval_of_a_calendar_rule(rule, seconds):
    assert calendar.CalendarTimeFormat(
        datetime(2026, 1, 1), vevent(rule)).get_min_interval() == seconds


def test_a_local_rule_has_the_intervals_of_its_wall_clock():
    assert paris_daily('0230').get_min_interval() == DAY


@pytest.mark.parametrize('pattern, words', [
    ('BEGIN:VCALENDAR\nEND:VCALENDAR', 'it has 0 VEVENTs, one is expected'),
    ('BEGIN:VCALENDAR\n%s\n%s\nEND:VCALENDAR' % ((vevent(WEEKLY),) * 2),
     'it has 2 VEVENTs, one is expected'),
    ('BEGIN:VEVENT\nEND:VEVENT', 'its VEVENT has no RRULE'),
    ('BEGIN:VEVENT\nRRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY\nEND:VEVENT',
     'it has 2 RRULE properties'),
    (vevent('INTERVAL=2'), "its RRULE 'INTERVAL=2' has no FREQ"),
    (vevent('FREQ=FORTNIGHTLY'), 'FORTNIGHTLY'),
    (vevent('FREQ=DAILY;COUNT=often'), 'often'),
    (vevent('FREQ=DAILY;BYHOUR=25'), 'hour must be in 0..23'),
    (vevent('FREQ=SECONDLY'), 'it fires more than once a minute'),
    (vevent('FREQ=MINUTELY;BYSECOND=0,30'),
     'it fires more than once a minute'),
    (vevent('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30'), 'never fires'),
    (vevent('FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6'), 'never fires'),
    (vevent('FREQ=DAILY', ';TZID=Mars/Olympus:20260101T020000'),
     'Mars/Olympus is unknown'),
    (vevent('FREQ=DAILY').replace('END', 'EXDATE:20260102T000000Z\nEND'),
     'EXDATE is not supported'),
    ('every night', 'every night'),
    ('BEGIN:VEVENT\nRRULE:FREQ=DAILY', 'BEGIN:VEVENT'),
    (None, 'a calendar pattern is a string'),
])
def test_a_bad_calendar_pattern_is_refused_naming_its_fault(pattern, words):
    for refuse in (calendar.CalendarTimeFormat.check_time_format,
                   lambda pattern: calendar.CalendarTimeFormat(
                       datetime(2026, 1, 1), pattern)):
        with pytest.raises(exception.InvalidInput) as caught:
            refuse(pattern)
        assert 'the calendar pattern is invalid' in str(caught.value)
        assert words in str(caught.value)
