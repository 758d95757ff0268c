// SPDX-License-Identifier: GPL-2.0-only
/*
 * The split virtqueue, device side (VIRTIO 1.2 section 2.7). See
 * virtqueue.h for the contract; this file cites the spec for each rule.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "devices/virtio/virtqueue.h"

/* Ring area sizes, 2.7 table "Virtqueue Part Alignment/Size". */
static uint64_t desc_area_size(uint16_t size)
{
	return 16ull * size;
}

static uint64_t avail_area_size(uint16_t size)
{
	return 6ull + 2ull * size;	/* flags, idx, ring[size], used_event */
}

static uint64_t used_area_size(uint16_t size)
{
	return 6ull + 8ull * size;	/* flags, idx, ring[size], avail_event */
}

/*
 * Guest-shared 16- and 32-bit fields are read and written with single
 * atomic accesses: the compiler may neither tear nor repeat them. The
 * areas' alignment (checked at enable) makes these accesses aligned.
 */
static uint16_t load16(const uint16_t *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static void store16(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELAXED);
}

static void store32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, htole32(v), __ATOMIC_RELAXED);
}

/* used_event sits after the available ring, avail_event after the used
 * ring (2.7.6, 2.7.8).
 */
static uint16_t *used_event_ptr(struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static uint16_t *avail_event_ptr(struct virtq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/*
 * Fetch one descriptor exactly once (no double fetch): the guest may be
 * rewriting it while we look. The copy goes through memcpy() because an
 * indirect table need not be 16-byte aligned (2.7.5.3 places no
 * alignment on it); the compiler barrier afterwards stops the compiler
 * from re-reading guest memory in place of the local copy.
 */
static void fetch_desc(const void *src, struct desc *d)
{
	struct vring_desc raw;

	memcpy(&raw, src, sizeof(raw));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	d->addr = le64toh(raw.addr);
	d->len = le32toh(raw.len);
	d->flags = le16toh(raw.flags);
	d->next = le16toh(raw.next);
}

void virtq_disable(struct virtq *vq)
{
	*vq = (struct virtq){ 0 };
}

int virtq_enable(struct virtq *vq, const struct guest_memory *mem,
		 const struct virtq_config *cfg)
{
	uint16_t size = cfg->size;
	void *desc, *avail, *used;

	virtq_disable(vq);
	/* 2.7: Queue Size is a power of 2 (split rings), at most 32768. */
	if (!size || (size & (size - 1)))
		return -EINVAL;
	/* 2.7 / 2.7.1: each part starts at a multiple of its alignment. */
	if ((cfg->desc_gpa & (VRING_DESC_ALIGN_SIZE - 1)) ||
	    (cfg->avail_gpa & (VRING_AVAIL_ALIGN_SIZE - 1)) ||
	    (cfg->used_gpa & (VRING_USED_ALIGN_SIZE - 1)))
		return -EINVAL;
	/* Each part wholly inside guest RAM (gpa_to_hva is overflow-safe). */
	desc = gpa_to_hva(mem, cfg->desc_gpa, desc_area_size(size));
	avail = gpa_to_hva(mem, cfg->avail_gpa, avail_area_size(size));
	used = gpa_to_hva(mem, cfg->used_gpa, used_area_size(size));
	if (!desc || !avail || !used)
		return -EINVAL;

	vq->mem = mem;
	vq->size = size;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->indirect = cfg->features & (1ull << VIRTIO_RING_F_INDIRECT_DESC);
	vq->event_idx = cfg->features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	/* The driver initialised used.flags to 0 (2.7.10.1): kicks wanted. */
	vq->notify_on = true;
	vq->enabled = true;
	return 0;
}

/* The walk over one chain: where the flattened segments go. */
struct walk {
	struct virtq_chain *chain;
	unsigned int nr;	/* segments so far */
	uint64_t total;		/* bytes so far, readable + writable */
	bool seen_writable;
};

/*
 * Add one buffer descriptor to the chain. false if the chain is
 * malformed.
 */
static bool add_buffer(const struct virtq *vq, struct walk *w,
		       const struct desc *d)
{
	struct virtq_chain *c = w->chain;
	bool writable = d->flags & VRING_DESC_F_WRITE;
	void *hva;

	/*
	 * 2.7.4.2: device-readable descriptors come before
	 * device-writable ones. The rule is applied to zero-length
	 * descriptors too.
	 */
	if (!writable && w->seen_writable)
		return false;
	w->seen_writable |= writable;
	/*
	 * Zero-length buffers are skipped: they carry no byte, so their
	 * address is not even looked at and they produce no segment. They
	 * still count towards the chain length limits (loop detection).
	 */
	if (!d->len)
		return true;
	hva = gpa_to_hva(vq->mem, d->addr, d->len);
	if (!hva)
		return false;
	if (w->nr == VIRTQ_MAX_SEGS)
		return false;
	/*
	 * 2.7.5.2: a chain is at most 2^32 bytes in total. We stop one byte
	 * short so that every length fits the 32-bit used.len.
	 */
	w->total += d->len;
	if (w->total > UINT32_MAX)
		return false;
	c->iov[w->nr].iov_base = hva;
	c->iov[w->nr].iov_len = d->len;
	w->nr++;
	if (writable) {
		c->nr_writable++;
		c->writable_len += d->len;
	} else {
		c->nr_readable++;
		c->readable_len += d->len;
	}
	return true;
}

/*
 * The indirect table named by d (2.7.5.3). It ends the chain: the
 * descriptor naming it may not also have NEXT (checked by the caller).
 */
static bool walk_indirect(const struct virtq *vq, struct walk *w,
			  const struct desc *d)
{
	const uint8_t *table;
	unsigned int n, i = 0, visited = 0;
	struct desc e;

	/* A table of len / 16 descriptors: len nonzero, a multiple of 16,
	 * at most VIRTQ_MAX_SEGS entries, wholly in RAM.
	 */
	if (!d->len || d->len % sizeof(struct vring_desc) ||
	    d->len / sizeof(struct vring_desc) > VIRTQ_MAX_SEGS)
		return false;
	table = gpa_to_hva(vq->mem, d->addr, d->len);
	if (!table)
		return false;
	n = d->len / sizeof(struct vring_desc);
	for (;;) {
		/* More steps than entries: the chain loops. */
		if (++visited > n)
			return false;
		fetch_desc(table + (size_t)i * sizeof(struct vring_desc), &e);
		/* 2.7.5.3.1: no INDIRECT inside an indirect table. */
		if (e.flags & VRING_DESC_F_INDIRECT)
			return false;
		if (!add_buffer(vq, w, &e))
			return false;
		if (!(e.flags & VRING_DESC_F_NEXT))
			return true;
		/* next indexes this table, starting at entry 0. */
		i = e.next;
		if (i >= n)
			return false;
	}
}

static bool walk_chain(const struct virtq *vq, uint16_t head,
		       struct virtq_chain *c)
{
	struct walk w = { .chain = c };
	unsigned int idx = head, visited = 0;
	struct desc d;

	for (;;) {
		/* 2.7.5: a chain is at most Queue Size descriptors long;
		 * beyond that it can only be a loop.
		 */
		if (++visited > vq->size)
			return false;
		fetch_desc(&vq->desc[idx], &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/*
			 * 2.7.5.3.1: only with VIRTIO_F_INDIRECT_DESC, and
			 * never together with NEXT. 2.7.5.3.2: the WRITE
			 * flag of this descriptor is ignored, and it may
			 * follow zero or more direct descriptors.
			 */
			if (!vq->indirect || (d.flags & VRING_DESC_F_NEXT))
				return false;
			return walk_indirect(vq, &w, &d);
		}
		if (!add_buffer(vq, &w, &d))
			return false;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return true;
		idx = d.next;
		if (idx >= vq->size)
			return false;
	}
}

enum virtq_pop_result virtq_pop(struct virtq *vq, struct virtq_chain *chain)
{
	uint16_t head;

	if (!vq->enabled || vq->broken)
		return VIRTQ_BROKEN;
	if (vq->last_avail == vq->shadow_avail) {
		/*
		 * Acquire: the ring entries and descriptors the driver
		 * wrote before bumping avail.idx (2.7.13: "a memory
		 * barrier" before the idx update) are visible after this.
		 */
		vq->shadow_avail = le16toh(__atomic_load_n(&vq->avail->idx,
							   __ATOMIC_ACQUIRE));
		/*
		 * 2.7.6.1: the driver never decrements idx, and it cannot
		 * offer more than size chains at once. Further ahead than
		 * size means the ring is corrupt.
		 */
		if ((uint16_t)(vq->shadow_avail - vq->last_avail) > vq->size) {
			vq->broken = true;
			return VIRTQ_BROKEN;
		}
		if (vq->shadow_avail == vq->last_avail)
			return VIRTQ_EMPTY;
	}

	head = load16(&vq->avail->ring[vq->last_avail & (vq->size - 1)]);
	vq->last_avail++;
	/* With EVENT_IDX, keep asking for a kick on the next new entry
	 * while kicks are wanted (2.7.10).
	 */
	if (vq->event_idx && vq->notify_on)
		store16(avail_event_ptr(vq), vq->last_avail);
	/* A head that is no descriptor cannot even be given back. */
	if (head >= vq->size) {
		vq->broken = true;
		return VIRTQ_BROKEN;
	}
	vq->inflight++;
	memset(chain, 0, offsetof(struct virtq_chain, iov));
	chain->head = head;
	if (walk_chain(vq, head, chain))
		return VIRTQ_CHAIN;
	/* Nothing of a malformed chain may be used. */
	memset(chain, 0, offsetof(struct virtq_chain, iov));
	chain->head = head;
	return VIRTQ_MALFORMED;
}

int virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e;

	if (!vq->enabled || head >= vq->size || !vq->inflight)
		return -EINVAL;
	/* 2.7.8.2: id and len are written before used.idx moves. */
	e = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	store32(&e->id, head);
	store32(&e->len, len);
	vq->used_idx++;
	vq->inflight--;
	return 0;
}

bool virtq_publish(struct virtq *vq)
{
	uint16_t old, new;

	if (!vq->enabled)
		return false;
	/* Release: the elements are visible before the idx that covers
	 * them.
	 */
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
	vq->published = vq->used_idx;
	/*
	 * Order the idx store before the loads of the driver's
	 * suppression fields below (store-load: a full fence). Otherwise
	 * we could read a stale "no interrupt" while the driver reads a
	 * stale used.idx, and both would wait.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	old = vq->signalled;
	new = vq->used_idx;
	vq->signalled = new;
	if (old == new)
		return false;
	if (vq->event_idx) {
		/*
		 * 2.7.7.2: interrupt when used.idx moves past used_event,
		 * i.e. used_event lies in [old, new), modulo 2^16 (the rule
		 * of vring_need_event() in the spec's virtio_queue.h).
		 */
		uint16_t event = load16(used_event_ptr(vq));

		return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
	}
	/* 2.7.7.2: flags 1 means SHOULD NOT interrupt, 0 MUST. */
	return !(load16(&vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
}

void virtq_notify_disable(struct virtq *vq)
{
	if (!vq->enabled)
		return;
	vq->notify_on = false;
	/* 2.7.10.2: with EVENT_IDX the device MUST keep flags 0; it just
	 * stops advancing avail_event.
	 */
	if (!vq->event_idx)
		store16(&vq->used->flags, VRING_USED_F_NO_NOTIFY);
}

bool virtq_has_avail(struct virtq *vq)
{
	uint16_t idx;

	if (!vq->enabled || vq->broken)
		return false;
	idx = le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
	return idx != vq->last_avail;
}

bool virtq_notify_enable(struct virtq *vq)
{
	if (!vq->enabled)
		return false;
	vq->notify_on = true;
	if (vq->event_idx)
		store16(avail_event_ptr(vq), vq->last_avail);
	else
		store16(&vq->used->flags, 0);
	/* The store above before the avail.idx load in the recheck. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return virtq_has_avail(vq);
}
