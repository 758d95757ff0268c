/* SPDX-License-Identifier: GPL-2.0-only */
/* The CPUID a vCPU sees: what KVM supports, adjusted by ursa's policy. */
#ifndef URSA_VMM_CPUID_H
#define URSA_VMM_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_cpuid2;

/* KVM_GET_SUPPORTED_CPUID, grown until it fits. NULL with err on failure. */
struct kvm_cpuid2 *cpuid_get_supported(int kvm_fd, char *err, size_t errlen);

/* MAXPHYADDR from leaf 0x80000008 EAX[7:0]; 36 without that leaf (SDM Vol.
 * 3A 4.1.4). */
unsigned int cpuid_phys_bits(const struct kvm_cpuid2 *cpuid);

/* Whether the table offers the guest hardware virtualization: VMX (leaf 1
 * ECX[5]) or SVM (leaf 0x80000001 ECX[2]). KVM reports it only when its
 * vendor module allows nested guests (kvm_amd/kvm_intel nested=1). */
bool cpuid_has_virtualization(const struct kvm_cpuid2 *cpuid);

/*
 * A copy of supported with ursa's policy for vCPU index applied:
 *   - the initial APIC ID (leaf 1 EBX[31:24]) and x2APIC IDs (leaves 0xB,
 *     0x1F EDX) are the vCPU index;
 *   - leaf 1 ECX[31] says a hypervisor is present;
 *   - leaf 0x80000008 EAX[7:0] is phys_bits and EAX[23:16] is 0, so the
 *     guest's nested guests get the same width;
 *   - unless nested, VMX and SVM are hidden (and leaf 0x8000000A, SVM's
 *     revision and features, zeroed): a guest that cannot be a hypervisor
 *     cannot reach KVM's nested-virtualization code, a large attack
 *     surface that an edge VM rarely needs (--nested opens it).
 * NULL when out of memory.
 */
struct kvm_cpuid2 *cpuid_for_vcpu(const struct kvm_cpuid2 *supported,
				  unsigned int index, unsigned int phys_bits,
				  bool nested);

#endif
