// SPDX-License-Identifier: GPL-2.0-only
/*
 * memfault: reads from the memslot ursa backs with inaccessible host memory
 * (run with --debug-memfault-slot). KVM cannot fault the page in, so the
 * read should never complete: ursa reports EFAULT, with the exact gpa when
 * the kernel gives KVM_EXIT_MEMORY_FAULT. The read targets the second page
 * of the slot at offset 8, so a report of gpa STUB_MEMFAULT_GPA + 0x1000
 * (page-granular) shows the gpa is the faulting one, not the slot's base.
 * Some KVMs treat such a page as MMIO instead; then ursa answers all ones
 * and this stub says so and exits with code 2 (status 5).
 */
#include "../rt/rt.h"

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	uint64_t gpa = STUB_MEMFAULT_GPA + 0x1000 + 8;
	uint32_t v;

	(void)ncpus;
	if (cpu != 0)
		return;
	rt_printf("memfault: reading gpa %lx\n", gpa);
	v = mmio_read32(gpa);
	rt_printf("memfault: the read completed with %x (treated as MMIO)\n", v);
	rt_exit(2);
}
