// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/bus.h"

int bus_init(struct bus *bus, const char *name)
{
	*bus = (struct bus){ .name = name };
	return -pthread_rwlock_init(&bus->lock, NULL);
}

void bus_destroy(struct bus *bus)
{
	pthread_rwlock_destroy(&bus->lock);
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nr = bus->cap = 0;
}

/* Index of the first range whose base is above addr. */
static size_t upper_bound(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool range_contains(const struct bus_range *r, uint64_t addr,
			   uint64_t len)
{
	return addr >= r->base && addr - r->base < r->len &&
	       len <= r->len - (addr - r->base);
}

int bus_add(struct bus *bus, uint64_t base, uint64_t len, const char *name,
	    const struct bus_ops *ops, void *dev)
{
	size_t pos;
	int ret = 0;

	if (!len || base + len - 1 < base)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	pos = upper_bound(bus, base);
	if ((pos > 0 && bus->ranges[pos - 1].base + bus->ranges[pos - 1].len - 1 >= base) ||
	    (pos < bus->nr && bus->ranges[pos].base <= base + len - 1)) {
		ret = -EEXIST;
		goto out;
	}
	if (bus->nr == bus->cap) {
		size_t cap = bus->cap ? 2 * bus->cap : 16;
		struct bus_range *r = realloc(bus->ranges, cap * sizeof(*r));

		if (!r) {
			ret = -ENOMEM;
			goto out;
		}
		bus->ranges = r;
		bus->cap = cap;
	}
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
		(bus->nr - pos) * sizeof(bus->ranges[0]));
	bus->ranges[pos] = (struct bus_range){ base, len, name, ops, dev };
	bus->nr++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int bus_remove(struct bus *bus, uint64_t base, void *dev)
{
	size_t pos;
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	pos = upper_bound(bus, base);
	if (pos > 0 && bus->ranges[pos - 1].base == base &&
	    bus->ranges[pos - 1].dev == dev) {
		memmove(&bus->ranges[pos - 1], &bus->ranges[pos],
			(bus->nr - pos) * sizeof(bus->ranges[0]));
		bus->nr--;
		ret = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

bool bus_access(struct bus *bus, uint64_t addr, uint8_t *data,
		unsigned int size, bool is_write)
{
	struct bus_range r;
	bool found = false;
	size_t pos;

	if (size == 1 || size == 2 || size == 4 || size == 8) {
		pthread_rwlock_rdlock(&bus->lock);
		pos = upper_bound(bus, addr);
		if (pos > 0 && range_contains(&bus->ranges[pos - 1], addr, size)) {
			r = bus->ranges[pos - 1];
			found = true;
		}
		pthread_rwlock_unlock(&bus->lock);
	}
	if (found) {
		if (is_write)
			r.ops->write(r.dev, addr - r.base, data, size);
		else
			r.ops->read(r.dev, addr - r.base, data, size);
		return true;
	}
	atomic_fetch_add_explicit(&bus->unclaimed, 1, memory_order_relaxed);
	if (!is_write && size <= 8)
		memset(data, 0xff, size);
	return false;
}
