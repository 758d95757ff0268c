/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * isa-debug-exit, as QEMU defines it: a guest write of value v ends the
 * VMM with status (v << 1) | 1. Writes of 1, 2 or 4 bytes are accepted at
 * STUB_DEBUG_EXIT_PORT; reads return all ones.
 */
#ifndef URSA_DEVICES_DEBUGEXIT_H
#define URSA_DEVICES_DEBUGEXIT_H

#include "vmm/bus.h"

#define DEBUGEXIT_NR_PORTS	4

struct debugexit {
	/* Called on the writing vCPU's thread with the exit status. */
	void (*request_exit)(void *opaque, int status);
	void *opaque;
};

extern const struct bus_ops debugexit_ops;

#endif
