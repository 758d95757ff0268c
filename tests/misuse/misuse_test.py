#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The misuse table: bad command lines, missing, unreadable and corrupt
files, no /dev/kvm, an absent device, and a disk that shrinks under a
running guest. Each case must end with its documented exit status (README
"Exit status": 2 the command line is wrong, 1 a host problem), one line on
stderr naming the problem and nothing on stdout, no signal death (so no
core dump), and nothing left behind in its scratch directory: no stray or
changed files. Cases marked 'tty' run on a pseudo-terminal, which must have
its modes back afterwards.

usage: misuse_test.py URSA
Exit status 0 pass, 1 fail, 77 skip (no /dev/kvm, unless URSA_REQUIRE_KVM=1).
"""
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time

sys.dont_write_bytecode = True      # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from kvm_gate import kvm_gate  # noqa: E402  (tests/kvm_gate.py)

USAGE, HOST = 2, 1

# name, argv (after the binary; {tmp} is the case's scratch directory),
# expected status, text the one stderr line must contain, options:
#   env: extra environment; tty: run on a pseudo-terminal.
CASES = [
    # The command line (status 2).
    ('no-command', [], USAGE, 'missing command'),
    ('unknown-command', ['launch'], USAGE, "unknown command 'launch'"),
    ('unknown-option', ['run', '--stub', 'hello', '--bogus'], USAGE, "unknown option '--bogus'"),
    ('no-guest', ['run', '--memory', '1G'], USAGE, 'missing --kernel BZIMAGE or --stub'),
    ('two-guests', ['run', '--stub', 'hello', '--kernel', '{tmp}/garbage'], USAGE, 'exclude each other'),
    ('no-such-stub', ['run', '--stub', 'nonesuch'], USAGE, 'no built-in stub of that name'),
    ('bad-size', ['run', '--stub', 'hello', '--memory', '12M5'], USAGE, "--memory '12M5'"),
    ('memory-too-small', ['run', '--stub', 'hello', '--memory', '1M'], USAGE, 'below the minimum of 8M'),
    ('memory-unaligned', ['run', '--stub', 'hello', '--memory', '10000001'], USAGE, 'not a multiple of 4K'),
    ('zero-cpus', ['run', '--stub', 'hello', '--cpus', '0'], USAGE, "--cpus '0'"),
    ('cpus-word', ['run', '--stub', 'hello', '--cpus', 'two'], USAGE, "--cpus 'two'"),
    ('empty-console', ['run', '--stub', 'hello', '--console', ''], USAGE, '--console: expected stdio'),
    ('disk-bad-flag', ['run', '--stub', 'hello', '--disk', '{tmp}/disk.img,fast'], USAGE, "unknown flag 'fast'"),
    ('too-many-disks', ['run', '--stub', 'hello'] + ['--disk', '{tmp}/disk.img'] * 9, USAGE, 'at most 8'),
    ('initrd-alone', ['run', '--stub', 'hello', '--initrd', '{tmp}/disk.img'], USAGE, '--initrd needs --kernel'),
    ('phys-bits-small', ['run', '--stub', 'hello', '--phys-bits', '20'], USAGE, "--phys-bits '20'"),
    ('vfio-bad-address', ['run', '--stub', 'hello', '--vfio', 'zz'], USAGE, "--vfio 'zz': expected a PCI address"),
    ('vfio-twice', ['run', '--stub', 'hello', '--vfio', '00:02.0', '--vfio', '0000:00:02.0'], USAGE, 'given twice'),
    ('vfio-bad-slot', ['run', '--stub', 'hello', '--vfio', '00:02.0,slot=0'], USAGE, "unknown flag 'slot=0'"),
    ('missing-value', ['run', '--stub', 'hello', '--cpus'], USAGE, "option '--cpus' needs a value"),
    ('flag-with-value', ['run', '--stub', 'hello', '--stats=yes'], USAGE, "option '--stats' takes no value"),
    ('append-too-long', ['run', '--stub', 'hello', '--append', 'a' * 2048], USAGE, '--append: longer than'),
    ('bad-seccomp', ['run', '--stub', 'hello', '--seccomp', 'strict'], USAGE, "--seccomp 'strict'"),
    ('repro-no-device', ['repro', 'bar-race'], USAGE, '--vfio BDF is required'),
    ('repro-zero-cycles', ['repro', 'bar-race', '--vfio', '00:02.0', '--cycles', '0'], USAGE, "--cycles '0'"),
    ('repro-bad-bar', ['repro', 'bar-race', '--vfio', '00:02.0', '--bar', '6'], USAGE, "--bar '6': expected 0..5"),
    ('repro-bad-offset', ['repro', 'bar-race', '--vfio', '00:02.0', '--offset', 'CAP'], USAGE,
     "--offset 'CAP': expected a byte offset"),
    ('repro-unaligned-offset', ['repro', 'bar-race', '--vfio', '00:02.0', '--offset', '0x2'], USAGE,
     "--offset '0x2': not a multiple of 4"),
    ('devices-bad-option', ['devices', '--all'], USAGE, "unknown option '--all'"),
    ('vfio-bind-bad-address', ['vfio-bind', '00:3'], USAGE, 'expected one PCI address'),
    # Files: missing, of the wrong kind, corrupt (status 1).
    ('kernel-missing', ['run', '--kernel', '{tmp}/nofile'], HOST, "--kernel '{tmp}/nofile': No such file"),
    ('kernel-directory', ['run', '--kernel', '{tmp}/adir'], HOST, 'not a regular file'),
    ('kernel-garbage', ['run', '--kernel', '{tmp}/garbage'], HOST, 'not a bzImage'),
    ('kernel-empty', ['run', '--kernel', '{tmp}/empty'], HOST, '0 bytes is too small for a bzImage'),
    ('kernel-truncated', ['run', '--kernel', '{tmp}/short'], HOST, '100 bytes is too small for a bzImage'),
    ('kernel-old-protocol', ['run', '--kernel', '{tmp}/oldproto'], HOST, 'boot protocol 2.00 is too old'),
    ('kernel-32-bit-only', ['run', '--kernel', '{tmp}/no64'], HOST, 'no 64-bit entry point'),
    ('kernel-setup-past-end', ['run', '--kernel', '{tmp}/bigsetup'], HOST, 'leave no kernel'),
    ('initrd-missing', ['run', '--kernel', '{tmp}/no64', '--initrd', '{tmp}/nofile'], HOST, "--initrd '{tmp}/nofile'"),
    ('stub-file-garbage', ['run', '--stub', '{tmp}/garbage'], HOST, 'not an ursa stub'),
    ('stub-file-empty', ['run', '--stub', '{tmp}/empty'], HOST, 'too short for a stub header'),
    ('disk-missing', ['run', '--stub', 'hello', '--disk', '{tmp}/nofile'], HOST, "--disk '{tmp}/nofile': No such file"),
    ('disk-directory', ['run', '--stub', 'hello', '--disk', '{tmp}/adir'], HOST, 'Is a directory'),
    ('disk-under-a-file', ['run', '--stub', 'hello', '--disk', '{tmp}/empty/x'], HOST, 'Not a directory'),
    ('console-no-directory', ['run', '--stub', 'hello', '--console', '{tmp}/no/out'], HOST, "--console '{tmp}/no/out'"),
    # The host: no KVM, an absent device; a console file named on the same
    # command line is neither left behind nor emptied.
    ('kvm-missing', ['run', '--stub', 'hello'], HOST, '/nonexistent/kvm: no such device',
     {'env': {'URSA_KVM_DEVICE': '/nonexistent/kvm'}}),
    ('kvm-not-kvm', ['run', '--stub', 'hello'], HOST, '/dev/null: not a KVM device',
     {'env': {'URSA_KVM_DEVICE': '/dev/null'}}),
    ('vfio-absent', ['run', '--stub', 'hello', '--vfio', 'ff:1f.7', '--console', '{tmp}/new.txt'], HOST,
     '--vfio 0000:ff:1f.7: no PCI device'),
    ('vfio-absent-keeps-console', ['run', '--stub', 'hello', '--vfio', 'ff:1f.7', '--console', '{tmp}/keep.txt'],
     HOST, '--vfio 0000:ff:1f.7: no PCI device'),
    ('vfio-absent-on-terminal', ['run', '--stub', 'hello', '--vfio', 'ff:1f.7'], HOST,
     '--vfio 0000:ff:1f.7: no PCI device', {'tty': True}),
    ('kernel-garbage-on-terminal', ['run', '--kernel', '{tmp}/garbage'], HOST, 'not a bzImage', {'tty': True}),
    ('repro-absent-device', ['repro', 'bar-race', '--vfio', 'ff:1f.7'], HOST, '--vfio 0000:ff:1f.7: no PCI device'),
]


def bzimage(version, xloadflags=1, setup_sects=4, size=1 << 20):
    """A bzImage header (Documentation/arch/x86/boot.rst) and nothing
    else: enough to reach each of ursa's header checks."""
    b = bytearray(size)
    b[0x1f1] = setup_sects
    struct.pack_into('<H', b, 0x1fe, 0xaa55)
    b[0x202:0x206] = b'HdrS'
    struct.pack_into('<H', b, 0x206, version)
    b[0x211] = 0x01                        # loadflags: LOADED_HIGH
    struct.pack_into('<H', b, 0x236, xloadflags)
    return bytes(b)


def make_files(tmp):
    files = {
        'garbage': os.urandom(65536),
        'short': os.urandom(100),
        'empty': b'',
        'oldproto': bzimage(0x0200),
        'no64': bzimage(0x020c, xloadflags=0),
        'bigsetup': bzimage(0x020c, setup_sects=200, size=8192),
        'keep.txt': b'the operator\'s file\n',
    }
    for name, data in files.items():
        with open(os.path.join(tmp, name), 'wb') as f:
            f.write(data)
    with open(os.path.join(tmp, 'disk.img'), 'wb') as f:
        f.truncate(1 << 20)
    os.mkdir(os.path.join(tmp, 'adir'))


def snapshot(tmp):
    """Every path under tmp with its size and contents' hash."""
    state = {}
    for root, dirs, names in os.walk(tmp):
        for n in dirs + names:
            p = os.path.join(root, n)
            if os.path.isfile(p):
                with open(p, 'rb') as f:
                    state[p] = hash(f.read())
            else:
                state[p] = 'dir'
    return state


def run_plain(cmd, env, cwd):
    p = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')


def run_tty(cmd, env, cwd, failures, name):
    """On a pseudo-terminal, stdout and stderr are one stream: the whole
    output must then be the one line."""
    pid, master = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.execve(cmd[0], cmd, env)
    out = b''
    end = time.time() + 60
    while time.time() < end:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    _, status = os.waitpid(pid, 0)
    lflag = termios.tcgetattr(master)[3]
    if not (lflag & termios.ECHO and lflag & termios.ICANON):
        failures.append('%s: terminal not restored (lflag 0x%x)' % (name, lflag))
    os.close(master)
    return os.waitstatus_to_exitcode(status), '', out.decode(errors='replace').replace('\r\n', '\n')


def check_case(ursa, case, failures):
    name, args, want, text = case[:4]
    opts = case[4] if len(case) > 4 else {}
    with tempfile.TemporaryDirectory(prefix='ursa-misuse-') as tmp:
        make_files(tmp)
        before = snapshot(tmp)
        sub = lambda s: s.replace('{tmp}', tmp)
        env = dict(os.environ)
        env.update(opts.get('env', {}))
        cmd = [ursa] + [sub(a) for a in args]
        if opts.get('tty'):
            code, out, err = run_tty(cmd, env, tmp, failures, name)
        else:
            code, out, err = run_plain(cmd, env, tmp)
        problems = []
        if code < 0:
            problems.append('killed by signal %d' % -code)
        elif code != want:
            problems.append('status %d, expected %d' % (code, want))
        if out:
            problems.append('stdout not empty: %r' % out[:200])
        lines = err.splitlines()
        if len(lines) != 1:
            problems.append('%d lines on stderr, expected 1: %r' % (len(lines), err[:400]))
        elif not lines[0].startswith('ursa: ') or sub(text) not in lines[0]:
            problems.append("stderr %r lacks 'ursa: ...%s'" % (lines[0], sub(text)))
        after = snapshot(tmp)
        if after != before:
            added = sorted(set(after) - set(before))
            changed = sorted(p for p in before if after.get(p) != before[p])
            problems.append('left behind: new %s, changed or removed %s' % (added, changed))
        for p in problems:
            failures.append('%s: %s' % (name, p))
        print('%-28s %s' % (name, 'ok' if not problems else 'FAIL'))


def disk_shrinks(ursa, failures):
    """A disk that shrinks to nothing under a running guest: its reads
    fail with VIRTIO_BLK_S_IOERR (a short transfer is an error), the blk
    stub reports that and ends the VM with its own status 3; ursa itself
    stays up and says nothing."""
    with tempfile.TemporaryDirectory(prefix='ursa-misuse-') as tmp:
        img = os.path.join(tmp, 'disk.img')
        with open(img, 'wb') as f:
            f.truncate(16 << 20)
        p = subprocess.Popen([ursa, 'run', '--stub', 'blk', '--disk', img,
                              '--append', 'bench=1 count=100000000 qd=4'],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        time.sleep(1.0)
        os.truncate(img, 0)
        try:
            out, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            failures.append('disk-shrinks: ursa did not end within 60 s')
        if p.returncode != 3:
            failures.append('disk-shrinks: status %d, expected 3' % p.returncode)
        if b'blk: FAIL a read failed' not in out:
            failures.append('disk-shrinks: the guest did not see the read fail: %r' % out[-300:])
        if err:
            failures.append('disk-shrinks: stderr not empty: %r' % err[:300])
        if sorted(os.listdir(tmp)) != ['disk.img']:
            failures.append('disk-shrinks: left behind %s' % os.listdir(tmp))
        print('%-28s %s' % ('disk-shrinks', 'ok' if p.returncode == 3 else 'FAIL'))


def main():
    status = kvm_gate()
    if status is not None:
        return status
    ursa = os.path.abspath(sys.argv[1])
    failures = []
    for case in CASES:
        check_case(ursa, case, failures)
    disk_shrinks(ursa, failures)
    for f in failures:
        print('FAIL:', f)
    print('misuse: %d cases, %d failures' % (len(CASES) + 1, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
