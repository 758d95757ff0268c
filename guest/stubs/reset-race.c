// SPDX-License-Identifier: GPL-2.0-only
/*
 * reset-race: a passed-through PCIe function leaves D0, is reset and has
 * its BAR moved while other vCPUs read that BAR (QEMU's NVMe controller
 * by default; any function with the PM capability and FLR will do):
 *	ursa run --stub reset-race --cpus 2 --vfio BDF --append "rounds=N"
 *
 * Each of vCPU 0's rounds:
 *   D3hot	PMCSR PowerState = D3hot. A function in D3hot answers only
 *		configuration requests (PCIe Base 4.0 5.3.1.4.1), so memory
 *		reads must complete as Unsupported Requests: all ones. Back to
 *		D0, then the 10 ms D3hot->D0 recovery time (PCIe Base 4.0 5.9).
 *   FLR	Device Control's Initiate FLR. The function's registers go
 *		back to their reset values (PCIe Base 4.0 6.6.2): after the
 *		100 ms software waits, COMMAND must read 0 and BAR 0 hold no
 *		address; vCPU 0 then assigns BAR 0 and turns decoding on
 *		again, as a driver restores a function after a reset.
 *   move	With decoding off, BAR 0 moves to another address; once
 *		decoding is back the register answers there, and the old
 *		address is unclaimed (all ones).
 * The hammers (every other vCPU) read one register of BAR 0 (reg=,
 * default NVMe VS at 0x08) all the while. vCPU 0 announces each change
 * through a sequence count, odd while it changes the device, and the
 * phase that holds once it is even: a read that saw the same even count
 * before and after must give the register's value (decoding on) or all
 * ones (decoding off: D3hot, after an FLR, during a move); a read that
 * overlapped a change may give either. vCPU 0 waits in each "off" phase
 * until the hammers have made some checked reads in it.
 *
 * The end: "reset-race: rounds R reads N ur-reads U checked-off C
 * wrong-values W" and "reset-race: ok", every vCPU halting (status 0);
 * a wrong value or a register that did not reset ends the VM with code 1
 * (status 3). A VMM that leaves the BAR mapped over a device that stopped
 * decoding dies with EFAULT instead.
 */
#include "../rt/rt.h"

#define NVME_VENDOR		0x1b36	/* QEMU's NVMe controller */
#define NVME_DEVICE		0x0010
#define NVME_VS			0x08	/* version, constant */

/* Capability registers (PCI Local Bus 3.0 6.7, PCI Bus PM 1.2 3.2,
 * PCIe Base 4.0 7.5.3). */
#define PCI_CAP_ID_PM		0x01
#define PCI_CAP_ID_EXP		0x10
#define PM_CSR			4
#define  PM_CSR_STATE		0x3
#define  PM_D3HOT		0x3
#define EXP_DEVCAP		4
#define  EXP_DEVCAP_FLR		(1u << 28)
#define EXP_DEVCTL		8
#define  EXP_DEVCTL_FLR		0x8000
#define BAR_MEM_TYPE_64		0x4
#define BAR_ADDR_MASK		(~0xfu)

#define UR_READ			0xffffffffu
/* BAR 0's two places, at the top of ursa's 32-bit PCI window
 * (vmm/layout.h), under the stubs' 4 GiB identity map. */
#define BAR_HOME		0xdf000000u
#define BAR_AWAY		0xde000000u
#define BAR_MAX_SIZE		0x1000000u

#define D3HOT_RECOVERY_MS	10
#define FLR_WAIT_MS		100
#define CHECKED_READS		4	/* per "off" phase, at least */
#define HUNG_MS			5000
#define MAX_CPUS		256

enum phase { PHASE_ON, PHASE_OFF };

static uint64_t seq;		/* odd while vCPU 0 changes the device */
static uint32_t phase;		/* valid while seq is even */
static uint64_t bar;		/* where BAR 0 decodes now */
static uint32_t expected;	/* the register's value */
static uint32_t reg;
static uint32_t go, done, stopped;
static uint64_t checked_off;	/* hammer reads checked against "off" */

struct counts {
	uint64_t reads, ur_reads, wrong;
} __attribute__((aligned(64)));

static struct counts counts[MAX_CPUS];

static struct rt_lock first_lock;
static bool first_seen;
static struct {
	uint32_t cpu, value;
	const char *when;
} first;

#define fail(...) rt_fail("reset-race", __VA_ARGS__)

static void anomaly(uint32_t cpu, uint32_t value, const char *when)
{
	counts[cpu].wrong++;
	rt_lock(&first_lock);
	if (!first_seen) {
		first_seen = true;
		first.cpu = cpu;
		first.value = value;
		first.when = when;
	}
	rt_unlock(&first_lock);
}

static void hammer(uint32_t cpu)
{
	struct counts *n = &counts[cpu];

	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
		uint64_t before = __atomic_load_n(&seq, __ATOMIC_ACQUIRE);
		uint32_t ph = __atomic_load_n(&phase, __ATOMIC_RELAXED);
		uint64_t at = __atomic_load_n(&bar, __ATOMIC_RELAXED);
		uint32_t v = mmio_read32(at + reg);
		bool steady = !(before & 1) &&
			      __atomic_load_n(&seq, __ATOMIC_ACQUIRE) == before;

		n->reads++;
		n->ur_reads += v == UR_READ;
		if (!steady) {
			if (v != expected && v != UR_READ)
				anomaly(cpu, v, "during a change");
		} else if (ph == PHASE_ON) {
			if (v != expected)
				anomaly(cpu, v, "decoding on");
		} else {
			if (v != UR_READ)
				anomaly(cpu, v, "decoding off");
			__atomic_add_fetch(&checked_off, 1, __ATOMIC_RELAXED);
		}
	}
	__atomic_add_fetch(&stopped, 1, __ATOMIC_RELEASE);
}

/* vCPU 0 starts changing the device. */
static void change(void)
{
	__atomic_add_fetch(&seq, 1, __ATOMIC_ACQ_REL);
}

/* vCPU 0 is done changing it: now ph holds. */
static void settle(enum phase ph)
{
	__atomic_store_n(&phase, ph, __ATOMIC_RELAXED);
	__atomic_add_fetch(&seq, 1, __ATOMIC_ACQ_REL);
}

/*
 * At least ms milliseconds, halted on the LAPIC timer so that hammers get
 * the CPU when vCPUs outnumber CPUs; with hammers, also until they have
 * made CHECKED_READS more checked reads in an "off" phase.
 */
static void wait_ms(uint32_t ms, bool hammers)
{
	uint64_t start = __atomic_load_n(&checked_off, __ATOMIC_RELAXED);

	for (uint32_t t = 0;; t++) {
		if (t >= ms && (!hammers ||
				__atomic_load_n(&checked_off, __ATOMIC_RELAXED) - start >= CHECKED_READS))
			return;
		if (t == HUNG_MS)
			fail("the hammers made no checked read in %u ms", HUNG_MS);
		rt_deadline_set(1);
		while (!rt_deadline_passed())
			rt_irq_wait();
	}
}

static void set_bar(uint8_t dev, uint32_t addr)
{
	rt_pci_write(0, dev, 0, PCI_BAR0, 4, addr);
	rt_pci_write(0, dev, 0, PCI_BAR0 + 4, 4, 0);
	__atomic_store_n(&bar, addr, __ATOMIC_RELAXED);
}

static void set_decode(uint8_t dev, bool on)
{
	uint16_t cmd = rt_pci_read(0, dev, 0, PCI_COMMAND, 2);

	cmd = on ? cmd | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_MEMORY;
	rt_pci_write(0, dev, 0, PCI_COMMAND, 2, cmd);
}

static void d3hot(uint8_t dev, uint8_t pm, bool hammers)
{
	uint16_t csr = rt_pci_read(0, dev, 0, pm + PM_CSR, 2) & ~PM_CSR_STATE;

	change();
	rt_pci_write(0, dev, 0, pm + PM_CSR, 2, csr | PM_D3HOT);
	settle(PHASE_OFF);
	wait_ms(0, hammers);
	change();
	rt_pci_write(0, dev, 0, pm + PM_CSR, 2, csr);
	wait_ms(D3HOT_RECOVERY_MS, false);
	settle(PHASE_ON);
	if ((rt_pci_read(0, dev, 0, pm + PM_CSR, 2) & PM_CSR_STATE) != 0)
		fail("PMCSR reads %x after the return to D0",
		     rt_pci_read(0, dev, 0, pm + PM_CSR, 2));
}

static void flr(uint8_t dev, uint8_t exp, bool hammers)
{
	uint16_t ctl = rt_pci_read(0, dev, 0, exp + EXP_DEVCTL, 2);
	uint32_t cmd, bar0;

	change();
	rt_pci_write(0, dev, 0, exp + EXP_DEVCTL, 2, ctl | EXP_DEVCTL_FLR);
	settle(PHASE_OFF);
	wait_ms(FLR_WAIT_MS, hammers);
	cmd = rt_pci_read(0, dev, 0, PCI_COMMAND, 2);
	bar0 = rt_pci_read(0, dev, 0, PCI_BAR0, 4) & BAR_ADDR_MASK;
	if ((cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) || bar0)
		fail("after an FLR COMMAND reads %x and BAR 0 %x, not their reset values",
		     cmd, bar0);
	change();
	set_bar(dev, BAR_HOME);
	set_decode(dev, true);
	settle(PHASE_ON);
}

static void move(uint8_t dev, bool hammers)
{
	uint32_t v;

	change();
	set_decode(dev, false);
	settle(PHASE_OFF);
	wait_ms(0, hammers);
	change();
	set_bar(dev, BAR_AWAY);
	settle(PHASE_OFF);
	wait_ms(0, hammers);
	change();
	set_decode(dev, true);
	settle(PHASE_ON);
	v = mmio_read32(BAR_AWAY + reg);
	if (v != expected)
		fail("BAR 0 moved to %x reads %08x there, want %08x", BAR_AWAY, v, expected);
	v = mmio_read32(BAR_HOME + reg);
	if (v != UR_READ)
		fail("BAR 0 moved away from %x still reads %08x there", BAR_HOME, v);
	change();
	set_decode(dev, false);
	set_bar(dev, BAR_HOME);
	set_decode(dev, true);
	settle(PHASE_ON);
}

/* BAR 0's size, by the sizing protocol (PCI Local Bus 3.0 6.2.5.1),
 * with decoding off; leaves it at BAR_HOME. */
static uint32_t place_bar(uint8_t dev)
{
	uint32_t lo = rt_pci_read(0, dev, 0, PCI_BAR0, 4);
	uint32_t size;

	if ((lo & 0x7) != BAR_MEM_TYPE_64 && (lo & 0x7) != 0)
		fail("BAR 0 (%x) is no memory BAR", lo);
	set_decode(dev, false);
	rt_pci_write(0, dev, 0, PCI_BAR0, 4, 0xffffffff);
	size = ~(rt_pci_read(0, dev, 0, PCI_BAR0, 4) & BAR_ADDR_MASK) + 1;
	if (!size || size > BAR_MAX_SIZE)
		fail("BAR 0 has size %x; the stub's places fit %x", size, BAR_MAX_SIZE);
	set_bar(dev, BAR_HOME);
	set_decode(dev, true);
	return size;
}

static void run(uint32_t ncpus)
{
	uint16_t vendor = rt_arg_u64("vendor", NVME_VENDOR);
	uint16_t device = rt_arg_u64("device", NVME_DEVICE);
	uint64_t rounds = rt_arg_u64("rounds", 10);
	bool hammers = ncpus > 1;
	uint64_t reads = 0, ur_reads = 0, wrong = 0;
	uint8_t pm, exp;
	uint32_t size;
	int dev;

	reg = rt_arg_u64("reg", NVME_VS) & ~3u;
	dev = rt_pci_find(vendor, device);
	if (dev < 0)
		fail("no device %04x:%04x", vendor, device);
	pm = rt_pci_find_cap(dev, PCI_CAP_ID_PM);
	exp = rt_pci_find_cap(dev, PCI_CAP_ID_EXP);
	if (!pm || !exp)
		fail("%04x:%04x lacks the PM (%x) or PCIe (%x) capability", vendor, device, pm, exp);
	if (!(rt_pci_read(0, dev, 0, exp + EXP_DEVCAP, 4) & EXP_DEVCAP_FLR))
		fail("%04x:%04x cannot do an FLR", vendor, device);
	size = place_bar(dev);
	if (reg + 4 > size)
		fail("reg=%x is outside BAR 0 (%x bytes)", reg, size);
	expected = mmio_read32(BAR_HOME + reg);
	if (expected == UR_READ)
		fail("BAR 0 + %x reads all ones with decoding on", reg);
	rt_printf("reset-race: %04x:%04x at 00:%02x.0, BAR 0 (%x bytes) at %x reads %08x at %x; %lu rounds, %u hammering vCPUs\n",
		  vendor, device, (unsigned int)dev, size, BAR_HOME, expected, reg,
		  rounds, ncpus - 1);
	/* seq is 0 and phase PHASE_ON: decoding on, nothing changing. */
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);

	for (uint64_t r = 0; r < rounds; r++) {
		d3hot(dev, pm, hammers);
		flr(dev, exp, hammers);
		move(dev, hammers);
	}

	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	for (uint32_t t = 0; __atomic_load_n(&stopped, __ATOMIC_ACQUIRE) != ncpus - 1; t++) {
		if (t == HUNG_MS)
			fail("%u of %u hammers stopped", stopped, ncpus - 1);
		wait_ms(1, false);
	}
	for (uint32_t i = 0; i < ncpus; i++) {
		reads += counts[i].reads;
		ur_reads += counts[i].ur_reads;
		wrong += counts[i].wrong;
	}
	rt_printf("reset-race: rounds %lu reads %lu ur-reads %lu checked-off %lu wrong-values %lu\n",
		  rounds, reads, ur_reads, checked_off, wrong);
	if (wrong) {
		rt_printf("reset-race: first wrong value: vCPU %u read %08x, %s\n",
			  first.cpu, first.value, first.when);
		fail("%lu wrong values", wrong);
	}
	rt_printf("reset-race: ok\n");
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	if (ncpus > MAX_CPUS)
		fail("%u vCPUs, at most %u", ncpus, MAX_CPUS);
	if (cpu)
		hammer(cpu);
	else
		run(ncpus);
}
