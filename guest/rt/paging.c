// SPDX-License-Identifier: GPL-2.0-only
/*
 * More of the identity map. ursa maps the low 4 GiB for the stub
 * (stub_abi.h) with 2 MiB pages; a 64-bit BAR in ursa's 64-bit PCI window
 * (vmm/layout.h) lies above that. rt_map_mmio() adds 2 MiB pages for such
 * a range to the same tables, taking the page-table pages it needs from a
 * small pool in the stub's bss (identity-mapped RAM, so their virtual
 * address is their physical one).
 */
#include "rt.h"
#include "paging.h"

/* An identity map needs canonical linear addresses: 4-level paging
 * translates 48 bits, and the lower half ends at 2^47 (SDM Vol. 3A 4.5). */
#define MAP_END		(1ull << 47)
#define TABLE_ENTRIES	512
/* A PDPT and a PD cover any 1 GiB; four pages cover two ranges that each
 * cross a GiB boundary. */
#define POOL_PAGES	4

static uint64_t pool[POOL_PAGES][TABLE_ENTRIES] PAGE_ALIGNED;
static unsigned int pool_used;

static uint64_t *table_of(uint64_t entry)
{
	return (uint64_t *)(entry & PTE_ADDR_MASK);
}

/* The table entry points to, given a zeroed one from the pool if it is
 * not present; NULL when the pool is empty. */
static uint64_t *next_table(uint64_t *entry)
{
	if (!(*entry & PTE_PRESENT)) {
		if (pool_used == POOL_PAGES)
			return NULL;
		*entry = (uint64_t)pool[pool_used++] | PTE_PRESENT | PTE_WRITE | PTE_USER;
	}
	return table_of(*entry);
}

/*
 * The PDE for the 2 MiB page at gpa, with the PML4 entry and PDPT entry
 * above it made present. Every present PDPT entry of ursa's map points to
 * a page directory: it never uses 1 GiB pages.
 */
static uint64_t *pde_of(uint64_t gpa)
{
	uint64_t cr3, *pdpt, *pd;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	pdpt = next_table(&table_of(cr3)[TABLE_INDEX(gpa, 4)]);
	if (!pdpt)
		return NULL;
	pd = next_table(&pdpt[TABLE_INDEX(gpa, 3)]);
	return pd ? &pd[TABLE_INDEX(gpa, 2)] : NULL;
}

/*
 * A page that is added was not present before, and the processor caches
 * no translation for a linear address whose walk meets a not-present
 * entry (SDM Vol. 3A 4.10.2.3, 4.10.3.1): no vCPU needs an INVLPG.
 * Pages already present (the low 4 GiB) are left as they are.
 */
bool rt_map_mmio(uint64_t gpa, uint64_t size)
{
	uint64_t end = gpa + size;

	if (end < gpa || end > MAP_END)
		return false;
	for (uint64_t page = gpa & ~(LARGE_PAGE - 1); page < end; page += LARGE_PAGE) {
		uint64_t *pde = pde_of(page);

		if (!pde)
			return false;
		/* PCD and PWT with PAT clear: PAT entry 3, UC (SDM Vol. 3A
		 * 12.12.3), as ursa maps its 32-bit MMIO hole. */
		if (!(*pde & PTE_PRESENT))
			*pde = page | PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_LARGE |
			       PTE_PCD | PTE_PWT;
	}
	return true;
}
