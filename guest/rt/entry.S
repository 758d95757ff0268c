/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub entry, exception vectors and the CPL3 call gate.
 * Register state at _start is described in guest/stub_abi.h.
 */
#include "../stub_abi.h"
#include "caller_regs.h"
#include "vectors.h"

	.section .stub_header, "a"
	.long	STUB_MAGIC
	.long	STUB_ABI_VERSION
	.quad	_start
	.quad	__load_end

	.text
	.globl	_start
_start:
	/* rdi, rsi, rdx already hold rt_start()'s arguments. */
	xor	%ebp, %ebp
	call	rt_start
1:	cli
	hlt
	jmp	1b

/*
 * Exception entry points for vectors 0-31. The CPU pushes an error code
 * only for #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX (SDM Vol. 3A
 * 6.13); the others get a zero so that every frame has the same shape.
 * Each entry's address is recorded in rt_exception_entries[].
 */
.macro exception_entry vec
	.pushsection .rodata
	.quad	1f
	.popsection
1:
	.if \vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exception_common
.endm

	.pushsection .rodata
	.balign	8
	.globl	rt_exception_entries
rt_exception_entries:
	.popsection
	.irp	vec, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, \
		16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	exception_entry \vec
	.endr

exception_common:
	/* Frame: vector, error code, rip, cs, rflags, rsp, ss. */
	cmpq	$6, (%rsp)			/* #UD ... */
	jne	1f
	/* ... at the user return point? An immediate (the stub lives below
	 * 2 GiB), so that RAX reaches a guarded instruction's resume intact. */
	cmpq	$rt_user_return, 16(%rsp)
	je	user_returned
	/*
	 * rt_exception() returns only for a guarded instruction, with the
	 * frame's rip moved past it. The CPU aligned rsp to 16 bytes before
	 * its pushes (SDM Vol. 3A 6.14.2); with the vector, the error code and
	 * the nine caller-saved registers it is aligned again for the call.
	 */
1:	push_caller_regs
	lea	CALLER_REGS_BYTES(%rsp), %rdi	/* the frame: vector, error, rip, ... */
	cld
	call	rt_exception
	pop_caller_regs
	add	$16, %rsp		/* the vector and the error code */
	iretq

/*
 * uint64_t rt_user_call(uint64_t (*fn)(uint64_t), uint64_t arg)
 *
 * Runs fn(arg) at CPL3 on this vCPU's user stack and returns its result.
 *
 * fn comes back by executing UD2 at rt_user_return: the #UD is delivered
 * at CPL0 on TSS.rsp0, and exception_common recognises the address. Not
 * a software INT or SYSCALL, which would be the usual ways: on the
 * paravirtual KVM of the project's test hosts an INT n at CPL3 is stepped
 * over and SYSCALL leaves the vCPU at CPL3, while exceptions are
 * delivered as the SDM says on every KVM.
 *
 * TSS.rsp0 is this function's rsp after its pushes, so the exception frame
 * lands below everything it saved; user_returned then takes that rsp back
 * from the per-vCPU area. fn runs with interrupts disabled; the caller's
 * RFLAGS.IF comes back with the rest (the #UD's gate cleared it).
 */
	.globl	rt_user_call
rt_user_call:
	pushfq
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %gs:STUB_CPU_SAVED_KSP
	mov	%rsp, %gs:(STUB_CPU_TSS + STUB_TSS_RSP0)
	pushq	$STUB_USER_DS
	pushq	%gs:STUB_CPU_USER_STACK
	pushq	$0x2			/* RFLAGS: reserved bit 1; IF 0, IOPL 0 */
	pushq	$STUB_USER_CS
	lea	user_trampoline(%rip), %rax
	push	%rax
	mov	%rdi, %rax
	mov	%rsi, %rdi
	iretq

user_trampoline:
	call	*%rax
	mov	%rax, %rdi
rt_user_return:
	ud2

user_returned:
	/* CPL0; GS.base survived CPL3 because GS holds a DPL 3 selector. */
	mov	%gs:STUB_CPU_SAVED_KSP, %rsp
	mov	%rdi, %rax
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	popfq
	ret

	.section .note.GNU-stack, "", @progbits
