// SPDX-License-Identifier: GPL-2.0-only
/* CPUID policy and the capability check, on synthetic tables. */
#include <stdlib.h>

#include "check.h"
#include "vmm/cpuid.h"
#include "vmm/kvm.h"
#include "vmm/kvm_uapi.h"

static struct kvm_cpuid2 *table(void)
{
	static const struct kvm_cpuid_entry2 entries[] = {
		{ .function = 0x1, .eax = 0xa20f10, .ebx = 0x07020800, .ecx = 0x7ed8322b },
		{ .function = 0xb, .index = 0, .eax = 1, .ebx = 2, .ecx = 0x100, .edx = 7 },
		{ .function = 0xb, .index = 1, .eax = 4, .ebx = 8, .ecx = 0x201, .edx = 7 },
		{ .function = 0x80000008, .eax = 0x00303030 },
		{ .function = 0x80000001, .ecx = 0x00000ff7 },	/* SVM (bit 2) */
		{ .function = 0x8000000a, .eax = 1, .ebx = 8, .edx = 0x1b },
	};
	size_t n = sizeof(entries) / sizeof(entries[0]);
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + sizeof(entries));

	c->nent = n;
	memcpy(c->entries, entries, sizeof(entries));
	return c;
}

static void test_policy(void)
{
	struct kvm_cpuid2 *sup = table();
	struct kvm_cpuid2 *c = cpuid_for_vcpu(sup, 5, 39, false);

	CHECK_EQ_U64(cpuid_phys_bits(sup), 48);
	CHECK_EQ_U64(cpuid_phys_bits(c), 39);
	CHECK_EQ_U64(c->entries[0].ebx, 0x05020800);	/* APIC ID 5, rest kept */
	CHECK(c->entries[0].ecx & (1u << 31));		/* hypervisor bit */
	CHECK_EQ_U64(c->entries[0].eax, 0xa20f10);
	CHECK_EQ_U64(c->entries[1].edx, 5);
	CHECK_EQ_U64(c->entries[2].edx, 5);
	CHECK_EQ_U64(c->entries[2].ecx, 0x201);
	/* PhysAddrSize 39, GuestPhysAddrSize 0 (= same), LinAddrSize kept. */
	CHECK_EQ_U64(c->entries[3].eax, 0x00003027);
	/* No SVM (nor VMX, leaf 1 ECX[5]) without --nested. */
	CHECK(cpuid_has_virtualization(sup));
	CHECK(!cpuid_has_virtualization(c));
	CHECK_EQ_U64(c->entries[0].ecx, 0x7ed8320b | 1u << 31);	/* no VMX */
	CHECK_EQ_U64(c->entries[4].ecx, 0x00000ff3);
	CHECK_EQ_U64(c->entries[5].eax | c->entries[5].ebx | c->entries[5].edx, 0);
	/* The supported table itself is untouched. */
	CHECK_EQ_U64(sup->entries[0].ebx, 0x07020800);
	free(c);

	c = cpuid_for_vcpu(sup, 0, 39, true);
	CHECK(cpuid_has_virtualization(c));
	CHECK_EQ_U64(c->entries[4].ecx, 0x00000ff7);
	CHECK_EQ_U64(c->entries[5].edx, 0x1b);
	free(c);

	sup->entries[3].function = 0x80000007;
	CHECK_EQ_U64(cpuid_phys_bits(sup), 36);	/* SDM default without the leaf */
	free(sup);
}

static int has_all(void *opaque, long cap)
{
	(void)opaque;
	(void)cap;
	return 1;
}

static int lacks_immediate_exit(void *opaque, long cap)
{
	(void)opaque;
	return cap != KVM_CAP_IMMEDIATE_EXIT;
}

static void test_capabilities(void)
{
	const char *missing;

	CHECK(kvm_missing_capability(has_all, NULL) == NULL);
	missing = kvm_missing_capability(lacks_immediate_exit, NULL);
	CHECK(missing && !strcmp(missing, "KVM_CAP_IMMEDIATE_EXIT"));
}

int main(void)
{
	test_policy();
	test_capabilities();
	return check_report("cpuid");
}
