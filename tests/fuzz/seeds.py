#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the seed inputs of the fuzz harnesses: corpus/NAME/seed-*.

usage: seeds.py [CORPUS_DIR]   (default: corpus/ beside this script)

Each seed is a small, meaningful input in its harness's format (the
header comment of tests/fuzz/fuzz-NAME.c): a guest driver's usual
sequence, a bzImage header, a command line. Run it again after changing
a harness's input format. The regress-* inputs beside the seeds are
inputs that once found a bug; they are kept as found, never rewritten.
"""
import os
import struct
import sys


def u8(v):
    return struct.pack('<B', v & 0xff)


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def opcode(modulo, kind, bits=0, mask=0):
    """The smallest opcode byte with op % modulo == kind and the bits
    under mask set as in bits."""
    for op in range(256):
        if op % modulo == kind and op & mask == bits:
            return u8(op)
    raise ValueError('no opcode %d/%d bits %#x' % (kind, modulo, bits))


def size_code(size):
    """fz_access_size(): 1 << (byte & 3)."""
    return u8({1: 0, 2: 1, 4: 2, 8: 3}[size])


# ---- msix: table size, then ops % 16 -----------------------------------------

def msix():
    def table_read(off, size):
        return opcode(16, 0) + u16(off) + size_code(size)

    def table_write(off, size, v):
        return opcode(16, 3) + u16(off) + size_code(size) + u64(v)

    def pba_read(off, size):
        return opcode(16, 7) + u8(off) + size_code(size)

    def config_write(off, size_log2, v):
        return opcode(16, 9) + u8(off) + u8(size_log2) + u32(v)

    def set_control(v):
        return opcode(16, 11) + u16(v)

    def notify(v):
        return opcode(16, 12) + u16(v)

    reset = opcode(16, 15)
    driver = (config_write(2, 1, 0xc000) +          # enable, function masked
              table_write(16, 4, 0xfee00000) + table_write(20, 4, 0) +
              table_write(24, 4, 0x4041) + table_write(28, 4, 0) +
              notify(1) + pba_read(0, 8) +          # pending while masked
              config_write(2, 1, 0x8000) +          # unmask: delivered
              pba_read(0, 1) + table_read(16, 8) + table_read(24, 8) +
              notify(2) + pba_read(0, 8) + reset + table_read(16, 8))
    return {
        'seed-driver': u8(2) + driver,
        'seed-vfio-control': u8(7) + set_control(0x8000) +
                             table_write(0x70, 8, 0xfee01000) +
                             table_write(0x78, 4, 0x4041) + table_write(0x7c, 1, 0) +
                             notify(7) + notify(8) +
                             set_control(0xc000) + notify(7) + pba_read(0, 2),
        'seed-256-vectors': u8(0xff) + u8(0xff) + config_write(2, 2, 0x8000_00ff) +
                            table_write(0xff0, 8, ~0) + table_write(0xff8, 8, ~0) +
                            notify(255) + notify(256) + pba_read(31, 8) +
                            table_read(0xffc, 8),
    }


# ---- virtqueue: header, RAM image, then ops % 8 ----------------------------------

F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4


def desc(addr, length, flags=0, nxt=0):
    return struct.pack('<QIHH', addr, length, flags, nxt)


def image(parts):
    """A RAM image from {gpa: bytes}, up to the last byte given."""
    b = bytearray(max(gpa + len(data) for gpa, data in parts.items()))
    for gpa, data in parts.items():
        b[gpa:gpa + len(data)] = data
    return bytes(b)


def virtqueue():
    DESC, AVAIL, USED = 0x000, 0x200, 0x400
    pop, publish = opcode(8, 0), opcode(8, 4)

    def header(flags, size_log2, ram):
        return (u8(flags) + u8(size_log2) + u16(DESC) + u16(AVAIL) + u16(USED) +
                u16(len(ram)) + ram)

    def avail(*heads):
        return u16(0) + u16(len(heads)) + b''.join(u16(h) for h in heads)

    def push(i, length):
        return opcode(8, 2) + u8(i) + u32(length)

    def guest_write(gpa, data):
        return opcode(8, 6) + u16(gpa) + u8(len(data)) + data

    direct = image({
        DESC: desc(0x800, 16, F_NEXT, 1) + desc(0x900, 512, F_WRITE | F_NEXT, 2) +
              desc(0xc00, 1, F_WRITE),
        AVAIL: avail(0),
    })
    indirect = image({
        DESC: desc(0x600, 16, F_NEXT, 1) + desc(0x800, 48, F_INDIRECT),
        0x800: desc(0x900, 16, F_NEXT, 1) + desc(0x8000, 0x200, F_WRITE | F_NEXT, 2) +
               desc(0xb00, 1, F_WRITE),
        AVAIL: avail(0),
    })
    hostile = image({
        # A loop, a buffer running off the low range, and one into the hole.
        DESC: desc(0x800, 16, F_NEXT, 0) + desc(0x3f00, 0x200, 0) +
              desc(0x4000, 16, 0) + desc(0x8f00, 0x100, F_WRITE),
        AVAIL: avail(0, 1, 2, 3),
    })
    return {
        'seed-direct': header(0, 3, direct) + pop + push(0, 513) + publish + pop,
        'seed-indirect-event-idx': header(3, 4, indirect) + pop + opcode(8, 5, 8, 8) +
                                   push(0, 0x201) + publish + opcode(8, 5) +
                                   guest_write(AVAIL + 2, u16(2)) + pop + publish,
        'seed-hostile': header(0, 2, hostile) + pop * 5 + push(0, 0) + push(1, 0) +
                        publish + guest_write(AVAIL + 2, u16(40)) + pop,
    }


# ---- virtio-blk: disk, header, segments ---------------------------------------------

def virtio_blk():
    def req(type_index, sector, lens, readable, capacity=2048, ro=0):
        b = u8(0) + u16(capacity) + u8(ro) + u8(0) + u8(type_index)
        b += u8(0) + u16(sector) + u8(len(lens)) + u8(readable)
        for n in lens:
            if n <= 24:
                b += u8(n - 1)
            elif n % 512 == 0 and n <= 4096:
                b += u8(0x80 + n // 512 - 1)
            else:
                b += u8(0xc0) + u16(n - 1)
        return b

    IN, OUT, FLUSH, GET_ID, DISCARD = 0, 1, 2, 3, 4
    return {
        'seed-read': req(IN, 8, [16, 512, 1024, 1], 1),
        'seed-write': req(OUT, 2040, [16, 4096, 1], 2),
        'seed-write-read-only': req(OUT, 0, [16, 512, 1], 2, ro=1),
        'seed-flush': req(FLUSH, 0, [16, 1], 1),
        'seed-get-id': req(GET_ID, 0, [16, 21], 1),
        'seed-header-split': req(IN, 1, [5, 11, 512, 1], 2),
        'seed-past-capacity': req(IN, 2048, [16, 512, 1], 1),
        'seed-discard': req(DISCARD, 0, [16, 16, 1], 2),
    }


# ---- blk-queues: ops % 6 --------------------------------------------------------------

def blk_queues():
    def ram(gpa, data):
        return u8(0) + u16(gpa) + u8(len(data)) + data

    def bar_write(off, size_code, v):
        return u8(1) + u16(off) + u8(size_code) + u64(v)

    def queue(q, size_log2, desc_gpa, avail_gpa, used_gpa):
        return u8(3) + u8(q) + u8(size_log2) + u16(desc_gpa) + u16(avail_gpa) + u16(used_gpa)

    def status(v):
        return u8(4) + u8(v)

    def wait(n):
        return u8(5) + u8(n)

    DRIVER_OK = 0x0f
    # Queue 0: descriptors at 0x1000, avail at 0x1080, used at 0x1400.
    q0 = queue(0, 3, 0x1000, 0x1080, 0x1400)
    q1 = queue(1, 3, 0x2000, 0x2080, 0x2400)

    def req_at(desc_gpa, avail_gpa, buf, rtype, write):
        """One request: header at buf, status at buf + 0x100, 512 bytes of
        data at buf + 0x200; avail idx 1 naming head 0."""
        descs = desc(buf, 16, 1, 1) + desc(buf + 0x200, 512, 1 | (0 if write else 2), 2) + \
            desc(buf + 0x100, 1, 2, 0)
        return (ram(desc_gpa, descs) + ram(buf, u32(rtype) + u32(0) + u64(8)) +
                ram(avail_gpa, u16(0) + u16(1) + u16(0)))

    # The doorbells: NOTIFY_OFFSET + 4 * queue, a 2-byte write (size code 1).
    kick0, kick1 = bar_write(0x3000, 1, 0), bar_write(0x3004, 1, 1)
    return {
        'seed-read-q0': q0 + status(DRIVER_OK) + req_at(0x1000, 0x1080, 0x4000, 0, False) +
        kick0 + wait(10),
        'seed-both-queues': q0 + q1 + status(DRIVER_OK) +
        req_at(0x1000, 0x1080, 0x4000, 0, False) + req_at(0x2000, 0x2080, 0x6000, 1, True) +
        kick0 + kick1 + wait(10),
        'seed-reset-in-flight': q0 + q1 + status(DRIVER_OK) +
        req_at(0x1000, 0x1080, 0x4000, 0, False) + req_at(0x2000, 0x2080, 0x6000, 1, True) +
        kick0 + kick1 + status(0) + wait(5),
        'seed-polled': q0 + status(DRIVER_OK) + req_at(0x1000, 0x1080, 0x4000, 0, False) +
        wait(15),
    }


# ---- uart: ops % 5 --------------------------------------------------------------------

def uart():
    def rd(port, size=1):
        return opcode(5, 0) + u8(port) + size_code(size)

    def wr(port, v, size=1):
        return opcode(5, 2) + u8(port) + size_code(size) + u64(v)

    def receive(data):
        return opcode(5, 4) + u8(len(data)) + data

    linux = (wr(3, 0x80) + wr(0, 1) + wr(1, 0) + wr(3, 0x03) + wr(2, 0xc7) +
             wr(4, 0x0b) + wr(1, 0x05) + receive(b'hello') + rd(2) + rd(5) +
             rd(0) * 6 + rd(5) + wr(1, 0x07) + rd(2) + wr(0, ord('x')) + rd(2))
    loopback = (wr(4, 0x1f) + wr(0, ord('z')) + rd(5) + rd(0) + rd(6) +
                receive(b'q') + rd(5) + wr(7, 0x42) + rd(6, 2) + rd(0, 8) +
                rd(7, 2))
    overrun = (wr(1, 0x05) + opcode(5, 4, 0x80, 0x80) + u8(8) + u8(ord('x')) +
               rd(2) + rd(5) + rd(5) + wr(2, 0x03) + rd(5))
    return {'seed-linux-probe': linux, 'seed-loopback': loopback,
            'seed-overrun': overrun}


# ---- acpi: mode, then a configuration or a platform -------------------------------------

def acpi():
    G = 1 << 30

    def config(memory, phys_bits, cpus, slots):
        # pick_memory() case 3: the value itself.
        return (u8(0) + u8(3) + u64(memory) + u8(phys_bits - 32) + u8(cpus - 1) +
                u32(slots))

    def platform(replace, ncpus, fields):
        return u8(1) + u32(replace) + u8(ncpus - 1) + fields

    return {
        'seed-config-1g': config(G, 40, 1, 0),
        'seed-config-8g-slots': config(8 * G, 36, 4, 1 << 16 | 1 << 31),
        'seed-config-255-cpus': config(63 * G, 36, 255, 0xfffe),
        'seed-config-too-big': config(64 * G, 36, 1, 0),
        'seed-platform-default': platform(0, 2, b''),
        # Bits 9 and 10: a 64-bit window at 64 GiB.
        'seed-platform-mmio64': platform(1 << 9 | 1 << 10, 8,
                                         u64(64 * G) + u64(16 * G)),
        # Bit 19: an RTC; bit 20: tables elsewhere.
        'seed-platform-rtc-gpa': platform(1 << 19 | 1 << 20, 1,
                                          u8(1) + u8(0) + u32(0x9f000)),
    }


# ---- bzimage: parameters, then the image ------------------------------------------------

def bzimage_file(setup_sects=4, kernel=0x400, version=0x020f, pref=0x200000,
                 init=0x200000, align=0x200000, cmdline_size=2047,
                 initrd_max=0x7fffffff, jump=0x66eb):
    size = ((setup_sects or 4) + 1) * 512 + kernel
    b = bytearray(size)
    b[0x1f1] = setup_sects
    struct.pack_into('<I', b, 0x1f4, kernel // 16)      # syssize
    struct.pack_into('<H', b, 0x1fe, 0xaa55)            # boot_flag
    struct.pack_into('<H', b, 0x200, jump)              # jmp to past the header
    struct.pack_into('<I', b, 0x202, 0x53726448)        # "HdrS"
    struct.pack_into('<H', b, 0x206, version)
    b[0x211] = 0x01                                     # LOADED_HIGH
    struct.pack_into('<I', b, 0x22c, initrd_max)
    struct.pack_into('<I', b, 0x230, align)
    b[0x234] = 1                                        # relocatable
    struct.pack_into('<H', b, 0x236, 0x3)               # XLF_KERNEL_64 | above 4G
    struct.pack_into('<I', b, 0x238, cmdline_size)
    struct.pack_into('<Q', b, 0x258, pref)
    struct.pack_into('<I', b, 0x260, init)
    return bytes(b)


def bzimage():
    def params(initrd_bytes, cmdline):
        return u16(initrd_bytes // 256) + u16(cmdline)

    return {
        'seed-kernel-initrd': params(1 << 20, 20) + bzimage_file(),
        'seed-no-initrd': params(0, 0) + bzimage_file(setup_sects=0),
        'seed-initrd-max': params(4096, 100) + bzimage_file(initrd_max=0x37ffff,
                                                            init=0x100000,
                                                            version=0x020c),
        'seed-too-big': params(0, 10) + bzimage_file(pref=0x1000000),
        'seed-cmdline-too-long': params(0, 300) + bzimage_file(cmdline_size=255),
    }


# ---- vfio-config: flags, device, sizes, cap, then ops % 6 -------------------------------

def vfio_config():
    def sizes(*log2):
        """BARs 0-5 and the ROM: 0 for none, else 1 << n."""
        return b''.join(u8(n) for n in log2)

    def rd(off, size):
        return opcode(6, 0) + u16(off) + u8(size - 1)

    def wr(off, size, v):
        return opcode(6, 2) + u16(off) + u8(size - 1) + u32(v)

    # BAR 0 16K, BAR 1 32 ports, BARs 2-3 1M, ROM 64K (the template's).
    template = u8(0) + u8(0) + sizes(14, 5, 20, 0, 0, 0, 16) + u16(256)
    driver = (rd(0, 4) + rd(0x0c, 4) + rd(0x34, 1) + wr(0x10, 4, 0xffffffff) +
              rd(0x10, 4) + wr(0x10, 4, 0xd0000000) + wr(0x30, 4, 0xffffffff) +
              rd(0x30, 4) + wr(0x04, 2, 0x0007) + wr(0x54, 4, 0xfee00000) +
              wr(0x5c, 2, 0x4041) + wr(0x52, 2, 0x0001) + wr(0x60, 4, 0) +
              opcode(6, 5) + u32(1) + rd(0x64, 4) + wr(0xb2, 2, 0xc000) +
              rd(0xb0, 4) + wr(0x44, 2, 0x0003) + rd(0x44, 2) + wr(0x44, 2, 0) +
              wr(0x78, 2, 0x8000) + rd(0x04, 2) + rd(0x52, 2) + rd(0x100, 4) +
              rd(0xffe, 4))
    failing = (opcode(6, 4, 0x30, 0x30) + rd(0, 4) + wr(0x04, 2, 0x0006) +
               opcode(6, 4) + rd(0x04, 4))
    raw = bytearray(256)
    struct.pack_into('<IHHI', raw, 0, 0x10d38086, 0, 0x0010, 0x01000000)
    struct.pack_into('<I', raw, 0x10, 0x0000000c)       # 64-bit BAR 0
    raw[0x34] = 0x40                                    # a capability loop:
    raw[0x40:0x42] = bytes([0x11, 0x40])                # MSI-X pointing at itself
    struct.pack_into('<HII', raw, 0x42, 0x07ff, 0x1000, 0x9000)
    return {
        'seed-template-driver': template + driver,
        'seed-template-failing-device': template + failing,
        'seed-raw-cap-loop': u8(1) + bytes(raw) + sizes(16, 0, 0, 0, 0, 0, 0) +
                             u16(2048) + rd(0x40, 4) + wr(0x42, 2, 0x8000) +
                             rd(0x42, 2),
    }


# ---- pci: ops % 5 -------------------------------------------------------------------------

def pci():
    def cf8(slot, reg):
        # op % 5 == 0, bit 4 clear: write CF8 (4 bytes at 0xcf8).
        return opcode(5, 0, 0, 0x30) + u8(0) + u8(2) + u8(slot) + u8(reg)

    def cfc_read(port, size_log2):
        return opcode(5, 0, 0x10, 0x30) + u8(port) + u8(size_log2)

    def cfc_write(port, size_log2, v):
        return opcode(5, 0, 0x30, 0x30) + u8(port) + u8(size_log2) + u32(v)

    def ecam_read(slot, reg, size):
        return opcode(5, 1, 0, 0x60) + u8(slot) + u16(reg) + size_code(size)

    def ecam_write(slot, reg, size, v):
        return opcode(5, 1, 0x20, 0x60) + u8(slot) + u16(reg) + size_code(size) + u64(v)

    def bar(device_bits, index, off, size, write=None, mapped=True, base=0):
        b = opcode(5, 2, device_bits | (0x20 if write is not None else 0), 0x30)
        b += u8(index) + (b'' if mapped else u32(base)) + u16(off) + size_code(size)
        return b + (u64(write) if write is not None else b'')

    VIRTIO, PLAIN = 0, 0x10
    enumerate_ = b''.join(cf8(s, 0) + cfc_read(0, 2) + cf8(s, 0x34) +
                          cfc_read(0, 0) for s in range(4))
    sizing = (cf8(2, 0x10) + cfc_write(0, 2, 0xffffffff) + cfc_read(0, 2) +
              cf8(2, 0x18) + cfc_write(0, 2, 0xffffffff) + cfc_read(0, 2) +
              cf8(2, 0x1c) + cfc_write(0, 2, 0xffffffff) + cfc_read(0, 2) +
              cf8(2, 0x14) + cfc_write(0, 2, 0xd0000000) + cf8(2, 0x04) +
              cfc_write(0, 1, 0x0007) + bar(PLAIN, 0, 4, 2) + bar(PLAIN, 1, 8, 4) +
              bar(PLAIN, 2, 0xfff8, 8) + cfc_write(2, 1, 0xf900) +
              opcode(5, 4, 0x30, 0x30) + cfc_read(0, 2) + opcode(5, 4, 0x10, 0x30))
    # A virtio driver: decode on, status, features, queue 0, MSI-X.
    virtio = (ecam_write(1, 0x04, 2, 0x0006) + ecam_read(1, 0x40, 8) +
              bar(VIRTIO, 0, 0x14, 1, 0x03) + bar(VIRTIO, 0, 0x00, 4, 1) +
              bar(VIRTIO, 0, 0x04, 4) + bar(VIRTIO, 0, 0x08, 4, 1) +
              bar(VIRTIO, 0, 0x0c, 4, 1) + bar(VIRTIO, 0, 0x14, 1, 0x0b) +
              bar(VIRTIO, 0, 0x14, 1) + bar(VIRTIO, 0, 0x16, 2, 0) +
              bar(VIRTIO, 0, 0x18, 2, 16) + bar(VIRTIO, 0, 0x1a, 2, 1) +
              bar(VIRTIO, 0, 0x20, 8, 0x0000) + bar(VIRTIO, 0, 0x28, 8, 0x1000) +
              bar(VIRTIO, 0, 0x30, 8, 0x2000) + bar(VIRTIO, 0, 0x1c, 2, 1) +
              bar(VIRTIO, 0, 0x14, 1, 0x0f) + ecam_write(1, 0x86, 2, 0x8000) +
              bar(VIRTIO, 0, 0x4010, 8, 0xfee00000) + bar(VIRTIO, 0, 0x401c, 4, 0) +
              opcode(5, 4, 0, 0x10) + bar(VIRTIO, 0, 0x5000, 8) +
              bar(VIRTIO, 0, 0x3000, 2, 0) + bar(VIRTIO, 0, 0x2000, 8) +
              bar(VIRTIO, 0, 0x1000, 1) + bar(VIRTIO, 0, 0x14, 1, 0))
    assigned = (ecam_read(3, 0, 4) + ecam_read(3, 0x50, 8) + ecam_read(3, 0xffc, 8) +
                ecam_write(3, 0x04, 8, 0x0000000000000007) + ecam_read(3, 0x04, 2) +
                cf8(3, 0x10) + cfc_write(0, 2, 0xffffffff) + cfc_read(0, 2))
    return {'seed-enumerate': enumerate_, 'seed-plain-bars': sizing,
            'seed-virtio-driver': virtio, 'seed-assigned': assigned}


# ---- cli: limits, then NUL-separated arguments -----------------------------------------------

def cli():
    def args(*a, limits=0x46):
        return u8(limits) + b'\0'.join(x.encode() for x in a)

    return {
        'seed-stub': args('--stub', 'hello'),
        'seed-kernel': args('--kernel', '/dev/null', '--initrd', '/dev/null',
                            '--append', 'console=ttyS0 root=/dev/vda', '--memory',
                            '1G', '--cpus=2', '--console', 'none'),
        'seed-devices': args('--stub=smp', '--disk', '/dev/null,readonly,direct',
                             '--disk=/dev/null', '--vfio', '00:03.0,slot=5,bar-order=qemu',
                             '--vfio=0000:01:00.0', '--phys-bits', '36', '--stats',
                             '--no-fault-recovery', '--memory', '8G'),
        'seed-help': args('--stub', 'hello', '--help'),
        'seed-misuse': args('--stub', 'hello', '--memory', '4096T', '--cpus', '0x10'),
    }


HARNESSES = {
    'msix': msix, 'virtqueue': virtqueue, 'virtio-blk': virtio_blk,
    'blk-queues': blk_queues, 'uart': uart,
    'acpi': acpi, 'bzimage': bzimage, 'vfio-config': vfio_config, 'pci': pci,
    'cli': cli,
}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
    for name, make in HARNESSES.items():
        d = os.path.join(root, name)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            if f.startswith('seed-'):
                os.remove(os.path.join(d, f))
        for seed, data in make().items():
            with open(os.path.join(d, seed), 'wb') as f:
                f.write(data)
    return 0


if __name__ == '__main__':
    sys.exit(main())
