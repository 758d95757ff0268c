// SPDX-License-Identifier: GPL-2.0-only
/* The range registry: placement, overlap refusal, dispatch, master abort. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "vmm/bus.h"
#include "vmm/bytes.h"

struct fake_dev {
	uint64_t last_offset;
	uint64_t last_value;
	unsigned int last_size;
	unsigned int reads, writes;
	uint64_t id;
};

static void fake_read(void *dev, uint64_t offset, uint8_t *data, unsigned int size)
{
	struct fake_dev *d = dev;

	d->reads++;
	d->last_offset = offset;
	d->last_size = size;
	le_store(data, size, d->id + offset);
}

static void fake_write(void *dev, uint64_t offset, const uint8_t *data,
		       unsigned int size)
{
	struct fake_dev *d = dev;

	d->writes++;
	d->last_offset = offset;
	d->last_size = size;
	d->last_value = le_load(data, size);
}

static const struct bus_ops fake_ops = { fake_read, fake_write };

static void test_add_and_overlap(void)
{
	struct bus bus;
	struct fake_dev a = { 0 }, b = { 0 };

	CHECK(!bus_init(&bus, "test"));
	CHECK(bus_add(&bus, 0x100, 0x10, "a", &fake_ops, &a) == 0);
	CHECK(bus_add(&bus, 0x100, 0x10, "dup", &fake_ops, &b) == -EEXIST);
	CHECK(bus_add(&bus, 0x10f, 1, "tail", &fake_ops, &b) == -EEXIST);
	CHECK(bus_add(&bus, 0xf8, 0x9, "head", &fake_ops, &b) == -EEXIST);
	CHECK(bus_add(&bus, 0x0, 0x1000, "cover", &fake_ops, &b) == -EEXIST);
	CHECK(bus_add(&bus, 0xf0, 0x10, "below", &fake_ops, &b) == 0);
	CHECK(bus_add(&bus, 0x110, 0x10, "above", &fake_ops, &b) == 0);
	CHECK(bus_add(&bus, 0x200, 0, "empty", &fake_ops, &b) == -EINVAL);
	CHECK(bus_add(&bus, UINT64_MAX, 2, "wraps", &fake_ops, &b) == -EINVAL);
	CHECK(bus_add(&bus, UINT64_MAX - 1, 2, "top", &fake_ops, &b) == 0);
	CHECK_EQ_U64(bus.nr, 4);
	for (size_t i = 1; i < bus.nr; i++)
		CHECK(bus.ranges[i - 1].base + bus.ranges[i - 1].len <= bus.ranges[i].base);
	/* Removal needs the exact base and owner. */
	CHECK(bus_remove(&bus, 0x108, &a) == -ENOENT);
	CHECK(bus_remove(&bus, 0x100, &b) == -ENOENT);
	CHECK(bus_remove(&bus, 0x100, &a) == 0);
	CHECK(bus_remove(&bus, 0x100, &a) == -ENOENT);
	CHECK_EQ_U64(bus.nr, 3);
	CHECK(bus_add(&bus, 0x100, 0x10, "again", &fake_ops, &b) == 0);
	bus_destroy(&bus);
}

static void test_dispatch(void)
{
	struct bus bus;
	struct fake_dev a = { .id = 0x1000 };
	uint8_t data[8];

	bus_init(&bus, "test");
	bus_add(&bus, 0x3f8, 8, "uart", &fake_ops, &a);

	CHECK(bus_access(&bus, 0x3fa, data, 1, false));
	CHECK_EQ_U64(a.last_offset, 2);
	CHECK_EQ_U64(data[0], 0x02);	/* (0x1000 + 2) & 0xff */

	le_store(data, 4, 0xdeadbeef);
	CHECK(bus_access(&bus, 0x3fc, data, 4, true));
	CHECK_EQ_U64(a.last_offset, 4);
	CHECK_EQ_U64(a.last_value, 0xdeadbeef);
	CHECK_EQ_U64(a.last_size, 4);

	/* Unclaimed: all ones, and the device never hears of it. */
	a.reads = a.writes = 0;
	memset(data, 0, sizeof(data));
	CHECK(!bus_access(&bus, 0x3f0, data, 8, false));
	CHECK_EQ_U64(le_load(data, 8), UINT64_MAX);
	/* Straddling the end of the range is not the device's either. */
	memset(data, 0, sizeof(data));
	CHECK(!bus_access(&bus, 0x3ff, data, 2, false));
	CHECK_EQ_U64(le_load(data, 2), 0xffff);
	CHECK(!bus_access(&bus, 0x3f7, data, 2, true));
	/* Sizes other than 1, 2, 4, 8. */
	CHECK(!bus_access(&bus, 0x3f8, data, 3, false));
	CHECK(!bus_access(&bus, 0x3f8, data, 0, false));
	CHECK(!bus_access(&bus, 0x3f8, data, 16, true));
	CHECK_EQ_U64(a.reads + a.writes, 0);
	CHECK_EQ_U64(atomic_load(&bus.unclaimed), 6);
	bus_destroy(&bus);
}

/* A device that moves its own range from inside an access, as a BAR
 * write through ECAM does: no deadlock, and the new place takes effect. */
static struct bus *moving_bus;
static const struct bus_ops moving_ops;

static void moving_write(void *dev, uint64_t offset, const uint8_t *data,
			 unsigned int size)
{
	(void)offset;
	(void)size;
	CHECK(!bus_remove(moving_bus, 0x1000, dev));
	CHECK(!bus_add(moving_bus, le_load(data, 4), 0x100, "moved",
		       &moving_ops, dev));
}

static const struct bus_ops moving_ops = { fake_read, moving_write };

static void test_move_during_access(void)
{
	struct fake_dev d = { .id = 0x40 };
	struct bus bus;
	uint8_t data[8];

	bus_init(&bus, "test");
	moving_bus = &bus;
	bus_add(&bus, 0x1000, 0x100, "moving", &moving_ops, &d);
	le_store(data, 4, 0x5000);
	CHECK(bus_access(&bus, 0x1000, data, 4, true));
	CHECK(!bus_access(&bus, 0x1000, data, 1, false));
	CHECK(bus_access(&bus, 0x5001, data, 1, false));
	CHECK_EQ_U64(data[0], 0x41);
	bus_destroy(&bus);
}

/* Many ranges in random order: lookups agree with a linear search. */
static void test_many_ranges(void)
{
	enum { N = 500 };
	static struct fake_dev devs[N];
	struct bus bus;
	uint8_t data[8];

	bus_init(&bus, "test");
	srand(1);
	for (int i = 0; i < N; i++) {
		int slot = (i * 7919) % N;	/* a permutation of 0..N-1 */

		devs[slot].id = slot;
		CHECK(!bus_add(&bus, 0x10000 + slot * 0x100, 0x80, "d",
			       &fake_ops, &devs[slot]));
	}
	for (int probe = 0; probe < 20000; probe++) {
		uint64_t addr = 0x10000 - 0x100 + (uint64_t)rand() % ((N + 2) * 0x100);
		uint64_t rel = addr - 0x10000;
		bool want = addr >= 0x10000 && rel / 0x100 < N && rel % 0x100 < 0x80;
		bool got = bus_access(&bus, addr, data, 1, false);

		CHECK(got == want);
		if (got && want)
			CHECK_EQ_U64(data[0], (uint8_t)(rel / 0x100 + rel % 0x100));
	}
	bus_destroy(&bus);
}

int main(void)
{
	test_add_and_overlap();
	test_dispatch();
	test_move_during_access();
	test_many_ranges();
	return check_report("bus");
}
