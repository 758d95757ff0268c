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

struct ram_range {
	uint64_t gpa;
	uint64_t size;
};

struct layout {
	struct ram_range ram[LAYOUT_MAX_RAM_RANGES];
	unsigned int nr_ram;
	uint64_t ram_below_4g;
	uint64_t gpa_limit;	/* 2^phys_bits: every gpa must stay below */
};

/* Returns 0, or -1 with a one-line reason in err. */
int layout_compute(uint64_t memory, unsigned int phys_bits,
		   struct layout *out, char *err, size_t errlen);

#endif
