/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Instructions allowed to fault. Each has an entry in the .rt_fixup section
 * (guest/stub.ld): the instruction's address and where to resume. An
 * exception at such an address is recorded for rt_fault_take() and the
 * instruction is skipped; at any other address it ends the VM. Shared
 * with the assembly.
 */
#ifndef URSA_GUEST_RT_FIXUP_H
#define URSA_GUEST_RT_FIXUP_H

#ifdef __ASSEMBLER__
.macro rt_fixup insn, resume
	.pushsection .rt_fixup, "a"
	.balign	8
	.quad	\insn, \resume
	.popsection
.endm
#else
#define RT_FIXUP_ENTRY(insn, resume)			\
	".pushsection .rt_fixup, \"a\"\n"		\
	".balign 8\n"					\
	".quad " insn ", " resume "\n"			\
	".popsection\n"
#endif

#endif
