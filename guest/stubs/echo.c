// SPDX-License-Identifier: GPL-2.0-only
/* echo: reads one line from the console and prints it back, then halts. */
#include "../rt/rt.h"

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	char line[128];
	size_t n = 0;
	char c;

	(void)ncpus;
	if (cpu != 0)
		return;
	rt_printf("echo: ready\n");
	while ((c = rt_getc()) != '\n' && c != '\r') {
		if (n < sizeof(line) - 1)
			line[n++] = c;
	}
	line[n] = 0;
	rt_printf("echo: %s\n", line);
}
