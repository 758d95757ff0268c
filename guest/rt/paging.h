/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 4-level paging structures as the runtime and the stubs that build their
 * own tables write them: entry bits (SDM Vol. 3A 4.5, tables 4-15 to
 * 4-20), which AMD's nested page tables share (APM Vol. 2 15.25.5).
 */
#ifndef URSA_GUEST_RT_PAGING_H
#define URSA_GUEST_RT_PAGING_H

#define PTE_PRESENT	(1ul << 0)
#define PTE_WRITE	(1ul << 1)
#define PTE_USER	(1ul << 2)
#define PTE_PWT		(1ul << 3)
#define PTE_PCD		(1ul << 4)
#define PTE_LARGE	(1ul << 7)	/* a 2 MiB page in a PDE */
#define PTE_ADDR_MASK	0x000ffffffffff000ul

#define PAGE_SIZE	4096ul
#define LARGE_PAGE	(1ul << 21)
#define TABLE_ENTRIES	512
#define PAGE_ALIGNED	__attribute__((aligned(PAGE_SIZE)))

/* The entry's index in the table of a level for linear address va: level
 * 4 is the PML4, 1 the page table. */
#define TABLE_INDEX(va, level)	(((va) >> (12 + 9 * ((level) - 1))) % TABLE_ENTRIES)

#endif
