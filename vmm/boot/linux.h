/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Booting a Linux bzImage through its 64-bit entry point (the x86 boot
 * protocol, Documentation/arch/x86/boot.rst, version 2.12 or later): the
 * protected-mode kernel, initrd, command line and zero page (struct
 * boot_params with the e820 map) go into guest RAM, and vCPU 0 starts at
 * the kernel's startup_64 with an identity map and a flat GDT. The other
 * vCPUs wait for INIT/SIPI in the in-kernel LAPIC.
 */
#ifndef URSA_VMM_BOOT_LINUX_H
#define URSA_VMM_BOOT_LINUX_H

#include <asm/bootparam.h>
#include <stddef.h>
#include <stdint.h>

struct guest_memory;
struct layout;

/* What the image's setup header says, checked. */
struct linux_image {
	struct setup_header hdr;
	size_t hdr_len;			/* bytes of it to copy into boot_params */
	const uint8_t *kernel;		/* the protected-mode kernel */
	size_t kernel_size;
	uint64_t load_gpa;		/* where it must (or prefers to) run */
	uint64_t footprint;		/* bytes it needs from load_gpa (init_size) */
};

/* Parse a bzImage in memory. 0, or -1 with a one-line reason. Pure. */
int linux_parse(const uint8_t *data, size_t size, struct linux_image *img,
		char *err, size_t errlen);

struct linux_boot_plan {
	uint64_t entry;
	uint64_t boot_params_gpa;
	uint64_t initrd_gpa;		/* 0 without an initrd */
	uint64_t initrd_size;
};

/*
 * Read the kernel (and initrd, if initrd_path is not NULL) and lay out
 * guest RAM for booting it with cmdline; rsdp_gpa (0 for none) goes into
 * boot_params. 0, or -1 with a one-line reason naming the file.
 */
int linux_boot_prepare(struct guest_memory *mem, const struct layout *layout,
		       const char *kernel_path, const char *initrd_path,
		       const char *cmdline, uint64_t rsdp_gpa,
		       struct linux_boot_plan *plan, char *err, size_t errlen);

/* Registers of the boot vCPU (index 0) for the 64-bit entry. */
int linux_boot_vcpu(const struct linux_boot_plan *plan, int vcpu_fd,
		    char *err, size_t errlen);

#endif
