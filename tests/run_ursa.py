#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run ursa once and assert on its exit status and output.

usage: run_ursa.py URSA [expectations...] -- ARGS...

In ARGS and expectation values, {tmp} is a fresh scratch directory.
Exit status: 0 pass, 1 fail, 77 skip (meson's code). A test marked
--needs-kvm skips when /dev/kvm cannot be opened, unless URSA_REQUIRE_KVM=1
is set (CI sets it): then it fails.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True      # nothing written into the source tree
from kvm_gate import kvm_gate  # noqa: E402  (tests/kvm_gate.py, beside this file)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('ursa')
    p.add_argument('--needs-kvm', action='store_true')
    p.add_argument('--status', type=int, required=True)
    p.add_argument('--stdout', help='stdout must be exactly this')
    p.add_argument('--stdout-has', action='append', default=[])
    p.add_argument('--stderr-has', action='append', default=[])
    p.add_argument('--stderr-lines', type=int,
                   help='stderr must have exactly this many lines')
    p.add_argument('--file-has', action='append', default=[],
                   metavar='PATH:TEXT', help='after the run, PATH contains TEXT')
    p.add_argument('--no-file', action='append', default=[], metavar='PATH',
                   help='after the run, PATH does not exist')
    p.add_argument('--make-file', action='append', default=[], metavar='PATH:SIZE',
                   help='before the run, create PATH as a sparse file of SIZE bytes')
    p.add_argument('--stdin', default=None, help='text fed to stdin')
    p.add_argument('--env', action='append', default=[], metavar='K=V')
    p.add_argument('--signal', metavar='SIG:SECONDS',
                   help='send SIG (INT, TERM) after SECONDS')
    p.add_argument('--timeout', type=float, default=60)
    argv = sys.argv[1:]
    if '--' not in argv:
        p.error('missing -- before the ursa arguments')
    sep = argv.index('--')
    o = p.parse_args(argv[:sep])
    args = argv[sep + 1:]

    if o.needs_kvm:
        status = kvm_gate()
        if status is not None:
            return status

    with tempfile.TemporaryDirectory(prefix='ursa-test-') as tmp:
        sub = lambda s: s.replace('{tmp}', tmp)
        env = dict(os.environ)
        for kv in o.env:
            k, v = kv.split('=', 1)
            env[k] = sub(v)
        for spec in o.make_file:
            path, size = spec.split(':', 1)
            with open(sub(path), 'wb') as f:
                f.truncate(int(size))
        cmd = [o.ursa] + [sub(a) for a in args]
        print('$', ' '.join(cmd))
        proc = subprocess.Popen(cmd, env=env,
                                stdin=subprocess.PIPE if o.stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if o.signal:
            sig, delay = o.signal.split(':')
            time.sleep(float(delay))
            proc.send_signal(getattr(signal, 'SIG' + sig))
        try:
            out, err = proc.communicate(
                o.stdin.encode().decode('unicode_escape').encode() if o.stdin is not None else None,
                timeout=o.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            print('FAIL: timed out after %g s' % o.timeout)
            return 1
        out, err = out.decode(errors='replace'), err.decode(errors='replace')
        print('--- status %d\n--- stdout\n%s--- stderr\n%s---' % (proc.returncode, out, err))

        failures = []
        if proc.returncode != o.status:
            failures.append('status %d, expected %d' % (proc.returncode, o.status))
        if o.stdout is not None and out != o.stdout.encode().decode('unicode_escape'):
            failures.append('stdout is not exactly %r' % o.stdout)
        failures += ['stdout lacks %r' % s for s in map(sub, o.stdout_has) if s not in out]
        failures += ['stderr lacks %r' % s for s in map(sub, o.stderr_has) if s not in err]
        if o.stderr_lines is not None and len(err.splitlines()) != o.stderr_lines:
            failures.append('stderr has %d lines, expected %d' %
                            (len(err.splitlines()), o.stderr_lines))
        for spec in o.file_has:
            path, text = spec.split(':', 1)
            path = sub(path)
            content = open(path, errors='replace').read() if os.path.exists(path) else None
            if content is None or text not in content:
                failures.append('%s lacks %r' % (path, text))
        failures += ['%s exists' % sub(f) for f in o.no_file if os.path.exists(sub(f))]
    for f in failures:
        print('FAIL:', f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
