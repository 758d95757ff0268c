#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""No data loss: SIGKILL ursa while the blk stub writes and flushes, then
every block the guest saw stable is in the image, intact.

The stub (durable=1, guest/stubs/blk.c) writes block i at sector 8i, each
16 bytes of it the run's nonce and 8i + its sector, and prints
"durable: flushed N" once a FLUSH sent after blocks 0..N-1 completed has
completed (VIRTIO 1.2 5.2.6.2: those blocks are stable). With flush=0 it
negotiates no FLUSH; then each completed write is stable and it prints
"durable: stable N".

Each round starts ursa on a fresh sparse image, waits for a few such
lines and a random delay, sends SIGKILL, and checks: ursa died of the
SIGKILL; it printed nothing else; it left nothing behind (no other file,
no open file on the image); blocks 0..N-1 of the last N it printed hold
exactly their contents; every other sector is zero or its own contents.

A SIGKILL loses nothing that reached the kernel, so the contents catch a
VMM that acknowledges a write or a FLUSH before the write reached the
kernel (or before it read the guest's buffer, which the guest then
reuses). Whether the stable blocks also reached the disk, not only the
page cache, is asked with cachestat(2): none of their pages may be dirty.

Rounds: one runs to the end (count=64) and wants everything after those
blocks zero; five are killed; one is killed with --disk PATH,direct
(O_DIRECT); one is killed with flush=0.

usage: durable_test.py URSA
The random seed is printed; URSA_DURABLE_SEED=N repeats one run's choices.
"""
import ctypes
import errno
import fcntl
import os
import random
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True      # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from kvm_gate import kvm_gate  # noqa: E402  (tests/kvm_gate.py)

BLOCK = 4096
SECTOR = 512
IMAGE_BYTES = 4 << 30           # sparse; far more than a round writes before the kill
CHUNK = 1 << 20                 # bytes read at a time
LINES_BEFORE_KILL = 3           # "durable: flushed N" lines seen first
MAX_EXTRA_DELAY = 0.3           # seconds, random, after those lines
LINE = re.compile(r'durable: (flushed|stable) (\d+)$')
COUNT = 64                      # blocks of the round that runs to the end


class Round:
    """One ursa run: its --disk options and stub arguments after the nonce;
    kill=False lets it run to the end."""

    def __init__(self, name, disk_opts='', append='', kill=True):
        self.name, self.disk_opts, self.append, self.kill = name, disk_opts, append, kill


ROUNDS = [Round('to the end', append='count=%d' % COUNT, kill=False)] + \
    [Round('kill %d' % i) for i in range(1, 6)] + \
    [Round('kill, direct', disk_opts=',direct'),
     Round('kill, no FLUSH negotiated', append='flush=0')]


# cachestat(2), Linux 6.5: page cache state of a file range.
SYS_CACHESTAT = 451


class CachestatRange(ctypes.Structure):
    _fields_ = [('off', ctypes.c_uint64), ('len', ctypes.c_uint64)]


class Cachestat(ctypes.Structure):
    _fields_ = [(f, ctypes.c_uint64) for f in
                ('nr_cache', 'nr_dirty', 'nr_writeback', 'nr_evicted',
                 'nr_recently_evicted')]


def cachestat(path, length):
    """The pages of [0, length) of path that are dirty or under writeback,
    or None when the kernel has no cachestat(2)."""
    libc = ctypes.CDLL(None, use_errno=True)
    rng, cs = CachestatRange(0, length), Cachestat()
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.syscall(SYS_CACHESTAT, fd, ctypes.byref(rng), ctypes.byref(cs), 0):
            return None
    finally:
        os.close(fd)
    return cs.nr_dirty + cs.nr_writeback


def dirty_pages_visible():
    """Whether cachestat(2) tells, on the scratch directory's filesystem,
    a page written but not synced (dirty) from one fdatasync'ed (clean):
    not on kernels before 6.5, nor on tmpfs, where pages stay dirty.
    Three tries, in case writeback cleans the page before the first look."""
    with tempfile.TemporaryDirectory(prefix='ursa-durable-probe-') as tmp:
        path = os.path.join(tmp, 'probe')
        fd = os.open(path, os.O_RDWR | os.O_CREAT)
        try:
            for _ in range(3):
                os.pwrite(fd, b'x' * BLOCK, 0)
                before = cachestat(path, BLOCK)
                os.fdatasync(fd)
                if before == 1 and cachestat(path, BLOCK) == 0:
                    return True
        finally:
            os.close(fd)
    return False


def wait_released(path, timeout=10):
    """Wait until nothing holds the image open: a write lease (fcntl(2)
    F_SETLEASE) is granted only then (EAGAIN until). After a SIGKILL,
    ursa's io_uring requests may still run for a moment after waitpid()
    returned. None once released, else what is wrong."""
    end = time.monotonic() + timeout
    fd = os.open(path, os.O_RDONLY)
    try:
        while True:
            try:
                fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
                fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
                return None
            except OSError as e:
                if e.errno != errno.EAGAIN:
                    return 'cannot take a lease on the image: %s' % e.strerror
            if time.monotonic() > end:
                return 'the image is still open %g s after ursa died' % timeout
            time.sleep(0.01)
    finally:
        os.close(fd)


def sector_contents(nonce, sector):
    """What the stub writes to sector (8 * block + sector within it)."""
    return struct.pack('<QQ', nonce, sector) * (SECTOR // 16)


def block_contents(nonce, block):
    return b''.join(sector_contents(nonce, block * 8 + s) for s in range(8))


def describe(sector_bytes, nonce):
    if not any(sector_bytes):
        return 'zeros'
    tag, value = struct.unpack_from('<QQ', sector_bytes)
    if sector_bytes != struct.pack('<QQ', tag, value) * (SECTOR // 16):
        return 'not one of the stub\'s sectors'
    if tag != nonce:
        return 'a sector of another run (nonce 0x%x)' % tag
    return 'block %d sector %d' % (value // 8, value % 8)


def check_image(path, nonce, stable, strict, failures):
    """Blocks 0..stable-1 hold exactly their contents; any other sector
    holds zeros or, unless strict, its own contents (a write the guest
    did not see stable may have landed, whole or in sectors)."""
    size = os.path.getsize(path)
    if size != IMAGE_BYTES:
        failures.append('the image is %d bytes, not %d' % (size, IMAGE_BYTES))
    bad = []
    with open(path, 'rb') as f:
        check_stable(f, nonce, stable, bad)
        check_rest(f, stable * BLOCK, nonce, strict, bad)
    failures += bad[:5]
    if len(bad) > 5:
        failures.append('... %d wrong places in all' % len(bad))


def check_stable(f, nonce, stable, bad):
    """Blocks 0..stable-1, from the start of f: exactly their contents."""
    for i in range(stable):
        got = f.read(BLOCK)
        if got == block_contents(nonce, i):
            continue
        if len(got) < BLOCK:
            bad.append('stable block %d is past the end of the image' % i)
            return
        for s in range(8):
            sector = got[s * SECTOR:(s + 1) * SECTOR]
            if sector != sector_contents(nonce, i * 8 + s):
                bad.append('stable block %d, sector %d holds %s' %
                           (i, s, describe(sector, nonce)))
                break


def data_extents(f, offset):
    """The (start, end) ranges of f from offset on that may hold data; the
    rest are holes, which read as zeros (lseek(2) SEEK_DATA, SEEK_HOLE)."""
    fd = f.fileno()
    size = os.fstat(fd).st_size
    while offset < size:
        try:
            start = os.lseek(fd, offset, os.SEEK_DATA)
        except OSError as e:
            if e.errno == errno.ENXIO:      # nothing but a hole is left
                return
            raise
        offset = os.lseek(fd, start, os.SEEK_HOLE)
        yield start, offset


def check_rest(f, offset, nonce, strict, bad):
    """The sectors from offset on: zeros, or (unless strict) their own."""
    for start, end in data_extents(f, offset):
        f.seek(start)
        for at in range(start, end, CHUNK):
            chunk = f.read(min(CHUNK, end - at))
            if chunk.count(0) != len(chunk):
                check_sectors(chunk, at, nonce, strict, bad)


def check_sectors(chunk, offset, nonce, strict, bad):
    """The sectors of chunk, read at offset, after the stable blocks."""
    for at in range(0, len(chunk), SECTOR):
        got = chunk[at:at + SECTOR]
        sector = (offset + at) // SECTOR
        if any(got) and (strict or got != sector_contents(nonce, sector)):
            bad.append('sector %d (after the stable blocks) holds %s' %
                       (sector, describe(got, nonce)))


def read_some(fd, buf):
    """Append what the pipe has to buf; False at end of file."""
    data = os.read(fd, 65536)
    buf += data
    return bool(data)


def reports(text):
    """The N of each complete "durable: flushed|stable N" line, and the
    complete lines that are none of those ("durable: done N" among them)."""
    ns, other = [], []
    for line in text.split('\n')[:-1]:     # the last one may be cut short
        m = LINE.match(line)
        if m:
            ns.append(int(m.group(2)))
        else:
            other.append(line)
    return ns, other


def watch(proc, rnd, delay, failures):
    """Read ursa's output until it shows LINES_BEFORE_KILL reports, then
    for delay more seconds (reading on, so that the console never
    blocks the guest), and send SIGKILL; or, for a round that runs to the
    end, until ursa exits. Returns the output so far."""
    fd = proc.stdout.fileno()
    buf = bytearray()
    deadline = time.monotonic() + 20
    kill_at = None
    while time.monotonic() < (kill_at or deadline):
        r, _, _ = select.select([fd], [], [], 0.05)
        if r and not read_some(fd, buf):
            break
        if (rnd.kill and kill_at is None and
                len(reports(buf.decode(errors='replace'))[0]) >= LINES_BEFORE_KILL):
            kill_at = time.monotonic() + delay
    if rnd.kill and kill_at is None:
        failures.append('no %d reports from the guest within 20 s' % LINES_BEFORE_KILL)
    proc.kill()     # the point of a kill round; a no-op after an exit
    return buf


def check_output(out, err, rnd, status, failures):
    """ursa's fate and output; returns the last N it reported."""
    want = -signal.SIGKILL if rnd.kill else 0
    if status != want:
        failures.append('ursa ended with %s, expected %s' %
                        (status, 'the SIGKILL' if rnd.kill else 'status 0'))
    ns, other = reports(out)
    if not rnd.kill:
        done = 'durable: done %d' % COUNT
        if not ns or ns[-1] != COUNT or not out.endswith('\n' + done + '\n'):
            failures.append('the run did not end with "durable: flushed %d" and '
                            '"%s"' % (COUNT, done))
        other = [line for line in other if line != done]
    failures += ['unexpected output: %r' % line for line in other[:3]]
    if err:
        failures.append('ursa wrote to stderr: %r' % err[:300])
    if any(b <= a for a, b in zip(ns, ns[1:])):
        failures.append('the reported N do not grow: %s' % ns)
    return ns[-1] if ns else 0


def run_round(ursa, rnd, rng, dirty_check):
    """Run rnd on a fresh image and check it; returns the failures."""
    failures = []
    nonce = rng.getrandbits(64)
    delay = rng.uniform(0, MAX_EXTRA_DELAY)
    with tempfile.TemporaryDirectory(prefix='ursa-durable-') as tmp:
        img = os.path.join(tmp, 'disk.img')
        with open(img, 'wb') as f:
            f.truncate(IMAGE_BYTES)
        cmd = [ursa, 'run', '--stub', 'blk', '--disk', img + rnd.disk_opts,
               '--append', ('durable=1 nonce=0x%x ' % nonce + rnd.append).strip()]
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = watch(proc, rnd, delay, failures)
        rest, err = proc.communicate(timeout=20)
        out = (out + rest).decode(errors='replace')
        stable = check_output(out, err.decode(errors='replace'), rnd,
                              proc.returncode, failures)
        held = wait_released(img)
        if held:
            failures.append(held)
        dirty = cachestat(img, stable * BLOCK) if dirty_check else 0
        if dirty:
            failures.append('%d pages of the stable blocks are dirty: not on the disk' %
                            dirty)
        check_image(img, nonce, stable, not rnd.kill, failures)
        left = sorted(set(os.listdir(tmp)) - {'disk.img'})
        if left:
            failures.append('ursa left files behind: %s' % left)
    print('%-26s nonce 0x%016x  delay %.3f s  %6d blocks stable  %.2f s  %s' %
          (rnd.name, nonce, delay if rnd.kill else 0, stable,
           time.monotonic() - start, 'ok' if not failures else 'FAIL'))
    for f in failures:
        print('  FAIL:', f)
    return len(failures)


def main():
    status = kvm_gate()
    if status is not None:
        return status
    seed = int(os.environ.get('URSA_DURABLE_SEED', random.randrange(1 << 32)))
    rng = random.Random(seed)
    dirty_check = dirty_pages_visible()
    print('seed %d; dirty page check %s' %
          (seed, 'on' if dirty_check else
           'off (no cachestat(2), or this filesystem keeps synced pages dirty)'))
    failed = sum(run_round(sys.argv[1], rnd, rng, dirty_check) for rnd in ROUNDS)
    print('durable: %s' % ('ok' if not failed else '%d failures' % failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
