/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The runtime's IDT: exceptions in vectors 0-31 (SDM Vol. 3A 6.2), then
 * external interrupts. Stubs own RT_IRQ_VECTOR_FIRST..RT_IRQ_VECTOR_LAST;
 * the runtime keeps the two highest. Shared with the assembly.
 */
#ifndef URSA_GUEST_RT_VECTORS_H
#define URSA_GUEST_RT_VECTORS_H

#define RT_NUM_EXCEPTIONS	32
#define RT_GP_VECTOR		13	/* general protection */
#define RT_PF_VECTOR		14	/* page fault */
#define RT_IRQ_VECTOR_FIRST	RT_NUM_EXCEPTIONS
#define RT_IRQ_VECTOR_LAST	253
#define RT_TIMER_VECTOR		254	/* the LAPIC timer, for rt_deadline_*() */
/* Bits 3:0 of the spurious vector are hardwired to 1 on some processors
 * (SDM Vol. 3A 11.9), so it goes at the top. */
#define RT_SPURIOUS_VECTOR	255
#define RT_IDT_ENTRIES		256

#endif
