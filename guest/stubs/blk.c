// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk: a minimal virtio-blk driver (VIRTIO 1.2 3.1, 4.1, 5.2) over ursa's
 * PCI transport, polling from CPL3.
 *
 * By default: write a pattern, flush, read it back and compare;
 * read past the end of the disk (must fail with IOERR); ask for the ID.
 * Prints "blk: ok ..." and halts, or exits with code 1 (status 3).
 *
 * bench=1 count=N qd=Q [queues=M] [event_idx=1]: N random 4 KiB reads, Q
 * (1..32) in flight, spread over M (1..4) virtqueues (VIRTIO_BLK_F_MQ),
 * each checked to have done its share; prints the count. bench/blk times
 * it against the same I/O done on the host. With event_idx=1 the stub
 * negotiates VIRTIO_F_EVENT_IDX: it rings only when avail_event asks
 * (2.7.10) and keeps used_event ahead of the used ring, so that a correct
 * device never interrupts it.
 *
 * irqcheck=1 [event_idx=1]: the used buffer notification rules (2.7.7.2),
 * seen in the MSI-X pending bit of queue 0's vector, left masked: no
 * interrupt while the driver suppresses them; with EVENT_IDX, none before
 * used.idx passes used_event and one once it has; without, one for a
 * completion once NO_INTERRUPT is clear. Prints "blk: irqcheck ok ...".
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
#define PCI_CAP_MSIX		0x11
#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_ENTRY_CTRL		12	/* vector control: bit 0 masks it */
#define MSI_ADDRESS		0xfee00000u	/* to the LAPIC of CPU 0 */
#define MSI_VECTOR		0x40
#define BLK_F_RO		5	/* device feature: read-only */
#define BLK_F_FLUSH		9	/* device feature: FLUSH (writes volatile until one) */
#define BLK_F_MQ		12	/* device feature: num_queues in the config */
#define F_EVENT_IDX		29	/* VIRTIO_F_EVENT_IDX */
#define BLK_CFG_NUM_QUEUES	34	/* le16 in struct virtio_blk_config */

#define QSIZE			128
#define MAX_QUEUES		4
#define SLOTS			32	/* three descriptors each; slot s on queue s % queues */
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

/* One split virtqueue (2.7), the driver's side. */
struct vq {
	struct desc desc[QSIZE] __attribute__((aligned(16)));
	struct {
		uint16_t flags;
		uint16_t idx;
		uint16_t ring[QSIZE];
		uint16_t used_event;
	} avail __attribute__((aligned(2)));
	struct {
		uint16_t flags;
		uint16_t idx;
		struct {
			uint32_t id;
			uint32_t len;
		} ring[QSIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
	uint64_t notify;	/* the queue's doorbell */
	uint16_t last_used;
	uint64_t completed;
};

static struct vq vqs[MAX_QUEUES];
static unsigned int nr_queues = 1;
static bool event_idx;
static struct req_hdr hdr[SLOTS];
static uint8_t data[SLOTS][BLOCK] __attribute__((aligned(BLOCK)));
static volatile uint8_t status[SLOTS];
static uint8_t check_buf[BLOCK] __attribute__((aligned(BLOCK)));

static uint64_t common, notify, notify_mult, devcfg;
static uint64_t msix_table, msix_pba;
static unsigned int pci_slot;
static uint8_t msix_cap;
static bool read_only, flush_negotiated;
/* Keep used_event ahead: no interrupt wanted (irqcheck clears it). */
static bool irq_quiet = true;

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

		if (rt_pci_read(0, slot, 0, cap, 1) == PCI_CAP_MSIX) {
			msix_cap = cap;
			msix_table = bar + (rt_pci_read(0, slot, 0, cap + 4, 4) & ~7u);
			msix_pba = bar + (rt_pci_read(0, slot, 0, cap + 8, 4) & ~7u);
		}
		if (rt_pci_read(0, slot, 0, cap, 1) != PCI_CAP_VENDOR)
			continue;
		if (type == VIRTIO_CAP_COMMON)
			common = where;
		else if (type == VIRTIO_CAP_DEVICE)
			devcfg = where;
		else if (type == VIRTIO_CAP_NOTIFY) {
			notify = where;
			notify_mult = rt_pci_read(0, slot, 0, cap + 16, 4);
		}
	}
	if (!common || !notify || !devcfg || !msix_cap)
		fail("missing virtio or MSI-X capabilities");
	pci_slot = slot;
}

/* Set up queue q (4.1.5.1.3). */
static void init_queue(unsigned int q)
{
	struct vq *v = &vqs[q];

	mmio_write16(common + COMMON_Q_SELECT, q);
	if (mmio_read16(common + COMMON_Q_SIZE) < QSIZE)
		fail("queue too small");
	v->notify = notify + (uint64_t)mmio_read16(common + COMMON_Q_NOTIFY_OFF) * notify_mult;
	mmio_write16(common + COMMON_Q_SIZE, QSIZE);
	mmio_write64(common + COMMON_Q_DESC, (uint64_t)v->desc);
	mmio_write64(common + COMMON_Q_DRIVER, (uint64_t)&v->avail);
	mmio_write64(common + COMMON_Q_DEVICE, (uint64_t)&v->used);
	v->avail.flags = AVAIL_F_NO_INTERRUPT;	/* this driver polls */
	v->avail.used_event = 0x8000;		/* the same, with EVENT_IDX */
	mmio_write16(common + COMMON_Q_ENABLE, 1);
}

/*
 * irqcheck=1, CPL0 part: MSI-X on, queue 0 on vector 0, which stays masked
 * so that a notification only sets its pending bit (PCI Local Bus 3.0
 * 6.8.2.9). Before DRIVER_OK: the queue's vector is set up with it.
 */
static void irq_setup(void)
{
	uint16_t ctrl = rt_pci_read(0, pci_slot, 0, msix_cap + 2, 2);

	rt_pci_write(0, pci_slot, 0, msix_cap + 2, 2, ctrl | MSIX_CTRL_ENABLE);
	mmio_write32(msix_table, MSI_ADDRESS);
	mmio_write32(msix_table + 4, 0);
	mmio_write32(msix_table + 8, MSI_VECTOR);
	mmio_write32(msix_table + MSIX_ENTRY_CTRL, 1);
	mmio_write16(common + COMMON_Q_SELECT, 0);
	mmio_write16(common + COMMON_Q_MSIX, 0);
	if (mmio_read16(common + COMMON_Q_MSIX) != 0)
		fail("queue 0 refused MSI-X vector 0");
}

/*
 * 3.1.1: reset, acknowledge, negotiate VERSION_1, RO when offered and the
 * device features in want (bits 0..31) that are offered, set up the
 * queues (MQ and EVENT_IDX when want has them).
 */
static void init_device(uint32_t want, unsigned int queues)
{
	uint32_t offered;

	mmio_write8(common + COMMON_STATUS, 0);
	mmio_write8(common + COMMON_STATUS, STATUS_ACK | STATUS_DRIVER);
	mmio_write32(common + COMMON_DF_SELECT, 0);
	offered = mmio_read32(common + COMMON_DF);
	read_only = offered & (1u << BLK_F_RO);
	flush_negotiated = offered & want & (1u << BLK_F_FLUSH);
	if (want & ~offered & (1u << BLK_F_MQ))
		fail("device lacks MQ (--disk PATH,queues=N)");
	if (want & ~offered & (1u << F_EVENT_IDX))
		fail("device lacks EVENT_IDX");
	event_idx = want & (1u << F_EVENT_IDX);
	if (queues > 1 && mmio_read16(devcfg + BLK_CFG_NUM_QUEUES) < queues)
		fail("device has fewer queues than queues=");
	nr_queues = queues;
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
	for (unsigned int q = 0; q < nr_queues; q++)
		init_queue(q);
	if (rt_arg_u64("irqcheck", 0))
		irq_setup();
	mmio_write8(common + COMMON_STATUS, STATUS_ACK | STATUS_DRIVER |
		    STATUS_FEATURES_OK | STATUS_DRIVER_OK);
}

/*
 * Whether the device wants a doorbell for the buffers from old to new
 * (2.7.10.2): with EVENT_IDX, if avail_event lies in [old, new) (the
 * spec's vring_need_event()); without, unless used.flags has NO_NOTIFY.
 */
static bool kick_wanted(struct vq *v, uint16_t old, uint16_t new)
{
	if (event_idx) {
		uint16_t event = __atomic_load_n(&v->used.avail_event, __ATOMIC_RELAXED);

		return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
	}
	return !(__atomic_load_n(&v->used.flags, __ATOMIC_RELAXED) & USED_F_NO_NOTIFY);
}

/* Queue slot s's request on queue s % nr_queues: header, optional data,
 * status (5.2.6). */
static void submit(unsigned int s, uint32_t type, uint64_t sector, uint32_t len)
{
	struct vq *v = &vqs[s % nr_queues];
	unsigned int d = 3 * s;
	unsigned int n = 0;
	uint16_t idx = v->avail.idx;

	hdr[s] = (struct req_hdr){ type, 0, sector };
	status[s] = 0xff;
	v->desc[d] = (struct desc){ (uint64_t)&hdr[s], sizeof(hdr[s]), DESC_F_NEXT, d + 1 };
	if (len) {
		v->desc[d + 1] = (struct desc){ (uint64_t)data[s], len,
						DESC_F_NEXT | (type == BLK_T_OUT ? 0 : DESC_F_WRITE),
						d + 2 };
		n = 1;
	}
	v->desc[d + 1 + n] = (struct desc){ (uint64_t)&status[s], 1, DESC_F_WRITE, 0 };
	if (!n)
		v->desc[d].next = d + 1;
	v->avail.ring[idx % QSIZE] = d;
	__atomic_store_n(&v->avail.idx, idx + 1, __ATOMIC_RELEASE);
	/* The idx store before the suppression field's load (2.7.10.2). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (kick_wanted(v, idx, idx + 1))
		mmio_write16(v->notify, s % nr_queues);
}

/* Wait for the next completion on any queue; returns its slot. */
static unsigned int reap(void)
{
	for (unsigned int q = 0;; q = (q + 1) % nr_queues) {
		struct vq *v = &vqs[q];
		uint32_t id;

		if (__atomic_load_n(&v->used.idx, __ATOMIC_ACQUIRE) == v->last_used) {
			__builtin_ia32_pause();
			continue;
		}
		id = v->used.ring[v->last_used % QSIZE].id;
		v->last_used++;
		/* No interrupt wanted: used_event stays half the ring space
		 * ahead of what the device has used (2.7.7.2). */
		if (irq_quiet)
			__atomic_store_n(&v->avail.used_event, v->last_used + 0x8000,
					 __ATOMIC_RELAXED);
		v->completed++;
		if (id % 3 || id / 3 >= SLOTS || id / 3 % nr_queues != q)
			fail("used ring names a descriptor the driver never made a head");
		return id / 3;
	}
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
	/* Each queue has its slots' share: every one of them did work. */
	for (unsigned int q = 0; q < nr_queues; q++)
		if (!vqs[q].completed)
			return ~0ull - 1;
	return done;
}

static bool irq_pending(void)
{
	return mmio_read64(msix_pba) & 1;
}

/* Whether the pending bit comes up within 2000 looks (each an exit). */
static bool irq_comes(void)
{
	for (unsigned int i = 0; i < 2000; i++)
		if (irq_pending())
			return true;
	return false;
}

/* Unmasking sends the pending message (to a CPU with IF 0: it waits in
 * the LAPIC); masked again, the bit must read 0. */
static bool irq_clear(void)
{
	mmio_write32(msix_table + MSIX_ENTRY_CTRL, 0);
	mmio_write32(msix_table + MSIX_ENTRY_CTRL, 1);
	return !irq_pending();
}

/* n reads of block 0 on queue 0, at most 8 in flight, all reaped. */
static bool reads(unsigned int n)
{
	unsigned int issued = 0, done = 0;

	for (; issued < n && issued < 8; issued++)
		submit(issued * nr_queues, BLK_T_IN, 0, BLOCK);
	while (done < n) {
		unsigned int s = reap();

		if (status[s] != BLK_S_OK)
			return false;
		done++;
		if (issued < n) {
			submit(s, BLK_T_IN, 0, BLOCK);
			issued++;
		}
	}
	return true;
}

/* The checks; 0, or the number of the one that failed. */
static uint64_t irqcheck(uint64_t arg)
{
	struct vq *v = &vqs[0];

	(void)arg;
	/* 1: suppressed (NO_INTERRUPT, or used_event kept ahead). */
	if (!reads(200))
		return 1;
	for (unsigned int i = 0; i < 200; i++)
		if (irq_pending())
			return 2;
	irq_quiet = false;
	if (event_idx) {
		/* 3: used_event 7 ahead: 4 completions must not interrupt... */
		__atomic_store_n(&v->avail.used_event, v->last_used + 7, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!reads(4))
			return 3;
		for (unsigned int i = 0; i < 200; i++)
			if (irq_pending())
				return 4;
		/* 5: ...the next 4 pass it: one must. */
		if (!reads(4) || !irq_comes())
			return 5;
	} else {
		/* 6: NO_INTERRUPT cleared: the next completion interrupts. */
		__atomic_store_n(&v->avail.flags, 0, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!reads(1) || !irq_comes())
			return 6;
	}
	if (!irq_clear())
		return 7;
	return 0;
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
		init_device(rt_arg_u64("flush", 1) ? 1u << BLK_F_FLUSH : 0, 1);
		durable_args();
		rt_printf("durable: done %lu\n", rt_user_call(durable, 0));
		return;
	}
	if (rt_arg_u64("bench", 0)) {
		uint64_t queues = rt_arg_u64("queues", 1);

		if (qd < 1 || qd > SLOTS)
			fail("qd must be 1..32");
		if (queues < 1 || queues > MAX_QUEUES || queues > qd)
			fail("queues must be 1..4, at most qd");
		init_device((queues > 1 ? 1u << BLK_F_MQ : 0) |
			    (rt_arg_u64("event_idx", 0) ? 1u << F_EVENT_IDX : 0), queues);
		r = rt_user_call(bench, count << 8 | qd);
		if (r == ~0ull - 1)
			fail("a queue completed nothing");
		if (r != count)
			fail("a read failed");
		if (queues > 1)
			rt_printf("blk: bench %lu reads done on %lu queues\n", r, queues);
		else
			rt_printf("blk: bench %lu reads done\n", r);
		return;
	}
	if (rt_arg_u64("irqcheck", 0)) {
		bool ev = rt_arg_u64("event_idx", 0);

		init_device(ev ? 1u << F_EVENT_IDX : 0, 1);
		r = rt_user_call(irqcheck, 0);
		if (r)
			rt_printf("blk: FAIL irqcheck step %lu\n", r);
		else
			rt_printf("blk: irqcheck ok %s\n",
				  ev ? "event_idx: none unasked, none before used_event, one past it" :
				       "no event_idx: none with NO_INTERRUPT, one without");
		if (r)
			rt_exit(1);
		return;
	}
	init_device(0, 1);
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
