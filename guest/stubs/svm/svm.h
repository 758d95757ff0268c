/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SVM as the svm-* stubs use it, a guest hypervisor on ursa --nested:
 * the MSRs, the VMCB's layout (AMD64 APM Vol. 2, appendix B) and exit codes.
 */
#ifndef URSA_GUEST_STUBS_SVM_H
#define URSA_GUEST_STUBS_SVM_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_EFER		0xc0000080
#define EFER_SVME		(1ull << 12)
#define MSR_VM_HSAVE_PA		0xc0010117	/* the host save area, APM Vol. 2 15.30.4 */
#define CPUID_EXT_ECX_SVM	(1u << 2)	/* CPUID 0x80000001 ECX, APM Vol. 3 E.4.2 */

/* Control area (table B-1). */
#define VMCB_INTERCEPT_EXC	0x008	/* bit n: exception vector n */
#define VMCB_INTERCEPT_MISC1	0x00c
#define   INTERCEPT1_HLT	(1u << 24)
#define   INTERCEPT1_SHUTDOWN	(1u << 31)
#define VMCB_INTERCEPT_MISC2	0x010
#define   INTERCEPT2_VMRUN	(1u << 0)	/* VMRUN fails without it */
#define   INTERCEPT2_VMMCALL	(1u << 1)
#define VMCB_IOPM_BASE		0x040
#define VMCB_MSRPM_BASE		0x048
#define VMCB_ASID		0x058	/* 32 bits, 0 is the host's */
#define VMCB_TLB_CONTROL	0x05c	/* 8 bits */
#define   TLB_CONTROL_FLUSH_ALL	1
#define VMCB_EXITCODE		0x070
#define VMCB_EXITINFO1		0x078
#define VMCB_EXITINFO2		0x080
#define VMCB_NESTED_CTL		0x090
#define   NESTED_CTL_NP_ENABLE	(1ull << 0)
#define VMCB_N_CR3		0x0b0	/* the nested page table's root */
/* State save area at 0x400 (table B-2): a segment is selector, attrib,
 * limit, base. */
#define VMCB_SAVE		0x400
#define VMCB_ES			(VMCB_SAVE + 0x000)
#define VMCB_CS			(VMCB_SAVE + 0x010)
#define VMCB_SS			(VMCB_SAVE + 0x020)
#define VMCB_DS			(VMCB_SAVE + 0x030)
#define VMCB_GDTR		(VMCB_SAVE + 0x060)
#define VMCB_TR_SELECTOR	(VMCB_SAVE + 0x090)
#define VMCB_CPL		(VMCB_SAVE + 0x0cb)	/* 8 bits */
#define VMCB_EFER		(VMCB_SAVE + 0x0d0)
#define VMCB_CR4		(VMCB_SAVE + 0x148)
#define VMCB_CR3		(VMCB_SAVE + 0x150)
#define VMCB_CR0		(VMCB_SAVE + 0x158)
#define VMCB_DR7		(VMCB_SAVE + 0x160)
#define VMCB_DR6		(VMCB_SAVE + 0x168)
#define VMCB_RFLAGS		(VMCB_SAVE + 0x170)
#define VMCB_RIP		(VMCB_SAVE + 0x178)
#define VMCB_RSP		(VMCB_SAVE + 0x1d8)
#define VMCB_G_PAT		(VMCB_SAVE + 0x268)

/* EXITCODE values (appendix C). */
#define SVM_EXIT_VMMCALL	0x081ull
#define SVM_EXIT_NPF		0x400ull
#define SVM_EXIT_INVALID	(~0ull)	/* VMRUN found the VMCB's state illegal */

/* A nested page fault's EXITINFO1 (APM Vol. 2 15.25.6): the #PF error
 * code in bits 31:0, and which access of the guest's it was. */
#define NPF_GUEST_FINAL		(1ull << 32)	/* the final guest-physical access */
#define NPF_GUEST_PAGE		(1ull << 33)	/* a guest page-table access */

#define SVM_PAGE		4096
#define SVM_IOPM_SIZE		(3 * SVM_PAGE)
#define SVM_MSRPM_SIZE		(2 * SVM_PAGE)

static inline uint64_t vmcb_read64(const uint8_t *vmcb, unsigned int off)
{
	return *(volatile const uint64_t *)(vmcb + off);
}

static inline void vmcb_write64(uint8_t *vmcb, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(vmcb + off) = v;
}

static inline void vmcb_write32(uint8_t *vmcb, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(vmcb + off) = v;
}

static inline void vmcb_write16(uint8_t *vmcb, unsigned int off, uint16_t v)
{
	*(volatile uint16_t *)(vmcb + off) = v;
}

static inline void vmcb_write8(uint8_t *vmcb, unsigned int off, uint8_t v)
{
	*(volatile uint8_t *)(vmcb + off) = v;
}

/*
 * VMRUN of a guest that shares no register with this code but RAX, RSP
 * and RIP (from its VMCB): the other general-purpose registers come back
 * as the guest left them, so all but the callee-saved ones it must not
 * touch are clobbered. Then STGI, as the #VMEXIT cleared GIF.
 */
static inline void svm_vmrun_guest(uint8_t *vmcb)
{
	__asm__ volatile("vmrun %%rax\n\tstgi"
			 : : "a"(vmcb)
			 : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
			   "memory", "cc");
}

/* STGI: a #VMEXIT clears the global interrupt flag (APM Vol. 2 15.17). */
static inline void svm_stgi(void)
{
	__asm__ volatile("stgi" : : : "memory");
}

/* Whether CPUID offers SVM (ursa --nested); if so, set EFER.SVME and the
 * host save area, as VMRUN needs (APM Vol. 2 15.4, 15.5.1). */
bool svm_enable(void *hsave);

/*
 * Fill vmcb for a guest that runs 64-bit code at CPL0 from rip with stack
 * rsp, in this vCPU's paging mode (its CR0, CR4 and EFER) with page tables
 * at cr3 and its GDT, intercepting VMRUN, VMMCALL, HLT, shutdown and every
 * exception, ASID 1, no I/O or MSR intercepts (iopm, msrpm: zeroed bitmaps
 * of SVM_IOPM_SIZE and SVM_MSRPM_SIZE).
 */
void svm_vmcb_guest64(uint8_t *vmcb, uint64_t cr3, uint64_t rip, uint64_t rsp,
		      const void *iopm, const void *msrpm);

/* A 32-bit code segment (D = 1, L = 0) added to a copy of the GDT that
 * this vCPU loads: code there runs in compatibility mode. Its selector, or
 * 0 when the GDT has no room. */
uint16_t svm_code32_selector(void);

/* svm/compat.S: the instruction with this rAX in compatibility mode, at
 * code32, guarded as RT_GUARDED (rt_fault_take() says what it raised). */
void svm_compat_vmsave(uint64_t rax, uint64_t code32);
void svm_compat_vmload(uint64_t rax, uint64_t code32);
void svm_compat_vmrun(uint64_t rax, uint64_t code32);

#endif
