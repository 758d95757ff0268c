// SPDX-License-Identifier: GPL-2.0-only
/*
 * npf-stage (seed 003): what a nested page fault tells the hypervisor
 * about where its guest's access failed. The stub is a hypervisor with
 * nested paging (ursa --nested) whose guest reads a byte through a
 * linear address L2_GVA; the guest's page table for that address (its
 * "PT page") and the byte's page (the "final page") are both mapped by
 * the stub's nested page table, one 4 KiB entry each, and one round
 * takes one of them away. The #VMEXIT(NPF) must then say which: EXITINFO1
 * bit 33 for a fault on a guest page-table access, bit 32 for the final
 * access (APM Vol. 2 15.25.6), with EXITINFO2 in the page that is gone.
 *
 * The guest reads the byte in two ways. A MOV is done by the CPU, so the
 * answer is the CPU's (QEMU's SVM in the nested test machine), which KVM
 * passes on. An OUTSB to a port the stub does not intercept is emulated
 * by KVM (io_interception(), string I/O), and a fault in that emulation
 * is injected by nested_svm_inject_npf_exit(): in Debian's 6.12 that
 * sets bit 32 whatever the walk was doing (its "TODO: track the cause of
 * the nested page fault"), so the OUTSB round with the PT page gone gets
 * the wrong answer. Kevin Cheng's "KVM: SVM: Fix nested NPF injection to
 * set PFERR_GUEST_{PAGE,FINAL}_MASK" fixes it (kernel/patches/6.12-npf-stage/).
 *
 * Six rounds: each instruction with everything mapped (the guest must
 * reach its VMMCALL), with the PT page gone, with the final page gone.
 * Prints "npf-stage: PASS 6 of 6 ..." and halts (status 0), or each wrong
 * answer and "npf-stage: FAIL ..." (status 3); "npf-stage: REFUSED ..."
 * (status 5) without SVM. One vCPU.
 */
#include "../rt/rt.h"
#include "../rt/paging.h"
#include "svm/svm.h"

#define STUB		"npf-stage"
#define REFUSED		2		/* exit code: status 5 */
#define ROUNDS		6
#define L2_GVA		0x8000000000	/* PML4 slot 1: empty in ursa's map */
#define L2_PORT		0x80		/* nothing decodes it: writes are dropped */

/* A nested page table's entries must all allow user access: every guest
 * access counts as one there (APM Vol. 2 15.25.5). */
#define PTE_TABLE	(PTE_PRESENT | PTE_WRITE | PTE_USER)
#define NPT_GIB		4		/* guest-physical memory mapped, identity */

#define STR_(x)		#x
#define STR(x)		STR_(x)

/*
 * The guest: each routine reads the byte at L2_GVA and ends with VMMCALL.
 * Entered by VMRUN with RSP set and nothing else (its other registers are
 * the stub's), it sets what it uses.
 */
void l2_mov(void);
void l2_outsb(void);
__asm__(".text\n"
	"l2_mov:\n"
	"	movabs	$" STR(L2_GVA) ", %rsi\n"
	"	movb	(%rsi), %cl\n"
	"	vmmcall\n"
	"l2_outsb:\n"
	"	movabs	$" STR(L2_GVA) ", %rsi\n"
	"	mov	$" STR(L2_PORT) ", %dx\n"
	"	outsb\n"
	"	vmmcall\n");

/* The nested page table: 2 MiB pages but for the 2 MiB that hold target,
 * which npt_pt maps page by page. */
static uint64_t npt_pml4[TABLE_ENTRIES] PAGE_ALIGNED;
static uint64_t npt_pdpt[TABLE_ENTRIES] PAGE_ALIGNED;
static uint64_t npt_pd[NPT_GIB][TABLE_ENTRIES] PAGE_ALIGNED;
static uint64_t npt_pt[TABLE_ENTRIES] PAGE_ALIGNED;

/* The guest's page tables: the stub's own, plus L2_GVA -> target.page. */
static uint64_t l2_pml4[TABLE_ENTRIES] PAGE_ALIGNED;
static uint64_t l2_pdpt[TABLE_ENTRIES] PAGE_ALIGNED;
static uint64_t l2_pd[TABLE_ENTRIES] PAGE_ALIGNED;
/* The two pages a round takes away, in one 8 KiB block so that one 2 MiB
 * page of the nested table holds both. */
static struct {
	uint64_t pt[TABLE_ENTRIES];		/* the PT page: maps L2_GVA */
	uint8_t page[SVM_PAGE];		/* the final page */
} target __attribute__((aligned(2 * SVM_PAGE)));

static uint8_t vmcb[SVM_PAGE] PAGE_ALIGNED;
static uint8_t hsave[SVM_PAGE] PAGE_ALIGNED;
static uint8_t iopm[SVM_IOPM_SIZE] PAGE_ALIGNED;
static uint8_t msrpm[SVM_MSRPM_SIZE] PAGE_ALIGNED;
static uint8_t l2_stack[SVM_PAGE] PAGE_ALIGNED;

static void build_npt(void)
{
	uint64_t split = (uint64_t)&target & ~(LARGE_PAGE - 1);

	npt_pml4[0] = (uint64_t)npt_pdpt | PTE_TABLE;
	for (uint64_t gib = 0; gib < NPT_GIB; gib++) {
		npt_pdpt[gib] = (uint64_t)npt_pd[gib] | PTE_TABLE;
		for (uint64_t i = 0; i < TABLE_ENTRIES; i++)
			npt_pd[gib][i] = ((gib << 30) | (i << 21)) | PTE_TABLE | PTE_LARGE;
	}
	for (uint64_t i = 0; i < TABLE_ENTRIES; i++)
		npt_pt[i] = (split + i * SVM_PAGE) | PTE_TABLE;
	npt_pd[split >> 30][TABLE_INDEX(split, 2)] = (uint64_t)npt_pt | PTE_TABLE;
}

static void build_l2_tables(void)
{
	uint64_t cr3;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	__builtin_memcpy(l2_pml4, (const void *)(cr3 & PTE_ADDR_MASK), sizeof(l2_pml4));
	l2_pml4[TABLE_INDEX(L2_GVA, 4)] = (uint64_t)l2_pdpt | PTE_TABLE;
	l2_pdpt[TABLE_INDEX(L2_GVA, 3)] = (uint64_t)l2_pd | PTE_TABLE;
	l2_pd[TABLE_INDEX(L2_GVA, 2)] = (uint64_t)target.pt | PTE_TABLE;
	target.pt[TABLE_INDEX(L2_GVA, 1)] = (uint64_t)target.page | PTE_TABLE;
}

/* The nested table's entry for the page at gpa, inside target's 2 MiB. */
static uint64_t *npt_entry(const void *gpa)
{
	return &npt_pt[TABLE_INDEX((uint64_t)gpa, 1)];
}

enum gone { NOTHING, PT_PAGE, FINAL_PAGE };
static const char *const gone_name[] = {
	"everything mapped", "PT page not mapped", "final page not mapped",
};

static unsigned int wrong;

static void report(const char *insn, enum gone gone, const char *what,
		   uint64_t exitcode, uint64_t info1, uint64_t info2)
{
	rt_printf("%s: %s, %s: %s (exit code %lx, EXITINFO1 %lx, EXITINFO2 %lx)\n",
		  STUB, insn, gone_name[gone], what, exitcode, info1, info2);
	wrong++;
}

/*
 * One round: run the guest from entry with the nested table's entry for
 * the page gone cleared (none for NOTHING), and check its #VMEXIT.
 * Writing the nested table while no guest runs and flushing the TLB at
 * VMRUN is how a hypervisor changes it (APM Vol. 2 15.16.1).
 */
static void run_round(const char *insn, void (*entry)(void), enum gone gone)
{
	const void *page = gone == PT_PAGE ? (const void *)target.pt : target.page;
	uint64_t *npte = npt_entry(page);
	uint64_t saved = *npte, exitcode, info1, info2, stage;

	svm_vmcb_guest64(vmcb, (uint64_t)l2_pml4, (uint64_t)entry,
			 (uint64_t)l2_stack + sizeof(l2_stack), iopm, msrpm);
	vmcb_write64(vmcb, VMCB_NESTED_CTL, NESTED_CTL_NP_ENABLE);
	vmcb_write64(vmcb, VMCB_N_CR3, (uint64_t)npt_pml4);
	vmcb_write8(vmcb, VMCB_TLB_CONTROL, TLB_CONTROL_FLUSH_ALL);
	if (gone != NOTHING)
		*npte = 0;
	svm_vmrun_guest(vmcb);
	*npte = saved;

	exitcode = vmcb_read64(vmcb, VMCB_EXITCODE);
	info1 = vmcb_read64(vmcb, VMCB_EXITINFO1);
	info2 = vmcb_read64(vmcb, VMCB_EXITINFO2);
	if (gone == NOTHING) {
		if (exitcode != SVM_EXIT_VMMCALL)
			report(insn, gone, "the guest did not reach its VMMCALL",
			       exitcode, info1, info2);
		else
			rt_printf("%s: %s, %s: right (VMMCALL)\n", STUB, insn, gone_name[gone]);
		return;
	}
	if (exitcode != SVM_EXIT_NPF) {
		report(insn, gone, "no nested page fault", exitcode, info1, info2);
		return;
	}
	stage = info1 & (NPF_GUEST_PAGE | NPF_GUEST_FINAL);
	if (stage != (gone == PT_PAGE ? NPF_GUEST_PAGE : NPF_GUEST_FINAL))
		report(insn, gone, stage == NPF_GUEST_FINAL ? "reported as the final access" :
		       stage == NPF_GUEST_PAGE ? "reported as a page-table access" :
		       "neither or both of EXITINFO1 bits 32 and 33",
		       exitcode, info1, info2);
	else if ((info2 & PTE_ADDR_MASK) != (uint64_t)page)
		report(insn, gone, "EXITINFO2 is not in the page that is gone",
		       exitcode, info1, info2);
	else
		rt_printf("%s: %s, %s: right (EXITINFO1 %lx, EXITINFO2 %lx)\n",
			  STUB, insn, gone_name[gone], info1, info2);
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	static const struct {
		const char *insn;
		void (*entry)(void);
	} insns[] = { { "MOV", l2_mov }, { "OUTSB", l2_outsb } };

	(void)ncpus;
	if (cpu != 0)
		return;
	if (!svm_enable(hsave))
		rt_end(STUB, "REFUSED", REFUSED, "the vCPU has no SVM (ursa run --nested)");
	build_npt();
	build_l2_tables();
	rt_printf("%s: guest reads %lx: PT page %lx, final page %lx\n", STUB,
		  L2_GVA, (uint64_t)target.pt, (uint64_t)target.page);
	for (unsigned int i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		run_round(insns[i].insn, insns[i].entry, NOTHING);
		run_round(insns[i].insn, insns[i].entry, PT_PAGE);
		run_round(insns[i].insn, insns[i].entry, FINAL_PAGE);
	}
	if (wrong)
		rt_fail(STUB, "%u of %u answers wrong", wrong, ROUNDS);
	rt_printf("%s: PASS %u of %u: each nested page fault names the page-table or the final access\n",
		  STUB, ROUNDS, ROUNDS);
}
