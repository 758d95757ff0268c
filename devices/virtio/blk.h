/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-blk (VIRTIO 1.2 5.2) over the PCI transport, backed by a file or
 * block device through the loop's io_uring: reads and writes become
 * readv/writev at the request's offset, a flush becomes fdatasync (so a
 * flushed write survives a host crash), many requests in flight at once.
 * A driver that does not negotiate VIRTIO_BLK_F_FLUSH gets RWF_DSYNC
 * writes instead.
 *
 * Each disk has an I/O thread of its own (vmm/iothread.h) running its
 * queues and its io_uring. While requests keep coming, and for an idle
 * budget after (poll_us, adaptive), the thread polls the available rings
 * with the driver's notifications suppressed (EVENT_IDX's avail_event
 * left behind, or VRING_USED_F_NO_NOTIFY), submits each turn's requests
 * with one io_uring_enter(), and publishes each turn's completions at
 * once, with at most one interrupt per queue as EVENT_IDX's used_event
 * (or NO_INTERRUPT) asks. Only then does it turn notifications back on
 * and sleep. With queues > 1 it offers VIRTIO_BLK_F_MQ; each queue has
 * its MSI-X vector and its own requests in flight.
 */
#ifndef URSA_DEVICES_VIRTIO_BLK_H
#define URSA_DEVICES_VIRTIO_BLK_H

#include <linux/virtio_blk.h>

#include "devices/virtio/blk_req.h"
#include "devices/virtio/pci.h"
#include "vmm/iothread.h"

#define VIRTIO_BLK_QUEUE_SIZE	256
/* The MSI-X table has a vector per queue plus the configuration's. */
#define VIRTIO_BLK_MAX_QUEUES	VIRTIO_PCI_MAX_QUEUES
#define VIRTIO_BLK_DEFAULT_POLL_US	50
#define VIRTIO_BLK_MAX_POLL_US		100000

struct blk_queue;

/* One request between pop and completion. */
struct blk_inflight {
	struct loop_op op;
	struct blk_queue *q;
	uint32_t generation;	/* the device's, when the request was popped */
	uint16_t head;
	struct blk_req req;
};

/* A virtqueue's requests in flight (vp.lock). */
struct blk_queue {
	struct virtio_blk *blk;
	unsigned int index;
	bool unpublished;	/* pushed to the used ring, idx not yet stored */
	struct blk_inflight *slots;	/* VIRTIO_BLK_QUEUE_SIZE of them */
	uint16_t free_slots[VIRTIO_BLK_QUEUE_SIZE];
	unsigned int nr_free;
};

struct virtio_blk_stats {
	unsigned long requests, errors;
	unsigned long notifications;	/* doorbell wake-ups of the I/O thread */
	unsigned long interrupts;	/* used buffer notifications sent */
	struct loop_poll_stats poll;
};

struct virtio_blk {
	struct virtio_pci vp;	/* first: the PCI device is the whole device */
	struct iothread io;
	struct loop_poller poller;
	int fd;
	struct blk_disk disk;
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	struct virtio_blk_config config;
	struct virtq_chain chain;	/* scratch for the I/O thread */
	unsigned int nr_queues;
	struct blk_queue queues[VIRTIO_BLK_MAX_QUEUES];
	/* Slots of a generation before the last reset, still doing I/O;
	 * drained is signalled when the last of them is back (vp.lock). */
	unsigned int stale;
	pthread_cond_t drained;
	unsigned long requests, errors, interrupts;
};

struct virtio_blk_params {
	const char *path;
	bool read_only;
	bool direct;		/* O_DIRECT: bypass the host page cache */
	unsigned int queues;	/* 1..VIRTIO_BLK_MAX_QUEUES */
	unsigned int poll_us;	/* idle polling budget, at most; 0: none */
};

/* Open the backing file and set up the device (then add b->vp.pci to the
 * PCI host); its I/O thread is not started. 0, or -1 with err naming the
 * file. */
int virtio_blk_init(struct virtio_blk *b, const struct virtio_blk_params *p,
		    const struct guest_memory *mem, struct irq_router *router,
		    int vm_fd, char *err, size_t errlen);
/* Start the I/O thread; fatal(opaque) if it fails later. 0 or -errno. */
int virtio_blk_start(struct virtio_blk *b, enum seccomp_mode seccomp,
		     void (*fatal)(void *opaque), void *opaque);
/* Stop the I/O thread: no more completions; a reset stops waiting. */
void virtio_blk_stop(struct virtio_blk *b);
/* What the device did; its I/O thread stopped. */
void virtio_blk_get_stats(const struct virtio_blk *b, struct virtio_blk_stats *s);
void virtio_blk_destroy(struct virtio_blk *b);

#endif
