// SPDX-License-Identifier: GPL-2.0-only
/*
 * heartbeat: the nested machine's sign of life for run-nested's hang watch.
 * Writes one byte to I/O port 0x402, QEMU's isa-debugcon (which appends
 * it to a file on the host), every 2 s, for ever. A port write reaches the
 * host synchronously, with no driver, interrupt or buffer in between (a
 * serial port's transmit interrupt was seen to stall under multi-threaded
 * TCG while the machine went on running). It runs at the highest nice
 * priority, so that it stops only when no process of the machine runs.
 * Started by init.
 */
#include <stdio.h>
#include <sys/io.h>
#include <sys/resource.h>
#include <unistd.h>

#define DEBUGCON_PORT	0x402
#define PERIOD_S	2

int main(void)
{
	if (setpriority(PRIO_PROCESS, 0, -20) || ioperm(DEBUGCON_PORT, 1, 1)) {
		perror("heartbeat: ioperm");
		return 1;
	}
	for (;;) {
		outb('.', DEBUGCON_PORT);
		sleep(PERIOD_S);
	}
}
