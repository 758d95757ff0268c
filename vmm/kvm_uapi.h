/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM definitions newer than the linux-libc-dev 6.1 headers Debian 12
 * ships. Values are the kernel's ABI (include/uapi/linux/kvm.h); each is
 * only defined here when the installed header lacks it.
 */
#ifndef URSA_VMM_KVM_UAPI_H
#define URSA_VMM_KVM_UAPI_H

#include <stddef.h>
#include <linux/kvm.h>

#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT		39
#endif
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2		231
#endif
#ifndef KVM_CAP_MEMORY_FAULT_INFO
#define KVM_CAP_MEMORY_FAULT_INFO	232
#endif
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE	(1ULL << 3)
#endif

/*
 * run->memory_fault (Linux 6.8+), filled when KVM_RUN fails with EFAULT
 * or EHWPOISON and exit_reason is KVM_EXIT_MEMORY_FAULT. It lives in the
 * exit-reason union, which the old header only knows as 'padding'.
 */
struct ursa_kvm_memory_fault {
	__u64 flags;
	__u64 gpa;
	__u64 size;
};

static inline const struct ursa_kvm_memory_fault *
kvm_run_memory_fault(const struct kvm_run *run)
{
	return (const struct ursa_kvm_memory_fault *)run->padding;
}

_Static_assert(offsetof(struct kvm_run, padding) == 32,
	       "kvm_run exit union at its ABI offset");

/* KVM_SET_USER_MEMORY_REGION2 (Linux 6.8+): the guest_memfd-capable form. */
#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};

#define KVM_SET_USER_MEMORY_REGION2 \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif

#endif
