// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/cpuid.h"
#include "vmm/kvm.h"
#include "vmm/kvm_uapi.h"
#include "vmm/log.h"

/* The only KVM API version there has ever been (Documentation/virt/kvm/api.rst). */
#define KVM_API_VERSION_REQUIRED	12

static const struct kvm_cap required_caps[] = {
	KVM_CAP_ENTRY(KVM_CAP_USER_MEMORY),
	KVM_CAP_ENTRY(KVM_CAP_EXT_CPUID),
	/* Lets ursa stop a vCPU without racing its entry into KVM_RUN. */
	KVM_CAP_ENTRY(KVM_CAP_IMMEDIATE_EXIT),
};

const char *kvm_device_path(void)
{
	const char *p = getenv("URSA_KVM_DEVICE");

	return p && *p ? p : "/dev/kvm";
}

const char *kvm_first_missing(const struct kvm_cap *caps, size_t n,
			      int (*check)(void *opaque, long cap), void *opaque)
{
	for (size_t i = 0; i < n; i++)
		if (check(opaque, caps[i].cap) <= 0)
			return caps[i].name;
	return NULL;
}

const char *kvm_missing_capability(int (*check)(void *opaque, long cap),
				   void *opaque)
{
	return kvm_first_missing(required_caps,
				 sizeof(required_caps) / sizeof(required_caps[0]),
				 check, opaque);
}

static int check_extension(void *opaque, long cap)
{
	return ioctl(*(const int *)opaque, KVM_CHECK_EXTENSION, cap);
}

const char *kvm_host_lacks(const struct kvm_host *kvm, const struct kvm_cap *caps,
			   size_t n)
{
	return kvm_first_missing(caps, n, check_extension, (void *)&kvm->fd);
}

static int open_device(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		set_error(err, errlen, "%s: no such device (is KVM enabled? load kvm_intel or kvm_amd)",
			  path);
	else if (errno == EACCES || errno == EPERM)
		set_error(err, errlen, "%s: permission denied (ursa needs read-write access; join group 'kvm')",
			  path);
	else
		set_error(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

int kvm_open(struct kvm_host *kvm, char *err, size_t errlen)
{
	const char *path = kvm_device_path();
	const char *missing;
	int version, max_vcpus;

	*kvm = (struct kvm_host){ .fd = -1 };
	kvm->fd = open_device(path, err, errlen);
	if (kvm->fd < 0)
		return -1;
	version = ioctl(kvm->fd, KVM_GET_API_VERSION, 0);
	if (version < 0) {
		set_error(err, errlen, "%s: not a KVM device (KVM_GET_API_VERSION: %s)",
			  path, strerror(errno));
		goto fail;
	}
	if (version != KVM_API_VERSION_REQUIRED) {
		set_error(err, errlen, "%s: KVM API version %d, ursa needs %d", path,
			  version, KVM_API_VERSION_REQUIRED);
		goto fail;
	}
	missing = kvm_missing_capability(check_extension, &kvm->fd);
	if (missing) {
		set_error(err, errlen, "%s: KVM lacks %s, which ursa requires", path,
			  missing);
		goto fail;
	}
	kvm->vcpu_mmap_size = ioctl(kvm->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
		set_error(err, errlen, "%s: KVM_GET_VCPU_MMAP_SIZE: %s", path,
			  strerror(errno));
		goto fail;
	}
	kvm->has_memory_fault_info =
		check_extension(&kvm->fd, KVM_CAP_MEMORY_FAULT_INFO) > 0;
	kvm->has_user_memory2 = check_extension(&kvm->fd, KVM_CAP_USER_MEMORY2) > 0;
	kvm->supported_cpuid = cpuid_get_supported(kvm->fd, err, errlen);
	if (!kvm->supported_cpuid)
		goto fail;
	kvm->limits.phys_bits = cpuid_phys_bits(kvm->supported_cpuid);
	kvm->limits.nested = cpuid_has_virtualization(kvm->supported_cpuid);
	kvm->limits.smaller_maxphyaddr =
		check_extension(&kvm->fd, KVM_CAP_SMALLER_MAXPHYADDR) > 0;
	/* KVM_CAP_MAX_VCPUS is the hard limit; NR_VCPUS only a recommendation. */
	max_vcpus = check_extension(&kvm->fd, KVM_CAP_MAX_VCPUS);
	if (max_vcpus <= 0)
		max_vcpus = check_extension(&kvm->fd, KVM_CAP_NR_VCPUS);
	if (max_vcpus <= 0)
		max_vcpus = 1;
	kvm->limits.max_vcpus = max_vcpus < URSA_MAX_VCPUS ? max_vcpus : URSA_MAX_VCPUS;
	return 0;
fail:
	kvm_close(kvm);
	return -1;
}

void kvm_close(struct kvm_host *kvm)
{
	free(kvm->supported_cpuid);
	if (kvm->fd >= 0)
		close(kvm->fd);
	*kvm = (struct kvm_host){ .fd = -1 };
}

const struct host_limits kvm_architectural_limits = {
	.max_vcpus = URSA_MAX_VCPUS,
	.phys_bits = 52,	/* SDM Vol. 3A 4.1.4: MAXPHYADDR is at most 52 */
	.nested = true,
	.smaller_maxphyaddr = true,
};
