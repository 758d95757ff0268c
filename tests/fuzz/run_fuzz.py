#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run one libFuzzer harness for a fixed time: the 'fuzz' suite's test.

usage: run_fuzz.py HARNESS SEEDS OUTDIR SECONDS

HARNESS first runs every input of the committed seed corpus SEEDS (the
regression inputs among them), then fuzzes for SECONDS. New corpus
entries go to OUTDIR/corpus, never into the source tree; a crash, a
broken invariant, a leak or an input slower than 10 s ends the run and
leaves its input in OUTDIR/crashes/, whose path is printed with the
command that replays it. The test fails then, when SEEDS is missing or
empty, and when the harness executed nothing.

bench/fuzz-soak imports run() for its long runs.
"""
import os
import re
import subprocess
import sys

# An input that takes longer than this is a hang.
INPUT_TIMEOUT = 10


def run(harness, seeds, outdir, seconds=0, runs=0, extra=(), log=None):
    """Fuzz for seconds and/or runs executions (0: no limit on that).

    Returns (exit status, libFuzzer's final stats as a dict of ints,
    the crash inputs this run left in outdir/crashes/).
    """
    corpus = os.path.join(outdir, 'corpus')
    crashes = os.path.join(outdir, 'crashes')
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    before = set(os.listdir(crashes))
    cmd = [harness, '-timeout=%d' % INPUT_TIMEOUT, '-print_final_stats=1',
           '-artifact_prefix=' + crashes + '/']
    if seconds:
        cmd.append('-max_total_time=%d' % seconds)
    if runs:
        cmd.append('-runs=%d' % runs)
    cmd += list(extra) + [corpus, seeds]
    stats = {}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            errors='replace')
    for line in proc.stdout:
        if log:
            log.write(line)
        m = re.match(r'stat::(\w+):\s+(\d+)', line)
        if m:
            stats[m.group(1)] = int(m.group(2))
    rc = proc.wait()
    new = sorted(os.path.join(crashes, f)
                 for f in set(os.listdir(crashes)) - before)
    return rc, stats, new


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    harness, seeds, outdir, seconds = sys.argv[1:]
    name = os.path.basename(harness)
    if not os.path.isdir(seeds) or not os.listdir(seeds):
        print('FAIL: %s: no seed corpus in %s' % (name, seeds))
        return 1
    rc, stats, new = run(harness, seeds, outdir, seconds=int(seconds),
                         log=sys.stdout)
    execs = stats.get('number_of_executed_units', 0)
    if rc or new:
        print('FAIL: %s exited with status %d' % (name, rc))
        for path in new:
            print('reproducer kept: %s\n  replay: %s %s' % (path, harness, path))
        if not new:
            print('(no reproducer written: see the output above)')
        return 1
    if not execs:
        print('FAIL: %s executed no input' % name)
        return 1
    print('%s: %d executions in %s s (%d/s), no crash' %
          (name, execs, seconds, stats.get('average_exec_per_sec', 0)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
