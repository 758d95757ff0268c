// SPDX-License-Identifier: GPL-2.0-only
/* What every svm-* stub needs: SVM on, and a compatibility-mode segment. */
#include "../../rt/rt.h"
#include "svm.h"

bool svm_enable(void *hsave)
{
	uint32_t r[4];

	rt_cpuid(0x80000001, 0, r);
	if (!(r[2] & CPUID_EXT_ECX_SVM))
		return false;
	rt_wrmsr(MSR_EFER, rt_rdmsr(MSR_EFER) | EFER_SVME);
	rt_wrmsr(MSR_VM_HSAVE_PA, (uint64_t)hsave);
	return true;
}

/* GDTR as SGDT stores it and LGDT loads it in 64-bit mode. */
struct gdtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct gdtr read_gdtr(void)
{
	struct gdtr gdtr;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	return gdtr;
}

#define GDT_ENTRIES	256

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));

uint16_t svm_code32_selector(void)
{
	struct gdtr gdtr = read_gdtr();
	unsigned int n;

	n = (gdtr.limit + 1u) / 8;
	if (n >= GDT_ENTRIES)
		return 0;
	/* The TSS descriptors come along marked busy, as TR expects; TR and
	 * the segment registers keep their cached descriptors. */
	__builtin_memcpy(gdt, (const void *)gdtr.base, gdtr.limit + 1u);
	/* Base 0, limit 4 GiB (G), D = 1, L = 0, present, DPL 0, code
	 * execute/read (SDM Vol. 3A 3.4.5, 5.2.1). */
	gdt[n] = 0x00cf9a000000ffffull;
	gdtr.base = (uint64_t)gdt;
	gdtr.limit = (n + 1) * 8 - 1;
	__asm__ volatile("lgdt %0" : : "m"(gdtr) : "memory");
	return n * 8;
}

/* Segment attributes in the VMCB's packed form (APM Vol. 2 15.5.1):
 * descriptor bits 47:40 in 7:0, bits 55:52 in 11:8. */
#define SEG_CODE64	0x029b	/* present, DPL 0, code execute/read accessed, L */
#define SEG_DATA	0x0c93	/* present, DPL 0, data read/write accessed, D, G */
#define PAT_DEFAULT	0x0007040600070406ull	/* the PAT MSR's reset value */

static void vmcb_seg(uint8_t *vmcb, unsigned int off, uint16_t sel, uint16_t attrib)
{
	vmcb_write16(vmcb, off, sel);
	vmcb_write16(vmcb, off + 2, attrib);
	vmcb_write32(vmcb, off + 4, 0xffffffff);
	vmcb_write64(vmcb, off + 8, 0);
}

void svm_vmcb_guest64(uint8_t *vmcb, uint64_t cr3, uint64_t rip, uint64_t rsp,
		      const void *iopm, const void *msrpm)
{
	struct gdtr gdtr = read_gdtr();
	uint64_t cr0, cr4;

	__builtin_memset(vmcb, 0, SVM_PAGE);
	vmcb_write32(vmcb, VMCB_INTERCEPT_EXC, ~0u);
	vmcb_write32(vmcb, VMCB_INTERCEPT_MISC1, INTERCEPT1_HLT | INTERCEPT1_SHUTDOWN);
	vmcb_write32(vmcb, VMCB_INTERCEPT_MISC2, INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL);
	vmcb_write64(vmcb, VMCB_IOPM_BASE, (uint64_t)iopm);
	vmcb_write64(vmcb, VMCB_MSRPM_BASE, (uint64_t)msrpm);
	vmcb_write32(vmcb, VMCB_ASID, 1);

	vmcb_seg(vmcb, VMCB_CS, STUB_KERNEL_CS, SEG_CODE64);
	vmcb_seg(vmcb, VMCB_SS, STUB_KERNEL_DS, SEG_DATA);
	vmcb_seg(vmcb, VMCB_DS, STUB_KERNEL_DS, SEG_DATA);
	vmcb_seg(vmcb, VMCB_ES, STUB_KERNEL_DS, SEG_DATA);
	vmcb_write32(vmcb, VMCB_GDTR + 4, gdtr.limit);
	vmcb_write64(vmcb, VMCB_GDTR + 8, gdtr.base);
	vmcb_write8(vmcb, VMCB_CPL, 0);

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	vmcb_write64(vmcb, VMCB_EFER, rt_rdmsr(MSR_EFER));
	vmcb_write64(vmcb, VMCB_CR0, cr0);
	vmcb_write64(vmcb, VMCB_CR3, cr3);
	vmcb_write64(vmcb, VMCB_CR4, cr4);
	vmcb_write64(vmcb, VMCB_DR6, 0xffff0ff0);	/* reset values */
	vmcb_write64(vmcb, VMCB_DR7, 0x400);
	vmcb_write64(vmcb, VMCB_RFLAGS, 0x2);		/* IF clear */
	vmcb_write64(vmcb, VMCB_RIP, rip);
	vmcb_write64(vmcb, VMCB_RSP, rsp);
	vmcb_write64(vmcb, VMCB_G_PAT, PAT_DEFAULT);
}
