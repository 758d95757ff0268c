// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/boot/e820.h"

static void add(struct boot_e820_entry *table, unsigned int max,
		unsigned int *n, uint64_t addr, uint64_t size, uint32_t type)
{
	if (!size || *n == max)
		return;
	table[(*n)++] = (struct boot_e820_entry){ addr, size, type };
}

unsigned int e820_build(const struct layout *layout,
			struct boot_e820_entry *table, unsigned int max)
{
	uint64_t low = layout->ram_below_4g;
	unsigned int n = 0;

	add(table, max, &n, 0, E820_LEGACY_START, E820_TYPE_RAM);
	add(table, max, &n, E820_LEGACY_START, E820_LEGACY_END - E820_LEGACY_START,
	    E820_TYPE_RESERVED);
	if (low > E820_LEGACY_END)
		add(table, max, &n, E820_LEGACY_END, low - E820_LEGACY_END,
		    E820_TYPE_RAM);
	add(table, max, &n, LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE, E820_TYPE_RESERVED);
	for (unsigned int i = 0; i < layout->nr_ram; i++)
		if (layout->ram[i].gpa >= LAYOUT_4G)
			add(table, max, &n, layout->ram[i].gpa, layout->ram[i].size,
			    E820_TYPE_RAM);
	return n;
}
