// SPDX-License-Identifier: GPL-2.0-only
/*
 * freeze: stop every process of the nested machine from running, for the
 * harness's hang self-test (scenarios/selftest-freeze.sh): one busy loop
 * per CPU, pinned there, at SCHED_FIFO priority 99. With RT throttling off
 * (sched_rt_runtime_us = -1, which the scenario writes) no other task runs
 * again, the kernel still takes interrupts. Never returns.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct sched_param rt = { .sched_priority = 99 };
	long mine = 0;
	cpu_set_t set;

	for (long cpu = 1; cpu < cpus; cpu++) {
		if (fork() == 0) {
			mine = cpu;
			break;
		}
	}
	CPU_ZERO(&set);
	CPU_SET(mine, &set);
	if (sched_setaffinity(0, sizeof(set), &set) ||
	    sched_setscheduler(0, SCHED_FIFO, &rt)) {
		perror("freeze");
		return 1;
	}
	for (;;)
		;
}
