// SPDX-License-Identifier: GPL-2.0-only
/*
 * triple-fault: empties the IDT and raises #UD. Delivery fails (#GP),
 * then #DF fails too, and the CPU shuts down (SDM Vol. 3A 6.15, "Interrupt
 * 8"): KVM reports KVM_EXIT_SHUTDOWN and ursa must diagnose it.
 */
#include "../rt/rt.h"

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	(void)ncpus;
	if (cpu != 0)
		return;
	rt_printf("triple-fault: loading an empty IDT\n");
	__asm__ volatile("lidt %0; ud2" : : "m"(empty));
}
