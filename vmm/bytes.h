/* SPDX-License-Identifier: GPL-2.0-only */
/* Access data: little-endian byte buffers of 1, 2, 4 or 8 bytes, as KVM
 * hands them over in kvm_run (x86 is little-endian). */
#ifndef URSA_VMM_BYTES_H
#define URSA_VMM_BYTES_H

#include <stdint.h>

static inline uint64_t le_load(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline void le_store(uint8_t *p, unsigned int size, uint64_t v)
{
	for (unsigned int i = 0; i < size; i++)
		p[i] = v >> (8 * i);
}

#endif
