/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Booting a guest stub: lay the image, boot information, GDT, page tables
 * and per-vCPU areas into guest RAM, then put each vCPU straight into
 * 64-bit mode at the stub's entry (the contract is guest/stub_abi.h).
 */
#ifndef URSA_VMM_BOOT_STUB_H
#define URSA_VMM_BOOT_STUB_H

#include <stddef.h>
#include <stdint.h>

struct guest_memory;
struct stub_image;

struct stub_boot_plan {
	uint64_t entry;
	uint64_t boot_info_gpa;
	uint64_t cpu_blocks_gpa;	/* vCPU i's block: + i * STUB_CPU_BLOCK_SIZE */
	unsigned int ncpus;
};

/* Validate the image and write everything into guest RAM. 0, or -1 with err. */
int stub_boot_prepare(struct guest_memory *mem, const struct stub_image *img,
		      const char *name, unsigned int ncpus, const char *cmdline,
		      struct stub_boot_plan *plan, char *err, size_t errlen);

/* Set the registers of vCPU index for entry. 0, or -1 with err. */
int stub_boot_vcpu(const struct stub_boot_plan *plan, unsigned int index,
		   int vcpu_fd, char *err, size_t errlen);

#endif
