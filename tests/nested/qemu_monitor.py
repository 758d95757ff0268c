# SPDX-License-Identifier: GPL-2.0-only
"""QEMU's human monitor over a Unix socket, for hang-report and wake-cpu."""
import re
import socket
import time

PROMPT = b'(qemu) '


class Monitor:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(path)
        self.read_until_prompt()

    def read_until_prompt(self):
        data = b''
        deadline = time.monotonic() + 10
        while not data.endswith(PROMPT) and time.monotonic() < deadline:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
        return data.decode(errors='replace')

    def command(self, cmd):
        self.sock.sendall(cmd.encode() + b'\n')
        out = self.read_until_prompt()
        # The monitor echoes the command with terminal escapes; keep the rest.
        out = re.sub(r'\x1b\[[0-9;]*[A-Za-z]', '', out)
        lines = [l for l in out.replace('\r', '').split('\n')
                 if l.strip() and not l.startswith('(qemu)') and l.strip() != cmd]
        return '\n'.join(lines)


def pending(lapic):
    """The IRR's vectors whose priority class is above the PPR's, with an
    empty ISR: interrupts the CPU must take as soon as it can."""
    irr = re.search(r'^IRR\s+(.*)$', lapic, re.M)
    isr = re.search(r'^ISR\s+(.*)$', lapic, re.M)
    ppr = re.search(r'PPR (0x[0-9a-f]+)', lapic)
    if not (irr and isr and ppr) or isr.group(1).strip() != '(none)':
        return set()
    prio = int(ppr.group(1), 16) & 0xf0
    return {int(v) for v in irr.group(1).split() if v.isdigit() and int(v) & 0xf0 > prio}
