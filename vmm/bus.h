/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An address-range registry for one address space (port I/O or MMIO):
 * devices claim ranges, exits are dispatched by address in O(log n).
 * Accesses nobody claims behave like a PCI master abort: reads return all
 * ones, writes are dropped.
 */
#ifndef URSA_VMM_BUS_H
#define URSA_VMM_BUS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* data is a little-endian buffer of size 1, 2, 4 or 8 bytes; offset is
 * relative to the start of the claimed range and offset + size fits in it. */
struct bus_ops {
	void (*read)(void *dev, uint64_t offset, uint8_t *data, unsigned int size);
	void (*write)(void *dev, uint64_t offset, const uint8_t *data,
		      unsigned int size);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const char *name;
	const struct bus_ops *ops;
	void *dev;
};

struct bus {
	const char *name;		/* "pio" or "mmio", for messages */
	pthread_rwlock_t lock;
	struct bus_range *ranges;	/* sorted by base, never overlapping */
	size_t nr, cap;
	atomic_ulong unclaimed;		/* accesses that hit no device */
};

int bus_init(struct bus *bus, const char *name);
void bus_destroy(struct bus *bus);

/* 0, -EINVAL (empty or wrapping range), -EEXIST (overlap), -ENOMEM. */
int bus_add(struct bus *bus, uint64_t base, uint64_t len, const char *name,
	    const struct bus_ops *ops, void *dev);

/* Remove the range dev claimed at base. 0, or -ENOENT. */
int bus_remove(struct bus *bus, uint64_t base, void *dev);

/*
 * Returns whether a device took the access. A size other than 1, 2, 4 or
 * 8, or an access straddling a range's end, is treated as unclaimed.
 *
 * The device is called without the bus lock held, so that it may add or
 * remove ranges itself (a BAR moved by a config write). Devices outlive
 * their ranges (they live as long as the VM), so an access that races
 * with the removal of its range still reaches a live device, as a
 * transaction already on its way would on real hardware.
 */
bool bus_access(struct bus *bus, uint64_t addr, uint8_t *data,
		unsigned int size, bool is_write);

#endif
