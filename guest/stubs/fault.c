// SPDX-License-Identifier: GPL-2.0-only
/*
 * fault: touches guest-physical addresses nothing backs (above RAM, the
 * last 2 MiB below the guest's MAXPHYADDR or 2^47, which the runtime maps
 * with rt_map_mmio(), and an unclaimed I/O port) and checks ursa answers like a
 * PCI bus where no device decodes the address: reads return all ones,
 * writes vanish. Exits with status 3 (code 1) on a wrong answer.
 */
#include "../rt/rt.h"
#include "../rt/paging.h"

#define UNCLAIMED_PORT	0x2f0	/* no device of ursa's lives here */

static void expect(const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return;
	rt_printf("fault: %s: got %lx, want %lx\n", what, got, want);
	rt_exit(1);
}

/* The top of the guest-physical address space an identity map can reach
 * (2^47 at most: rt_map_mmio()), above ursa's 4 GiB map and past its
 * 64-bit PCI window, so it takes a new PML4 entry, PDPT and PD. */
static void unbacked_top(void)
{
	unsigned int bits = rt_phys_bits() < 47 ? rt_phys_bits() : 47;
	uint64_t top = (1ull << bits) - LARGE_PAGE;

	if (!rt_map_mmio(top, LARGE_PAGE)) {
		rt_printf("fault: cannot map %lx\n", top);
		rt_exit(1);
	}
	expect("read32 at the top", mmio_read32(top + LARGE_PAGE - 4), 0xffffffff);
	mmio_write32(top, 0x12345678);
	expect("read32 at the top after write", mmio_read32(top), 0xffffffff);
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	uint64_t gpa;

	(void)ncpus;
	if (cpu != 0)
		return;
	gpa = rt_boot->ram_below_4g + 0x10000000;

	expect("read8", mmio_read8(gpa), 0xff);
	expect("read16", mmio_read16(gpa + 2), 0xffff);
	expect("read32", mmio_read32(gpa + 4), 0xffffffff);
	expect("read64", mmio_read64(gpa + 8), ~0ull);
	mmio_write32(gpa, 0x12345678);
	expect("read32 after write", mmio_read32(gpa), 0xffffffff);
	expect("inb", inb(UNCLAIMED_PORT), 0xff);
	expect("inl", inl(UNCLAIMED_PORT), 0xffffffff);
	outl(UNCLAIMED_PORT, 0x12345678);
	unbacked_top();
	rt_printf("fault: unbacked accesses read all ones at %lx\n", gpa);
}
