/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI tables for a Linux guest (ACPI 6.5 chapter 5): RSDP, XSDT, FADT,
 * FACS, MADT, MCFG and a DSDT describing one PCI host bridge, built into
 * a buffer that will sit at a given guest-physical address. Pure: no KVM,
 * no guest memory; unit-tested.
 *
 * The platform is a PC with fixed (not hardware-reduced) ACPI hardware:
 * the PM1a blocks and reset register of devices/acpi_pm.h, an SCI on ISA
 * IRQ 9, an in-kernel PIC and IOAPIC, and PCI INTx hard-wired to IOAPIC
 * pins 16..23 (acpi_pci_intx_gsi()).
 */
#ifndef URSA_VMM_BOOT_ACPI_H
#define URSA_VMM_BOOT_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/layout.h"

/* Where the tables go: the RSDP must lie in [0xE0000, 0xFFFFF] for an
 * OS that scans the BIOS area for it (ACPI 6.5 section 5.2.5.1). */
#define ACPI_TABLES_GPA		0xe0000ull
#define ACPI_TABLES_SIZE	0x20000ull

/* KVM's in-kernel IOAPIC has 24 pins (GSIs 0..23). */
#define ACPI_IOAPIC_PINS	24
/* The PM1a blocks and reset register of devices/acpi_pm.h live here. */
#define ACPI_PM_BASE		0x600u
#define ACPI_SCI_IRQ		9
/* xAPIC IDs are 8 bits and 0xff is the broadcast ID. */
#define ACPI_MAX_CPUS		255

/* The first IOAPIC pin for PCI INTx; pins 16..23 are the PCI ones. */
#define ACPI_PCI_INTX_GSI_BASE	16
#define ACPI_PCI_INTX_GSIS	8

/*
 * The IOAPIC input (GSI) that PCI slot 'slot' (0..31) pin 'pin' (0..3 for
 * INTA#..INTD#) drives: rotated over GSIs 16..23 so that the INTA# of
 * neighbouring slots do not share a line. The DSDT's \_SB.PCI0._PRT says
 * exactly this; the PCI code raises lines with this function. Per the
 * _PRT GSI form (ACPI 6.5 section 6.2.13), these are level-triggered,
 * active low.
 */
static inline unsigned int acpi_pci_intx_gsi(unsigned int slot,
					     unsigned int pin)
{
	return ACPI_PCI_INTX_GSI_BASE + (slot + pin) % ACPI_PCI_INTX_GSIS;
}

struct acpi_window {
	uint64_t base;
	uint64_t size;		/* 0: no window */
};

struct acpi_platform {
	unsigned int ncpus;	/* 1..255; vCPU i has APIC ID and UID i */

	uint64_t lapic_base;
	uint64_t ioapic_base;
	uint8_t ioapic_id;
	unsigned int ioapic_pins;	/* GSIs 0..ioapic_pins-1, at least 24 */

	/* PCI segment 0, buses 0..pci_bus_end, ECAM at ecam_base (bus 0). */
	uint64_t ecam_base;
	uint8_t pci_bus_end;
	struct acpi_window mmio32;	/* below 4 GiB, required */
	struct acpi_window mmio64;	/* above 4 GiB, optional */
	struct acpi_window pio;		/* I/O ports for BARs, in [0xd00, 0xffff] */
	uint32_t pci_slots;		/* bit n: slot n holds a device to describe */

	/* Fixed hardware (ACPI 6.5 section 4.8), all in I/O space. */
	uint16_t pm1a_evt_port;		/* 4 ports: PM1a_STS, PM1a_EN */
	uint16_t pm1a_cnt_port;		/* 2 ports: PM1a_CNT */
	uint16_t reset_port;		/* 1 port */
	uint8_t reset_value;
	uint8_t sci_irq;		/* ISA IRQ, identity-mapped to its GSI */
	bool cmos_rtc;			/* a CMOS RTC at ports 0x70-0x71 */
};

/* The layout above (ACPI_* defaults, the PM device at ACPI_PM_BASE), no
 * 64-bit window and no RTC. */
void acpi_platform_default(struct acpi_platform *p, unsigned int ncpus);

/*
 * Build every table into buf (size bytes, to be copied to guest-physical
 * gpa, which must be 16-byte aligned and below 4 GiB), RSDP first. On
 * success *used is the number of bytes written (the rest of buf is left
 * untouched) and *rsdp_gpa the RSDP's address (gpa). Returns 0, or -1 with
 * a one-line reason in err: an invalid or overlapping configuration, or a
 * buffer too small.
 */
int acpi_build(const struct acpi_platform *p, uint64_t gpa, uint8_t *buf,
	       size_t size, size_t *used, uint64_t *rsdp_gpa, char *err,
	       size_t errlen);

#endif
