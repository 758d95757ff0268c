// SPDX-License-Identifier: GPL-2.0-only
/*
 * pio-bench: vCPU 0 makes count=N (default 100000) port-I/O exits from
 * CPL3, writing the 16550's scratch register so each exit goes through
 * ursa's whole dispatch to a real device, then reports the count.
 */
#include "../rt/rt.h"

#define UART_SCR	7	/* scratch register: no side effects */

static uint64_t out_loop(uint64_t count)
{
	uint64_t i;

	for (i = 0; i < count; i++)
		outb(STUB_COM1_PORT + UART_SCR, (uint8_t)i);
	return i;
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	uint64_t done;

	(void)ncpus;
	if (cpu != 0)
		return;
	done = rt_user_call(out_loop, rt_arg_u64("count", 100000));
	rt_printf("pio-bench: %lu exits\n", done);
}
