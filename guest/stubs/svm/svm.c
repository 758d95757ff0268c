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

#define GDT_ENTRIES	256

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));

uint16_t svm_code32_selector(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr;
	unsigned int n;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
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
