// SPDX-License-Identifier: GPL-2.0-only
/*
 * bar-race: the race ursa is about (../shared/seeds/001), on any PCI
 * function given with VFIO that has a memory BAR:
 *	ursa run --stub bar-race --cpus 2 --vfio BDF,slot=S
 *	    --append "slot=S [bar=N] [offset=X] cycles=N progress=K"
 *
 * The function is the one in guest slot S (bus 0, function 0; default 16,
 * where ursa puts its first --vfio). vCPU 0 turns its Memory Space Enable
 * off and on again through 0xCF8/0xCFC, cycles=N times (default 2000), as
 * an iGPU display driver does, while every other vCPU ("hammers") reads a
 * register of one BAR in a loop. A VMM that lets the device stop decoding
 * while its BAR is still a KVM memslot makes KVM_RUN fail with EFAULT
 * there, and the VM dies.
 *
 * With Memory Space Enable clear, "all received Memory Space accesses are
 * caused to be handled as Unsupported Requests" (PCIe Base 4.0 7.5.1.1.3):
 * a read completes with all ones, as root complexes answer a UR on x86,
 * and a write is dropped. So a hammer's read must give the register's
 * value (decoding on) or all ones (off); anything else is a wrong value.
 *
 * Two hammers:
 *  - edu's, on QEMU's edu device (1234:11e8) when neither bar= nor offset=
 *    is given: the hammers read the ID register (0x010000ed) and, in the
 *    windows below, write the liveness register with decoding off, which
 *    must be dropped.
 *  - read-only, on any other function, or on edu with bar= or offset=:
 *    nothing is ever written to the BAR, since the stub cannot know what
 *    a write does to a device it does not know. The register is BAR bar=
 *    (default 0) at offset= (default 0; a dword inside the BAR); vCPU 0
 *    learns its value with decoding on before the race, and refuses a
 *    register that reads differently across LEARN_READS reads or reads
 *    all ones (then a disabled BAR could not be told from it). The
 *    register should have no read side effects: an ID, version or
 *    capability register, not a FIFO or a read-to-clear status.
 * A refused target (no function in the slot, no memory BAR there, an
 * offset outside it, an unstable or all-ones register) prints
 * "bar-race: REFUSED <why>" and ends the VM with code 2 (status 5).
 *
 * A window, per cycle c (numbered from 1), through the shared word "slot";
 * the writes marked (edu) happen with edu's hammer only, and without them
 * the hammer reads the hammered register instead of liveness:
 *
 *	vCPU 0					the hammer that claims it
 *	liveness = K(c)	(edu)	(decoding on)
 *	COMMAND &= ~MEMORY	(the OUT retires: decoding off)
 *	slot = OPEN(c)
 *						CAS slot OPEN(c) -> CLAIMED(c)
 *						liveness = V(c)	(edu; must be dropped)
 *						read liveness	(must be all ones)
 *						slot = DONE(c); IPI vCPU 0
 *	wait for slot != OPEN(c), bounded
 *	CAS slot OPEN(c) -> CLOSED
 *	  failed: claimed; wait for DONE(c)
 *	COMMAND |= MEMORY	(decoding on)
 *	read liveness: ~V(c) is a leaked write, ~K(c) fine, else wrong
 *	  (read-only: the register must read its value)
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
 * Before the race: "bar-race: target VVVV:DDDD bar N offset 0xX value 0xV
 * source edu|learned hammer read-write|read-only". The end: "bar-race:
 * cycles N ur-reads U leaked-writes L wrong-values W windows X", then
 * "bar-race: longest BAR read R us, longest COMMAND write C us": the
 * longest a hammer waited on one read of the BAR and vCPU 0 on one write
 * that turns decoding off or on (which is when ursa changes the BAR's
 * memslot), timed with the TSC; with no anomaly every vCPU halts (status
 * 0), otherwise the first wrong value is named and the VM exits with code
 * 1 (status 3). progress=K prints "bar-race: progress C" every K cycles.
 */
#include "../rt/rt.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_ID_1_0		0x010000ed	/* QEMU docs/specs/edu.rst */
#define EDU_ID			0x00
#define EDU_LIVENESS		0x04	/* reads back the complement */
#define UR_READ			0xffffffffu

#define DEFAULT_SLOT		16	/* ursa's first --vfio (vmm/config.h) */
#define PCI_MAX_BAR		5
#define LEARN_READS		16
#define REFUSED			2	/* exit code: status 5 */

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

/* What the race reads, and on edu writes; set by vCPU 0 before go. */
static struct {
	uint16_t vendor, device;
	uint8_t dev;		/* the guest slot */
	unsigned int index;	/* the BAR */
	uint64_t size, bar;	/* its size and address */
	uint32_t reg;		/* the register every hammer read reads */
	uint32_t expected;	/* its value with decoding on */
	bool writes;		/* edu's hammer: the liveness windows */
} target;

static struct counts counts[MAX_CPUS];
static uint32_t go, done, stopped;
static uint64_t slot;
static uint64_t cycle;		/* vCPU 0's current cycle, for reports */
static uint64_t tsc_per_ms;

/* The first anomaly any vCPU saw, for the report. */
static struct rt_lock first_lock;
static bool first_seen;
static struct {
	uint32_t cpu, off, value;
	uint64_t cycle;
	const char *what;
} first;

static uint32_t bar_read(uint32_t reg)
{
	return mmio_read32(target.bar + reg);
}

/* A read of the BAR by a hammer, timed into its counts. */
static uint32_t bar_read_timed(struct counts *n, uint32_t reg)
{
	uint64_t start = rt_tsc();
	uint32_t v = bar_read(reg);
	uint64_t took = rt_tsc() - start;

	if (took > n->longest_tsc)
		n->longest_tsc = took;
	return v;
}

/* Only ever on edu: the stub knows what its liveness register does. */
static void edu_write(uint32_t reg, uint32_t v)
{
	mmio_write32(target.bar + reg, v);
}

/* vCPU 0's COMMAND write, timed into its counts. */
static void command_write(uint16_t cmd)
{
	uint64_t start = rt_tsc();
	uint64_t took;

	rt_pci_write(0, target.dev, 0, PCI_COMMAND, 2, cmd);
	took = rt_tsc() - start;
	if (took > counts[0].longest_tsc)
		counts[0].longest_tsc = took;
}

#define fail(...) rt_fail("bar-race", __VA_ARGS__)
#define refuse(...) rt_end("bar-race", "REFUSED", REFUSED, __VA_ARGS__)

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

/* The register a hammer reads in a window: edu's liveness, which it has
 * just written, or the hammered one. */
static uint32_t window_reg(void)
{
	return target.writes ? EDU_LIVENESS : target.reg;
}

/* Write V(c) (edu) while decoding is off, and read the BAR, which also
 * flushes the write. */
static void use_window(uint32_t cpu, uint64_t c)
{
	uint32_t v;

	if (target.writes)
		edu_write(EDU_LIVENESS, HAMMER_VALUE(c));
	v = bar_read_timed(&counts[cpu], window_reg());
	counts[cpu].reads++;
	if (v == UR_READ) {
		counts[cpu].ur_reads++;
	} else {
		counts[cpu].wrong++;
		anomaly(cpu, window_reg(), v, "read with decoding off");
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
		uint32_t v = bar_read_timed(n, target.reg);
		uint64_t s = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);

		n->reads++;
		if (v == UR_READ) {
			n->ur_reads++;
		} else if (v != target.expected) {
			n->wrong++;
			anomaly(cpu, target.reg, v, "read");
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

/*
 * vCPU 0's read once decoding is back on, of edu's liveness register
 * (~K(c); ~V(c) if the hammer's write of window c leaked) or of the
 * hammered register (its value). Whether a write leaked.
 */
static bool check_decoding_on(uint64_t c, bool used)
{
	uint32_t v = bar_read(window_reg());

	if (target.writes && used && v == ~HAMMER_VALUE(c)) {
		anomaly(0, EDU_LIVENESS, v, "leaked write, read back");
		return true;
	}
	if (v != (target.writes ? ~KNOWN_VALUE(c) : target.expected)) {
		counts[0].wrong++;
		anomaly(0, window_reg(), v, "read with decoding on");
	}
	return false;
}

static void report(uint32_t ncpus, uint64_t cycles, uint64_t leaked, uint64_t windows)
{
	uint64_t reads = 0, ur_reads = 0, wrong = 0, longest_read = 0;

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
		rt_printf("bar-race: first anomaly: vCPU %u, cycle %lu, BAR %u + 0x%02x: %s %08x\n",
			  first.cpu, first.cycle, target.index, first.off, first.what,
			  first.value);
		fail("%lu leaked writes, %lu wrong values", leaked, wrong);
	}
	rt_printf("bar-race: ok\n");
}

static void race(uint32_t ncpus)
{
	uint64_t cycles = rt_arg_u64("cycles", 2000);
	uint64_t progress = rt_arg_u64("progress", 0);
	uint16_t cmd = rt_pci_read(0, target.dev, 0, PCI_COMMAND, 2) | PCI_COMMAND_MEMORY;
	uint64_t windows = 0, leaked = 0;

	rt_irq_handler(WAKE_VECTOR, on_wake);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (uint64_t c = 1; c <= cycles; c++) {
		bool used = false;

		__atomic_store_n(&cycle, c, __ATOMIC_RELAXED);
		if (target.writes)
			edu_write(EDU_LIVENESS, KNOWN_VALUE(c));
		command_write(cmd & ~PCI_COMMAND_MEMORY);
		if (ncpus > 1)
			used = window(c);
		command_write(cmd);
		leaked += check_decoding_on(c, used);
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
	report(ncpus, cycles, leaked, windows);
}

/* An argument that must be a number when given; def when absent, which
 * *given (if not NULL) tells. */
static uint64_t number_arg(const char *key, uint64_t def, bool *given)
{
	uint64_t v = def;
	enum rt_arg r = rt_arg_lookup(key, &v);

	if (r == RT_ARG_MALFORMED)
		refuse("%s= takes a number (decimal or 0x hex)", key);
	if (given)
		*given = r == RT_ARG_OK;
	return v;
}

/* The function in the slot, its BAR and register, from the arguments. */
static void choose_target(void)
{
	bool bar_given, offset_given;
	uint64_t dev = number_arg("slot", DEFAULT_SLOT, NULL);
	uint64_t index = number_arg("bar", 0, &bar_given);
	uint64_t offset = number_arg("offset", 0, &offset_given);
	uint32_t id;

	if (dev < 1 || dev > 31)
		refuse("slot=%lu: a guest slot is 1..31", dev);
	target.dev = dev;
	id = rt_pci_read(0, target.dev, 0, PCI_VENDOR_ID, 4);
	if ((id & 0xffff) == 0xffff)
		refuse("no PCI function at 00:%02x.0 (slot %u)", target.dev, target.dev);
	target.vendor = id & 0xffff;
	target.device = id >> 16;
	target.writes = target.vendor == EDU_VENDOR && target.device == EDU_DEVICE &&
			!bar_given && !offset_given;
	if (index > PCI_MAX_BAR)
		refuse("bar=%lu: a BAR is 0..%u", index, PCI_MAX_BAR);
	target.index = index;
	target.size = rt_pci_bar_size(target.dev, target.index);
	if (!target.size)
		refuse("BAR %u of %04x:%04x at 00:%02x.0 is no memory BAR (an I/O BAR, unimplemented, or the upper half of a 64-bit one)",
		       target.index, target.vendor, target.device, target.dev);
	if (offset % 4 || offset > target.size - 4)
		refuse("offset=0x%lx is no dword inside BAR %u (0x%lx bytes)", offset,
		       target.index, target.size);
	target.reg = target.writes ? EDU_ID : offset;
}

/* Where the BAR is, reachable through the page tables. */
static void locate_bar(void)
{
	/* edu's hammer also touches liveness, in the BAR's first dwords. */
	uint32_t span = target.writes ? EDU_LIVENESS + 4 : 4;

	target.bar = rt_pci_bar_address(target.dev, target.index);
	if (!target.bar)
		refuse("BAR %u of %04x:%04x has no address", target.index, target.vendor,
		       target.device);
	if (!rt_map_mmio(target.bar + target.reg, span))
		refuse("BAR %u at %lx: the stub cannot map it", target.index, target.bar);
}

/*
 * The register's value with decoding on: edu's ID, or learned from
 * LEARN_READS reads that must agree and must not be all ones.
 */
static void learn_value(void)
{
	uint32_t v = bar_read(target.reg);

	if (target.writes) {
		if (v != EDU_ID_1_0)
			fail("id %08x, want %08x", v, EDU_ID_1_0);
		target.expected = v;
		return;
	}
	for (unsigned int i = 1; i < LEARN_READS; i++) {
		uint32_t again = bar_read(target.reg);

		if (again != v)
			refuse("BAR %u + 0x%x is not stable with decoding on (read %08x, then %08x): choose a constant register (--offset)",
			       target.index, target.reg, v, again);
	}
	if (v == UR_READ)
		refuse("BAR %u + 0x%x reads all ones with decoding on, which the race could not tell from a disabled BAR: choose another register (--offset)",
		       target.index, target.reg);
	target.expected = v;
}

static void announce(uint32_t ncpus)
{
	bool edu = target.vendor == EDU_VENDOR && target.device == EDU_DEVICE;

	if (edu)
		rt_printf("bar-race: edu at ");
	else
		rt_printf("bar-race: %04x:%04x at ", target.vendor, target.device);
	rt_printf("00:%02x.0, BAR %u at %lx (0x%lx bytes); %lu cycles, %u hammering vCPUs\n",
		  target.dev, target.index, target.bar, target.size,
		  rt_arg_u64("cycles", 2000), ncpus - 1);
	rt_printf("bar-race: target %04x:%04x bar %u offset 0x%x value 0x%08x source %s hammer %s\n",
		  target.vendor, target.device, target.index, target.reg, target.expected,
		  target.writes ? "edu" : "learned", target.writes ? "read-write" : "read-only");
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	if (ncpus > MAX_CPUS)
		fail("%u vCPUs, at most %u", ncpus, MAX_CPUS);
	if (cpu != 0) {
		hammer(cpu);
		return;
	}
	choose_target();
	locate_bar();
	rt_pci_write(0, target.dev, 0, PCI_COMMAND, 2,
		     rt_pci_read(0, target.dev, 0, PCI_COMMAND, 2) | PCI_COMMAND_MEMORY);
	learn_value();
	tsc_per_ms = rt_tsc_per_ms();
	if (!tsc_per_ms)
		fail("the TSC did not advance in 10 ms");
	announce(ncpus);
	race(ncpus);
}
