/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The split virtqueue, device side (VIRTIO 1.2 section 2.7).
 *
 * The driver owns three areas in guest RAM: the descriptor table, the
 * available ("driver") ring and the used ("device") ring. Everything in
 * them is guest input and hostile: every index, address, length and flag
 * is checked here before use, each descriptor is read exactly once into a
 * local copy, and nothing outside guest RAM is ever touched (all access
 * goes through gpa_to_hva()).
 *
 * Threading: none inside. One thread at a time processes a given queue
 * (pop, push, publish, notification calls); the caller serialises them.
 * The guest driver runs concurrently on other CPUs; the ring protocol's
 * ordering is done here with __atomic builtins (acquire on avail.idx,
 * release on used.idx, a full fence before reading the other side's
 * suppression fields).
 */
#ifndef URSA_DEVICES_VIRTIO_VIRTQUEUE_H
#define URSA_DEVICES_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_ring.h>

#include "vmm/memory.h"

/* Largest queue size a split virtqueue can have (2.7: "Queue Size ...
 * 32768").
 */
#define VIRTQ_MAX_SIZE		32768

/*
 * Most buffer segments one chain may flatten into. It equals IOV_MAX on
 * Linux, so one chain always fits one preadv()/pwritev(). It bounds the
 * direct descriptors plus the entries of an indirect table together; a
 * chain with more non-empty buffers is malformed. It is also the most
 * entries an indirect table may have (len <= 1024 * 16 bytes).
 */
#define VIRTQ_MAX_SEGS		1024

/* What the transport hands over when the driver enables the queue. */
struct virtq_config {
	uint16_t size;		/* Queue Size: a power of two, 1..32768 */
	uint64_t desc_gpa;	/* Descriptor Area, 16-byte aligned */
	uint64_t avail_gpa;	/* Driver Area, 2-byte aligned */
	uint64_t used_gpa;	/* Device Area, 4-byte aligned */
	/*
	 * The negotiated feature bits; only VIRTIO_RING_F_INDIRECT_DESC
	 * (28) and VIRTIO_RING_F_EVENT_IDX (29) matter here.
	 */
	uint64_t features;
};

struct virtq {
	const struct guest_memory *mem;
	bool enabled;
	bool broken;		/* the driver broke the ring protocol */
	bool indirect;		/* VIRTIO_F_INDIRECT_DESC negotiated */
	bool event_idx;		/* VIRTIO_F_EVENT_IDX negotiated */
	uint16_t size;

	/* Host views of the three areas (shared with the guest). */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;

	uint16_t last_avail;	/* next avail ring entry the device takes */
	uint16_t shadow_avail;	/* avail.idx as last read */
	uint16_t used_idx;	/* next used ring entry (not yet published) */
	uint16_t published;	/* used.idx as last published */
	uint16_t signalled;	/* used.idx at the last interrupt decision */
	bool notify_on;		/* the device wants available buffer kicks */
	unsigned int inflight;	/* heads popped and not yet pushed */
};

/*
 * A popped chain, flattened into host segments. iov[0..nr_readable) are
 * the device-readable buffers, then nr_writable device-writable ones, in
 * chain order. Zero-length descriptors produce no segment. Lengths are
 * bounded by UINT32_MAX (see virtq_pop()).
 */
struct virtq_chain {
	uint16_t head;		/* descriptor index to give back in used */
	unsigned int nr_readable;
	unsigned int nr_writable;
	uint32_t readable_len;
	uint32_t writable_len;
	struct iovec iov[VIRTQ_MAX_SEGS];
};

static inline struct iovec *virtq_chain_writable(struct virtq_chain *c)
{
	return c->iov + c->nr_readable;
}

enum virtq_pop_result {
	/* Nothing new in the available ring. */
	VIRTQ_EMPTY = 0,
	/* A valid chain: process it, then virtq_push(head, written). */
	VIRTQ_CHAIN,
	/*
	 * The chain starting at chain->head is malformed (bad index, buffer
	 * outside RAM, loop, bad indirect table, writable before readable,
	 * too many segments, too long). The head has been consumed; no
	 * segment of it may be used. The caller MUST give it back with
	 * virtq_push(vq, chain->head, 0) (nothing was written), so that
	 * the driver can reclaim its descriptors; the request fails.
	 */
	VIRTQ_MALFORMED,
	/*
	 * The queue is broken: the driver corrupted the ring itself
	 * (avail.idx more than size ahead, a head index >= size), or the
	 * queue is not enabled. Nothing more is popped until the queue is
	 * re-enabled; the device should set DEVICE_NEEDS_RESET (2.1).
	 */
	VIRTQ_BROKEN,
};

/*
 * Check the configuration and take the queue into use: size a power of
 * two in 1..32768, the areas aligned (2.7, table "Virtqueue Part
 * Alignment": desc 16, avail 2, used 4) and each wholly inside guest RAM
 * (desc 16 * size, avail 6 + 2 * size, used 6 + 8 * size bytes, event
 * fields included). Returns 0, or -EINVAL and leaves the queue disabled.
 * Indices start at 0, as after a reset (2.7.6: avail idx "starts at 0").
 */
int virtq_enable(struct virtq *vq, const struct guest_memory *mem,
		 const struct virtq_config *cfg);

/* Forget everything (queue reset, device reset): disabled, not broken. */
void virtq_disable(struct virtq *vq);

/*
 * Take the next available chain. chain is filled for VIRTQ_CHAIN and its
 * head set for VIRTQ_MALFORMED. Always terminates: a chain visits at most
 * size direct descriptors plus the entries of one indirect table.
 */
enum virtq_pop_result virtq_pop(struct virtq *vq, struct virtq_chain *chain);

/*
 * Put head into the used ring with len bytes written to the chain's
 * writable part (2.7.8). Not visible to the driver until
 * virtq_publish(), so several may be pushed and published at once.
 * Returns 0, or -EINVAL (nothing written) if the queue is not enabled,
 * head >= size, or no popped head is outstanding (a device bug: more
 * pushes than pops would overrun the driver's view of the ring).
 */
int virtq_push(struct virtq *vq, uint16_t head, uint32_t len);

/*
 * Make every pushed element visible (release store of used.idx) and say
 * whether the driver wants a used buffer notification (an interrupt) for
 * them (2.7.7): with EVENT_IDX, if used.idx passed used_event since the
 * last decision; else unless avail.flags has VRING_AVAIL_F_NO_INTERRUPT.
 */
bool virtq_publish(struct virtq *vq);

/*
 * The device's own available buffer notification suppression (2.7.10).
 * virtq_notify_disable(): the driver need not kick (used.flags
 * NO_NOTIFY without EVENT_IDX; with EVENT_IDX, flags stay 0 and
 * avail_event is simply not advanced). virtq_notify_enable(): ask for a
 * kick on the next buffer (flags 0, or avail_event = next index to take),
 * then recheck: returns true if buffers arrived meanwhile, in which case
 * the caller must pop again rather than wait for a kick that may never
 * come.
 */
void virtq_notify_disable(struct virtq *vq);
bool virtq_notify_enable(struct virtq *vq);

/* Whether avail.idx shows chains not yet popped (acquire read). */
bool virtq_has_avail(struct virtq *vq);

#endif
