// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile: virtqueue attacks on device A (VIRTIO 1.2 2.7, 4.1.4.3, 5.2.6).
 *
 * ursa's defined answers (devices/virtio/virtqueue.h, blk_req.h, pci.c):
 *  - a malformed chain (loop, index out of range, a buffer not wholly in
 *    RAM, readable after writable, more than 2^32 bytes, a bad indirect
 *    table) comes back in the used ring with length 0 and nothing
 *    written, the status byte included; the queue goes on working;
 *  - a well-formed chain with a bad request gets IOERR or UNSUPP in its
 *    status byte (the last device-writable byte) and used length 1;
 *    empty buffers carry nothing and are skipped, whatever their address;
 *  - a corrupt ring (a head index >= queue size, avail.idx more than
 *    queue size ahead) or a queue the device cannot use at enable time
 *    sets DEVICE_NEEDS_RESET (2.1.2); nothing more is processed until
 *    the driver resets the device, which the driver cannot avoid by
 *    clearing the bit; after the reset the device works again;
 *  - a reset is complete when it returns: no I/O of the old requests
 *    lands in guest RAM afterwards.
 */
#include "hostile.h"

#define D(a, l, f, n)	((struct vq_desc){ (uint64_t)(a), (l), (f), (n) })
#define HDR(f, n)	D(&vq_hdr, sizeof(vq_hdr), (f), (n))
#define STATUS		D(&vq_status_byte, 1, DESC_F_WRITE, 0)
#define R		0
#define W		DESC_F_WRITE
#define N		DESC_F_NEXT
#define MiB		(1ull << 20)
#define GiB		(1ull << 30)

static const struct hdev *dev;
static uint64_t ram_end;

static void set_hdr(uint32_t type, uint64_t sector)
{
	vq_hdr = (struct blk_hdr){ type, 0, sector };
	vq_status_byte = 0xff;
}

static void expect_healthy(const char *what)
{
	expect(vq_status(dev), STATUS_ALL_OK, "%s: device status", what);
}

/* The chain comes back empty-handed and the device stays healthy. */
static void expect_malformed(const struct vq_desc *chain, unsigned int n, const char *what)
{
	struct vq_used u;

	set_hdr(BLK_T_IN, 0);
	u = vq_run(dev, chain, n, what);
	expect(u.len, 0, "%s: used length", what);
	expect(vq_status_byte, 0xff, "%s: status byte", what);
	expect_healthy(what);
}

static void expect_status(uint32_t type, const struct vq_desc *chain, unsigned int n,
			  uint8_t status, uint32_t len, const char *what)
{
	struct vq_used u;

	set_hdr(type, 0);
	u = vq_run(dev, chain, n, what);
	expect(vq_status_byte, status, "%s: status", what);
	expect(u.len, len, "%s: used length", what);
	expect_healthy(what);
}

/* 2.7.5: a chain longer than the queue size can only be a loop; the
 * device must stop, however the loop is made. */
static void loops(void)
{
	const struct vq_desc self[] = { HDR(R | N, 0) };
	const struct vq_desc two[] = { HDR(R | N, 1), D(vq_data[0], 512, R | N, 0) };
	const struct vq_desc empty[] = { D(0, 0, R | N, 1), D(0, 0, R | N, 0) };
	const struct vq_desc writing[] = { HDR(R | N, 1), D(&vq_status_byte, 1, W | N, 1) };

	expect_malformed(self, 1, "descriptor looping to itself");
	expect_malformed(two, 2, "two-descriptor loop");
	expect_malformed(empty, 2, "loop of empty descriptors");
	expect_malformed(writing, 2, "loop over the status byte");
}

/* Indices past the table (2.7.5: next must name a descriptor). */
static void bad_indices(void)
{
	const struct vq_desc past[] = { HDR(R | N, VQ_SIZE) };
	const struct vq_desc far[] = { HDR(R | N, 0xffff) };

	expect_malformed(past, 1, "next = queue size");
	expect_malformed(far, 1, "next = 0xffff");
}

/* Buffers that are not guest RAM: above it, on MMIO (the LAPIC, ECAM,
 * the device's own BAR), far above, at the top of 2^64. */
static void outside_ram(void)
{
	const uint64_t where[] = {
		ram_end, LAPIC_BASE, ECAM_BASE, dev->home, 1ull << 40, ~0ull - 255,
	};

	for (unsigned int i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		const struct vq_desc data[] = { HDR(R | N, 1), D(where[i], 512, W | N, 2), STATUS };
		const struct vq_desc hdr[] = { D(where[i], 16, R | N, 1), STATUS };
		const struct vq_desc st[] = { HDR(R | N, 1), D(where[i], 1, W, 0) };

		expect_malformed(data, 3, "data outside RAM");
		expect_malformed(hdr, 2, "header outside RAM");
		expect_malformed(st, 2, "status outside RAM");
	}
}

/* Buffers that begin in RAM and run past its end. */
static void across_ram_end(void)
{
	const struct vq_desc data[] = { HDR(R | N, 1), D(ram_end - 256, 512, W | N, 2), STATUS };
	const struct vq_desc hdr[] = { D(ram_end - 8, 16, R | N, 1), STATUS };

	expect_malformed(data, 3, "data across the end of RAM");
	expect_malformed(hdr, 2, "header across the end of RAM");
}

/*
 * Zero lengths: an empty buffer carries no byte, so its address is never
 * looked at; the status is the last writable byte there is (5.2.6).
 */
static void zero_lengths(void)
{
	const struct vq_desc empty_data[] = {
		HDR(R | N, 1), D(0xdead00000000ull, 0, W | N, 2), STATUS,
	};
	const struct vq_desc empty_status[] = { HDR(R | N, 1), D(&vq_status_byte, 0, W, 0) };
	const struct vq_desc status_in_data[] = {
		HDR(R | N, 1), D(vq_data[0], 512, W | N, 2), D(&vq_status_byte, 0, W, 0),
	};
	const struct vq_desc short_hdr[] = { D(&vq_hdr, 8, R | N, 1), STATUS };

	expect_status(BLK_T_IN, empty_data, 3, BLK_S_OK, 1, "read of an empty buffer");
	/* No writable byte: the request cannot even fail visibly. */
	expect_status(BLK_T_IN, empty_status, 2, 0xff, 0, "empty status descriptor");
	vq_data[0][511] = 0xff;
	expect_status(BLK_T_IN, status_in_data, 3, 0xff, 1, "status inside the data");
	expect(vq_data[0][511], BLK_S_IOERR, "status inside the data: its last byte");
	expect_status(BLK_T_IN, short_hdr, 2, BLK_S_IOERR, 1, "8-byte header");
}

/* Huge lengths: beyond RAM, beyond what one request may carry
 * (blk_req.h: 16 MiB), and a chain of more than 2^32 bytes (2.7.5.2),
 * made of buffers that are each in RAM. */
static void huge_lengths(void)
{
	const struct vq_desc huge[] = { HDR(R | N, 1), D(MiB, 0xffffffffu, W | N, 2), STATUS };
	const struct vq_desc big[] = { HDR(R | N, 1), D(16 * MiB, 16 * MiB + 512, R | N, 2), STATUS };
	uint32_t seg = ram_end - MiB;
	unsigned int n = 4 * GiB / seg + 1;
	struct vq_desc chain[VQ_SIZE];

	expect_malformed(huge, 3, "4 GiB buffer");
	expect_status(BLK_T_OUT, big, 3, BLK_S_IOERR, 1, "write of 16 MiB + 512");
	if (n + 2 > VQ_SIZE)
		hostile_fail("too little RAM for a 4 GiB chain of %u buffers", n);
	chain[0] = HDR(R | N, 1);
	for (unsigned int i = 1; i <= n; i++)
		chain[i] = D(MiB, seg, R | N, i + 1);
	chain[n + 1] = STATUS;
	expect_malformed(chain, n + 2, "chain of more than 4 GiB");
}

/* 2.7.4.2: device-readable buffers come first. */
static void order(void)
{
	const struct vq_desc chain[] = {
		HDR(R | N, 1), D(&vq_status_byte, 1, W | N, 2), D(vq_data[0], 512, R, 0),
	};

	expect_malformed(chain, 3, "readable after writable");
}

static void fill_table(const struct vq_desc *t, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		vq_indirect[i] = t[i];
}

/* 2.7.5.3: indirect tables, good and bad. */
static void indirect(void)
{
	const struct vq_desc good[] = { HDR(R | N, 1), D(vq_data[0], 512, W | N, 2), STATUS };
	const struct vq_desc nested[] = { HDR(R | N, 1), D(vq_indirect, 48, DESC_F_INDIRECT, 0) };
	const struct vq_desc past[] = { HDR(R | N, 5), STATUS };
	const struct vq_desc loop[] = { HDR(R | N, 1), D(vq_data[0], 512, R | N, 0) };
	const struct vq_desc tail[] = { D(vq_data[0], 512, W | N, 1), STATUS };
	struct vq_desc ind[] = { D(vq_indirect, 48, DESC_F_INDIRECT, 0) };
	const struct vq_desc with_next[] = { D(vq_indirect, 48, DESC_F_INDIRECT | N, 1), STATUS };
	const struct vq_desc after_direct[] = { HDR(R | N, 1), D(vq_indirect, 32, DESC_F_INDIRECT, 0) };
	const uint32_t bad_len[] = { 0, 24, 1025 * 16 };

	fill_table(good, 3);
	expect_status(BLK_T_IN, ind, 1, BLK_S_OK, 513, "indirect read");
	expect_malformed(with_next, 2, "INDIRECT with NEXT");
	for (unsigned int i = 0; i < 3; i++) {
		ind[0].len = bad_len[i];
		expect_malformed(ind, 1, "indirect table of a bad length");
	}
	ind[0] = D(ram_end - 16, 48, DESC_F_INDIRECT, 0);
	expect_malformed(ind, 1, "indirect table outside RAM");
	ind[0] = D(vq_indirect, 48, DESC_F_INDIRECT, 0);
	fill_table(nested, 2);
	expect_malformed(ind, 1, "indirect inside indirect");
	fill_table(past, 2);
	expect_malformed(ind, 1, "indirect next past the table");
	fill_table(loop, 2);
	expect_malformed(ind, 1, "loop in an indirect table");
	fill_table(tail, 2);
	expect_status(BLK_T_IN, after_direct, 2, BLK_S_OK, 513, "indirect after a direct one");
}

/* 5.2.6.1: well-formed chains carrying bad requests. */
static void bad_requests(void)
{
	const struct vq_desc rd[] = { HDR(R | N, 1), D(vq_data[0], 512, W | N, 2), STATUS };
	const struct vq_desc in_readable[] = {
		HDR(R | N, 1), D(vq_data[0], 512, R | N, 2), STATUS,
	};
	const struct vq_desc id_short[] = { HDR(R | N, 1), D(vq_data[0], 19, W | N, 2), STATUS };
	struct vq_used u;

	expect_status(0x12345, rd, 3, BLK_S_UNSUPP, 1, "unknown request type");
	expect_status(BLK_T_IN, in_readable, 3, BLK_S_IOERR, 1, "read into readable data");
	expect_status(BLK_T_GET_ID, id_short, 3, BLK_S_IOERR, 1, "GET_ID with 19 bytes");
	set_hdr(BLK_T_IN, ~0ull);
	u = vq_run(dev, rd, 3, "read of sector 2^64 - 1");
	expect(vq_status_byte, BLK_S_IOERR, "read of sector 2^64 - 1: status");
	expect(u.len, 1, "read of sector 2^64 - 1: used length");
}

static void wait_needs_reset(const char *what)
{
	uint64_t deadline = deadline_after_ms(2000);

	while (!(vq_status(dev) & STATUS_NEEDS_RESET))
		if (deadline_passed(deadline))
			hostile_fail("%s: DEVICE_NEEDS_RESET never came", what);
	hostile_checks++;
}

/*
 * A broken device processes nothing: a good request offered now stays
 * where it is. The driver cannot clear NEEDS_RESET (2.1.2: only a reset
 * does); after one, the device works again.
 */
static void expect_broken_then_reset(const char *what)
{
	struct vq_used u;

	wait_needs_reset(what);
	set_hdr(BLK_T_IN, 0);
	vq_offer(dev, (const struct vq_desc[]){ HDR(R | N, 1), STATUS }, 2);
	expect(vq_wait_used(&u, 50), false, "%s: a request went through", what);
	mmio_write8(dev->home + dev->common + COMMON_STATUS, STATUS_ALL_OK);
	expect(vq_status(dev), STATUS_ALL_OK | STATUS_NEEDS_RESET,
	       "%s: the driver cleared NEEDS_RESET", what);
	vq_start(dev);
	expect(vq_request(dev, BLK_T_IN, 0, vq_data[0], 512), BLK_S_OK, "%s: read after reset",
	       what);
}

/* 2.7.6.1: a head index that names no descriptor; avail.idx more than
 * queue size ahead of what the device took. */
static void corrupt_ring(void)
{
	vq_offer_head(dev, VQ_SIZE);
	expect_broken_then_reset("head index = queue size");
	vq_set_avail_idx(dev, vq_avail_idx() + VQ_SIZE + 1);
	expect_broken_then_reset("avail.idx jumped by queue size + 1");
}

static uint64_t common_reg(unsigned int reg)
{
	return dev->home + dev->common + reg;
}

/* Enable queue 0 with one thing wrong: NEEDS_RESET, queue off. */
static void bad_enable(uint16_t size, uint64_t desc, uint64_t drv, uint64_t devarea,
		       const char *what)
{
	mmio_write8(common_reg(COMMON_STATUS), 0);
	mmio_write8(common_reg(COMMON_STATUS), STATUS_ACK | STATUS_DRIVER);
	mmio_write32(common_reg(COMMON_GF_SELECT), 1);
	mmio_write32(common_reg(COMMON_GF), 1);
	mmio_write8(common_reg(COMMON_STATUS), STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
	mmio_write16(common_reg(COMMON_Q_SELECT), 0);
	mmio_write16(common_reg(COMMON_Q_SIZE), size);
	mmio_write64(common_reg(COMMON_Q_DESC), desc);
	mmio_write64(common_reg(COMMON_Q_DRIVER), drv);
	mmio_write64(common_reg(COMMON_Q_DEVICE), devarea);
	mmio_write16(common_reg(COMMON_Q_ENABLE), 1);
	expect(mmio_read16(common_reg(COMMON_Q_ENABLE)), 0, "%s: queue enabled", what);
	expect(vq_status(dev) & STATUS_NEEDS_RESET, STATUS_NEEDS_RESET, "%s: NEEDS_RESET", what);
}

/*
 * 2.7: the queue size is a power of two; descriptor table, driver and
 * device areas aligned to 16, 2 and 4 and wholly in RAM.
 */
static void bad_queue_config(void)
{
	uint64_t desc = mmio_read64(common_reg(COMMON_Q_DESC));
	uint64_t drv = mmio_read64(common_reg(COMMON_Q_DRIVER));
	uint64_t devarea = mmio_read64(common_reg(COMMON_Q_DEVICE));

	bad_enable(3, desc, drv, devarea, "queue size 3");
	bad_enable(0, desc, drv, devarea, "queue size 0");
	bad_enable(VQ_SIZE, desc + 8, drv, devarea, "descriptor table 8-aligned");
	bad_enable(VQ_SIZE, desc, drv + 1, devarea, "odd driver area");
	bad_enable(VQ_SIZE, desc, drv, devarea + 2, "device area 2-aligned");
	bad_enable(VQ_SIZE, ram_end - 16, drv, devarea, "descriptor table past RAM");
	bad_enable(VQ_SIZE, desc, LAPIC_BASE, devarea, "driver area on the LAPIC");
	bad_enable(VQ_SIZE, desc, drv, dev->home, "device area on the BAR");
	bad_enable(VQ_SIZE, ~0ull & ~0xfull, drv, devarea, "descriptor table wrapping");
	vq_start(dev);
}

/*
 * Common configuration misuse (4.1.4.3): a queue that does not exist
 * reads size 0 and ignores writes; queue registers are
 * fixed once the queue is enabled; MSI-X vectors the device lacks read
 * NO_VECTOR (4.1.5.1.2); feature selects past the defined words read 0;
 * FEATURES_OK does not stick for features not offered or without
 * VERSION_1 (3.1.1, 6.1); a queue size above the maximum is capped.
 */
static void register_misuse(void)
{
	uint64_t desc = mmio_read64(common_reg(COMMON_Q_DESC));
	uint16_t max;

	mmio_write16(common_reg(COMMON_Q_SELECT), 5);
	mmio_write16(common_reg(COMMON_Q_SIZE), 16);
	mmio_write64(common_reg(COMMON_Q_DESC), 0x1000);
	mmio_write16(common_reg(COMMON_Q_ENABLE), 1);
	expect(mmio_read16(common_reg(COMMON_Q_SIZE)), 0, "queue 5: size");
	expect(mmio_read16(common_reg(COMMON_Q_ENABLE)), 0, "queue 5: enable");
	expect(mmio_read16(common_reg(COMMON_Q_MSIX)), VIRTIO_NO_VECTOR, "queue 5: vector");
	expect(mmio_read64(common_reg(COMMON_Q_DESC)), 0, "queue 5: descriptor table");
	mmio_write16(common_reg(COMMON_Q_SELECT), 0);
	mmio_write64(common_reg(COMMON_Q_DESC), 0x1000);
	mmio_write16(common_reg(COMMON_Q_SIZE), 16);
	expect(mmio_read64(common_reg(COMMON_Q_DESC)), desc, "enabled queue: descriptor table");
	expect(mmio_read16(common_reg(COMMON_Q_SIZE)), VQ_SIZE, "enabled queue: size");
	mmio_write16(common_reg(COMMON_MSIX), 0x1234);
	expect(mmio_read16(common_reg(COMMON_MSIX)), VIRTIO_NO_VECTOR, "config vector 0x1234");
	mmio_write16(common_reg(COMMON_Q_MSIX), dev->msix_vectors);
	expect(mmio_read16(common_reg(COMMON_Q_MSIX)), VIRTIO_NO_VECTOR,
	       "queue vector = table size");
	mmio_write32(common_reg(COMMON_DF_SELECT), ~0u);
	expect(mmio_read32(common_reg(COMMON_DF)), 0, "device features word 2^32 - 1");
	expect(vq_request(dev, BLK_T_IN, 0, vq_data[0], 512), BLK_S_OK, "read after misuse");

	mmio_write8(common_reg(COMMON_STATUS), 0);
	max = mmio_read16(common_reg(COMMON_Q_SIZE));
	mmio_write16(common_reg(COMMON_Q_SIZE), 0xffff);
	expect(mmio_read16(common_reg(COMMON_Q_SIZE)), max, "queue size 0xffff capped");
	mmio_write8(common_reg(COMMON_STATUS), STATUS_ACK | STATUS_DRIVER);
	mmio_write32(common_reg(COMMON_GF_SELECT), 1);
	mmio_write32(common_reg(COMMON_GF), 1u << 31 | 1);
	mmio_write8(common_reg(COMMON_STATUS), STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
	expect(vq_status(dev) & STATUS_FEATURES_OK, 0, "FEATURES_OK with feature 63");
	mmio_write8(common_reg(COMMON_STATUS), 0);
	mmio_write8(common_reg(COMMON_STATUS), STATUS_ACK | STATUS_DRIVER);
	mmio_write8(common_reg(COMMON_STATUS), STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
	expect(vq_status(dev) & STATUS_FEATURES_OK, 0, "FEATURES_OK without VERSION_1");
	vq_start(dev);
}

/*
 * With the BAR moved onto RAM, a doorbell written there is a RAM write
 * (the BAR is not decoded over RAM) and the one at the old address goes
 * nowhere: the request waits. Back home, the doorbell rings.
 */
static void doorbell_on_ram(void)
{
	static uint8_t page[0x8000] __attribute__((aligned(0x8000)));
	const struct vq_desc rd[] = { HDR(R | N, 1), D(vq_data[0], 512, W | N, 2), STATUS };
	uint64_t base = (uint64_t)page;
	struct vq_used u;

	if (dev->bar_size > sizeof(page))
		hostile_fail("BAR larger than the doorbell page");
	set_hdr(BLK_T_IN, 0);
	cfg_set_bar(dev, base);
	vq_offer(dev, rd, 3);	/* its doorbell write: the old address */
	mmio_write16(base + dev->notify, 0xbeef);
	expect(vq_wait_used(&u, 50), false, "doorbell on RAM: the device saw it");
	expect(mmio_read16(base + dev->notify), 0xbeef, "doorbell on RAM: RAM");
	cfg_set_bar(dev, dev->home);
	mmio_write16(dev->home + dev->notify, 0);
	expect(vq_wait_used(&u, 2000), true, "doorbell at home: completion");
	expect(vq_status_byte, BLK_S_OK, "doorbell at home: status");
}

static void fill64(uint64_t gpa, uint64_t len, uint64_t v)
{
	for (uint64_t *p = (uint64_t *)gpa; len >= 8; len -= 8)
		*p++ = v;
}

static uint64_t count_not64(uint64_t gpa, uint64_t len, uint64_t v)
{
	uint64_t n = 0;

	for (const uint64_t *p = (const uint64_t *)gpa; len >= 8; len -= 8)
		n += *p++ != v;
	return n;
}

static void wait_ms(uint64_t ms)
{
	uint64_t deadline = deadline_after_ms(ms);

	while (!deadline_passed(deadline))
		__builtin_ia32_pause();
}

/*
 * Reset with reads in flight (2.4): once status reads 0 the reset is
 * done (4.1.4.3.2) and the driver owns its buffers again, so no read may
 * land in them afterwards. Two 16 MiB reads go out, the device is reset
 * at once or 1 ms later, the driver reuses the buffers; they must keep
 * what it wrote. (Whether a read is still running at the reset is up to
 * the host: a device that lets it land is caught often, not always.)
 */
static void reset_in_flight(void)
{
	const uint64_t region = 64 * MiB, chunk = 16 * MiB, fresh = 0x5555555555555555ull;

	for (unsigned int round = 0; round < 4; round++) {
		fill64(region, 2 * chunk, 0xaaaaaaaaaaaaaaaaull);
		set_hdr(BLK_T_IN, 0);
		for (unsigned int i = 0; i < 2; i++) {
			const struct vq_desc rd[] = {
				HDR(R | N, 3 * i + 1),
				D(region + i * chunk, chunk, W | N, 3 * i + 2), STATUS,
			};

			vq_put(3 * i, rd, 3);
			vq_offer_head(dev, 3 * i);
		}
		wait_ms(round & 1);
		mmio_write8(dev->home + dev->common + COMMON_STATUS, 0);
		while (vq_status(dev))
			;
		fill64(region, 2 * chunk, fresh);
		wait_ms(100);
		expect(count_not64(region, 2 * chunk, fresh), 0,
		       "reset %u: qwords a read wrote after the reset", round);
		vq_start(dev);
	}
}

uint64_t phase_virtq(uint64_t arg)
{
	(void)arg;
	dev = &hdevs[0];
	ram_end = rt_boot->ram_below_4g;
	vq_start(dev);
	expect(vq_request(dev, BLK_T_IN, 0, vq_data[0], 512), BLK_S_OK, "first read");
	loops();
	bad_indices();
	outside_ram();
	across_ram_end();
	zero_lengths();
	huge_lengths();
	order();
	indirect();
	bad_requests();
	corrupt_ring();
	bad_queue_config();
	register_misuse();
	doorbell_on_ram();
	reset_in_flight();
	expect(vq_request(dev, BLK_T_IN, 0, vq_data[0], 512), BLK_S_OK, "last read");
	return 0;
}

/* After everything: each device still writes, flushes, reads back and
 * answers GET_ID (5.2.6); then it is reset, off the shared rings. */
static void survivor(const struct hdev *d)
{
	vq_start(d);
	for (unsigned int i = 0; i < 4096; i++)
		vq_data[1][i] = i * 7 + d->slot;
	expect(vq_request(d, BLK_T_OUT, 8, vq_data[1], 4096), BLK_S_OK, "survivor: write");
	expect(vq_request(d, BLK_T_FLUSH, 0, 0, 0), BLK_S_OK, "survivor: flush");
	for (unsigned int i = 0; i < 4096; i++)
		vq_data[0][i] = 0;
	expect(vq_request(d, BLK_T_IN, 8, vq_data[0], 4096), BLK_S_OK, "survivor: read");
	for (unsigned int i = 0; i < 4096; i++)
		expect(vq_data[0][i], vq_data[1][i], "slot %u survivor: byte %u read back",
		       d->slot, i);
	expect(vq_request(d, BLK_T_GET_ID, 0, vq_data[0], 20), BLK_S_OK, "survivor: GET_ID");
	mmio_write8(d->home + d->common + COMMON_STATUS, 0);
}

uint64_t phase_survivor(uint64_t arg)
{
	(void)arg;
	for (unsigned int i = 0; i < HOSTILE_DEVICES; i++)
		survivor(&hdevs[i]);
	return 0;
}
