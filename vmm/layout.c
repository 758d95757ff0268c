// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdio.h>

#include "vmm/layout.h"
#include "vmm/log.h"

int layout_compute(uint64_t memory, unsigned int phys_bits,
		   struct layout *out, char *err, size_t errlen)
{
	uint64_t below = memory < LAYOUT_MMIO_HOLE_START ?
			 memory : LAYOUT_MMIO_HOLE_START;
	uint64_t above = memory - below;
	uint64_t end;

	if (phys_bits < 32 || phys_bits > 52) {
		set_error(err, errlen, "physical address width %u is outside 32..52",
			  phys_bits);
		return -1;
	}
	*out = (struct layout){
		.ram = { { 0, below } },
		.nr_ram = 1,
		.ram_below_4g = below,
		.gpa_limit = 1ull << phys_bits,
	};
	/*
	 * RAM beyond 3 GiB continues at 4 GiB, and the 32-bit MMIO hole must
	 * be addressable too: the guest needs addresses up to 4 GiB + above,
	 * at most 2^phys_bits. Compared as sizes: for a memory size close to
	 * 2^64 that sum wraps around and would look small enough.
	 */
	if (above > out->gpa_limit - LAYOUT_4G) {
		uint64_t last = LAYOUT_4G - 1 + above;
		char upto[32] = "past 2^64";

		if (last >= above)
			snprintf(upto, sizeof(upto), "up to 0x%" PRIx64, last);
		set_error(err, errlen,
			  "%" PRIu64 " MiB of RAM needs guest physical addresses %s"
			  ", beyond what %u physical address bits can hold",
			  memory >> 20, upto, phys_bits);
		return -1;
	}
	end = LAYOUT_4G + above;
	if (above)
		out->ram[out->nr_ram++] = (struct ram_range){ LAYOUT_4G, above };
	out->pci_mmio64_base = (end + (1ull << 30) - 1) & ~((1ull << 30) - 1);
	if (out->pci_mmio64_base < out->gpa_limit) {
		out->pci_mmio64_size = out->gpa_limit - out->pci_mmio64_base;
		if (out->pci_mmio64_size > LAYOUT_PCI_MMIO64_MAX)
			out->pci_mmio64_size = LAYOUT_PCI_MMIO64_MAX;
	}
	return 0;
}
