/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest RAM: one memfd, mapped once, registered with KVM as one memslot
 * per RAM range of the layout. gpa_to_hva() is the only way device and
 * boot code reach guest memory.
 */
#ifndef URSA_VMM_MEMORY_H
#define URSA_VMM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/layout.h"

struct guest_ram_range {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

struct guest_memory {
	int memfd;
	uint8_t *base;		/* host mapping of the whole memfd */
	uint64_t total;
	struct guest_ram_range ranges[LAYOUT_MAX_RAM_RANGES];
	unsigned int nr_ranges;
	uint64_t gpa_limit;	/* 2^MAXPHYADDR of the guest */
	uint32_t next_slot;	/* memslots below are taken */
	void *inaccessible;	/* memory_add_inaccessible()'s mapping */
	uint64_t inaccessible_size;
};

/* Allocate RAM for the layout (no KVM involved). 0, or -1 with err. */
int memory_create(struct guest_memory *mem, const struct layout *layout,
		  char *err, size_t errlen);
void memory_destroy(struct guest_memory *mem);

/*
 * The host address of guest-physical [gpa, gpa + len), or NULL unless the
 * whole span lies inside one RAM range. Overflow-safe for any gpa and len.
 */
void *gpa_to_hva(const struct guest_memory *mem, uint64_t gpa, uint64_t len);

/*
 * Register [gpa, gpa + size) at hva as KVM memslot 'slot'. Refuses
 * (-ERANGE) any span reaching 2^MAXPHYADDR before asking KVM, and
 * unaligned or empty spans (-EINVAL). Returns 0 or a negative errno.
 */
int kvm_set_memslot(int vm_fd, bool use_region2, uint32_t slot, uint64_t gpa,
		    uint64_t size, void *hva, uint64_t gpa_limit);

/* Remove memslot 'slot' (a zero-sized region, api.rst 4.35). Once this
 * returns no vCPU reaches its memory any more. 0 or -errno. */
int kvm_delete_memslot(int vm_fd, bool use_region2, uint32_t slot);

/* A memslot number nobody uses yet; taken for the VM's lifetime. */
uint32_t memory_alloc_slot(struct guest_memory *mem);

/* Register every RAM range; slots 0..nr_ranges-1. */
int memory_register(const struct guest_memory *mem, int vm_fd,
		    bool use_region2, char *err, size_t errlen);

/*
 * A test aid: register [gpa, gpa + size) as the next memslot, backed by a
 * PROT_NONE mapping. A guest access then fails in KVM's fault-in path
 * (hva_to_pfn() finds no usable page), the way an assigned device's BAR
 * does once vfio-pci has zapped it. 0, or -1 with err.
 */
int memory_add_inaccessible(struct guest_memory *mem, int vm_fd,
			    bool use_region2, uint64_t gpa, uint64_t size,
			    char *err, size_t errlen);

#endif
