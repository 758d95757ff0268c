#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check ursa's ACPI tables with ACPICA's own tools (Debian acpica-tools).

usage: acpi_iasl_test.py ACPI_DUMP IASL

ACPI_DUMP writes the tables to a directory (tests/unit/acpi_dump.c). For
each table, `iasl -d` must disassemble it cleanly, and compiling the
disassembly again (optimizations off) must give back the same bytes, but
for the checksum and the creator ID and revision, which iasl sets to its
own. The disassembly must hold the expected objects. If acpiexec is
there, it loads the DSDT into ACPICA's interpreter (the code Linux runs)
and evaluates \\_S5, _PRT and the _CRS objects.

IASL is empty when meson did not find iasl: then the test is skipped
(status 77), unless URSA_REQUIRE_TOOLS=1 makes that a failure.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL: ' + what, file=sys.stderr)


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    return p.returncode, p.stdout


def intx_gsi(slot, pin):
    """acpi_pci_intx_gsi() of vmm/boot/acpi.h."""
    return 16 + (slot + pin) % 8


def check_table(iasl, d, name):
    rc, out = run([iasl, '-d', name + '.dat'], d)
    dsl = os.path.join(d, name + '.dsl')
    check(rc == 0 and os.path.exists(dsl), f'iasl -d {name}.dat: rc {rc}\n{out}')
    if not os.path.exists(dsl):
        return ''
    text = open(dsl).read()
    for bad in ('****', 'Error', 'Warning', 'Incorrect checksum',
                'should be'):
        check(bad not in text, f'{name}.dsl contains "{bad}"')

    os.makedirs(os.path.join(d, 'rt'), exist_ok=True)
    rc, out = run([iasl, '-oa', '-p', os.path.join('rt', name), name + '.dsl'], d)
    m = re.search(r'(\d+) Errors, (\d+) Warnings, (\d+) Remarks', out)
    check(rc == 0 and m and m.groups() == ('0', '0', '0'),
          f'iasl {name}.dsl: rc {rc}\n{out}')
    aml = os.path.join(d, 'rt', name + '.aml')
    if os.path.exists(aml):
        a = open(os.path.join(d, name + '.dat'), 'rb').read()
        b = open(aml, 'rb').read()
        if name != 'facs':
            # Checksum (offset 9), creator ID and revision (28..35).
            a = a[:9] + a[10:28] + a[36:]
            b = b[:9] + b[10:28] + b[36:]
        check(a == b, f'{name}: iasl recompiles the disassembly differently')
    return text


def field(text, label):
    # "[off dec len]   Label : value", or a decoded flag: "   Label : 1".
    m = re.search(r'^(?:\[[^]]*\])? *' + re.escape(label) +
                  r' : ([0-9A-Fa-f]+)', text, re.M)
    return int(m.group(1), 16) if m else None


def check_acpiexec(acpiexec, d):
    cmds = '; '.join(['evaluate \\_S5', 'evaluate \\_SB.PCI0._PRT',
                      'evaluate \\_SB.PCI0._CRS', 'evaluate \\_SB.MRES._CRS',
                      'evaluate \\_SB.PCI0._HID', 'evaluate \\_SB.PCI0._SEG'])
    rc, out = run([acpiexec, '-b', cmds, 'dsdt.dat'], d)
    check(rc == 0, f'acpiexec: rc {rc}\n{out}')
    for bad in ('ACPI Warning', 'ACPI Error', 'ACPI Exception', 'Unexpected'):
        check(bad not in out, f'acpiexec reports "{bad}":\n{out}')
    sections = re.split(r'\nEvaluating ', out)

    def ints(path):
        for s in sections:
            if s.startswith(path + '\n'):
                return [int(v, 16) for v in
                        re.findall(r'\[Integer\] = ([0-9A-Fa-f]+)', s)]
        check(False, f'acpiexec did not evaluate {path}')
        return []

    check(ints('\\_S5') == [5, 5, 0, 0], '\\_S5 is Package {5, 5, 0, 0}')
    want = []
    for slot in range(32):
        for pin in range(4):
            want += [slot << 16 | 0xffff, pin, 0, intx_gsi(slot, pin)]
    check(ints('\\_SB.PCI0._PRT') == want, '_PRT routes as acpi_pci_intx_gsi()')
    check(ints('\\_SB.PCI0._HID') == [0x080ad041], '_HID is PNP0A08')
    check(ints('\\_SB.PCI0._SEG') == [0], '_SEG is 0')
    check('Evaluation of \\_SB.PCI0._CRS returned object' in out, 'PCI0._CRS evaluates')
    check('Evaluation of \\_SB.MRES._CRS returned object' in out, 'MRES._CRS evaluates')


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    dump, iasl = os.path.abspath(sys.argv[1]), sys.argv[2]
    if not iasl:
        why = 'iasl not found (Debian package acpica-tools)'
        if os.environ.get('URSA_REQUIRE_TOOLS') == '1':
            print('FAIL: ' + why + ' and URSA_REQUIRE_TOOLS=1', file=sys.stderr)
            return 1
        print('SKIP: ' + why)
        return 77

    for ncpus in (2, 255):
        with tempfile.TemporaryDirectory(prefix='ursa-acpi-') as d:
            rc, out = run([dump, d, str(ncpus)], d)
            check(rc == 0, f'{dump}: rc {rc}\n{out}')
            if rc:
                continue
            t = {n: check_table(iasl, d, n)
                 for n in ('xsdt', 'facp', 'facs', 'apic', 'mcfg', 'dsdt')}

            dsdt = t['dsdt']
            for want in ('Scope (\\_SB)', 'Device (PCI0)',
                         'Name (_HID, EisaId ("PNP0A08")',
                         'Name (_CID, EisaId ("PNP0A03")',
                         'Name (_SEG, Zero)', 'Name (_UID, Zero)',
                         'Name (_BBN, Zero)', 'Name (_CRS, ResourceTemplate ()',
                         'WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode',
                         'IO (Decode16,\n                    0x0CF8,',
                         '0x0CF7,             // Range Maximum',
                         '0x0D00,             // Range Minimum',
                         '0xC0000000,         // Range Minimum',
                         '0xDFFFFFFF,         // Range Maximum',
                         '0x0000008000000000, // Range Minimum',
                         'Name (_PRT, Package (0x80)',
                         'Device (MRES)', 'Name (_HID, EisaId ("PNP0C02")',
                         'Memory32Fixed (ReadWrite,\n                    0xE0000000,',
                         'Name (\\_S5, Package (0x04)'):
                check(want in dsdt, f'DSDT lacks {want!r}')
            check(dsdt.count('WordIO (ResourceProducer') == 2, 'two WordIO windows')
            check(dsdt.count('DWordMemory (ResourceProducer') == 1, 'one DWordMemory window')
            check(dsdt.count('QWordMemory (ResourceProducer') == 1, 'one QWordMemory window')

            fadt = t['facp']
            check(field(fadt, 'PM1A Event Block Address') == 0x600, 'FADT PM1a_EVT_BLK')
            check(field(fadt, 'PM1A Control Block Address') == 0x604, 'FADT PM1a_CNT_BLK')
            check(field(fadt, 'SCI Interrupt') == 9, 'FADT SCI_INT')
            check(field(fadt, 'Value to cause reset') == 1, 'FADT RESET_VALUE')
            check('Address : 0000000000000608' in fadt, 'FADT RESET_REG at 0x608')
            check(field(fadt, 'Reset Register Supported (V2)') == 1, 'RESET_REG_SUP')
            check(field(fadt, 'Hardware Reduced (V5)') == 0, 'not hardware-reduced')
            check(field(fadt, 'Control Method Power Button (V1)') == 1, 'no fixed power button')

            apic = t['apic']
            check(apic.count('[Processor Local APIC]') == ncpus, f'MADT has {ncpus} local APICs')
            check(apic.count('[I/O APIC]') == 1, 'MADT has one IOAPIC')
            check(apic.count('[Interrupt Source Override]') == 2, 'MADT has two overrides')
            check(apic.count('[Local APIC NMI]') == 1, 'MADT has one NMI entry')
            check(field(t['mcfg'], 'Base Address') == 0xe0000000, 'MCFG base')

            acpiexec = shutil.which('acpiexec', path=os.path.dirname(iasl)) or \
                shutil.which('acpiexec')
            if acpiexec:
                check_acpiexec(acpiexec, d)
            else:
                print('note: acpiexec not found, DSDT not evaluated')

    if failures:
        print(f'{len(failures)} checks failed', file=sys.stderr)
        return 1
    print('acpi tables: iasl and acpiexec agree')
    return 0


if __name__ == '__main__':
    sys.exit(main())
