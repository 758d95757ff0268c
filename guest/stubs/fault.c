// SPDX-License-Identifier: GPL-2.0-only
/*
 * fault: touches guest-physical addresses nothing backs (above RAM, and an
 * unclaimed I/O port) and checks ursa answers like a PCI bus where no
 * device decodes the address: reads return all ones, writes vanish.
 * Exits with status 3 (code 1) on a wrong answer.
 */
#include "../rt/rt.h"

#define UNCLAIMED_PORT	0x2f0	/* no device of ursa's lives here */

static void expect(const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return;
	rt_printf("fault: %s: got %lx, want %lx\n", what, got, want);
	rt_exit(1);
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
	rt_printf("fault: unbacked accesses read all ones at %lx\n", gpa);
}
