/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest-physical layout: where RAM goes. Pure, unit-tested.
 *
 * RAM fills [0, 3 GiB); what does not fit continues at 4 GiB, leaving
 * [3 GiB, 4 GiB) for 32-bit MMIO (PCI BARs, LAPIC, IOAPIC), as PCs do.
 * Nothing may lie at or above 2^phys_bits, the guest's MAXPHYADDR
 * (CPUID 0x80000008 EAX[7:0]): KVM cannot map such addresses for the
 * guest (see seed 000: a memslot above guest.MAXPHYADDR can only fault).
 */
#ifndef URSA_VMM_LAYOUT_H
#define URSA_VMM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define LAYOUT_MMIO_HOLE_START	0xc0000000ull
#define LAYOUT_4G		0x100000000ull
#define LAYOUT_MAX_RAM_RANGES	2

/*
 * The 32-bit hole, from the bottom: PCI BARs, the ECAM window (PCIe 6.0
 * 7.2.2: 1 MiB per bus; ursa has bus 0), then the IOAPIC and LAPIC at
 * their architectural addresses.
 */
#define LAYOUT_PCI_MMIO32_BASE	LAYOUT_MMIO_HOLE_START
#define LAYOUT_PCI_MMIO32_SIZE	0x20000000ull
#define LAYOUT_ECAM_BASE	0xe0000000ull
#define LAYOUT_ECAM_BUS_SIZE	0x100000ull
#define LAYOUT_ECAM_BUSES	1
#define LAYOUT_ECAM_SIZE	(LAYOUT_ECAM_BUSES * LAYOUT_ECAM_BUS_SIZE)
#define LAYOUT_IOAPIC_BASE	0xfec00000ull
#define LAYOUT_LAPIC_BASE	0xfee00000ull
/* PCI I/O BARs come from [0xc000, 0x10000), clear of the legacy ports. */
#define LAYOUT_PCI_PIO_BASE	0xc000
#define LAYOUT_PCI_PIO_SIZE	0x4000
/* The 64-bit PCI window starts at the first GiB boundary above RAM and
 * holds at most this much (less when MAXPHYADDR leaves less room). */
#define LAYOUT_PCI_MMIO64_MAX	(64ull << 30)

struct ram_range {
	uint64_t gpa;
	uint64_t size;
};

struct layout {
	struct ram_range ram[LAYOUT_MAX_RAM_RANGES];
	unsigned int nr_ram;
	uint64_t ram_below_4g;
	uint64_t gpa_limit;	/* 2^phys_bits: every gpa must stay below */
	uint64_t pci_mmio64_base;	/* size 0: no 64-bit window fits */
	uint64_t pci_mmio64_size;
};

/* Returns 0, or -1 with a one-line reason in err. */
int layout_compute(uint64_t memory, unsigned int phys_bits,
		   struct layout *out, char *err, size_t errlen);

#endif
