// SPDX-License-Identifier: GPL-2.0-only
/*
 * svm-rax (seed 002): how a hypervisor emulates the address check of
 * VMRUN, VMLOAD and VMSAVE for its guest. Each takes a VMCB's physical
 * address in rAX and raises #GP when it is not below MAXPHYADDR (APM Vol.
 * 3, VMRUN, VMLOAD, VMSAVE: "#GP ... rAX referenced a physical address
 * above the maximum supported physical address"); KVM intercepts all
 * three and must check rAX itself, against the vCPU's MAXPHYADDR, which
 * can be below the host CPU's (ursa --phys-bits; kvm_amd with npt=0
 * allows it) so the CPU's own check lets such an address through. And it
 * must read rAX as the instruction does: in compatibility mode the address
 * size is 32 bits and RAX[63:32] does not count. Run with --nested (the
 * guest sees SVM) on one vCPU; three rounds of the three instructions:
 *   - 64-bit mode, valid VMCBs: no fault (VMSAVE writes this vCPU's TR
 *     selector into the VMCB, VMRUN of an all-zero VMCB ends at once with
 *     VMEXIT_INVALID, since its VMRUN intercept is clear);
 *   - 64-bit mode, rAX = 2^MAXPHYADDR: #GP each time;
 *   - compatibility mode, the same VMCBs with RAX[63:32] set: no fault,
 *     the same results as the first round. Debian's 6.12 KVM takes the
 *     whole of RAX from its VMCB (vmload_vmsave_interception(),
 *     nested_svm_vmrun()), finds no memslot there and raises #GP; Yosry
 *     Ahmed's "KVM: SVM: Move RAX legality check to SVM insn interception
 *     handlers" reads it with kvm_register_read(), which truncates it
 *     outside 64-bit mode (kernel/patches/6.12-svm-rax/).
 * Prints "svm-rax: PASS ..." and halts (status 0), or each wrong answer
 * and "svm-rax: FAIL ..." (status 3); "svm-rax: REFUSED ..." (status 5)
 * without SVM.
 */
#include "../rt/rt.h"
#include "svm/svm.h"

#define STUB		"svm-rax"
#define REFUSED		2	/* exit code: status 5 */
#define RAX_HIGH_GARBAGE 0x5a5a5a5a00000000ull

enum svm_insn { VMSAVE, VMLOAD, VMRUN };
static const char *const insn_name[] = { "VMSAVE", "VMLOAD", "VMRUN" };

/* state: what VMSAVE writes and VMLOAD reads back; run: VMRUN's. */
static uint8_t state[SVM_PAGE] __attribute__((aligned(SVM_PAGE)));
static uint8_t run[SVM_PAGE] __attribute__((aligned(SVM_PAGE)));
static uint8_t hsave[SVM_PAGE] __attribute__((aligned(SVM_PAGE)));
static uint16_t code32;
static unsigned int wrong;

static void exec64(enum svm_insn insn, uint64_t rax)
{
	switch (insn) {
	case VMSAVE:
		__asm__ volatile(RT_GUARDED("vmsave %%rax") : : "a"(rax) : "memory");
		break;
	case VMLOAD:
		__asm__ volatile(RT_GUARDED("vmload %%rax") : : "a"(rax) : "memory");
		break;
	case VMRUN:
		__asm__ volatile(RT_GUARDED("vmrun %%rax") : : "a"(rax) : "memory");
		break;
	}
}

static void exec_compat(enum svm_insn insn, uint64_t rax)
{
	static void (*const fn[])(uint64_t, uint64_t) = {
		svm_compat_vmsave, svm_compat_vmload, svm_compat_vmrun,
	};

	fn[insn](rax, code32);
}

static uint16_t tr_selector(void)
{
	uint16_t tr;

	__asm__ volatile("str %0" : "=r"(tr));
	return tr;
}

static void report(const char *round, enum svm_insn insn, const char *what,
		   uint64_t rax, uint64_t detail)
{
	rt_printf("%s: %s %s with rAX %lx: %s (%lx)\n", STUB, round,
		  insn_name[insn], rax, what, detail);
	wrong++;
}

/*
 * One instruction that must work: VMSAVE must leave this vCPU's TR
 * selector in the state page (VMLOAD then loads back what it saved, so
 * it changes nothing), VMRUN must end with VMEXIT_INVALID.
 */
static void expect_ok(const char *round, enum svm_insn insn, uint64_t rax,
		      bool compat)
{
	struct rt_fault f;

	if (insn == VMSAVE)
		vmcb_write64(state, VMCB_TR_SELECTOR, ~0ull);
	if (insn == VMRUN)
		vmcb_write64(run, VMCB_EXITCODE, 0);
	(compat ? exec_compat : exec64)(insn, rax);
	f = rt_fault_take();
	if (insn == VMRUN)
		svm_stgi();
	if (f.vector != RT_NO_FAULT) {
		report(round, insn, "raised an exception where none is due, vector", rax,
		       f.vector);
		return;
	}
	if (insn == VMSAVE && (uint16_t)vmcb_read64(state, VMCB_TR_SELECTOR) != tr_selector())
		report(round, insn, "did not save TR, VMCB TR selector", rax,
		       vmcb_read64(state, VMCB_TR_SELECTOR));
	if (insn == VMRUN && vmcb_read64(run, VMCB_EXITCODE) != SVM_EXIT_INVALID)
		report(round, insn, "did not end in VMEXIT_INVALID, exit code", rax,
		       vmcb_read64(run, VMCB_EXITCODE));
}

static void expect_gp(const char *round, enum svm_insn insn, uint64_t rax)
{
	struct rt_fault f;

	exec64(insn, rax);
	f = rt_fault_take();
	if (insn == VMRUN)
		svm_stgi();
	if (f.vector == RT_NO_FAULT)
		report(round, insn, "raised no #GP, vector", rax, f.vector);
	else if (f.vector != RT_GP_VECTOR || f.error != 0)
		report(round, insn, "raised the wrong exception, vector", rax, f.vector);
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	unsigned int bits = rt_phys_bits();
	uint64_t above = 1ull << bits;

	(void)ncpus;
	if (cpu != 0)
		return;
	if (!svm_enable(hsave))
		rt_end(STUB, "REFUSED", REFUSED, "the vCPU has no SVM (ursa run --nested)");
	code32 = svm_code32_selector();
	if (!code32)
		rt_end(STUB, "REFUSED", REFUSED, "no room in the GDT for a 32-bit segment");
	rt_printf("%s: MAXPHYADDR %u, VMCBs at %lx and %lx, 32-bit code segment %x\n",
		  STUB, bits, (uint64_t)state, (uint64_t)run, code32);

	/* VMSAVE first: VMLOAD must load a state that is this vCPU's own. */
	expect_ok("64-bit", VMSAVE, (uint64_t)state, false);
	expect_ok("64-bit", VMLOAD, (uint64_t)state, false);
	expect_ok("64-bit", VMRUN, (uint64_t)run, false);

	expect_gp("above MAXPHYADDR", VMSAVE, above);
	expect_gp("above MAXPHYADDR", VMLOAD, above);
	expect_gp("above MAXPHYADDR", VMRUN, above);

	expect_ok("compatibility-mode", VMSAVE, RAX_HIGH_GARBAGE | (uint64_t)state, true);
	expect_ok("compatibility-mode", VMLOAD, RAX_HIGH_GARBAGE | (uint64_t)state, true);
	expect_ok("compatibility-mode", VMRUN, RAX_HIGH_GARBAGE | (uint64_t)run, true);

	if (wrong)
		rt_fail(STUB, "%u of 9 answers wrong", wrong);
	rt_printf("%s: PASS 9 of 9: valid VMCBs work in 64-bit and compatibility mode, "
		  "rAX = 2^%u raises #GP\n", STUB, bits);
}
