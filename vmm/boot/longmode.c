// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/boot/longmode.h"
#include "vmm/layout.h"
#include "vmm/memory.h"

#define PTE_PRESENT	(1ull << 0)
#define PTE_WRITE	(1ull << 1)
#define PTE_USER	(1ull << 2)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_LARGE	(1ull << 7)	/* a 2 MiB page in a PDE */

#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)

struct kvm_segment longmode_flat_segment(uint16_t sel, uint8_t type,
					 uint8_t dpl, bool code)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.dpl = dpl,
		.db = !code,	/* 64-bit code needs D=0 when L=1 */
		.s = 1,
		.l = code,
		.g = 1,
	};
}

uint64_t longmode_descriptor(const struct kvm_segment *s)
{
	uint32_t limit = s->g ? s->limit >> 12 : s->limit;

	return (limit & 0xffffull) | (s->base & 0xffffffull) << 16 |
	       (uint64_t)s->type << 40 | (uint64_t)s->s << 44 |
	       (uint64_t)s->dpl << 45 | (uint64_t)s->present << 47 |
	       ((limit >> 16) & 0xfull) << 48 | (uint64_t)s->l << 53 |
	       (uint64_t)s->db << 54 | (uint64_t)s->g << 55 |
	       ((s->base >> 24) & 0xffull) << 56;
}

int longmode_identity_map(struct guest_memory *mem, uint64_t pt_gpa, bool user)
{
	uint64_t *pt = gpa_to_hva(mem, pt_gpa, LONGMODE_PT_PAGES * 0x1000);
	uint64_t flags = PTE_PRESENT | PTE_WRITE | (user ? PTE_USER : 0);
	uint64_t *pml4 = pt, *pdpt = pt + 512, *pd = pt + 1024;
	uint64_t pdpt_gpa = pt_gpa + 0x1000, pd_gpa = pt_gpa + 0x2000;

	if (!pt)
		return -1;
	for (unsigned int i = 0; i < 512 * LONGMODE_PT_PAGES; i++)
		pt[i] = 0;
	pml4[0] = pdpt_gpa | flags;
	for (uint64_t g = 0; g < 4; g++) {
		pdpt[g] = (pd_gpa + g * 0x1000) | flags;
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t gpa = g << 30 | i << 21;

			pd[g * 512 + i] = gpa | flags | PTE_LARGE |
					  (gpa >= LAYOUT_MMIO_HOLE_START ?
					   PTE_PCD | PTE_PWT : 0);
		}
	}
	return 0;
}

void longmode_sregs(struct kvm_sregs *sregs, uint64_t pt_gpa,
		    const struct kvm_segment *cs, const struct kvm_segment *ds)
{
	sregs->cs = *cs;
	sregs->ds = *ds;
	sregs->es = *ds;
	sregs->fs = *ds;
	sregs->gs = *ds;
	sregs->ss = *ds;
	sregs->ldt = (struct kvm_segment){ .type = 0x2, .unusable = 1 };
	sregs->cr3 = pt_gpa;
	sregs->cr4 = CR4_PAE;
	sregs->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs->efer = EFER_LME | EFER_LMA;
}
