// SPDX-License-Identifier: GPL-2.0-only
/* bzImage headers are host input: a good one parses, every defect is named.
 * Also the e820 map derived from the layout. */
#include <stdlib.h>

#include "check.h"
#include "vmm/boot/e820.h"
#include "vmm/boot/linux.h"

#define SETUP_SECTS	4
#define KERNEL_BYTES	0x4000
#define IMAGE_BYTES	((SETUP_SECTS + 1) * 512 + KERNEL_BYTES)

/* The fields a 6.x x86-64 bzImage has, at their boot.rst offsets. */
static uint8_t *good_image(void)
{
	uint8_t *img = calloc(1, IMAGE_BYTES);
	struct setup_header h = {
		.setup_sects = SETUP_SECTS,
		.syssize = KERNEL_BYTES / 16,
		.boot_flag = 0xaa55,
		.jump = 0x66eb,		/* jmp 0x268: header ends at 0x268 */
		.header = 0x53726448,
		.version = 0x020f,
		.loadflags = LOADED_HIGH,
		.kernel_alignment = 0x200000,
		.relocatable_kernel = 1,
		.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G,
		.cmdline_size = 2047,
		.initrd_addr_max = 0x7fffffff,
		.pref_address = 0x1000000,
		.init_size = 0x100000,
	};

	memcpy(img + 0x1f1, &h, sizeof(h));
	return img;
}

static struct setup_header *hdr(uint8_t *img)
{
	return (struct setup_header *)(img + 0x1f1);
}

static void expect_error(uint8_t *img, size_t size, const char *message)
{
	struct linux_image li;
	char err[256] = "";

	CHECK(linux_parse(img, size, &li, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, message);
	free(img);
}

static void test_parse(void)
{
	struct linux_image li;
	uint8_t *img = good_image();
	char err[256];
	uint8_t *g;

	CHECK(!linux_parse(img, IMAGE_BYTES, &li, err, sizeof(err)));
	CHECK_EQ_U64(li.load_gpa, 0x1000000);
	CHECK(li.kernel == img + 5 * 512);
	CHECK_EQ_U64(li.kernel_size, KERNEL_BYTES);
	CHECK_EQ_U64(li.footprint, 0x100000);
	CHECK_EQ_U64(li.hdr_len, 0x268 - 0x1f1);
	/* setup_sects 0 means 4. */
	hdr(img)->setup_sects = 0;
	CHECK(!linux_parse(img, IMAGE_BYTES, &li, err, sizeof(err)));
	CHECK(li.kernel == img + 5 * 512);
	free(img);

	expect_error(good_image(), 0x200, "too small");
	g = good_image();
	hdr(g)->boot_flag = 0;
	expect_error(g, IMAGE_BYTES, "not a bzImage");
	g = good_image();
	hdr(g)->header = 0x464c457f;
	expect_error(g, IMAGE_BYTES, "not a bzImage");
	g = good_image();
	hdr(g)->version = 0x020b;
	expect_error(g, IMAGE_BYTES, "boot protocol 2.11 is too old");
	g = good_image();
	hdr(g)->xloadflags = 0;
	expect_error(g, IMAGE_BYTES, "no 64-bit entry point");
	g = good_image();
	hdr(g)->loadflags = 0;
	expect_error(g, IMAGE_BYTES, "LOADED_HIGH");
	g = good_image();
	hdr(g)->setup_sects = 200;
	expect_error(g, IMAGE_BYTES, "leave no kernel");
	expect_error(good_image(), IMAGE_BYTES - 16, "truncated");
	g = good_image();
	hdr(g)->kernel_alignment = 0x30000;
	expect_error(g, IMAGE_BYTES, "alignment");
	g = good_image();
	hdr(g)->pref_address = 0x1000100;
	expect_error(g, IMAGE_BYTES, "preferred address");
	g = good_image();
	hdr(g)->pref_address = 0x9000;	/* over ursa's page tables */
	hdr(g)->kernel_alignment = 0x1000;
	expect_error(g, IMAGE_BYTES, "below 1 MiB");
}

static void test_e820(void)
{
	struct boot_e820_entry t[8];
	struct layout l;
	char err[256];
	unsigned int n;

	CHECK(!layout_compute(5ull << 30, 40, &l, err, sizeof(err)));
	n = e820_build(&l, t, 8);
	CHECK_EQ_U64(n, 5);
	CHECK(t[0].addr == 0 && t[0].size == 0xa0000 && t[0].type == E820_TYPE_RAM);
	CHECK(t[1].addr == 0xa0000 && t[1].size == 0x60000 && t[1].type == E820_TYPE_RESERVED);
	CHECK(t[2].addr == 0x100000 && t[2].size == (3ull << 30) - 0x100000 &&
	      t[2].type == E820_TYPE_RAM);
	CHECK(t[3].addr == LAYOUT_ECAM_BASE && t[3].type == E820_TYPE_RESERVED);
	CHECK(t[4].addr == 1ull << 32 && t[4].size == 2ull << 30 && t[4].type == E820_TYPE_RAM);
	for (unsigned int i = 1; i < n; i++)
		CHECK(t[i - 1].addr + t[i - 1].size <= t[i].addr);
	/* The table never overflows the room given. */
	CHECK_EQ_U64(e820_build(&l, t, 2), 2);

	CHECK(!layout_compute(256ull << 20, 40, &l, err, sizeof(err)));
	CHECK_EQ_U64(e820_build(&l, t, 8), 4);
	CHECK_EQ_U64(l.pci_mmio64_base, 4ull << 30);
	CHECK_EQ_U64(l.pci_mmio64_size, LAYOUT_PCI_MMIO64_MAX);
	CHECK(!layout_compute(256ull << 20, 32, &l, err, sizeof(err)));
	CHECK_EQ_U64(l.pci_mmio64_size, 0);
}

int main(void)
{
	test_parse();
	test_e820();
	return check_report("linux_boot");
}
