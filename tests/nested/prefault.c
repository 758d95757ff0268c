// SPDX-License-Identifier: GPL-2.0-only
/*
 * prefault: seed 000's syzkaller program in a checked form. A VM with
 * 8 KiB of memory at GPA 0 and a vCPU that has run (real mode, CS base 0:
 * "mov al, [0x1000]; hlt", so it read GPA 0x1000); then
 * KVM_PRE_FAULT_MEMORY, where KVM offers it (TDP only). KVM's answers must
 * be:
 *   - GPA 0, which a memslot backs: mapped, the whole page consumed;
 *   - GPA 0x1000000000000, the seed's address, above this host's
 *     MAXPHYADDR with no memslot: an error, and no mapping anywhere (the
 *     seed's bug: a 4-level TDP walk drops bit 48 and installs the SPTE
 *     for GPA 0 instead);
 *   - a memslot at that GPA: refused where the host's MAXPHYADDR cannot
 *     reach it (kvm_arch_prepare_memory_region()); where it can, a
 *     pre-fault of it must not land on GPA 0;
 * and the vCPU, run again, must still read GPA 0x1000's own byte.
 *
 * Prints one line per answer and "prefault: PASS" (exit 0), or
 * "prefault: FAIL ..." (exit 1); exit 77 when KVM has no
 * KVM_PRE_FAULT_MEMORY.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Linux 6.11's uapi; Debian 12's headers predate it. */
#ifndef KVM_CAP_PRE_FAULT_MEMORY
#define KVM_CAP_PRE_FAULT_MEMORY 236
struct kvm_pre_fault_memory {
	__u64 gpa;
	__u64 size;
	__u64 flags;
	__u64 padding[5];
};
#define KVM_PRE_FAULT_MEMORY _IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)
#endif

#define MEM_SIZE	0x2000
#define MARKER_GPA	0x1000
#define MARKER		0x5a	/* GPA 0x1000's byte */
#define FAR_MARKER	0xa5	/* the byte of a memslot at SEED_GPA */
#define SEED_GPA	0x1000000000000ull

static int failures;

static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("prefault: wrong: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failures++;
}

static void die(const char *what)
{
	printf("prefault: FAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *guest_memory(uint8_t marker)
{
	/* mov al, [0x1000]; hlt (16-bit code) */
	static const uint8_t code[] = { 0xa0, 0x00, 0x10, 0xf4 };
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		die("mmap");
	memcpy(mem, code, sizeof(code));
	mem[MARKER_GPA] = marker;
	return mem;
}

/* Run the vCPU from GPA 0 to its HLT; the byte it read from GPA 0x1000. */
static int run_once(int vcpu, struct kvm_run *run)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0, .rflags = 2 };

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_SREGS/REGS");
	if (ioctl(vcpu, KVM_RUN, 0))
		die("KVM_RUN");
	if (run->exit_reason != KVM_EXIT_HLT) {
		printf("prefault: FAIL the vCPU exited with reason %u, not HLT\n",
		       run->exit_reason);
		exit(1);
	}
	if (ioctl(vcpu, KVM_GET_REGS, &regs))
		die("KVM_GET_REGS");
	return regs.rax & 0xff;
}

static int pre_fault(int vcpu, uint64_t gpa, uint64_t *left)
{
	struct kvm_pre_fault_memory range = { .gpa = gpa, .size = 0x1000 };
	int r = ioctl(vcpu, KVM_PRE_FAULT_MEMORY, &range);

	*left = range.size;
	return r < 0 ? -errno : 0;
}

static void set_cpuid(int kvm, int vcpu)
{
	struct {
		struct kvm_cpuid2 head;
		struct kvm_cpuid_entry2 entries[256];
	} cpuid = { .head.nent = 256 };

	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) ||
	    ioctl(vcpu, KVM_SET_CPUID2, &cpuid))
		die("KVM_GET_SUPPORTED_CPUID/KVM_SET_CPUID2");
}

int main(void)
{
	struct kvm_userspace_memory_region low = { .slot = 0, .memory_size = MEM_SIZE };
	struct kvm_userspace_memory_region far = {
		.slot = 1, .guest_phys_addr = SEED_GPA, .memory_size = MEM_SIZE,
	};
	int kvm, vm, vcpu, r, byte;
	struct kvm_run *run;
	uint64_t left;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		die("/dev/kvm");
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PRE_FAULT_MEMORY) <= 0) {
		printf("prefault: KVM has no KVM_PRE_FAULT_MEMORY\n");
		return 77;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	low.userspace_addr = (uint64_t)guest_memory(MARKER);
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &low))
		die("KVM_SET_USER_MEMORY_REGION at 0");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE,
		   MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	set_cpuid(kvm, vcpu);

	byte = run_once(vcpu, run);
	if (byte != MARKER)
		fail("before any pre-fault the vCPU read %#x at GPA 0x1000, not %#x", byte, MARKER);

	r = pre_fault(vcpu, 0, &left);
	printf("prefault: GPA 0: %s, %#llx bytes left\n", r ? strerror(-r) : "mapped",
	       (unsigned long long)left);
	if (r || left)
		fail("pre-faulting GPA 0, which memory backs, did not map it");

	r = pre_fault(vcpu, SEED_GPA, &left);
	printf("prefault: GPA %#llx (no memslot): %s\n", SEED_GPA, r ? strerror(-r) : "mapped");
	if (!r)
		fail("pre-faulting GPA %#llx, which nothing backs, succeeded", SEED_GPA);

	far.userspace_addr = (uint64_t)guest_memory(FAR_MARKER);
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &far)) {
		printf("prefault: memslot at %#llx: refused (%s)\n", SEED_GPA, strerror(errno));
	} else {
		r = pre_fault(vcpu, SEED_GPA + MARKER_GPA, &left);
		printf("prefault: memslot at %#llx: accepted; pre-fault: %s\n", SEED_GPA,
		       r ? strerror(-r) : "mapped");
	}

	byte = run_once(vcpu, run);
	printf("prefault: the vCPU reads %#x at GPA 0x1000\n", byte);
	if (byte != MARKER)
		fail("after the pre-faults GPA 0x1000 reads %#x, not its own %#x%s", byte, MARKER,
		     byte == FAR_MARKER ? ": the memslot above MAXPHYADDR, wrapped to 0" : "");
	if (failures) {
		printf("prefault: FAIL %d wrong answers\n", failures);
		return 1;
	}
	printf("prefault: PASS\n");
	return 0;
}
