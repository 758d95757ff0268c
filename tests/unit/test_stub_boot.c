// SPDX-License-Identifier: GPL-2.0-only
/* Stub images are host input: every malformed one is refused with a reason. */
#include "check.h"
#include "guest/stub_abi.h"
#include "vmm/boot/stub.h"
#include "vmm/layout.h"
#include "vmm/memory.h"
#include "vmm/stubs.h"

static struct guest_memory mem;

static int prepare(const void *data, size_t size, unsigned int ncpus, char *err)
{
	struct stub_image img = { .data = data, .size = size };
	struct stub_boot_plan plan;

	err[0] = 0;
	return stub_boot_prepare(&mem, &img, "t", ncpus, "count=3", &plan, err, 256);
}

int main(void)
{
	struct layout l;
	char err[256];
	struct {
		struct stub_header h;
		uint8_t code[64];
	} img = { .h = { STUB_MAGIC, STUB_ABI_VERSION, STUB_LOAD_GPA + 16, STUB_LOAD_GPA + 0x1000 } };
	const struct builtin_stub *hello = builtin_stub_find("hello");
	struct stub_image hello_img = { .data = hello->data, .size = hello->size };
	struct stub_boot_plan plan;
	struct stub_boot *boot;
	struct stub_cpu *cpu1;

	CHECK(!layout_compute(8 << 20, 36, &l, err, sizeof(err)));
	CHECK(!memory_create(&mem, &l, err, sizeof(err)));

	CHECK(!prepare(&img, sizeof(img), 1, err));

	CHECK(prepare(&img, 8, 1, err));
	CHECK_CONTAINS(err, "too short");

	img.h.magic = 0x7f454c46;	/* an ELF file, say */
	CHECK(prepare(&img, sizeof(img), 1, err));
	CHECK_CONTAINS(err, "not an ursa stub");
	img.h.magic = STUB_MAGIC;

	img.h.abi_version = 99;
	CHECK(prepare(&img, sizeof(img), 1, err));
	CHECK_CONTAINS(err, "ABI version 99");
	img.h.abi_version = STUB_ABI_VERSION;

	img.h.entry = STUB_LOAD_GPA + sizeof(img);	/* just past the image */
	CHECK(prepare(&img, sizeof(img), 1, err));
	CHECK_CONTAINS(err, "inconsistent");
	img.h.entry = 0;
	CHECK(prepare(&img, sizeof(img), 1, err));
	img.h.entry = STUB_LOAD_GPA + 16;

	img.h.load_end = STUB_LOAD_GPA + 8;	/* ends before its own bytes */
	CHECK(prepare(&img, sizeof(img), 1, err));
	CHECK_CONTAINS(err, "inconsistent");
	img.h.load_end = STUB_LOAD_GPA + 0x1001;	/* not page-aligned */
	CHECK(prepare(&img, sizeof(img), 1, err));
	img.h.load_end = UINT64_MAX & ~0xfffull;	/* bss to the end of time */
	CHECK(prepare(&img, sizeof(img), 1, err));
	CHECK_CONTAINS(err, "needs");
	img.h.load_end = STUB_LOAD_GPA + 0x1000;

	/* 8 MiB holds a small stub with a few vCPUs, not 255 of them. */
	CHECK(prepare(&img, sizeof(img), 255, err));
	CHECK_CONTAINS(err, "with 255 vCPUs needs");

	/* A real stub: boot information and per-vCPU areas as the ABI says. */
	CHECK(!stub_boot_prepare(&mem, &hello_img, "hello", 2, "count=3", &plan,
				 err, sizeof(err)));
	boot = gpa_to_hva(&mem, plan.boot_info_gpa, sizeof(*boot));
	CHECK_EQ_U64(boot->ram_below_4g, 8 << 20);
	CHECK_EQ_U64(boot->ncpus, 2);
	CHECK(!strcmp(boot->cmdline, "count=3"));
	cpu1 = gpa_to_hva(&mem, plan.cpu_blocks_gpa + STUB_CPU_BLOCK_SIZE, sizeof(*cpu1));
	CHECK_EQ_U64(cpu1->index, 1);
	CHECK_EQ_U64(cpu1->self, plan.cpu_blocks_gpa + STUB_CPU_BLOCK_SIZE);
	CHECK_EQ_U64(cpu1->tss.rsp[0], cpu1->self + STUB_CPU_BLOCK_SIZE);
	CHECK_EQ_U64(cpu1->tss.iomap_end, 0xff);
	CHECK(!memcmp(gpa_to_hva(&mem, STUB_LOAD_GPA, hello->size), hello->data,
		      hello->size));

	memory_destroy(&mem);
	return check_report("stub_boot");
}
