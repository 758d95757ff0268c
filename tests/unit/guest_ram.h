/* SPDX-License-Identifier: GPL-2.0-only */
/* Tests that play the guest (a virtio driver) write its memory through
 * these: an address outside RAM here is a bug in the test itself, so it
 * stops the test. */
#ifndef URSA_TESTS_GUEST_RAM_H
#define URSA_TESTS_GUEST_RAM_H

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "vmm/memory.h"

static inline void *test_hva(const struct guest_memory *mem, uint64_t gpa,
			     uint64_t len)
{
	void *p = gpa_to_hva(mem, gpa, len);

	if (!p) {
		fprintf(stderr, "test bug: gpa 0x%" PRIx64 " not in RAM\n", gpa);
		abort();
	}
	return p;
}

/* A split-ring descriptor at gpa, as a driver writes it (little-endian). */
static inline void test_put_desc(const struct guest_memory *mem, uint64_t gpa,
				 uint64_t addr, uint32_t len, uint16_t flags,
				 uint16_t next)
{
	struct vring_desc d = {
		.addr = htole64(addr), .len = htole32(len),
		.flags = htole16(flags), .next = htole16(next),
	};

	memcpy(test_hva(mem, gpa, sizeof(d)), &d, sizeof(d));
}

#endif
