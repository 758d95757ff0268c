// SPDX-License-Identifier: GPL-2.0-only
/* Layout, the MAXPHYADDR policy, and gpa_to_hva() bounds. */
#include <errno.h>

#include "check.h"
#include "vmm/layout.h"
#include "vmm/memory.h"

#define G (1ull << 30)
#define M (1ull << 20)

static void test_layout(void)
{
	struct layout l;
	char err[256];

	CHECK(!layout_compute(256 * M, 48, &l, err, sizeof(err)));
	CHECK_EQ_U64(l.nr_ram, 1);
	CHECK_EQ_U64(l.ram[0].size, 256 * M);
	CHECK_EQ_U64(l.ram_below_4g, 256 * M);
	CHECK_EQ_U64(l.gpa_limit, 1ull << 48);

	/* Exactly the hole's start: still one range. */
	CHECK(!layout_compute(3 * G, 32, &l, err, sizeof(err)));
	CHECK_EQ_U64(l.nr_ram, 1);

	/* RAM goes around the 32-bit MMIO hole. */
	CHECK(!layout_compute(8 * G, 36, &l, err, sizeof(err)));
	CHECK_EQ_U64(l.nr_ram, 2);
	CHECK_EQ_U64(l.ram[0].gpa, 0);
	CHECK_EQ_U64(l.ram[0].size, 3 * G);
	CHECK_EQ_U64(l.ram[1].gpa, 4 * G);
	CHECK_EQ_U64(l.ram[1].size, 5 * G);
}

/* Seed 000: nothing may be placed at or above 2^MAXPHYADDR. */
static void test_maxphyaddr_policy(void)
{
	struct layout l;
	char err[256];

	/* 3 GiB + 1 page: the page lands at 4 GiB, above 32 bits. */
	CHECK(layout_compute(3 * G + 4096, 32, &l, err, sizeof(err)));
	CHECK_CONTAINS(err, "beyond what 32 physical address bits can hold");
	CHECK_CONTAINS(err, "0x100000fff");
	/* 36 bits = 64 GiB: 63 GiB of RAM (3 below the hole, 60 above 4 GiB) ends
	 * exactly there; one more page does not fit. */
	CHECK(!layout_compute(63 * G, 36, &l, err, sizeof(err)));
	CHECK_EQ_U64(l.ram[1].gpa + l.ram[1].size, 1ull << 36);
	CHECK(layout_compute(63 * G + 4096, 36, &l, err, sizeof(err)));
	/* Sizes close to 2^64: 4 GiB + (memory - 3 GiB) wraps around, and
	 * must not pass for small. */
	CHECK(layout_compute(UINT64_MAX - 4095, 32, &l, err, sizeof(err)));
	CHECK_CONTAINS(err, "past 2^64, beyond what 32 physical address bits");
	CHECK(layout_compute(UINT64_MAX - 4095, 52, &l, err, sizeof(err)));
	CHECK(layout_compute(256 * M, 31, &l, err, sizeof(err)));
	CHECK(layout_compute(256 * M, 53, &l, err, sizeof(err)));

	/* The memslot call refuses before asking KVM (vm_fd -1 would EBADF). */
	CHECK(kvm_set_memslot(-1, false, 0, (1ull << 36) - 4096, 8192,
			      (void *)0x10000, 1ull << 36) == -ERANGE);
	CHECK(kvm_set_memslot(-1, false, 0, 1ull << 36, 4096, (void *)0x10000,
			      1ull << 36) == -ERANGE);
	CHECK(kvm_set_memslot(-1, false, 0, 4096, UINT64_MAX - 4095,
			      (void *)0x10000, 1ull << 36) == -ERANGE);
	CHECK(kvm_set_memslot(-1, false, 0, 0, 0, (void *)0x10000, 1ull << 36) == -EINVAL);
	CHECK(kvm_set_memslot(-1, false, 0, 0x800, 4096, (void *)0x10000, 1ull << 36) == -EINVAL);
	/* In range: it gets as far as the ioctl. */
	CHECK(kvm_set_memslot(-1, false, 0, (1ull << 36) - 4096, 4096,
			      (void *)0x10000, 1ull << 36) == -EBADF);
}

static void test_gpa_to_hva(void)
{
	struct guest_memory mem;
	struct layout l = {
		.ram = { { 0, 16 * M }, { 4 * G, 8 * M } },
		.nr_ram = 2,
		.ram_below_4g = 16 * M,
		.gpa_limit = 1ull << 36,
	};
	char err[256];
	uint8_t *p;

	CHECK(!memory_create(&mem, &l, err, sizeof(err)));
	CHECK_EQ_U64(mem.total, 24 * M);

	CHECK(gpa_to_hva(&mem, 0, 1) == mem.base);
	CHECK(gpa_to_hva(&mem, 16 * M - 1, 1) == mem.base + 16 * M - 1);
	CHECK(gpa_to_hva(&mem, 0, 16 * M) == mem.base);
	CHECK(!gpa_to_hva(&mem, 0, 16 * M + 1));
	CHECK(!gpa_to_hva(&mem, 16 * M - 1, 2));
	CHECK(!gpa_to_hva(&mem, 16 * M, 1));
	CHECK(gpa_to_hva(&mem, 4 * G, 8 * M) == mem.base + 16 * M);
	CHECK(!gpa_to_hva(&mem, 4 * G - 1, 2));
	CHECK(!gpa_to_hva(&mem, 4 * G + 8 * M, 1));
	/* Wrap-around attempts. */
	CHECK(!gpa_to_hva(&mem, 4096, UINT64_MAX));
	CHECK(!gpa_to_hva(&mem, UINT64_MAX, 2));
	CHECK(!gpa_to_hva(&mem, 4 * G + 4096, UINT64_MAX - 4 * G));

	/* Both ranges are really the same memfd, in order. */
	p = gpa_to_hva(&mem, 4 * G, 1);
	*p = 0x5a;
	CHECK_EQ_U64(mem.base[16 * M], 0x5a);
	memory_destroy(&mem);
}

int main(void)
{
	test_layout();
	test_maxphyaddr_policy();
	test_gpa_to_hva();
	return check_report("memory");
}
