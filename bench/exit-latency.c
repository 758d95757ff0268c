// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/exit-latency: the cost of ursa's exit path.
 *
 * The pio-bench stub makes N port-I/O exits from CPL3. It runs twice per
 * round on identical VMs: once through ursa's whole path (vm_run(): vCPU
 * thread, exit dispatch, bus lookup, the UART's lock), and once under a
 * bare loop written here that only re-enters KVM_RUN. Rounds alternate
 * the two so that machine noise hits both; the medians are compared.
 *
 * usage: exit-latency [EXITS [ROUNDS]]   (default 20000 exits, 5 rounds)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "guest/stub_abi.h"
#include "vmm/kvm.h"
#include "vmm/kvm_uapi.h"
#include "vmm/stubs.h"
#include "vmm/vm.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Only what the stub needs to get through: reads see all ones (so LSR
 * says the transmitter is empty), writes vanish, and a write to the
 * stubs' halt port ends the run. */
static int bare_run(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	for (;;) {
		if (ioctl(vcpu->fd, KVM_RUN, 0)) {
			if (errno == EINTR)
				continue;
			perror("KVM_RUN");
			return -1;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_IN)
				memset((char *)run + run->io.data_offset, 0xff,
				       run->io.size * run->io.count);
			else if (run->io.port == STUB_HALT_PORT)
				return 0;
			break;
		default:
			fprintf(stderr, "bare loop: exit reason %u\n", run->exit_reason);
			return -1;
		}
	}
}

static double one_run(struct kvm_host *kvm, const struct vm_config *cfg,
		      bool bare)
{
	struct vm vm;
	char err[256];
	double t0, t;
	int ret;

	if (vm_create(&vm, kvm, cfg, err, sizeof(err))) {
		fprintf(stderr, "exit-latency: %s\n", err);
		exit(1);
	}
	t0 = now();
	ret = bare ? bare_run(&vm.vcpus[0]) : vm_run(&vm);
	t = now() - t0;
	vm_destroy(&vm);
	if (ret) {
		fprintf(stderr, "exit-latency: %s run ended with %d\n",
			bare ? "bare" : "ursa", ret);
		exit(1);
	}
	return t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned long exits = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct kvm_host kvm;
	double bare[64], ursa[64];
	char append[64], err[256];
	struct vm_config cfg = {
		.stub_name = "pio-bench",
		.builtin = builtin_stub_find("pio-bench"),
		.memory = 64 << 20,
		.cpus = 1,
		.console = CONSOLE_NONE,
		.append = append,
	};

	if (!exits || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: exit-latency [EXITS [ROUNDS <= 64]]\n");
		return 2;
	}
	if (kvm_open(&kvm, err, sizeof(err))) {
		fprintf(stderr, "exit-latency: %s\n", err);
		return 1;
	}
	cfg.phys_bits = kvm.limits.phys_bits;
	snprintf(append, sizeof(append), "count=%lu", exits);

	for (int r = 0; r < rounds; r++) {
		bare[r] = one_run(&kvm, &cfg, true);
		ursa[r] = one_run(&kvm, &cfg, false);
		printf("round %d: bare %.2f us/exit, ursa %.2f us/exit\n", r,
		       bare[r] * 1e6 / exits, ursa[r] * 1e6 / exits);
	}
	qsort(bare, rounds, sizeof(double), cmp_double);
	qsort(ursa, rounds, sizeof(double), cmp_double);
	printf("exit-latency: %lu exits x %d rounds, median bare %.2f us, ursa %.2f us, ursa/bare %.3f (goal <= 1.05)\n",
	       exits, rounds, bare[rounds / 2] * 1e6 / exits,
	       ursa[rounds / 2] * 1e6 / exits, ursa[rounds / 2] / bare[rounds / 2]);
	kvm_close(&kvm);
	return 0;
}
