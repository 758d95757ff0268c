#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""virtio-blk's I/O thread polls with the driver's notifications suppressed.

The blk stub's bench (guest/stubs/blk.c) reads at queue depth 32 and rings
a queue's doorbell only when the device asks for it: used.flags without
VRING_USED_F_NO_NOTIFY, or (event_idx=1) avail_event inside the new range.
It keeps asking for no interrupts (NO_INTERRUPT, or used_event ahead).
ursa --stats reports what the disk did. Checked for each case:

- the stub read everything (its own output), on every queue it used;
- requests is the reads, errors 0;
- interrupts 0: the device honoured the driver's suppression;
- polling (the default poll=): at most a tenth as many doorbell wake-ups
  as requests (measured here: about 12 in 20000), with and without
  EVENT_IDX, on one queue and on four;
- poll=0 and no EVENT_IDX: the thread sleeps after every turn and the
  stub rings for most requests, so that case must show at least a quarter
  as many wake-ups as requests (measured: 16297 in 20000). It is the
  control: it shows the counter counts what the other cases suppress.

usage: blk_poll_test.py URSA
"""
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True      # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from kvm_gate import kvm_gate  # noqa: E402  (tests/kvm_gate.py)

READS = 20000
STATS = re.compile(r'stats: disk 0: requests (\d+) errors (\d+) notifications (\d+) '
                   r'interrupts (\d+) busy-turns (\d+) sleeps (\d+)')

# (disk flags, stub arguments, the most wake-ups allowed, the fewest wanted)
CASES = [
    ('', '', READS // 10, 0),
    ('', 'event_idx=1', READS // 10, 0),
    (',queues=4', 'queues=4', READS // 10, 0),
    (',queues=4', 'queues=4 event_idx=1', READS // 10, 0),
    (',poll=0', '', READS, READS // 4),
]


def run_case(ursa, image, flags, args, most, fewest):
    """One run; a list of what went wrong (empty if nothing)."""
    queues = re.search(r'queues=(\d+)', args)
    want_out = ('blk: bench %d reads done on %s queues\n' % (READS, queues.group(1))
                if queues else 'blk: bench %d reads done\n' % READS)
    cmd = [ursa, 'run', '--stub', 'blk', '--disk', image + flags, '--stats',
           '--append', 'bench=1 count=%d qd=32 %s' % (READS, args)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return ['ursa did not end within 60 s']
    problems = []
    if p.returncode != 0 or p.stdout != want_out:
        problems.append('status %d, stdout %r (want 0, %r)' % (p.returncode, p.stdout, want_out))
    m = STATS.search(p.stderr)
    if not m:
        return problems + ['no disk stats line in %r' % p.stderr]
    requests, errors, wakeups, interrupts = (int(m.group(i)) for i in range(1, 5))
    print('  %s' % m.group(0))
    if requests != READS or errors:
        problems.append('requests %d errors %d (want %d, 0)' % (requests, errors, READS))
    if interrupts:
        problems.append('%d interrupts although the driver asked for none' % interrupts)
    if wakeups > most:
        problems.append('%d doorbell wake-ups, more than %d' % (wakeups, most))
    if wakeups < fewest:
        problems.append('%d doorbell wake-ups, fewer than %d' % (wakeups, fewest))
    return problems


def main():
    status = kvm_gate()
    if status is not None:
        return status
    ursa = sys.argv[1]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        image = os.path.join(tmp, 'disk.img')
        with open(image, 'wb') as f:
            f.truncate(16 << 20)
        for flags, args, most, fewest in CASES:
            print('--disk disk.img%s, stub %s:' % (flags, args or 'defaults'))
            problems = run_case(ursa, image, flags, args, most, fewest)
            for p in problems:
                print('  FAIL: %s' % p)
            failed += bool(problems)
    print('%d of %d cases passed' % (len(CASES) - failed, len(CASES)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
