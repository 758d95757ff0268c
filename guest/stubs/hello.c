// SPDX-License-Identifier: GPL-2.0-only
/* hello: prints a greeting from vCPU 0; every vCPU then halts (status 0). */
#include "../rt/rt.h"

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	if (cpu == 0)
		rt_printf("Hello from ursa (%u vCPU%s)\n", ncpus,
			  ncpus == 1 ? "" : "s");
}
