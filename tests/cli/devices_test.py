#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""`ursa devices`: the text and --json listings agree, every device has
its fields, and a device that is not passable says why.

usage: devices_test.py URSA
"""
import json
import re
import subprocess
import sys


def main():
    ursa = sys.argv[1]
    text = subprocess.run([ursa, 'devices'], capture_output=True, text=True)
    js = subprocess.run([ursa, 'devices', '--json'], capture_output=True, text=True)
    failures = []
    if text.returncode or js.returncode:
        failures.append('exit statuses %d, %d' % (text.returncode, js.returncode))
    devices = json.loads(js.stdout)
    lines = text.stdout.splitlines()
    if len(devices) != len(lines):
        failures.append('%d JSON entries, %d text lines' % (len(devices), len(lines)))
    keys = {'bdf', 'vendor', 'device', 'class', 'vendor_name', 'device_name',
            'class_name', 'driver', 'iommu_group', 'passable', 'reason'}
    for d, line in zip(devices, lines):
        if set(d) != keys:
            failures.append('%s: keys %s' % (d.get('bdf'), sorted(d)))
        if not re.fullmatch(r'[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]', d['bdf']):
            failures.append('bad address %r' % d['bdf'])
        if not line.startswith('%s %s:%s ' % (d['bdf'], d['vendor'], d['device'])):
            failures.append('text line %r does not match %s' % (line, d['bdf']))
        if d['passable'] != (d['reason'] is None):
            failures.append('%s: passable %s with reason %r' % (d['bdf'], d['passable'], d['reason']))
        if not d['passable'] and ('not passable: ' + d['reason']) not in line:
            failures.append('%s: the text line lacks the reason' % d['bdf'])
    print('%d devices' % len(devices))
    for f in failures:
        print('FAIL:', f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
