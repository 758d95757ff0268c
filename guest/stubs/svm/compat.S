/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMSAVE, VMLOAD and VMRUN in compatibility mode. There the address size
 * is 32 bits, so the instructions take the VMCB's address from EAX and
 * RAX[63:32] does not count (APM Vol. 3, VMRUN: "rAX"; Vol. 2 15.5.1),
 * which is what svm-rax checks a hypervisor's emulation of them against.
 *
 * void svm_compat_<insn>(uint64_t rax, uint64_t code32): a far return
 * into the 32-bit segment code32 (rdi's upper half left as it is in RAX),
 * the instruction, a far jump back to the 64-bit kernel segment.
 */
#include "../../stub_abi.h"
#include "../../rt/fixup.h"

.macro compat_insn name, insn
	.text
	.code64
	.globl	\name
\name:
	mov	%rdi, %rax
	push	%rsi			/* CS, then RIP, for LRETQ */
	lea	1f(%rip), %rcx
	push	%rcx
	lretq
	.code32
1:	\insn
2:	ljmp	$STUB_KERNEL_CS, $3f
	.code64
3:	ret
	rt_fixup 1b, 2b
.endm

compat_insn svm_compat_vmsave, vmsave
compat_insn svm_compat_vmload, vmload
compat_insn svm_compat_vmrun, vmrun

	.section .note.GNU-stack, "", @progbits
