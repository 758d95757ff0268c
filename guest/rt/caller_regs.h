/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the assembly entry paths: save and restore the nine registers a C
 * function may clobber (System V x86-64 psABI 3.2.1), 72 bytes of stack.
 */
#ifndef URSA_GUEST_RT_CALLER_REGS_H
#define URSA_GUEST_RT_CALLER_REGS_H

#define CALLER_REGS_BYTES	72

.macro push_caller_regs
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
.endm

.macro pop_caller_regs
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
.endm

#endif
