/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-blk (VIRTIO 1.2 5.2) over the PCI transport, backed by a file or
 * block device through the loop's io_uring: reads and writes become
 * readv/writev at the request's offset, a flush becomes fdatasync (so a
 * flushed write survives a host crash), many requests in flight at once.
 * A driver that does not negotiate VIRTIO_BLK_F_FLUSH gets RWF_DSYNC
 * writes instead.
 */
#ifndef URSA_DEVICES_VIRTIO_BLK_H
#define URSA_DEVICES_VIRTIO_BLK_H

#include <linux/virtio_blk.h>

#include "devices/virtio/blk_req.h"
#include "devices/virtio/pci.h"
#include "vmm/loop.h"

#define VIRTIO_BLK_QUEUE_SIZE	256

struct virtio_blk;

/* One request between pop and completion. */
struct blk_inflight {
	struct loop_op op;
	struct virtio_blk *blk;
	uint32_t generation;	/* the device's, when the request was popped */
	uint16_t head;
	struct blk_req req;
};

struct virtio_blk {
	struct virtio_pci vp;	/* first: the PCI device is the whole device */
	struct loop *loop;
	int fd;
	struct blk_disk disk;
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	struct virtio_blk_config config;
	struct virtq_chain chain;	/* scratch for the loop thread */
	struct blk_inflight slots[VIRTIO_BLK_QUEUE_SIZE];
	uint16_t free_slots[VIRTIO_BLK_QUEUE_SIZE];
	unsigned int nr_free;
	/* Slots of a generation before the last reset, still doing I/O;
	 * drained is signalled when the last of them is back (vp.lock). */
	unsigned int stale;
	pthread_cond_t drained;
	unsigned long requests, errors;
};

struct virtio_blk_params {
	const char *path;
	bool read_only;
	bool direct;		/* O_DIRECT: bypass the host page cache */
};

/* Open the backing file and set up the device (then add b->vp.pci to the
 * PCI host). 0, or -1 with err naming the file. */
int virtio_blk_init(struct virtio_blk *b, const struct virtio_blk_params *p,
		    const struct guest_memory *mem, struct loop *loop,
		    struct irq_router *router, int vm_fd, char *err, size_t errlen);
void virtio_blk_destroy(struct virtio_blk *b);

#endif
