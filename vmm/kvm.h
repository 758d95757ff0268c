/* SPDX-License-Identifier: GPL-2.0-only */
/* /dev/kvm: opening it, and what ursa requires of it. */
#ifndef URSA_VMM_KVM_H
#define URSA_VMM_KVM_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/config.h"

struct kvm_cpuid2;

struct kvm_host {
	int fd;
	int vcpu_mmap_size;
	bool has_memory_fault_info;	/* KVM_CAP_MEMORY_FAULT_INFO */
	bool has_user_memory2;		/* KVM_SET_USER_MEMORY_REGION2 */
	struct kvm_cpuid2 *supported_cpuid;
	struct host_limits limits;
};

/* The device node: $URSA_KVM_DEVICE if set (tests use it), else /dev/kvm. */
const char *kvm_device_path(void);

/* Open and check the device. Returns 0, or -1 with a one-line err. */
int kvm_open(struct kvm_host *kvm, char *err, size_t errlen);
void kvm_close(struct kvm_host *kvm);

/* A capability some part of ursa needs, named for the error message. */
struct kvm_cap {
	long cap;
	const char *name;
};

#define KVM_CAP_ENTRY(cap)	{ cap, #cap }

/* Name of the first of caps[0..n) that check() reports absent, or NULL.
 * check() has KVM_CHECK_EXTENSION semantics. */
const char *kvm_first_missing(const struct kvm_cap *caps, size_t n,
			      int (*check)(void *opaque, long cap), void *opaque);

/* The same over the capabilities every VM of ursa's needs. */
const char *kvm_missing_capability(int (*check)(void *opaque, long cap),
				   void *opaque);

/* The first of caps[0..n) this host's KVM lacks, or NULL. */
const char *kvm_host_lacks(const struct kvm_host *kvm, const struct kvm_cap *caps,
			   size_t n);

/* When /dev/kvm cannot be opened, the command line is still checked
 * against these; running then fails with the open error. */
extern const struct host_limits kvm_architectural_limits;

#endif
