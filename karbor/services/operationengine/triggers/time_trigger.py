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

"""The time trigger: fires at the times a pattern names, in a format of
the time_formats plugins (crontab or calendar), between start_time and
end_time; each run may start up to ``window`` seconds late.

check_properties() is what a trigger create or update accepts.
"""

import datetime

from oslo_config import cfg
from oslo_utils import timeutils

from karbor import exception
from karbor.i18n import _
from karbor.services.operationengine.triggers import time_formats

CONF = cfg.CONF

PROPERTIES = ('format', 'pattern', 'start_time', 'end_time', 'window')
# How times are written: the original's, and ISO 8601's.
TIME_LAYOUTS = ('%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S')


def parse_time(value, name):
    """A naive UTC datetime from a trigger's ``name`` property."""
    if isinstance(value, str):
        for layout in TIME_LAYOUTS:
            try:
                return datetime.datetime.strptime(value, layout)
            except ValueError:
                continue
    raise exception.InvalidInput(
        reason=_('%(name)s must be a time, "YYYY-MM-DD HH:MM:SS" (UTC), '
                 'not %(value)r') % {'name': name, 'value': value})


def window_of(properties):
    """Seconds after a fire time within which its run may still start."""
    window = properties.get('window')
    return CONF.min_window_time if window is None else int(window)


def _check_window(value):
    try:
        window = int(value)
    except (TypeError, ValueError, OverflowError):
        window = None
    if (window is None or isinstance(value, bool) or
            not CONF.min_window_time <= window <= CONF.max_window_time):
        raise exception.InvalidInput(
            reason=_('window must be a number of seconds from %(min)d to '
                     '%(max)d ([DEFAULT] min_window_time, max_window_time),'
                     ' not %(value)r') % {'min': CONF.min_window_time,
                                          'max': CONF.max_window_time,
                                          'value': value})


def check_properties(properties):
    """The properties of a time trigger as stored: checked, with the
    format and start time filled in when not given."""
    unknown = sorted(set(properties) - set(PROPERTIES))
    if unknown:
        raise exception.InvalidInput(
            reason=_('unknown properties of a time trigger: %(unknown)s; '
                     'it has: %(known)s') % {'unknown': ', '.join(unknown),
                                             'known': ', '.join(PROPERTIES)})
    properties = dict(properties)
    properties.setdefault('format', CONF.time_format)
    properties.setdefault('start_time', timeutils.utcnow().replace(
        microsecond=0).strftime(TIME_LAYOUTS[0]))
    pattern = properties.get('pattern')
    if pattern is not None and not isinstance(pattern, str):
        raise exception.InvalidInput(
            reason=_('pattern must be a string, not %r') % (pattern,))
    if pattern is None or not pattern.strip():
        raise exception.InvalidInput(
            reason=_('a time trigger needs a pattern, in its format '
                     '(%s)') % properties['format'])
    start_time = parse_time(properties['start_time'], 'start_time')
    if properties.get('end_time') is not None:
        end_time = parse_time(properties['end_time'], 'end_time')
        if end_time <= start_time:
            raise exception.InvalidInput(
                reason=_('end_time (%(end)s) must come after start_time '
                         '(%(start)s)') % {'end': properties['end_time'],
                                           'start': properties['start_time']})
    if properties.get('window') is not None:
        _check_window(properties['window'])
    if not isinstance(properties['format'], str):
        raise exception.InvalidInput(
            reason=_('format must be the name of a time format, not %r')
            % (properties['format'],))
    time_format = time_formats.get_time_format_class(
        properties['format'])
    time_format.check_time_format(pattern)
    interval = time_format(start_time, pattern).get_min_interval()
    if interval is not None and interval < CONF.min_interval:
        raise exception.InvalidInput(
            reason=_('pattern %(pattern)r fires every %(interval)d seconds; '
                     'a trigger may fire every %(min)d seconds at most '
                     '([DEFAULT] min_interval)') % {
                'pattern': pattern, 'interval': interval,
                'min': CONF.min_interval})
    return properties


def next_fire_time(properties, after):
    """The first fire time of a time trigger strictly after ``after``
    (naive UTC), or None once it fires no more (past its end_time)."""
    time_format = time_formats.get_time_format_class(properties['format'])(
        parse_time(properties['start_time'], 'start_time'),
        properties['pattern'])
    fire_time = time_format.compute_next_time(after)
    end_time = properties.get('end_time')
    if fire_time is not None and end_time is not None and (
            fire_time > parse_time(end_time, 'end_time')):
        return None
    return fire_time
