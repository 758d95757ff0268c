// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/boot/e820.h"
#include "vmm/boot/linux.h"
#include "vmm/boot/longmode.h"
#include "vmm/file.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/memory.h"

/* Guest-physical places below 1 MiB (boot.rst suggests the same area). */
#define GDT_GPA		0x1000
#define BOOT_PARAMS_GPA	0x7000
#define PT_GPA		0x9000	/* LONGMODE_PT_PAGES pages, up to 0xf000 */
#define CMDLINE_GPA	0x20000
#define CMDLINE_ROOM	0x10000

/* The kernel's GDT expectations for the 64-bit entry (boot.rst, "64-bit
 * Boot Protocol"): __BOOT_CS = 0x10, __BOOT_DS = 0x18, both flat. */
#define BOOT_CS		0x10
#define BOOT_DS		0x18

#define SETUP_HDR_OFFSET	0x1f1
#define BOOT_FLAG		0xaa55
#define HDRS_MAGIC		0x53726448	/* "HdrS" */
#define MIN_PROTOCOL		0x020c		/* 2.12: xloadflags, 64-bit entry */
#define TYPE_OF_LOADER_UNDEF	0xff
#define STARTUP_64_OFFSET	0x200		/* from the load address */
#define LOAD_HIGH_MIN		0x100000	/* LOADED_HIGH: 1 MiB */

#define MAX_KERNEL_FILE		(512ull << 20)
#define MAX_INITRD_FILE		(2ull << 30)

int linux_parse(const uint8_t *data, size_t size, struct linux_image *img,
		char *err, size_t errlen)
{
	struct setup_header *h = &img->hdr;
	size_t setup_size;

	memset(img, 0, sizeof(*img));
	if (size < SETUP_HDR_OFFSET + sizeof(*h)) {
		set_error(err, errlen, "%zu bytes is too small for a bzImage", size);
		return -1;
	}
	memcpy(h, data + SETUP_HDR_OFFSET, sizeof(*h));
	if (h->boot_flag != BOOT_FLAG || h->header != HDRS_MAGIC) {
		set_error(err, errlen, "not a bzImage (no boot sector flag or HdrS signature)");
		return -1;
	}
	if (h->version < MIN_PROTOCOL) {
		set_error(err, errlen, "boot protocol %u.%02u is too old: ursa needs 2.12 or later",
			  h->version >> 8, h->version & 0xff);
		return -1;
	}
	if (!(h->xloadflags & XLF_KERNEL_64)) {
		set_error(err, errlen, "the kernel has no 64-bit entry point (XLF_KERNEL_64 clear)");
		return -1;
	}
	if (!(h->loadflags & LOADED_HIGH)) {
		set_error(err, errlen, "the kernel does not load at 1 MiB or above (LOADED_HIGH clear)");
		return -1;
	}
	/* setup_sects == 0 means 4 (boot.rst); the boot sector adds one. */
	setup_size = ((size_t)(h->setup_sects ? h->setup_sects : 4) + 1) * 512;
	if (setup_size + STARTUP_64_OFFSET >= size) {
		set_error(err, errlen, "%zu setup bytes leave no kernel in a %zu-byte file",
			  setup_size, size);
		return -1;
	}
	/* syssize counts the protected-mode kernel in 16-byte paragraphs. */
	if ((uint64_t)h->syssize * 16 > size - setup_size) {
		set_error(err, errlen, "truncated: the header promises %llu bytes of kernel, the file has %zu",
			  (unsigned long long)h->syssize * 16, size - setup_size);
		return -1;
	}
	if (!h->kernel_alignment || (h->kernel_alignment & (h->kernel_alignment - 1)) ||
	    (h->pref_address & (h->kernel_alignment - 1))) {
		set_error(err, errlen, "kernel alignment 0x%x or preferred address 0x%llx is invalid",
			  h->kernel_alignment, (unsigned long long)h->pref_address);
		return -1;
	}
	/* LOADED_HIGH promises a protected-mode kernel at 1 MiB or above;
	 * below it ursa keeps the GDT, zero page, page tables, command line
	 * and ACPI tables, which a lower kernel would overwrite. */
	if (h->pref_address < LOAD_HIGH_MIN) {
		set_error(err, errlen, "preferred load address 0x%llx is below 1 MiB",
			  (unsigned long long)h->pref_address);
		return -1;
	}
	/* The header ends at 0x202 + the jump offset at 0x201 (boot.rst). */
	img->hdr_len = 0x202 + data[0x201] - SETUP_HDR_OFFSET;
	if (img->hdr_len > sizeof(*h))
		img->hdr_len = sizeof(*h);
	img->kernel = data + setup_size;
	img->kernel_size = size - setup_size;
	img->load_gpa = h->pref_address;
	img->footprint = h->init_size > img->kernel_size ? h->init_size : img->kernel_size;
	return 0;
}

static void write_gdt(uint64_t *gdt)
{
	struct kvm_segment cs = longmode_flat_segment(BOOT_CS, SEG_TYPE_CODE_RX, 0, true);
	struct kvm_segment ds = longmode_flat_segment(BOOT_DS, SEG_TYPE_DATA_RW, 0, false);

	gdt[0] = gdt[1] = 0;
	gdt[BOOT_CS >> 3] = longmode_descriptor(&cs);
	gdt[BOOT_DS >> 3] = longmode_descriptor(&ds);
}

static int load_kernel(struct guest_memory *mem, const struct layout *layout,
		       const char *path, struct linux_image *img, char *err,
		       size_t errlen)
{
	uint8_t *file, *dst;
	uint64_t size;
	char why[256];
	int fd, ret = -1;

	fd = file_open("kernel", path, MAX_KERNEL_FILE, &size, err, errlen);
	if (fd < 0)
		return -1;
	file = malloc(size ? size : 1);
	if (!file) {
		set_error(err, errlen, "kernel '%s': out of memory", path);
		goto out;
	}
	if (file_read("kernel", path, fd, file, size, err, errlen))
		goto out;
	if (linux_parse(file, size, img, why, sizeof(why))) {
		set_error(err, errlen, "kernel '%s': %s", path, why);
		goto out;
	}
	dst = gpa_to_hva(mem, img->load_gpa, img->footprint);
	if (!dst || img->load_gpa + img->footprint > layout->ram_below_4g) {
		set_error(err, errlen, "kernel '%s' needs RAM up to 0x%" PRIx64
			  "; the guest has less below 4 GiB", path,
			  img->load_gpa + img->footprint);
		goto out;
	}
	memcpy(dst, img->kernel, img->kernel_size);
	/* linux_parse() pointed into the file, which goes away now. */
	img->kernel = dst;
	ret = 0;
out:
	free(file);
	close(fd);
	return ret;
}

/* The initrd goes as high as the kernel allows (initrd_addr_max, below
 * 4 GiB) and must not overlap the kernel's footprint. */
static int load_initrd(struct guest_memory *mem, const struct layout *layout,
		       const struct linux_image *img, const char *path,
		       struct linux_boot_plan *plan, char *err, size_t errlen)
{
	uint64_t top = layout->ram_below_4g, size, gpa;
	void *dst;
	int fd, ret;

	fd = file_open("initrd", path, MAX_INITRD_FILE, &size, err, errlen);
	if (fd < 0)
		return -1;
	if ((uint64_t)img->hdr.initrd_addr_max + 1 < top)
		top = (uint64_t)img->hdr.initrd_addr_max + 1;
	gpa = size < top ? (top - size) & ~0xfffull : 0;
	dst = gpa_to_hva(mem, gpa, size);
	if (!dst || gpa < img->load_gpa + img->footprint) {
		set_error(err, errlen, "initrd '%s' (%" PRIu64 " MiB) does not fit in RAM above the kernel",
			  path, size >> 20);
		close(fd);
		return -1;
	}
	ret = file_read("initrd", path, fd, dst, size, err, errlen);
	close(fd);
	plan->initrd_gpa = gpa;
	plan->initrd_size = size;
	return ret;
}

int linux_boot_prepare(struct guest_memory *mem, const struct layout *layout,
		       const char *kernel_path, const char *initrd_path,
		       const char *cmdline, uint64_t rsdp_gpa,
		       struct linux_boot_plan *plan, char *err, size_t errlen)
{
	struct linux_image img;
	struct boot_params *bp;
	size_t cmdline_len = strlen(cmdline);

	*plan = (struct linux_boot_plan){ .boot_params_gpa = BOOT_PARAMS_GPA };
	if (load_kernel(mem, layout, kernel_path, &img, err, errlen))
		return -1;
	/* cmdline_size excludes the terminating NUL (boot.rst, 2.06+). */
	if (cmdline_len > img.hdr.cmdline_size || cmdline_len >= CMDLINE_ROOM) {
		set_error(err, errlen, "--append: %zu characters, kernel '%s' takes at most %u",
			  cmdline_len, kernel_path, img.hdr.cmdline_size);
		return -1;
	}
	if (initrd_path &&
	    load_initrd(mem, layout, &img, initrd_path, plan, err, errlen))
		return -1;

	memcpy(gpa_to_hva(mem, CMDLINE_GPA, cmdline_len + 1), cmdline, cmdline_len + 1);
	write_gdt(gpa_to_hva(mem, GDT_GPA, 4 * sizeof(uint64_t)));
	longmode_identity_map(mem, PT_GPA, false);

	bp = gpa_to_hva(mem, BOOT_PARAMS_GPA, sizeof(*bp));
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, &img.hdr, img.hdr_len);
	bp->hdr.type_of_loader = TYPE_OF_LOADER_UNDEF;
	bp->hdr.cmd_line_ptr = CMDLINE_GPA;
	bp->hdr.ramdisk_image = plan->initrd_gpa;
	bp->hdr.ramdisk_size = plan->initrd_size;
	bp->acpi_rsdp_addr = rsdp_gpa;
	bp->e820_entries = e820_build(layout, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE);
	plan->entry = img.load_gpa + STARTUP_64_OFFSET;
	return 0;
}

int linux_boot_vcpu(const struct linux_boot_plan *plan, int vcpu_fd,
		    char *err, size_t errlen)
{
	struct kvm_segment cs = longmode_flat_segment(BOOT_CS, SEG_TYPE_CODE_RX, 0, true);
	struct kvm_segment ds = longmode_flat_segment(BOOT_DS, SEG_TYPE_DATA_RW, 0, false);
	struct kvm_regs regs = {
		.rip = plan->entry,
		.rsi = plan->boot_params_gpa,
		.rflags = 0x2,
	};
	struct kvm_sregs sregs;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs)) {
		set_error(err, errlen, "vCPU 0: KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	longmode_sregs(&sregs, PT_GPA, &cs, &ds);
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = 4 * sizeof(uint64_t) - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) || ioctl(vcpu_fd, KVM_SET_REGS, &regs)) {
		set_error(err, errlen, "vCPU 0: setting the entry state: %s", strerror(errno));
		return -1;
	}
	return 0;
}
