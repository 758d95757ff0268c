/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry points for the external-interrupt vectors, RT_NUM_EXCEPTIONS to
 * 255, and their common path to rt_irq_dispatch(). Each entry's address
 * is recorded in rt_irq_entries[].
 */
#include "caller_regs.h"
#include "vectors.h"

.macro irq_entry
	.pushsection .rodata
	.quad	1f
	.popsection
1:	pushq	$vec
	jmp	irq_common
.endm

	.pushsection .rodata
	.balign	8
	.globl	rt_irq_entries
rt_irq_entries:
	.popsection

	.text
	.set	vec, RT_NUM_EXCEPTIONS
	.rept	RT_IDT_ENTRIES - RT_NUM_EXCEPTIONS
	irq_entry
	.set	vec, vec + 1
	.endr

/*
 * The CPU aligned rsp to 16 bytes and pushed ss, rsp, rflags, cs and rip
 * (SDM Vol. 3A 6.14.2); the entry pushed the vector. Interrupts arrive
 * only at CPL0 (CPL3 code runs with IF = 0), so there was no stack or GS
 * switch: save the registers a C function may clobber (System V x86-64
 * psABI 3.2.1), call rt_irq_dispatch(vector, frame), restore and return.
 */
irq_common:
	push_caller_regs
	/*
	 * An interrupt taken in STI's shadow, at rt_irq_wait()'s HLT, returns
	 * past it: the HLT would otherwise sleep on an interrupt that has
	 * been handled. The shadow should rule that out (SDM Vol. 2B STI),
	 * but the nested test machine's SVM, emulated by QEMU's TCG, injects
	 * interrupts there: traces show KVM's VINTR exit and the injection
	 * at the HLT's address, after which the vCPU halted for good.
	 */
	lea	rt_irq_wait_hlt(%rip), %rax
	cmp	%rax, 80(%rsp)		/* the interrupted rip */
	jne	1f
	incq	80(%rsp)		/* HLT is one byte, 0xf4 */
1:	mov	72(%rsp), %rdi		/* the vector */
	lea	80(%rsp), %rsi		/* the CPU's frame: rip, cs, rflags, rsp, ss */
	sub	$8, %rsp		/* 15 quadwords so far: realign for the call */
	cld				/* the psABI wants DF clear at a call */
	call	rt_irq_dispatch
	add	$8, %rsp
	pop_caller_regs
	add	$8, %rsp		/* the vector */
	iretq

	.section .note.GNU-stack, "", @progbits
