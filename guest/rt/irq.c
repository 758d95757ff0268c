// SPDX-License-Identifier: GPL-2.0-only
/* External interrupts: the handler table, dispatch and EOI, waiting. */
#include "lapic.h"
#include "rt.h"

/* One table for every vCPU. */
static void (*handlers[RT_IDT_ENTRIES])(uint8_t vector);

void rt_irq_handler(uint8_t vector, void (*fn)(uint8_t vector))
{
	if (vector < RT_IRQ_VECTOR_FIRST || vector > RT_IRQ_VECTOR_LAST) {
		rt_printf("rt_irq_handler: vector %u is the runtime's\n", vector);
		rt_exit(0x7f);
	}
	__atomic_store_n(&handlers[vector], fn, __ATOMIC_RELEASE);
}

/* The frame of the interrupt each vCPU is handling (by APIC ID), or NULL. */
static const struct rt_irq_frame *frames[256];

const struct rt_irq_frame *rt_irq_frame(void)
{
	return frames[rt_cpu_index()];
}

/* From irq_entry.S, on the interrupted stack, with interrupts disabled. */
void rt_irq_dispatch(uint64_t vector, const struct rt_irq_frame *frame);

void rt_irq_dispatch(uint64_t vector, const struct rt_irq_frame *frame)
{
	void (*fn)(uint8_t vector);

	/* A spurious interrupt sets no ISR bit and takes no EOI (SDM Vol. 3A 11.9). */
	if (vector == RT_SPURIOUS_VECTOR)
		return;
	/* The deadline timer's interrupt is only there to end a wait. */
	if (vector != RT_TIMER_VECTOR) {
		fn = __atomic_load_n(&handlers[vector], __ATOMIC_ACQUIRE);
		if (!fn) {
			rt_printf("unexpected interrupt, vector %lu\n", vector);
			rt_exit(0x7f);
		}
		frames[rt_cpu_index()] = frame;
		fn(vector);
		frames[rt_cpu_index()] = NULL;
	}
	rt_lapic_eoi();
}

void rt_irq_wait(void)
{
	/*
	 * STI lets interrupts in only after the next instruction (SDM Vol.
	 * 2B STI), so an interrupt already pending wakes the HLT rather than
	 * being taken just before it and leaving the HLT asleep. Not every
	 * CPU keeps that promise: irq_common moves an interrupt taken at
	 * rt_irq_wait_hlt past the HLT.
	 */
	__asm__ volatile("sti\n"
			 ".globl rt_irq_wait_hlt\n"
			 "rt_irq_wait_hlt: hlt\n"
			 "cli" : : : "memory");
}
