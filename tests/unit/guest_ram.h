/* SPDX-License-Identifier: GPL-2.0-only */
/* Tests that play the guest write its memory through this: an address
 * outside RAM here is a bug in the test itself, so it stops the test. */
#ifndef URSA_TESTS_GUEST_RAM_H
#define URSA_TESTS_GUEST_RAM_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
