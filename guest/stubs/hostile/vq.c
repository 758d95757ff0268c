// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile: a minimal virtio-blk driver for the queue and MSI-X attacks:
 * one split virtqueue (VIRTIO 1.2 2.7) of VQ_SIZE, polled, whose
 * descriptor table the attacks fill by hand. It never puts two requests
 * in flight, so every request starts at descriptor 0.
 */
#include "hostile.h"

static struct vq_desc desc[VQ_SIZE] __attribute__((aligned(16)));
static struct {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VQ_SIZE];
	uint16_t used_event;
} avail __attribute__((aligned(2)));
static struct {
	uint16_t flags;
	uint16_t idx;
	struct vq_used ring[VQ_SIZE];
	uint16_t avail_event;
} used __attribute__((aligned(4)));
static uint16_t last_used;

struct blk_hdr vq_hdr;
volatile uint8_t vq_status_byte;
uint8_t vq_data[2][4096] __attribute__((aligned(4096)));
struct vq_desc vq_indirect[16] __attribute__((aligned(16)));

static uint64_t common(const struct hdev *d, unsigned int reg)
{
	return d->home + d->common + reg;
}

uint8_t vq_status(const struct hdev *d)
{
	return mmio_read8(common(d, COMMON_STATUS));
}

/* 3.1.1 steps 1-6: reset, acknowledge, negotiate. */
static void negotiate(const struct hdev *d)
{
	mmio_write8(common(d, COMMON_STATUS), 0);
	expect(vq_status(d), 0, "slot %u: status after reset (2.4)", d->slot);
	mmio_write8(common(d, COMMON_STATUS), STATUS_ACK | STATUS_DRIVER);
	mmio_write32(common(d, COMMON_DF_SELECT), 1);
	expect(mmio_read32(common(d, COMMON_DF)) >> (F_VERSION_1 - 32) & 1, 1,
	       "VERSION_1 offered");
	mmio_write32(common(d, COMMON_DF_SELECT), 0);
	expect(mmio_read32(common(d, COMMON_DF)) >> F_INDIRECT_DESC & 1, 1,
	       "INDIRECT_DESC offered");
	mmio_write32(common(d, COMMON_GF_SELECT), 0);
	mmio_write32(common(d, COMMON_GF), 1u << F_INDIRECT_DESC);
	mmio_write32(common(d, COMMON_GF_SELECT), 1);
	mmio_write32(common(d, COMMON_GF), 1u << (F_VERSION_1 - 32));
	mmio_write8(common(d, COMMON_STATUS), STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
	expect(vq_status(d), STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK,
	       "slot %u: FEATURES_OK", d->slot);
}

void vq_start(const struct hdev *d)
{
	negotiate(d);
	for (unsigned int i = 0; i < VQ_SIZE; i++) {
		avail.ring[i] = 0;
		used.ring[i] = (struct vq_used){ 0, 0 };
	}
	avail.flags = avail.idx = used.flags = used.idx = 0;
	last_used = 0;
	mmio_write16(common(d, COMMON_Q_SELECT), 0);
	mmio_write16(common(d, COMMON_Q_SIZE), VQ_SIZE);
	mmio_write64(common(d, COMMON_Q_DESC), (uint64_t)desc);
	mmio_write64(common(d, COMMON_Q_DRIVER), (uint64_t)&avail);
	mmio_write64(common(d, COMMON_Q_DEVICE), (uint64_t)&used);
	mmio_write16(common(d, COMMON_Q_ENABLE), 1);
	expect(mmio_read16(common(d, COMMON_Q_ENABLE)), 1, "slot %u: queue 0 enabled", d->slot);
	mmio_write8(common(d, COMMON_STATUS), STATUS_ALL_OK);
	expect(vq_status(d), STATUS_ALL_OK, "slot %u: DRIVER_OK", d->slot);
}

void vq_put(unsigned int at, const struct vq_desc *chain, unsigned int n)
{
	for (unsigned int i = 0; i < n && at + i < VQ_SIZE; i++)
		desc[at + i] = chain[i];
}

uint16_t vq_avail_idx(void)
{
	return avail.idx;
}

/* 2.7.13: ring entry, then (ordered after it) the index, then notify. */
void vq_set_avail_idx(const struct hdev *d, uint16_t idx)
{
	__atomic_store_n(&avail.idx, idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mmio_write16(d->home + d->notify, 0);
}

void vq_offer_head(const struct hdev *d, uint16_t head)
{
	avail.ring[avail.idx % VQ_SIZE] = head;
	vq_set_avail_idx(d, avail.idx + 1);
}

void vq_offer(const struct hdev *d, const struct vq_desc *chain, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		desc[i] = chain[i];
	vq_offer_head(d, 0);
}

bool vq_wait_used(struct vq_used *u, uint64_t ms)
{
	uint64_t deadline = deadline_after_ms(ms);

	while (__atomic_load_n(&used.idx, __ATOMIC_ACQUIRE) == last_used)
		if (deadline_passed(deadline))
			return false;
	*u = used.ring[last_used % VQ_SIZE];
	last_used++;
	return true;
}

struct vq_used vq_run(const struct hdev *d, const struct vq_desc *chain,
		      unsigned int n, const char *what)
{
	struct vq_used u;

	vq_offer(d, chain, n);
	if (!vq_wait_used(&u, 2000))
		hostile_fail("%s: the device never gave the chain back", what);
	expect(u.id, 0, "%s: used id", what);
	return u;
}

/* 5.2.6: header, data (device-writable unless OUT), status; used.len
 * counts the bytes written, the status byte included (2.7.8). */
uint8_t vq_request(const struct hdev *d, uint32_t type, uint64_t sector,
		   void *buf, uint32_t len)
{
	uint16_t dflags = DESC_F_NEXT | (type == BLK_T_OUT ? 0 : DESC_F_WRITE);
	struct vq_desc chain[3] = {
		{ (uint64_t)&vq_hdr, sizeof(vq_hdr), DESC_F_NEXT, 1 },
		{ (uint64_t)buf, len, dflags, 2 },
		{ (uint64_t)&vq_status_byte, 1, DESC_F_WRITE, 0 },
	};
	struct vq_used u;
	uint8_t st;

	vq_hdr = (struct blk_hdr){ type, 0, sector };
	vq_status_byte = 0xff;
	if (!len) {
		chain[0].next = 1;
		chain[1] = chain[2];
	}
	u = vq_run(d, chain, len ? 3 : 2, "request");
	st = vq_status_byte;
	expect(u.len, st == BLK_S_OK && type != BLK_T_OUT && type != BLK_T_FLUSH ? len + 1 : 1,
	       "request type %u: used length", type);
	return st;
}
