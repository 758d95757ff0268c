// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "devices/debugexit.h"
#include "vmm/bytes.h"
#include "vmm/exit_status.h"

static void debugexit_read(void *dev, uint64_t offset, uint8_t *data,
			   unsigned int size)
{
	(void)dev;
	(void)offset;
	memset(data, 0xff, size);
}

static void debugexit_write(void *dev, uint64_t offset, const uint8_t *data,
			    unsigned int size)
{
	struct debugexit *d = dev;

	(void)offset;
	d->request_exit(d->opaque, debug_exit_status(le_load(data, size)));
}

const struct bus_ops debugexit_ops = {
	.read = debugexit_read,
	.write = debugexit_write,
};
