#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""ursa on a terminal: keys reach the guest as typed (no echo, no line
buffering), Ctrl-C stops the VM with status 130, and the terminal's modes
are restored afterwards, also when a seccomp stop (status 8) ends ursa.

usage: terminal_test.py URSA
"""
import os
import pty
import select
import sys
import termios
import time

sys.dont_write_bytecode = True      # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from kvm_gate import kvm_gate  # noqa: E402  (tests/kvm_gate.py)


def read_until(fd, text, timeout):
    buf = b''
    end = time.time() + timeout
    while text not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                buf += os.read(fd, 1024)
            except OSError:
                break
    return buf


def modes_restored(master, failures, what):
    """The slave side keeps its modes after the child exits: ECHO and
    ICANON must be back on."""
    try:
        lflag = termios.tcgetattr(master)[3]
    except termios.error as e:
        failures.append('%s: cannot read terminal modes: %s' % (what, e))
        return
    if not (lflag & termios.ECHO and lflag & termios.ICANON):
        failures.append('%s: terminal not restored: lflag 0x%x' % (what, lflag))


def spawn(ursa, *args):
    pid, master = pty.fork()
    if pid == 0:
        # The child's stdio is the pty's slave side: a real terminal.
        os.execv(ursa, [ursa, 'run', '--stub', 'echo'] + list(args))
    return pid, master


def exit_code(pid):
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def ctrl_c(ursa, failures):
    pid, master = spawn(ursa)
    out = read_until(master, b'echo: ready', 10)
    if b'echo: ready' not in out:
        failures.append('no prompt from the echo stub: %r' % out)
    # While ursa runs, the terminal must not echo or buffer lines.
    os.write(master, b'x')
    time.sleep(0.5)
    out = read_until(master, b'never', 0.5)
    if b'x' in out:
        failures.append('the terminal echoed a key the guest did not print: %r' % out)
    os.write(master, b'\x03')  # Ctrl-C: the line discipline sends SIGINT
    code = exit_code(pid)
    if code != 130:
        failures.append('Ctrl-C: exit status %d, expected 130' % code)
    modes_restored(master, failures, 'Ctrl-C')


def seccomp_stop(ursa, failures):
    """A call outside the event loop's allowlist ends ursa from its SIGSYS
    handler, which skips the normal teardown: the terminal must still be
    given back."""
    pid, master = spawn(ursa, '--debug-forbidden-syscall', 'loop')
    out = read_until(master, b'stopping', 10)
    code = exit_code(pid)
    if code != 8:
        failures.append('seccomp: exit status %d, expected 8' % code)
    if b'event loop thread made system call 41' not in out:
        failures.append('seccomp: no diagnosis: %r' % out)
    modes_restored(master, failures, 'seccomp')


def main():
    status = kvm_gate()
    if status is not None:
        return status
    failures = []
    ctrl_c(sys.argv[1], failures)
    seccomp_stop(sys.argv[1], failures)
    for f in failures:
        print('FAIL:', f)
    print('terminal: %s' % ('ok' if not failures else '%d failures' % len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
