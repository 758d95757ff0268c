// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/cpuid.h"
#include "vmm/kvm_uapi.h"
#include "vmm/log.h"

#define CPUID_LEAF_FEATURES	0x1
#define CPUID_LEAF_TOPOLOGY	0xb
#define CPUID_LEAF_TOPOLOGY_V2	0x1f
#define CPUID_LEAF_ADDR_SIZES	0x80000008
#define CPUID_1_ECX_HYPERVISOR	(1u << 31)

static size_t cpuid_bytes(unsigned int nent)
{
	return sizeof(struct kvm_cpuid2) + nent * sizeof(struct kvm_cpuid_entry2);
}

struct kvm_cpuid2 *cpuid_get_supported(int kvm_fd, char *err, size_t errlen)
{
	for (unsigned int nent = 64; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *c = calloc(1, cpuid_bytes(nent));

		if (!c)
			break;
		c->nent = nent;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c))
			return c;
		free(c);
		/* E2BIG: the array was too small; anything else is final. */
		if (errno != E2BIG) {
			set_error(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s",
				  strerror(errno));
			return NULL;
		}
	}
	set_error(err, errlen, "KVM_GET_SUPPORTED_CPUID: no memory for the table");
	return NULL;
}

unsigned int cpuid_phys_bits(const struct kvm_cpuid2 *cpuid)
{
	for (unsigned int i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == CPUID_LEAF_ADDR_SIZES)
			return cpuid->entries[i].eax & 0xff;
	return 36;
}

struct kvm_cpuid2 *cpuid_for_vcpu(const struct kvm_cpuid2 *supported,
				  unsigned int index, unsigned int phys_bits)
{
	struct kvm_cpuid2 *c = malloc(cpuid_bytes(supported->nent));

	if (!c)
		return NULL;
	memcpy(c, supported, cpuid_bytes(supported->nent));
	for (unsigned int i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case CPUID_LEAF_FEATURES:
			e->ebx = (e->ebx & 0x00ffffff) | index << 24;
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			break;
		case CPUID_LEAF_TOPOLOGY:
		case CPUID_LEAF_TOPOLOGY_V2:
			e->edx = index;
			break;
		case CPUID_LEAF_ADDR_SIZES:
			e->eax = (e->eax & ~0x00ff00ffu) | phys_bits;
			break;
		}
	}
	return c;
}
