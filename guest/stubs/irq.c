// SPDX-License-Identifier: GPL-2.0-only
/*
 * irq: interrupts through the in-kernel LAPIC. Every vCPU sends itself
 * count=N (default 100) fixed IPIs, one at a time, and waits for each:
 * the handler must run once per IPI, and every IPI must arrive, which one
 * cannot if the EOI of the one before went missing (its in-service bit
 * would hold the vector back, SDM Vol. 3A 11.8.3.1, 11.8.5). With two or
 * more vCPUs, vCPU 0 also sends one IPI to vCPU 1.
 * Prints a line per vCPU and halts (status 0); a failure exits with code
 * 1 (status 3).
 */
#include "../rt/rt.h"

#define SELF_VECTOR	0x40
#define CROSS_VECTOR	0x41
#define WAIT_MS		2000

static volatile uint32_t self_count[256];	/* by vCPU (APIC ID < 256) */
static volatile uint32_t cross_count;
static uint32_t cpu1_ready;

static void on_self(uint8_t vector)
{
	(void)vector;
	self_count[rt_cpu_index()]++;
}

static void on_cross(uint8_t vector)
{
	(void)vector;
	cross_count++;
}

/* Wait until *count differs from seen, or WAIT_MS passed. */
static bool wait_for(volatile uint32_t *count, uint32_t seen)
{
	rt_deadline_set(WAIT_MS);
	while (*count == seen && !rt_deadline_passed())
		rt_irq_wait();
	return *count != seen;
}

static void self_ipis(uint32_t cpu, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		rt_lapic_self_ipi(SELF_VECTOR);
		if (!wait_for(&self_count[cpu], i)) {
			rt_printf("irq: FAIL cpu %u: interrupt %u of %u never came\n",
				  cpu, i + 1, n);
			rt_exit(1);
		}
		if (self_count[cpu] != i + 1) {
			rt_printf("irq: FAIL cpu %u: handler ran %u times for %u interrupts\n",
				  cpu, self_count[cpu], i + 1);
			rt_exit(1);
		}
	}
	rt_printf("irq: cpu %u got %u interrupts\n", cpu, n);
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	uint32_t n = rt_arg_u64("count", 100);

	/* Every vCPU registers: none may take an IPI before its handler is in. */
	rt_irq_handler(SELF_VECTOR, on_self);
	rt_irq_handler(CROSS_VECTOR, on_cross);
	/* vCPU 1's LAPIC is enabled (rt_start did it) and takes fixed IPIs. */
	if (cpu == 1)
		__atomic_store_n(&cpu1_ready, 1, __ATOMIC_RELEASE);

	self_ipis(cpu, n);

	if (cpu == 0 && ncpus > 1) {
		while (!__atomic_load_n(&cpu1_ready, __ATOMIC_ACQUIRE))
			__builtin_ia32_pause();
		rt_lapic_send_ipi(1, CROSS_VECTOR);
	}
	if (cpu == 1) {
		if (!wait_for(&cross_count, 0)) {
			rt_printf("irq: FAIL cpu 1: no IPI from cpu 0\n");
			rt_exit(1);
		}
		rt_printf("irq: cpu 1 got the IPI from cpu 0\n");
	}
}
