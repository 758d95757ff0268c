// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk: a minimal virtio-blk driver (VIRTIO 1.2 3.1, 4.1, 5.2) over ursa's
 * PCI transport, polling from CPL3.
 *
 * By default: write a pattern, flush, read it back and compare;
 * read past the end of the disk (must fail with IOERR); ask for the ID.
 * Prints "blk: ok ..." and halts, or exits with code 1 (status 3).
 *
 * bench=1 count=N qd=Q: N random 4 KiB reads, Q (1..32) in flight; prints
 * the count. bench/blk times it against the same I/O done on the host.
 *
 * durable=1 nonce=X [count=N] [group=K] [qd=Q] [flush=0]: writes blocks 0,
 * 1, 2, ... (block i at sector 8i, its contents made of i and the nonce:
 * durable_fill()), Q (1..31) in flight, until N blocks are stable (default:
 * the whole disk), then prints "durable: done N" and halts.
 * VIRTIO 1.2 5.2.6.2: a completed write becomes stable once a FLUSH sent
 * after its completion completes. So whenever K more blocks have completed,
 * the stub sends a FLUSH covering the blocks completed by then, and prints
 * "durable: flushed N" when it completes with OK: blocks 0..N-1 are
 * stable. Writes go on meanwhile. With flush=0 the stub does not negotiate
 * VIRTIO_BLK_F_FLUSH: then a write is stable when it completes, and the
 * stub prints "durable: stable N" every K blocks. tests/kvm/durable_test.py
 * kills ursa meanwhile and reads the disk.
 */
#include "../rt/rt.h"
#include "../rt/virtio.h"

#define PCI_CAP_VENDOR		0x09
#define BLK_F_RO		5	/* device feature: read-only */
#define BLK_F_FLUSH		9	/* device feature: FLUSH (writes volatile until one) */

#define QSIZE			128
#define SLOTS			32	/* three descriptors each */
#define BLOCK			4096
#define BLK_SECTOR_WORDS	(512 / 8)	/* 64-bit words in a sector */

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct desc desc[QSIZE] __attribute__((aligned(16)));
static struct {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[QSIZE];
} avail __attribute__((aligned(2)));
static struct {
	uint16_t flags;
	uint16_t idx;
	struct {
		uint32_t id;
		uint32_t len;
	} ring[QSIZE];
} used __attribute__((aligned(4)));

static struct req_hdr hdr[SLOTS];
static uint8_t data[SLOTS][BLOCK] __attribute__((aligned(BLOCK)));
static volatile uint8_t status[SLOTS];
static uint8_t check_buf[BLOCK] __attribute__((aligned(BLOCK)));

static uint64_t common, notify, devcfg;
static bool read_only, flush_negotiated;
static uint16_t last_used;

static void fail(const char *what)
{
	rt_printf("blk: FAIL %s\n", what);
	rt_exit(1);
}

/* Find the device, enable it, and locate its structures in BAR 0. */
static void probe(void)
{
	unsigned int slot;
	uint64_t bar = 0;
	uint32_t mult = 0;
	uint8_t cap;

	for (slot = 0; slot < 32; slot++)
		if (rt_pci_read(0, slot, 0, 0, 4) ==
		    ((uint32_t)VIRTIO_BLK_DEVICE << 16 | VIRTIO_VENDOR))
			break;
	if (slot == 32)
		fail("no virtio-blk device on bus 0");
	bar = rt_pci_read(0, slot, 0, 0x10, 4) & ~0xfull;
	rt_pci_write(0, slot, 0, 0x04, 2, 0x6);	/* memory decode, bus master */
	for (cap = rt_pci_read(0, slot, 0, 0x34, 1); cap;
	     cap = rt_pci_read(0, slot, 0, cap + 1, 1)) {
		uint8_t type = rt_pci_read(0, slot, 0, cap + 3, 1);
		uint64_t where = bar + rt_pci_read(0, slot, 0, cap + 8, 4);

		if (rt_pci_read(0, slot, 0, cap, 1) != PCI_CAP_VENDOR)
			continue;
		if (type == VIRTIO_CAP_COMMON)
			common = where;
		else if (type == VIRTIO_CAP_DEVICE)
			devcfg = where;
		else if (type == VIRTIO_CAP_NOTIFY) {
			notify = where;
			mult = rt_pci_read(0, slot, 0, cap + 16, 4);
		}
	}
	if (!common || !notify || !devcfg)
		fail("missing virtio capabilities");
	mmio_write16(common + COMMON_Q_SELECT, 0);
	notify += (uint64_t)mmio_read16(common + COMMON_Q_NOTIFY_OFF) * mult;
}

/*
 * 3.1.1: reset, acknowledge, negotiate VERSION_1, RO when offered and the
 * device features in want (bits 0..31) that are offered, set up queue 0.
 */
static void init_device(uint32_t want)
{
	uint32_t offered;

	mmio_write8(common + COMMON_STATUS, 0);
	mmio_write8(common + COMMON_STATUS, STATUS_ACK | STATUS_DRIVER);
	mmio_write32(common + COMMON_DF_SELECT, 0);
	offered = mmio_read32(common + COMMON_DF);
	read_only = offered & (1u << BLK_F_RO);
	flush_negotiated = offered & want & (1u << BLK_F_FLUSH);
	mmio_write32(common + COMMON_DF_SELECT, 1);
	if (!(mmio_read32(common + COMMON_DF) & 1))
		fail("device lacks VIRTIO_F_VERSION_1");
	mmio_write32(common + COMMON_GF_SELECT, 0);
	mmio_write32(common + COMMON_GF, offered & (want | 1u << BLK_F_RO));
	mmio_write32(common + COMMON_GF_SELECT, 1);
	mmio_write32(common + COMMON_GF, 1);
	mmio_write8(common + COMMON_STATUS, STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
	if (!(mmio_read8(common + COMMON_STATUS) & STATUS_FEATURES_OK))
		fail("FEATURES_OK refused");
	mmio_write16(common + COMMON_Q_SELECT, 0);
	if (mmio_read16(common + COMMON_Q_SIZE) < QSIZE)
		fail("queue too small");
	mmio_write16(common + COMMON_Q_SIZE, QSIZE);
	mmio_write64(common + COMMON_Q_DESC, (uint64_t)desc);
	mmio_write64(common + COMMON_Q_DRIVER, (uint64_t)&avail);
	mmio_write64(common + COMMON_Q_DEVICE, (uint64_t)&used);
	avail.flags = AVAIL_F_NO_INTERRUPT;	/* this driver polls */
	mmio_write16(common + COMMON_Q_ENABLE, 1);
	mmio_write8(common + COMMON_STATUS, STATUS_ACK | STATUS_DRIVER |
		    STATUS_FEATURES_OK | STATUS_DRIVER_OK);
}

/* Queue slot s's request: header, optional data, status (5.2.6). */
static void submit(unsigned int s, uint32_t type, uint64_t sector, uint32_t len)
{
	unsigned int d = 3 * s;
	unsigned int n = 0;

	hdr[s] = (struct req_hdr){ type, 0, sector };
	status[s] = 0xff;
	desc[d] = (struct desc){ (uint64_t)&hdr[s], sizeof(hdr[s]), DESC_F_NEXT, d + 1 };
	if (len) {
		desc[d + 1] = (struct desc){ (uint64_t)data[s], len,
					     DESC_F_NEXT | (type == BLK_T_OUT ? 0 : DESC_F_WRITE),
					     d + 2 };
		n = 1;
	}
	desc[d + 1 + n] = (struct desc){ (uint64_t)&status[s], 1, DESC_F_WRITE, 0 };
	if (!n)
		desc[d].next = d + 1;
	avail.ring[avail.idx % QSIZE] = d;
	__atomic_store_n(&avail.idx, avail.idx + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&used.flags, __ATOMIC_ACQUIRE) & USED_F_NO_NOTIFY))
		mmio_write16(notify, 0);
}

/* Wait for the next completion; returns its slot. */
static unsigned int reap(void)
{
	uint32_t id;

	while (__atomic_load_n(&used.idx, __ATOMIC_ACQUIRE) == last_used)
		__builtin_ia32_pause();
	id = used.ring[last_used % QSIZE].id;
	last_used++;
	return id / 3;
}

static uint8_t run_one(uint32_t type, uint64_t sector, uint32_t len)
{
	submit(0, type, sector, len);
	reap();
	return status[0];
}

static uint64_t check(uint64_t arg)
{
	uint64_t capacity = mmio_read64(devcfg);

	(void)arg;
	for (unsigned int i = 0; i < BLOCK; i++)
		data[0][i] = check_buf[i] = (uint8_t)(i * 7 + 3);
	/* A read-only disk must refuse the write (5.2.6.2). */
	if (run_one(BLK_T_OUT, 8, BLOCK) != (read_only ? BLK_S_IOERR : BLK_S_OK))
		return 1;
	if (read_only)
		return run_one(BLK_T_IN, 8, BLOCK) == BLK_S_OK ? 0 : 7;
	if (run_one(BLK_T_FLUSH, 0, 0) != BLK_S_OK)
		return 2;
	for (unsigned int i = 0; i < BLOCK; i++)
		data[0][i] = 0;
	if (run_one(BLK_T_IN, 8, BLOCK) != BLK_S_OK)
		return 3;
	for (unsigned int i = 0; i < BLOCK; i++)
		if (data[0][i] != check_buf[i])
			return 4;
	if (run_one(BLK_T_IN, capacity - 1, BLOCK) != BLK_S_IOERR)
		return 5;
	if (run_one(BLK_T_GET_ID, 0, 20) != BLK_S_OK)
		return 6;
	data[0][20] = 0;	/* the ID is NUL-padded, not terminated, at 20 */
	return 0;
}

/* count random 4 KiB reads with qd in flight. */
static uint64_t bench(uint64_t arg)
{
	uint64_t count = arg >> 8, qd = arg & 0xff, blocks = mmio_read64(devcfg) / 8;
	uint64_t seed = 0x2545f4914f6cdd1dull, done = 0, issued = 0;

	for (; issued < qd && issued < count; issued++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		submit(issued, BLK_T_IN, (seed >> 33) % blocks * 8, BLOCK);
	}
	while (done < count) {
		unsigned int s = reap();

		if (status[s] != BLK_S_OK)
			return ~0ull;
		done++;
		if (issued < count) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			submit(s, BLK_T_IN, (seed >> 33) % blocks * 8, BLOCK);
			issued++;
		}
	}
	return done;
}

/* durable=1: its arguments, read at CPL0 for the CPL3 loop, and its state. */
static struct {
	uint64_t nonce;
	uint64_t limit;		/* blocks to make stable */
	uint64_t group;		/* K: blocks between two FLUSHes (or reports) */
	uint64_t qd;		/* writes in flight */
	bool flush;		/* FLUSH negotiated: stable after a FLUSH */
} dcfg;

/*
 * Writes in flight may complete in any order; the window bounds how far
 * the next write runs ahead of the first one not yet completed.
 */
#define DURABLE_WINDOW		64

static struct {
	uint64_t next;		/* the next block to write */
	uint64_t done;		/* blocks 0..done-1 completed with OK */
	uint64_t covered;	/* blocks the FLUSH in flight covers */
	uint64_t reported;	/* the N last printed: blocks 0..N-1 are stable */
	uint64_t writes;	/* writes in flight */
	bool flushing;
	bool completed[DURABLE_WINDOW];	/* block % window, for blocks >= done */
	uint64_t block_of[SLOTS];	/* the block a write slot holds */
	unsigned int free[SLOTS], nr_free;
	unsigned int flush_slot;
} ds;

/*
 * Block i: every 16 bytes hold the nonce and 8i + the sector within the
 * block, so that a block of another run, another block or a sector moved
 * within the block never passes for it (tests/kvm/durable_test.py).
 */
static void durable_fill(uint64_t *w, uint64_t block)
{
	for (unsigned int i = 0; i < BLOCK / 8; i += 2) {
		w[i] = dcfg.nonce;
		w[i + 1] = block * 8 + i / BLK_SECTOR_WORDS;
	}
}

/* Start writes while the queue depth, the window and the disk allow. */
static void durable_issue(void)
{
	while (ds.writes < dcfg.qd && ds.next < dcfg.limit &&
	       ds.next - ds.done < DURABLE_WINDOW) {
		unsigned int s = ds.free[--ds.nr_free];

		ds.block_of[s] = ds.next;
		durable_fill((uint64_t *)data[s], ds.next);
		submit(s, BLK_T_OUT, ds.next * 8, BLOCK);
		ds.next++;
		ds.writes++;
	}
}

/*
 * K more blocks completed (or the last ones): with FLUSH, send one that
 * covers them; without, they are stable already (5.2.6.2, case 1).
 */
static void durable_sync(void)
{
	bool due = ds.done >= ds.reported + dcfg.group ||
		   (ds.done == dcfg.limit && ds.done > ds.reported);

	if (!due || ds.flushing)
		return;
	if (!dcfg.flush) {
		ds.reported = ds.done;
		rt_printf("durable: stable %lu\n", ds.reported);
		return;
	}
	ds.flush_slot = ds.free[--ds.nr_free];
	ds.covered = ds.done;
	ds.flushing = true;
	submit(ds.flush_slot, BLK_T_FLUSH, 0, 0);
}

/* Slot s completed. A failed request ends the VM (status 3). */
static void durable_complete(unsigned int s)
{
	ds.free[ds.nr_free++] = s;
	if (ds.flushing && s == ds.flush_slot) {
		if (status[s] != BLK_S_OK)
			rt_fail("blk", "durable: flush of %lu blocks: status %u",
				ds.covered, status[s]);
		ds.flushing = false;
		ds.reported = ds.covered;
		rt_printf("durable: flushed %lu\n", ds.reported);
		return;
	}
	if (status[s] != BLK_S_OK)
		rt_fail("blk", "durable: write of block %lu: status %u",
			ds.block_of[s], status[s]);
	ds.writes--;
	ds.completed[ds.block_of[s] % DURABLE_WINDOW] = true;
	while (ds.done < ds.next && ds.completed[ds.done % DURABLE_WINDOW]) {
		ds.completed[ds.done % DURABLE_WINDOW] = false;
		ds.done++;
	}
}

/* Write, flush and report until dcfg.limit blocks are stable. */
static uint64_t durable(uint64_t arg)
{
	(void)arg;
	for (ds.nr_free = 0; ds.nr_free < SLOTS; ds.nr_free++)
		ds.free[ds.nr_free] = ds.nr_free;
	while (ds.reported < dcfg.limit) {
		durable_issue();
		durable_sync();
		if (ds.writes || ds.flushing)
			durable_complete(reap());
	}
	return ds.reported;
}

/* The durable=1 arguments; count=0 (default) means the whole disk. */
static void durable_args(void)
{
	uint64_t blocks = mmio_read64(devcfg) / 8;

	dcfg.nonce = rt_arg_u64("nonce", 0);
	dcfg.limit = rt_arg_u64("count", 0);
	if (!dcfg.limit || dcfg.limit > blocks)
		dcfg.limit = blocks;
	dcfg.group = rt_arg_u64("group", 8);
	dcfg.qd = rt_arg_u64("qd", 8);
	dcfg.flush = rt_arg_u64("flush", 1);
	if (dcfg.qd < 1 || dcfg.qd > SLOTS - 1)
		fail("qd must be 1..31 with durable=1");
	if (!dcfg.group)
		fail("group must be at least 1");
	if (dcfg.flush && !flush_negotiated)
		fail("device lacks VIRTIO_BLK_F_FLUSH");
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	uint64_t r, qd = rt_arg_u64("qd", 32), count = rt_arg_u64("count", 10000);

	(void)ncpus;
	if (cpu != 0)
		return;
	probe();
	if (rt_arg_u64("durable", 0)) {
		init_device(rt_arg_u64("flush", 1) ? 1u << BLK_F_FLUSH : 0);
		durable_args();
		rt_printf("durable: done %lu\n", rt_user_call(durable, 0));
		return;
	}
	init_device(0);
	if (rt_arg_u64("bench", 0)) {
		if (qd < 1 || qd > SLOTS)
			fail("qd must be 1..32");
		r = rt_user_call(bench, count << 8 | qd);
		if (r != count)
			fail("a read failed");
		rt_printf("blk: bench %lu reads done\n", r);
		return;
	}
	r = rt_user_call(check, 0);
	if (r)
		rt_printf("blk: FAIL check step %lu\n", r);
	else if (read_only)
		rt_printf("blk: ok read-only, writes refused\n");
	else
		rt_printf("blk: ok capacity %lu sectors, id '%s'\n",
			  mmio_read64(devcfg), (const char *)data[0]);
	if (r)
		rt_exit(1);
}
