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
#define VMCB_EXITCODE		0x070
#define VMCB_EXITINFO1		0x078
#define VMCB_EXITINFO2		0x080
/* State save area at 0x400 (table B-2): a segment is selector, attrib,
 * limit, base. */
#define VMCB_SAVE		0x400
#define VMCB_TR_SELECTOR	(VMCB_SAVE + 0x090)

/* EXITCODE values (appendix C). */
#define SVM_EXIT_NPF		0x400ull
#define SVM_EXIT_INVALID	(~0ull)	/* VMRUN found the VMCB's state illegal */

#define SVM_PAGE		4096

static inline uint64_t vmcb_read64(const uint8_t *vmcb, unsigned int off)
{
	return *(volatile const uint64_t *)(vmcb + off);
}

static inline void vmcb_write64(uint8_t *vmcb, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(vmcb + off) = v;
}

/* STGI: a #VMEXIT clears the global interrupt flag (APM Vol. 2 15.17). */
static inline void svm_stgi(void)
{
	__asm__ volatile("stgi" : : : "memory");
}

/* Whether CPUID offers SVM (ursa --nested); if so, set EFER.SVME and the
 * host save area, as VMRUN needs (APM Vol. 2 15.4, 15.5.1). */
bool svm_enable(void *hsave);

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
