/* SPDX-License-Identifier: GPL-2.0-only */
/* The e820 memory map a guest OS sees, derived from the layout. Pure. */
#ifndef URSA_VMM_BOOT_E820_H
#define URSA_VMM_BOOT_E820_H

#include <asm/bootparam.h>

#include "vmm/layout.h"

#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2

/* The legacy area [640 KiB, 1 MiB): VGA, option ROMs, BIOS. ACPI tables
 * live in its top (0xE0000), where OSes look for the RSDP. */
#define E820_LEGACY_START	0xa0000ull
#define E820_LEGACY_END		0x100000ull

/*
 * Fill table (room for max entries) and return how many were written: RAM
 * below 640 KiB and from 1 MiB, the legacy area reserved, the ECAM window
 * reserved (so the OS trusts MCFG), RAM above 4 GiB. Entries are sorted
 * and do not overlap.
 */
unsigned int e820_build(const struct layout *layout,
			struct boot_e820_entry *table, unsigned int max);

#endif
