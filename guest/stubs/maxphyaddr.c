// SPDX-License-Identifier: GPL-2.0-only
/*
 * maxphyaddr (seed 000): a guest's MAXPHYADDR (CPUID 0x80000008 EAX[7:0],
 * ursa --phys-bits) is a promise that bits MAXPHYADDR..51 of a physical
 * address in a paging-structure entry or in CR3 are reserved: an entry
 * with one of them set raises #PF with the RSVD bit (error code bit 3,
 * with P, as the entry is present), and MOV to CR3 with one set raises
 * #GP(0) (SDM Vol. 3A 4.5.4 and table 4-19 to 4-21, 4.7; Vol. 2B MOV-CR).
 * KVM keeps it for a MAXPHYADDR below the host's only with shadow paging
 * or by trapping #PF (KVM_CAP_SMALLER_MAXPHYADDR); ursa refuses such a
 * --phys-bits otherwise, so the guest never sees the addresses above its
 * MAXPHYADDR map to something.
 *
 * Through a page-table hierarchy of its own at linear address MAP_BASE,
 * the stub reads through
 *   - a 4 KiB PTE for 2^MAXPHYADDR: #PF, error code P|RSVD (0x9);
 *   - a 4 KiB PTE for 2^MAXPHYADDR - 4 KiB: no fault, all ones (nothing
 *     decodes it: the top of the address space is unbacked);
 *   - a PDE that points to a page table at 2^MAXPHYADDR: #PF P|RSVD;
 *   - a 2 MiB PDE for 2^MAXPHYADDR: #PF P|RSVD;
 * and loads CR3 with bit MAXPHYADDR set: #GP(0). Every #PF must name the
 * linear address it read in CR2. Prints "maxphyaddr: PASS 5 of 5 ..."
 * and halts (status 0), or each wrong answer and "maxphyaddr: FAIL ..."
 * (status 3). One vCPU.
 */
#include "../rt/rt.h"
#include "../rt/paging.h"

#define STUB		"maxphyaddr"
#define CHECKS		5
#define MAP_BASE	0x8000000000ul	/* PML4 slot 1: empty in ursa's map */

#define PTE_TABLE	(PTE_PRESENT | PTE_WRITE)

#define PFEC_P		(1u << 0)
#define PFEC_RSVD	(1u << 3)

/* MAP_BASE's PDPT and PD, and the page table PD entry 0 points to. */
static uint64_t pdpt[TABLE_ENTRIES] PAGE_ALIGNED;
static uint64_t pd[TABLE_ENTRIES] PAGE_ALIGNED;
static uint64_t pt[TABLE_ENTRIES] PAGE_ALIGNED;
static unsigned int wrong;

/* The linear addresses each check reads: PD slot 0 is the page table's
 * first two pages, PD slots 1 and 2 a table and a large page above. */
#define VA_PTE_ABOVE	(MAP_BASE + 0 * PAGE_SIZE)
#define VA_PTE_BELOW	(MAP_BASE + 1 * PAGE_SIZE)
#define VA_PDE_TABLE	(MAP_BASE + 1 * LARGE_PAGE)
#define VA_PDE_LARGE	(MAP_BASE + 2 * LARGE_PAGE)

static void build_map(uint64_t above)
{
	uint64_t cr3, *pml4;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(cr3 & PTE_ADDR_MASK);
	pdpt[0] = (uint64_t)pd | PTE_TABLE;
	pd[0] = (uint64_t)pt | PTE_TABLE;
	pt[0] = above | PTE_TABLE;
	pt[1] = (above - PAGE_SIZE) | PTE_TABLE;
	pd[1] = above | PTE_TABLE;
	pd[2] = above | PTE_TABLE | PTE_LARGE;
	/* Present where nothing was: no vCPU caches a translation for it
	 * (SDM Vol. 3A 4.10.2.3), so no INVLPG. */
	pml4[TABLE_INDEX(MAP_BASE, 4)] = (uint64_t)pdpt | PTE_TABLE;
}

static uint32_t read32(uint64_t va)
{
	uint32_t v = 0;

	__asm__ volatile(RT_GUARDED("movl (%1), %0") : "+r"(v) : "r"(va) : "memory");
	return v;
}

static void wrong_answer(const char *what, const char *why, struct rt_fault f)
{
	rt_printf("%s: %s: %s (vector %x, error code %lx, CR2 %lx)\n", STUB, what, why,
		  f.vector, f.error, f.cr2);
	wrong++;
}

/* A read that must raise #PF with P|RSVD for va. */
static void expect_rsvd(const char *what, uint64_t va)
{
	struct rt_fault f;

	read32(va);
	f = rt_fault_take();
	if (f.vector != RT_PF_VECTOR)
		wrong_answer(what, "no #PF", f);
	else if (f.error != (PFEC_P | PFEC_RSVD))
		wrong_answer(what, "#PF without P|RSVD alone", f);
	else if (f.cr2 != va)
		wrong_answer(what, "#PF for another address", f);
	else
		rt_printf("%s: %s: #PF P|RSVD\n", STUB, what);
}

static void expect_unbacked(const char *what, uint64_t va)
{
	struct rt_fault f;
	uint32_t v = read32(va);

	f = rt_fault_take();
	if (f.vector != RT_NO_FAULT)
		wrong_answer(what, "faulted", f);
	else if (v != 0xffffffff)
		wrong_answer(what, "did not read all ones", f);
	else
		rt_printf("%s: %s: no fault, all ones\n", STUB, what);
}

/* MOV to CR3 with a reserved bit set must raise #GP(0) and leave CR3 as
 * it was; were it loaded, the next access would walk tables that are not
 * there, so it is the last check. */
static void expect_cr3_gp(uint64_t above)
{
	uint64_t cr3, bad;
	struct rt_fault f;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	bad = cr3 | above;
	__asm__ volatile(RT_GUARDED("mov %0, %%cr3") : : "r"(bad) : "memory");
	f = rt_fault_take();
	if (f.vector != RT_GP_VECTOR || f.error != 0)
		wrong_answer("MOV to CR3 with bit MAXPHYADDR set", "no #GP(0)", f);
	else
		rt_printf("%s: MOV to CR3 with bit MAXPHYADDR set: #GP(0)\n", STUB);
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	unsigned int bits = rt_phys_bits();
	uint64_t above = 1ull << bits;

	(void)ncpus;
	if (cpu != 0)
		return;
	rt_printf("%s: MAXPHYADDR %u, entries for %lx at %lx\n", STUB, bits, above, MAP_BASE);
	if (bits >= 52)
		rt_fail(STUB, "MAXPHYADDR %u leaves no reserved address bit to test", bits);
	build_map(above);
	expect_rsvd("4 KiB PTE for 2^MAXPHYADDR", VA_PTE_ABOVE);
	expect_unbacked("4 KiB PTE for 2^MAXPHYADDR - 4 KiB", VA_PTE_BELOW + 0xffc);
	expect_rsvd("PDE pointing to a page table at 2^MAXPHYADDR", VA_PDE_TABLE);
	expect_rsvd("2 MiB PDE for 2^MAXPHYADDR", VA_PDE_LARGE);
	expect_cr3_gp(above);
	if (wrong)
		rt_fail(STUB, "%u of %u answers wrong", wrong, CHECKS);
	rt_printf("%s: PASS %u of %u: address bits at and above %u are reserved\n", STUB,
		  CHECKS, CHECKS, bits);
}
