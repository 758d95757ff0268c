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
#define CPUID_LEAF_EXT_FEATURES	0x80000001
#define CPUID_LEAF_ADDR_SIZES	0x80000008
#define CPUID_LEAF_SVM		0x8000000a
#define CPUID_1_ECX_VMX		(1u << 5)	/* SDM Vol. 2A CPUID, table 3-10 */
#define CPUID_1_ECX_HYPERVISOR	(1u << 31)
#define CPUID_EXT_ECX_SVM	(1u << 2)	/* APM Vol. 3 E.4.2 */

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


static const struct kvm_cpuid_entry2 *find_leaf(const struct kvm_cpuid2 *cpuid,
						 uint32_t function)
{
	for (unsigned int i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == function)
			return &cpuid->entries[i];
	return NULL;
}

unsigned int cpuid_phys_bits(const struct kvm_cpuid2 *cpuid)
{
	const struct kvm_cpuid_entry2 *e = find_leaf(cpuid, CPUID_LEAF_ADDR_SIZES);

	return e ? e->eax & 0xff : 36;
}

bool cpuid_has_virtualization(const struct kvm_cpuid2 *cpuid)
{
	const struct kvm_cpuid_entry2 *std = find_leaf(cpuid, CPUID_LEAF_FEATURES);
	const struct kvm_cpuid_entry2 *ext = find_leaf(cpuid, CPUID_LEAF_EXT_FEATURES);

	return (std && std->ecx & CPUID_1_ECX_VMX) ||
	       (ext && ext->ecx & CPUID_EXT_ECX_SVM);
}

struct kvm_cpuid2 *cpuid_for_vcpu(const struct kvm_cpuid2 *supported,
				  unsigned int index, unsigned int phys_bits,
				  bool nested)
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
			if (!nested)
				e->ecx &= ~CPUID_1_ECX_VMX;
			break;
		case CPUID_LEAF_EXT_FEATURES:
			if (!nested)
				e->ecx &= ~CPUID_EXT_ECX_SVM;
			break;
		case CPUID_LEAF_SVM:
			/* Revision, ASIDs, features: reserved without SVM. */
			if (!nested)
				e->eax = e->ebx = e->ecx = e->edx = 0;
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
