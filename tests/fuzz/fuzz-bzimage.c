// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bzImage setup header parser (linux_parse(), vmm/boot/linux.c) and
 * what linux_boot_prepare() makes of its result: loading the kernel and
 * an initrd into 8 MiB of guest RAM and writing the zero page.
 *
 * Input: four bytes of parameters (initrd size, 0..1 MiB in 256-byte
 * steps, 0 for none; command line length), then the image file. The
 * image and the initrd (zeros) are files in memory, opened by path as
 * ursa opens --kernel and --initrd.
 *
 * Checked against the x86 boot protocol (Documentation/arch/x86/boot.rst):
 * a parsed image has the boot flag, "HdrS", protocol 2.12 or later, a
 * 64-bit entry and LOADED_HIGH, its kernel is the file after the setup
 * sectors (setup_sects 0 meaning 4) and holds syssize paragraphs, its
 * load address is the preferred one, aligned to a power-of-two
 * kernel_alignment and at least 1 MiB (LOADED_HIGH; ursa's boot
 * structures are below), and the header length follows the jump at 0x201.
 * Prepared: the kernel bytes are at the load address, its footprint
 * (init_size) fits below the end of RAM, the entry is startup_64 (load
 * address + 0x200); the zero page holds the image's header with the
 * loader's fields filled in and the e820 map; the command line is within
 * the kernel's cmdline_size; the initrd is page-aligned, above the
 * kernel's footprint, below initrd_addr_max and the end of RAM. A kernel
 * that does not fit is refused; every failure is one line of message.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "vmm/boot/e820.h"
#include "vmm/boot/linux.h"
#include "vmm/memory.h"

#define RAM_SIZE	(8ull << 20)
#define HDR_OFFSET	0x1f1
#define CMDLINE_GPA	0x20000		/* linux.c's places */
#define BOOT_PARAMS_GPA	0x7000
#define ERR_LEN		256

static struct guest_memory mem;
static struct layout layout;
static int kernel_fd, initrd_fd;
static char kernel_path[64], initrd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[ERR_LEN];

	(void)argc;
	(void)argv;
	layout = (struct layout){
		.ram = { { 0, RAM_SIZE } },
		.nr_ram = 1,
		.ram_below_4g = RAM_SIZE,
		.gpa_limit = 1ull << 36,
	};
	FUZZ_CHECK(!memory_create(&mem, &layout, err, sizeof(err)));
	kernel_fd = memfd_create("fuzz-bzimage", MFD_CLOEXEC);
	initrd_fd = memfd_create("fuzz-initrd", MFD_CLOEXEC);
	FUZZ_CHECK(kernel_fd >= 0 && initrd_fd >= 0);
	snprintf(kernel_path, sizeof(kernel_path), "/proc/self/fd/%d", kernel_fd);
	snprintf(initrd_path, sizeof(initrd_path), "/proc/self/fd/%d", initrd_fd);
	return 0;
}

static void check_parsed(const uint8_t *image, size_t size,
			 const struct linux_image *img)
{
	const struct setup_header *h = &img->hdr;
	size_t setup = ((size_t)(h->setup_sects ? h->setup_sects : 4) + 1) * 512;
	size_t hdr_len = 0x202 + image[0x201] - HDR_OFFSET;

	FUZZ_CHECK(!memcmp(h, image + HDR_OFFSET, sizeof(*h)));
	FUZZ_CHECK(h->boot_flag == 0xaa55 && h->header == 0x53726448);
	FUZZ_CHECK(h->version >= 0x020c);
	FUZZ_CHECK((h->xloadflags & XLF_KERNEL_64) && (h->loadflags & LOADED_HIGH));
	FUZZ_CHECK(img->kernel == image + setup && img->kernel_size == size - setup);
	FUZZ_CHECK(img->kernel_size > 0x200);
	FUZZ_CHECK((uint64_t)h->syssize * 16 <= img->kernel_size);
	FUZZ_CHECK(h->kernel_alignment && !(h->kernel_alignment & (h->kernel_alignment - 1)));
	FUZZ_CHECK(img->load_gpa == h->pref_address && img->load_gpa >= 0x100000 &&
		   !(img->load_gpa % h->kernel_alignment));
	FUZZ_CHECK(img->hdr_len == (hdr_len < sizeof(*h) ? hdr_len : sizeof(*h)));
	FUZZ_CHECK(img->footprint >= img->kernel_size && img->footprint >= h->init_size);
}

static void check_prepared(const struct linux_image *img,
			   const struct linux_boot_plan *plan,
			   const char *cmdline, uint64_t initrd_size)
{
	const struct boot_params *bp = gpa_to_hva(&mem, BOOT_PARAMS_GPA, sizeof(*bp));
	struct boot_e820_entry e820[E820_MAX_ENTRIES_ZEROPAGE];
	struct setup_header want = { 0 };
	uint64_t top = RAM_SIZE;
	size_t len = strlen(cmdline);

	FUZZ_CHECK(img->load_gpa < RAM_SIZE && img->footprint <= RAM_SIZE - img->load_gpa);
	FUZZ_CHECK(!memcmp(gpa_to_hva(&mem, img->load_gpa, img->kernel_size),
			   img->kernel, img->kernel_size));
	FUZZ_CHECK(plan->entry == img->load_gpa + 0x200);
	FUZZ_CHECK(plan->boot_params_gpa == BOOT_PARAMS_GPA);
	FUZZ_CHECK(len <= img->hdr.cmdline_size);
	FUZZ_CHECK(!memcmp(gpa_to_hva(&mem, CMDLINE_GPA, len + 1), cmdline, len + 1));

	memcpy(&want, &img->hdr, img->hdr_len);
	want.type_of_loader = 0xff;
	want.cmd_line_ptr = CMDLINE_GPA;
	want.ramdisk_image = plan->initrd_gpa;
	want.ramdisk_size = plan->initrd_size;
	FUZZ_CHECK(!memcmp(&bp->hdr, &want, sizeof(want)));
	FUZZ_CHECK(bp->acpi_rsdp_addr == 0xe0000);
	FUZZ_CHECK(bp->e820_entries == e820_build(&layout, e820, E820_MAX_ENTRIES_ZEROPAGE));
	FUZZ_CHECK(!memcmp(bp->e820_table, e820, bp->e820_entries * sizeof(e820[0])));

	if (!initrd_size) {
		FUZZ_CHECK(!plan->initrd_gpa && !plan->initrd_size);
		return;
	}
	if ((uint64_t)img->hdr.initrd_addr_max + 1 < top)
		top = (uint64_t)img->hdr.initrd_addr_max + 1;
	FUZZ_CHECK(plan->initrd_size == initrd_size && !(plan->initrd_gpa % 4096));
	FUZZ_CHECK(plan->initrd_gpa >= img->load_gpa + img->footprint);
	FUZZ_CHECK(plan->initrd_gpa <= top && initrd_size <= top - plan->initrd_gpa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint64_t initrd_size = (uint64_t)(fz_u16(&in) % 4097) * 256;
	unsigned int cmdline_len = fz_u16(&in);
	static char cmdline[1 << 16];
	struct linux_boot_plan plan;
	struct linux_image img;
	char err[ERR_LEN];
	const uint8_t *image = in.p;
	size_t n = in.n;

	if (linux_parse(image, n, &img, err, sizeof(err))) {
		FUZZ_CHECK(fz_one_line(err, sizeof(err)));
		return 0;
	}
	check_parsed(image, n, &img);

	memset(cmdline, 'x', cmdline_len);
	cmdline[cmdline_len] = 0;
	FUZZ_CHECK(!ftruncate(kernel_fd, 0) && pwrite(kernel_fd, image, n, 0) == (ssize_t)n);
	FUZZ_CHECK(!ftruncate(initrd_fd, 0) && !ftruncate(initrd_fd, initrd_size));
	if (linux_boot_prepare(&mem, &layout, kernel_path,
			       initrd_size ? initrd_path : NULL, cmdline, 0xe0000,
			       &plan, err, sizeof(err))) {
		FUZZ_CHECK(fz_one_line(err, sizeof(err)));
		/* Refused, or it did not fit. */
		return 0;
	}
	/* The kernel was copied into RAM: compare with the file's bytes. */
	img.kernel = image + (n - img.kernel_size);
	check_prepared(&img, &plan, cmdline, initrd_size);
	return 0;
}
