// SPDX-License-Identifier: GPL-2.0-only
/*
 * bar-hammer VENDOR DEVICE BAR OFFSET CYCLES THREADS [WRITE-OFFSET]: the
 * reproducer of seed 001 as a Linux guest runs it, from user space on an
 * assigned PCI function:
 *
 *	THREADS hammer threads read the 32-bit register at OFFSET of memory
 *	BAR through an mmap of sysfs resourceN, in a tight loop, and with
 *	WRITE-OFFSET also write a register there (edu's liveness register:
 *	harmless); the main thread clears and sets PCI_COMMAND.MEM through
 *	sysfs config CYCLES times, as a display driver does on one vCPU while
 *	another is mid-MMIO.
 *
 * The value at OFFSET is learned first, with decoding on. PCIe Base 4.0
 * 7.5.1.1.3: with Memory Space Enable clear the function handles memory
 * requests as Unsupported Requests, which an x86 root complex completes
 * with all ones for a read. So every read must give the learned value or
 * 0xffffffff; anything else is a wrong value. The main thread runs on CPU
 * 0 and the hammers on the others (round robin), so that on an SMP guest
 * the toggling and the hammering vCPUs run at the same time.
 *
 * Prints "bar-hammer: progress C" every CYCLES/20 cycles and at the end
 * "bar-hammer: cycles N reads R ur-reads U wrong-values W cycles-per-s C"
 * (and the first wrong value); C is over the toggling loop alone. Exit status 0 with no wrong value, 3 otherwise, 1 on a host
 * error, 2 on a usage error. Built statically by run-nested (with
 * sysfs-pci.c) into the Linux guest's initramfs (guest_mode=race).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sysfs-pci.h"

const char *sysfs_pci_prog = "bar-hammer";

#define UR_READ		0xffffffffu
#define MAX_THREADS	64
#define LEARN_READS	16

struct hammer {
	pthread_t thread;
	unsigned int cpu;
	unsigned long reads, ur_reads, wrong;
	uint32_t first_wrong;
	unsigned long first_step;
} __attribute__((aligned(64)));

static volatile uint32_t *reg, *write_reg;
static uint32_t expected;
static atomic_bool stop;
/*
 * Where the toggler is, for the report of a wrong value: 4 steps a cycle,
 * step % 4 == 1 while its MEM = 0 write is in flight, 2 once it returned
 * (decoding off), 3 during the MEM = 1 write, 0 once that returned.
 */
static atomic_ulong step;

static const char *const step_names[] = {
	"decoding on", "writing MEM = 0", "decoding off", "writing MEM = 1",
};

static void pin(unsigned int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* A CPU that is not there (a 1-CPU guest) leaves the thread free. */
	sched_setaffinity(0, sizeof(set), &set);
}

static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	uint32_t n = 0;

	pin(h->cpu);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint32_t v;

		if (write_reg)
			*write_reg = n++;
		v = *reg;
		h->reads++;
		if (v == UR_READ) {
			h->ur_reads++;
		} else if (v != expected) {
			if (!h->wrong) {
				h->first_wrong = v;
				h->first_step = atomic_load(&step);
			}
			h->wrong++;
		}
	}
	return NULL;
}

/* The register's value with decoding on: the same in every read. */
static uint32_t learn(void)
{
	uint32_t v = *reg;

	for (int i = 1; i < LEARN_READS; i++)
		if (*reg != v)
			die(1, "the register changes between reads (0x%08x, 0x%08x): choose one that holds still", v, *reg);
	if (v == UR_READ)
		die(1, "the register reads all ones with memory decoding on");
	return v;
}

int main(int argc, char **argv)
{
	unsigned long vendor, device, bar, offset, cycles, threads, woff = 0;
	unsigned long reads = 0, ur_reads = 0, wrong = 0, every;
	static struct hammer hammers[MAX_THREADS];
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct timespec start, end;
	double seconds;
	char bdf[256];
	uint16_t cmd;
	int config;

	if (argc != 7 && argc != 8)
		die(2, "usage: bar-hammer VENDOR DEVICE BAR OFFSET CYCLES THREADS [WRITE-OFFSET]");
	if (!parse_num(argv[1], 16, 0xffff, &vendor) ||
	    !parse_num(argv[2], 16, 0xffff, &device))
		die(2, "bad vendor or device ID '%s' '%s'", argv[1], argv[2]);
	if (!parse_num(argv[3], 10, PCI_NUM_BARS - 1, &bar))
		die(2, "bad BAR '%s' (0-%d)", argv[3], PCI_NUM_BARS - 1);
	if (!parse_num(argv[4], 0, ~0UL, &offset) || offset % 4)
		die(2, "bad offset '%s' (a multiple of 4)", argv[4]);
	if (!parse_num(argv[5], 10, ~0UL, &cycles) || !cycles)
		die(2, "bad cycle count '%s'", argv[5]);
	if (!parse_num(argv[6], 10, MAX_THREADS, &threads) || !threads)
		die(2, "bad thread count '%s' (1-%d)", argv[6], MAX_THREADS);
	if (argc == 8 && (!parse_num(argv[7], 0, ~0UL, &woff) || woff % 4))
		die(2, "bad write offset '%s' (a multiple of 4)", argv[7]);

	find_device(vendor, device, bdf, sizeof(bdf));
	reg = map_register(bdf, bar, offset, argc == 8);
	if (argc == 8)
		write_reg = map_register(bdf, bar, woff, 1);
	enable_memory(bdf);
	config = open_config(bdf);
	cmd = read_command(bdf) | PCI_COMMAND_MEMORY;
	expected = learn();
	printf("bar-hammer: %s BAR %lu + 0x%lx reads 0x%08x; %lu cycles, %lu hammer threads%s, %ld CPUs\n",
	       bdf, bar, offset, expected, cycles, threads,
	       write_reg ? " writing too" : "", ncpus);
	fflush(stdout);

	pin(0);
	for (unsigned long i = 0; i < threads; i++) {
		hammers[i].cpu = ncpus > 1 ? 1 + i % (ncpus - 1) : 0;
		if (pthread_create(&hammers[i].thread, NULL, hammer_main, &hammers[i]))
			die(1, "cannot start hammer thread %lu", i);
	}
	every = cycles / 20 ? cycles / 20 : 1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (unsigned long c = 1; c <= cycles; c++) {
		atomic_store(&step, 4 * c - 3);
		write_command(config, cmd & ~PCI_COMMAND_MEMORY);
		atomic_store(&step, 4 * c - 2);
		atomic_store(&step, 4 * c - 1);
		write_command(config, cmd);
		atomic_store(&step, 4 * c);
		if (c % every == 0) {
			printf("bar-hammer: progress %lu\n", c);
			fflush(stdout);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	atomic_store(&stop, true);
	for (unsigned long i = 0; i < threads; i++) {
		pthread_join(hammers[i].thread, NULL);
		reads += hammers[i].reads;
		ur_reads += hammers[i].ur_reads;
		wrong += hammers[i].wrong;
		if (hammers[i].wrong)
			printf("bar-hammer: thread %lu read 0x%08x first, in cycle %lu, %s\n",
			       i, hammers[i].first_wrong, (hammers[i].first_step + 3) / 4,
			       step_names[hammers[i].first_step % 4]);
	}
	/* Decoding is on again: the device must answer as before. */
	if (*reg != expected) {
		printf("bar-hammer: after the race the register reads 0x%08x\n", *reg);
		wrong++;
	}
	seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
	printf("bar-hammer: cycles %lu reads %lu ur-reads %lu wrong-values %lu cycles-per-s %.0f\n",
	       cycles, reads, ur_reads, wrong, seconds > 0 ? cycles / seconds : 0);
	return wrong ? 3 : 0;
}
