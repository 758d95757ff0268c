// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile: vCPU 0 attacks ursa's PCI devices phase by phase (config
 * space, BARs, MMIO, virtqueues, MSI-X; see the other files), checking
 * the defined answer to every attack. Every other vCPU is a bystander
 * that hammers, at CPL3, accesses whose answers never depend on what
 * vCPU 0 does (a read-only ID through ECAM, an absent function, MMIO and
 * a port nobody decodes) and counts heartbeats: after each phase, each
 * bystander's count must have moved on, so none was stopped or stuck.
 *
 * Needs two virtio-blk disks (--disk twice), at least 128 MiB of RAM.
 * Prints a line per phase and a summary, and ends the VM with its own
 * code: status (HOSTILE_EXIT_OK << 1) | 1 = 85. A failed check prints
 * "hostile: FAIL ..." and ends it with status 3.
 */
#include "hostile.h"

#define MAX_CPUS		256
#define HEARTBEAT_WAIT_MS	5000
#define MIN_RAM			((uint64_t)128 << 20)	/* the virtqueue attacks' buffers */

static volatile uint64_t beats[MAX_CPUS];
static volatile uint32_t go, stop, stopped;
static uint32_t nr_cpus;
static uint8_t watched_slot;

/* A bystander's check: counted nowhere, so vCPU 0's count stays exact. */
static void bystander_expect(uint64_t got, uint64_t want, const char *what)
{
	if (got != want)
		hostile_fail("bystander cpu %u: %s: got %lx, want %lx", rt_cpu_index(), what,
			     got, want);
}

static uint64_t bystander(uint64_t cpu)
{
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		bystander_expect(mmio_read32(ecam(watched_slot, 0, 0)), VIRTIO_BLK_ID,
				 "read-only ID");
		mmio_write32(ecam(watched_slot, 3, CFG_BAR0), ~0u);
		bystander_expect(mmio_read16(ecam(watched_slot, 3, 2)), 0xffff, "absent function");
		mmio_write32(BYSTANDER_MMIO, cpu);
		bystander_expect(mmio_read64(BYSTANDER_MMIO), ~0ull, "unclaimed MMIO");
		outb(UNCLAIMED_PORT, cpu);
		bystander_expect(inb(UNCLAIMED_PORT), 0xff, "unclaimed port");
		__atomic_add_fetch(&beats[cpu], 1, __ATOMIC_RELEASE);
	}
	__atomic_add_fetch(&stopped, 1, __ATOMIC_RELEASE);
	return 0;
}

static void snapshot_beats(uint64_t *seen)
{
	for (uint32_t cpu = 1; cpu < nr_cpus; cpu++)
		seen[cpu] = __atomic_load_n(&beats[cpu], __ATOMIC_ACQUIRE);
}

/* Each bystander's count moves past what it was before the phase. */
static uint64_t wait_heartbeats(uint64_t seen_gpa)
{
	const uint64_t *seen = (const uint64_t *)seen_gpa;
	uint64_t deadline = deadline_after_ms(HEARTBEAT_WAIT_MS);

	for (uint32_t cpu = 1; cpu < nr_cpus; cpu++)
		while (__atomic_load_n(&beats[cpu], __ATOMIC_ACQUIRE) == seen[cpu])
			if (deadline_passed(deadline))
				hostile_fail("cpu %u's heartbeat stopped at %lu", cpu, seen[cpu]);
	return 0;
}

static void run_phase(const char *name, uint64_t (*fn)(uint64_t))
{
	static uint64_t seen[MAX_CPUS];
	uint64_t checks = hostile_checks;

	snapshot_beats(seen);
	rt_user_call(fn, 0);
	rt_user_call(wait_heartbeats, (uint64_t)seen);
	rt_printf("hostile: %s ok (%lu checks)\n", name, hostile_checks - checks);
}

static void on_msix(uint8_t vector)
{
	(void)vector;
	msix_delivered++;
}

/* Let interrupts in for ms; one nobody handles ends the VM (code 0x7f). */
static void interrupt_window(uint32_t ms, uint32_t until)
{
	rt_deadline_set(ms);
	while (msix_delivered < until && !rt_deadline_passed())
		rt_irq_wait();
}

/* Garbage messages must reach no vCPU; the real one must reach vCPU 0,
 * once. */
static void msix_interrupts(void)
{
	run_phase("msix garbage", phase_msix_garbage);
	interrupt_window(20, ~0u);
	expect(msix_delivered, 0, "interrupts from garbage messages");
	run_phase("msix delivery", phase_msix_deliver);
	interrupt_window(2000, 1);
	interrupt_window(20, ~0u);
	expect(msix_delivered, 1, "interrupts from the real message");
}

static void stop_bystanders(void)
{
	uint64_t deadline = deadline_after_ms(HEARTBEAT_WAIT_MS);

	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&stopped, __ATOMIC_ACQUIRE) != nr_cpus - 1)
		if (deadline_passed(deadline))
			hostile_fail("bystanders did not stop");
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	if (cpu) {
		rt_user_call(bystander, cpu);
		return;
	}
	nr_cpus = ncpus < MAX_CPUS ? ncpus : MAX_CPUS;
	if (rt_boot->ram_below_4g < MIN_RAM)
		hostile_fail("needs at least %lu MiB of RAM", MIN_RAM >> 20);
	hostile_time_init();
	rt_irq_handler(HOSTILE_MSIX_VECTOR, on_msix);
	rt_user_call(phase_discover, 0);
	watched_slot = hdevs[0].slot;	/* its functions 1-7 are absent */
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);

	run_phase("config", phase_config);
	run_phase("bars", phase_bars);
	run_phase("mmio", phase_mmio);
	run_phase("virtqueue", phase_virtq);
	run_phase("msix table", phase_msix_table);
	run_phase("msix pending", phase_msix_pending);
	msix_interrupts();
	run_phase("intx", phase_intx_isr);
	run_phase("survivor", phase_survivor);
	stop_bystanders();
	rt_printf("hostile: ok, %lu checks; bystanders kept running: %u of %u vCPUs\n",
		  hostile_checks, ncpus - 1, ncpus);
	rt_exit(HOSTILE_EXIT_OK);
}
