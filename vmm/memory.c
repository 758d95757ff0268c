// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/kvm_uapi.h"
#include "vmm/log.h"
#include "vmm/memory.h"

#define PAGE_MASK_4K	0xfffull

int memory_create(struct guest_memory *mem, const struct layout *layout,
		  char *err, size_t errlen)
{
	uint64_t offset = 0;

	*mem = (struct guest_memory){ .memfd = -1, .gpa_limit = layout->gpa_limit };
	for (unsigned int i = 0; i < layout->nr_ram; i++)
		mem->total += layout->ram[i].size;
	mem->memfd = memfd_create("ursa-ram", MFD_CLOEXEC);
	if (mem->memfd < 0 || ftruncate(mem->memfd, mem->total)) {
		set_error(err, errlen, "guest RAM: %s", strerror(errno));
		goto fail;
	}
	/* MAP_NORESERVE: pages are allocated when the guest touches them. */
	mem->base = mmap(NULL, mem->total, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_NORESERVE, mem->memfd, 0);
	if (mem->base == MAP_FAILED) {
		mem->base = NULL;
		set_error(err, errlen, "guest RAM: mapping %" PRIu64 " MiB: %s",
			  mem->total >> 20, strerror(errno));
		goto fail;
	}
	for (unsigned int i = 0; i < layout->nr_ram; i++) {
		mem->ranges[i] = (struct guest_ram_range){
			.gpa = layout->ram[i].gpa,
			.size = layout->ram[i].size,
			.hva = mem->base + offset,
		};
		offset += layout->ram[i].size;
	}
	mem->nr_ranges = layout->nr_ram;
	mem->next_slot = layout->nr_ram;
	return 0;
fail:
	memory_destroy(mem);
	return -1;
}

void memory_destroy(struct guest_memory *mem)
{
	if (mem->inaccessible)
		munmap(mem->inaccessible, mem->inaccessible_size);
	if (mem->base)
		munmap(mem->base, mem->total);
	if (mem->memfd >= 0)
		close(mem->memfd);
	*mem = (struct guest_memory){ .memfd = -1 };
}

void *gpa_to_hva(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < mem->nr_ranges; i++) {
		const struct guest_ram_range *r = &mem->ranges[i];
		uint64_t off;

		if (gpa < r->gpa)
			continue;
		off = gpa - r->gpa;
		/* Written so that no sum can wrap around. */
		if (off < r->size && len <= r->size - off)
			return r->hva + off;
	}
	return NULL;
}

int kvm_set_memslot(int vm_fd, bool use_region2, uint32_t slot, uint64_t gpa,
		    uint64_t size, void *hva, uint64_t gpa_limit)
{
	/*
	 * KVM_SET_USER_MEMORY_REGION reads only the leading struct
	 * kvm_userspace_memory_region, which region2 starts with.
	 */
	struct kvm_userspace_memory_region2 r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	_Static_assert(offsetof(struct kvm_userspace_memory_region2, userspace_addr) ==
		       offsetof(struct kvm_userspace_memory_region, userspace_addr),
		       "region2 extends region");
	if (!size || (gpa & PAGE_MASK_4K) || (size & PAGE_MASK_4K) ||
	    ((uintptr_t)hva & PAGE_MASK_4K))
		return -EINVAL;
	if (gpa >= gpa_limit || size > gpa_limit - gpa)
		return -ERANGE;
	if (ioctl(vm_fd, use_region2 ? KVM_SET_USER_MEMORY_REGION2 :
					 KVM_SET_USER_MEMORY_REGION, &r))
		return -errno;
	return 0;
}

int kvm_delete_memslot(int vm_fd, bool use_region2, uint32_t slot)
{
	struct kvm_userspace_memory_region2 r = { .slot = slot };

	if (ioctl(vm_fd, use_region2 ? KVM_SET_USER_MEMORY_REGION2 :
					 KVM_SET_USER_MEMORY_REGION, &r))
		return -errno;
	return 0;
}

uint32_t memory_alloc_slot(struct guest_memory *mem)
{
	return mem->next_slot++;
}

static void memslot_error(char *err, size_t errlen, unsigned int slot,
			  uint64_t gpa, uint64_t size, int ret)
{
	set_error(err, errlen, "memslot %u [0x%" PRIx64 ", 0x%" PRIx64 "): %s",
		  slot, gpa, gpa + size,
		  ret == -ERANGE ? "beyond the guest's physical address width" :
				   strerror(-ret));
}

int memory_register(const struct guest_memory *mem, int vm_fd,
		    bool use_region2, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < mem->nr_ranges; i++) {
		const struct guest_ram_range *r = &mem->ranges[i];
		int ret = kvm_set_memslot(vm_fd, use_region2, i, r->gpa, r->size,
					  r->hva, mem->gpa_limit);

		if (ret) {
			memslot_error(err, errlen, i, r->gpa, r->size, ret);
			return -1;
		}
	}
	return 0;
}

int memory_add_inaccessible(struct guest_memory *mem, int vm_fd,
			    bool use_region2, uint64_t gpa, uint64_t size,
			    char *err, size_t errlen)
{
	uint32_t slot = memory_alloc_slot(mem);
	int ret;

	mem->inaccessible = mmap(NULL, size, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem->inaccessible == MAP_FAILED) {
		mem->inaccessible = NULL;
		set_error(err, errlen, "inaccessible memslot: %s", strerror(errno));
		return -1;
	}
	mem->inaccessible_size = size;
	ret = kvm_set_memslot(vm_fd, use_region2, slot, gpa, size,
			      mem->inaccessible, mem->gpa_limit);
	if (ret) {
		memslot_error(err, errlen, slot, gpa, size, ret);
		return -1;
	}
	return 0;
}
