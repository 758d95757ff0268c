// SPDX-License-Identifier: GPL-2.0-only
/* smp: every vCPU reports in; the last one ends the VM with the count. */
#include "../rt/rt.h"

static uint32_t reported;

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	uint32_t n;

	rt_printf("cpu %u of %u reporting\n", cpu, ncpus);
	n = __atomic_add_fetch(&reported, 1, __ATOMIC_SEQ_CST);
	if (n == ncpus) {
		rt_printf("all %u cpus reported\n", n);
		rt_exit(n);
	}
}
