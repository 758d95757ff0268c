// SPDX-License-Identifier: GPL-2.0-only
/*
 * bar-race: the race ursa is about (../shared/seeds/001), on QEMU's edu
 * device given with VFIO:
 *	ursa run --stub bar-race --cpus 2 --vfio BDF --append "cycles=N progress=K"
 *
 * vCPU 0 turns the device's Memory Space Enable off and on again through
 * 0xCF8/0xCFC, cycles=N times (default 2000), as an iGPU display driver
 * does, while every other vCPU ("hammers") reads BAR 0's ID register in a
 * loop. A VMM that lets the device stop decoding while its BAR is still a
 * KVM memslot makes KVM_RUN fail with EFAULT there, and the VM dies.
 *
 * With Memory Space Enable clear, "all received Memory Space accesses are
 * caused to be handled as Unsupported Requests" (PCIe Base 4.0 7.5.1.1.3):
 * a read completes with all ones, as root complexes answer a UR on x86,
 * and a write is dropped. So a hammer's read must give the ID (decoding
 * on) or all ones (off); anything else is a wrong value. A write made
 * while decoding is off must never reach the device; the windows below
 * check that with the liveness register, which reads back the complement
 * of the last value written.
 *
 * A window, per cycle c (numbered from 1), through the shared word "slot":
 *
 *	vCPU 0					the hammer that claims it
 *	liveness = K(c)		(decoding on)
 *	COMMAND &= ~MEMORY	(the OUT retires: decoding off)
 *	slot = OPEN(c)
 *						CAS slot OPEN(c) -> CLAIMED(c)
 *						liveness = V(c)	(must be dropped)
 *						read liveness	(must be all ones)
 *						slot = DONE(c); IPI vCPU 0
 *	wait for slot != OPEN(c), bounded
 *	CAS slot OPEN(c) -> CLOSED
 *	  failed: claimed; wait for DONE(c)
 *	COMMAND |= MEMORY	(decoding on)
 *	read liveness: ~V(c) is a leaked write, ~K(c) fine, else wrong
 *
 * Sound: the hammer writes V(c) only after its CAS saw OPEN(c), which
 * vCPU 0 stored after its MEMORY = 0 write retired, and vCPU 0 starts the
 * MEMORY = 1 write only after it saw DONE(c), which the hammer stores
 * after its write and after a read of the same BAR, which may not pass
 * the (posted) write (PCIe Base 4.0 2.4.1). A hammer that saw OPEN(c)
 * too late loses its CAS: vCPU 0's own CAS closed the window
 * first, and the cycle number in the word keeps a stale OPEN(c) from
 * matching a later window. So V(c) is written strictly inside window c or
 * not at all, and K(c) keeps an older value from passing for a new one.
 * No deadlock: hammers never wait for vCPU 0, and vCPU 0's waits are
 * bounded (an unclaimed window by WINDOW_MS; a claimed one, which needs
 * only one write and one read from the hammer, by CLAIM_MS, after which
 * the run fails as hung). The IPI lets vCPU 0 halt while it waits, which
 * a machine with fewer CPUs than vCPUs needs for the hammer to run at all.
 *
 * The end: "bar-race: cycles N ur-reads U leaked-writes L wrong-values W
 * windows X", then "bar-race: longest BAR read R us, longest COMMAND write
 * C us": the longest a hammer waited on one read of BAR 0 and vCPU 0 on
 * one write that turns decoding off or on (which is when ursa changes the
 * BAR's memslot), timed with the TSC; with no anomaly every vCPU halts (status 0), otherwise the
 * first wrong value is named and the VM exits with code 1 (status 3).
 * progress=K prints "bar-race: progress C" every K cycles.
 */
#include "../rt/rt.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_ID_1_0		0x010000ed	/* QEMU docs/specs/edu.rst */
#define EDU_ID			0x00
#define EDU_LIVENESS		0x04	/* reads back the complement */
#define EDU_BAR_SIZE		(1u << 20)
#define UR_READ			0xffffffffu

#define WAKE_VECTOR		0x40
#define WINDOW_SPINS		1000	/* pauses before halting for a claim */
#define WINDOW_MS		1
#define CLAIM_MS		5000
#define STOP_MS			5000

/* slot: CLOSED, or the cycle number with its window's state. */
#define SLOT_CLOSED		0
#define SLOT_OPEN		1
#define SLOT_CLAIMED		2
#define SLOT_DONE		3
#define SLOT(c, state)		((c) << 2 | (state))

/* The hammer's value and vCPU 0's, distinct in every cycle. */
#define HAMMER_VALUE(c)		((uint32_t)(c) << 8 | 0x5a)
#define KNOWN_VALUE(c)		((uint32_t)(c) << 8 | 0xa5)

#define MAX_CPUS		256

/* Counted by each vCPU in its own cache line, summed at the end. */
struct counts {
	uint64_t reads;
	uint64_t ur_reads;
	uint64_t wrong;
	uint64_t longest_tsc;	/* the slowest access, TSC ticks */
} __attribute__((aligned(64)));

static struct counts counts[MAX_CPUS];
static uint64_t bar;		/* set once before go */
static uint32_t go, done, stopped;
static uint64_t slot;
static uint64_t cycle;		/* vCPU 0's current cycle, for reports */

/* The first anomaly any vCPU saw, for the report. */
static struct rt_lock first_lock;
static bool first_seen;
static struct {
	uint32_t cpu, off, value;
	uint64_t cycle;
	const char *what;
} first;

static uint32_t edu_read(uint32_t reg)
{
	return mmio_read32(bar + reg);
}

/* A read of BAR 0 by a hammer, timed into its counts. */
static uint32_t edu_read_timed(struct counts *n, uint32_t reg)
{
	uint64_t start = rt_tsc();
	uint32_t v = edu_read(reg);
	uint64_t took = rt_tsc() - start;

	if (took > n->longest_tsc)
		n->longest_tsc = took;
	return v;
}

/* vCPU 0's COMMAND write, timed into its counts. */
static void command_write(uint8_t dev, uint16_t cmd)
{
	uint64_t start = rt_tsc();
	uint64_t took;

	rt_pci_write(0, dev, 0, PCI_COMMAND, 2, cmd);
	took = rt_tsc() - start;
	if (took > counts[0].longest_tsc)
		counts[0].longest_tsc = took;
}

static void edu_write(uint32_t reg, uint32_t v)
{
	mmio_write32(bar + reg, v);
}

#define fail(...) rt_fail("bar-race", __VA_ARGS__)

static void anomaly(uint32_t cpu, uint32_t off, uint32_t value, const char *what)
{
	rt_lock(&first_lock);
	if (!first_seen) {
		first_seen = true;
		first.cpu = cpu;
		first.off = off;
		first.value = value;
		first.cycle = __atomic_load_n(&cycle, __ATOMIC_RELAXED);
		first.what = what;
	}
	rt_unlock(&first_lock);
}

static void on_wake(uint8_t vector)
{
	(void)vector;
}

/* Write V(c) while decoding is off, and flush it with a read of the BAR. */
static void use_window(uint32_t cpu, uint64_t c)
{
	uint32_t v;

	edu_write(EDU_LIVENESS, HAMMER_VALUE(c));
	v = edu_read_timed(&counts[cpu], EDU_LIVENESS);
	counts[cpu].reads++;
	if (v == UR_READ) {
		counts[cpu].ur_reads++;
	} else {
		counts[cpu].wrong++;
		anomaly(cpu, EDU_LIVENESS, v, "read with decoding off");
	}
	__atomic_store_n(&slot, SLOT(c, SLOT_DONE), __ATOMIC_RELEASE);
	rt_lapic_send_ipi(0, WAKE_VECTOR);
}

static void hammer(uint32_t cpu)
{
	struct counts *n = &counts[cpu];

	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
		uint32_t v = edu_read_timed(n, EDU_ID);
		uint64_t s = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);

		n->reads++;
		if (v == UR_READ) {
			n->ur_reads++;
		} else if (v != EDU_ID_1_0) {
			n->wrong++;
			anomaly(cpu, EDU_ID, v, "read");
		}
		if ((s & 3) == SLOT_OPEN &&
		    __atomic_compare_exchange_n(&slot, &s, SLOT(s >> 2, SLOT_CLAIMED),
						false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			use_window(cpu, s >> 2);
	}
	__atomic_add_fetch(&stopped, 1, __ATOMIC_RELEASE);
}

/* Whether a hammer used window c; returns once none can any more. */
static bool window(uint64_t c)
{
	uint64_t open = SLOT(c, SLOT_OPEN);

	__atomic_store_n(&slot, open, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < WINDOW_SPINS &&
	     __atomic_load_n(&slot, __ATOMIC_ACQUIRE) == open; i++)
		__builtin_ia32_pause();
	if (__atomic_load_n(&slot, __ATOMIC_ACQUIRE) == open) {
		rt_deadline_set(WINDOW_MS);
		while (__atomic_load_n(&slot, __ATOMIC_ACQUIRE) == open &&
		       !rt_deadline_passed())
			rt_irq_wait();
	}
	if (__atomic_compare_exchange_n(&slot, &open, SLOT_CLOSED, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return false;
	rt_deadline_set(CLAIM_MS);
	while (__atomic_load_n(&slot, __ATOMIC_ACQUIRE) != SLOT(c, SLOT_DONE)) {
		if (rt_deadline_passed())
			fail("cycle %lu: a hammer claimed the window and did not finish its write and read in %u ms",
			     c, CLAIM_MS);
		rt_irq_wait();
	}
	__atomic_store_n(&slot, SLOT_CLOSED, __ATOMIC_RELEASE);
	return true;
}

static void toggle(uint8_t dev, uint32_t ncpus)
{
	uint64_t cycles = rt_arg_u64("cycles", 2000);
	uint64_t progress = rt_arg_u64("progress", 0);
	uint16_t cmd = rt_pci_read(0, dev, 0, PCI_COMMAND, 2) | PCI_COMMAND_MEMORY;
	uint64_t windows = 0, leaked = 0, ur_reads = 0, reads = 0, wrong = 0;
	uint64_t longest_read = 0, tsc_per_ms = rt_tsc_per_ms();

	rt_pci_write(0, dev, 0, PCI_COMMAND, 2, cmd);
	if (edu_read(EDU_ID) != EDU_ID_1_0)
		fail("id %08x, want %08x", edu_read(EDU_ID), EDU_ID_1_0);
	rt_irq_handler(WAKE_VECTOR, on_wake);
	if (!tsc_per_ms)
		fail("the TSC did not advance in 10 ms");
	rt_printf("bar-race: edu at 00:%02x.0, BAR 0 at %lx; %lu cycles, %u hammering vCPUs\n",
		  (unsigned int)dev, bar, cycles, ncpus - 1);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);

	for (uint64_t c = 1; c <= cycles; c++) {
		uint32_t v;
		bool used = false;

		__atomic_store_n(&cycle, c, __ATOMIC_RELAXED);
		edu_write(EDU_LIVENESS, KNOWN_VALUE(c));
		command_write(dev, cmd & ~PCI_COMMAND_MEMORY);
		if (ncpus > 1)
			used = window(c);
		command_write(dev, cmd);
		v = edu_read(EDU_LIVENESS);
		if (used && v == ~HAMMER_VALUE(c)) {
			leaked++;
			anomaly(0, EDU_LIVENESS, v, "leaked write, read back");
		} else if (v != ~KNOWN_VALUE(c)) {
			counts[0].wrong++;
			anomaly(0, EDU_LIVENESS, v, "read with decoding on");
		}
		windows += used;
		if (progress && c % progress == 0)
			rt_printf("bar-race: progress %lu\n", c);
	}

	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	rt_deadline_set(STOP_MS);
	while (__atomic_load_n(&stopped, __ATOMIC_ACQUIRE) != ncpus - 1)
		if (rt_deadline_passed())
			fail("%u of %u hammers stopped in %u ms",
			     __atomic_load_n(&stopped, __ATOMIC_ACQUIRE), ncpus - 1, STOP_MS);
	for (uint32_t i = 0; i < ncpus; i++) {
		reads += counts[i].reads;
		ur_reads += counts[i].ur_reads;
		wrong += counts[i].wrong;
		if (i && counts[i].longest_tsc > longest_read)
			longest_read = counts[i].longest_tsc;
	}
	rt_printf("bar-race: hammer reads %lu\n", reads);
	rt_printf("bar-race: cycles %lu ur-reads %lu leaked-writes %lu wrong-values %lu windows %lu\n",
		  cycles, ur_reads, leaked, wrong, windows);
	rt_printf("bar-race: longest BAR read %lu us, longest COMMAND write %lu us\n",
		  longest_read * 1000 / tsc_per_ms, counts[0].longest_tsc * 1000 / tsc_per_ms);
	if (leaked || wrong) {
		rt_printf("bar-race: first anomaly: vCPU %u, cycle %lu, BAR 0 + 0x%02x: %s %08x\n",
			  first.cpu, first.cycle, first.off, first.what, first.value);
		fail("%lu leaked writes, %lu wrong values", leaked, wrong);
	}
	rt_printf("bar-race: ok\n");
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	int dev;

	if (ncpus > MAX_CPUS)
		fail("%u vCPUs, at most %u", ncpus, MAX_CPUS);
	if (cpu != 0) {
		hammer(cpu);
		return;
	}
	dev = rt_pci_find(EDU_VENDOR, EDU_DEVICE);
	if (dev < 0)
		fail("no edu device");
	bar = rt_pci_bar_address(dev, 0);
	/* The stubs' identity map ends at 4 GiB. */
	if (!bar || bar + EDU_BAR_SIZE > (1ull << 32))
		fail("BAR 0 (%lx) is no memory BAR in the low 4 GiB", bar);
	toggle(dev, ncpus);
}
