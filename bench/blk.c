// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/blk: 4 KiB random reads at queue depth 32 from a file, two ways in
 * the same run: the blk stub in a VM through ursa's virtio-blk (the
 * guest's ring, doorbell ioeventfd, the loop, io_uring), and a bare
 * io_uring program on the host doing the same reads. Rounds alternate;
 * the medians' IOPS and their ratio (goal: ursa / host >= 0.9) are printed,
 * and IOPS per CPU-second of each side (the process's CPU time over the
 * round: for ursa, the vCPU, the disk's I/O thread and the event loop;
 * goal: ursa's at least half the host's).
 *
 * usage: blk [READS [ROUNDS [POLL_US [QUEUES]]]]
 *        (default 20000 reads, 5 rounds, the default poll=, 1 queue)
 */
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio/blk.h"
#include "vmm/kvm.h"
#include "vmm/stubs.h"
#include "vmm/vm.h"

#define FILE_BYTES	(256u << 20)
#define BLOCK		4096
#define QD		32

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now(void)
{
	return seconds(CLOCK_MONOTONIC);
}

/* CPU time of the whole process, every thread (ended ones too). */
static double cpu_now(void)
{
	return seconds(CLOCK_PROCESS_CPUTIME_ID);
}

struct round {
	double wall, cpu;
};

/* The same reads the stub makes: its LCG, in 4 KiB units of the file. */
static uint64_t next_block(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	return (*seed >> 33) % (FILE_BYTES / BLOCK);
}

static struct round host_round(const char *path, unsigned long reads)
{
	static char bufs[QD][BLOCK] __attribute__((aligned(BLOCK)));
	uint64_t seed = 0x2545f4914f6cdd1dull;
	unsigned long issued = 0, done = 0;
	struct io_uring ring;
	int fd = open(path, O_RDONLY);
	double t0, c0;

	if (fd < 0 || io_uring_queue_init(QD, &ring, 0)) {
		perror("blk: host round");
		exit(1);
	}
	t0 = now();
	c0 = cpu_now();
	for (; issued < QD && issued < reads; issued++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_read(sqe, fd, bufs[issued], BLOCK, next_block(&seed) * BLOCK);
		io_uring_sqe_set_data64(sqe, issued);
	}
	while (done < reads) {
		struct io_uring_cqe *cqe;
		uint64_t slot;

		io_uring_submit_and_wait(&ring, 1);
		while (!io_uring_peek_cqe(&ring, &cqe)) {
			if (cqe->res != BLOCK) {
				fprintf(stderr, "blk: host read failed: %d\n", cqe->res);
				exit(1);
			}
			slot = io_uring_cqe_get_data64(cqe);
			io_uring_cqe_seen(&ring, cqe);
			done++;
			if (issued < reads) {
				struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

				io_uring_prep_read(sqe, fd, bufs[slot], BLOCK,
						   next_block(&seed) * BLOCK);
				io_uring_sqe_set_data64(sqe, slot);
				issued++;
			}
		}
	}
	c0 = cpu_now() - c0;
	t0 = now() - t0;
	io_uring_queue_exit(&ring);
	close(fd);
	return (struct round){ t0, c0 };
}

static struct round ursa_round(struct kvm_host *kvm, struct vm_config *cfg)
{
	struct vm vm;
	char err[256];
	double t0, c0;
	int status;

	if (vm_create(&vm, kvm, cfg, err, sizeof(err))) {
		fprintf(stderr, "blk: %s\n", err);
		exit(1);
	}
	t0 = now();
	c0 = cpu_now();
	status = vm_run(&vm);
	c0 = cpu_now() - c0;
	t0 = now() - t0;
	vm_destroy(&vm);
	if (status) {
		fprintf(stderr, "blk: the stub ended with status %d\n", status);
		exit(1);
	}
	return (struct round){ t0, c0 };
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void make_file(const char *path)
{
	static char block[1 << 20];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	/* Real data, so that neither side reads holes; both read it from
	 * the page cache once the first round has warmed it. */
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (char)(i * 131 + 7);
	for (unsigned int i = 0; fd >= 0 && i < FILE_BYTES / sizeof(block); i++)
		if (write(fd, block, sizeof(block)) != sizeof(block))
			break;
	if (fd < 0 || fsync(fd)) {
		perror("blk: making the disk file");
		exit(1);
	}
	close(fd);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	unsigned long reads = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	unsigned long poll_us = argc > 3 ? strtoul(argv[3], NULL, 0) : VIRTIO_BLK_DEFAULT_POLL_US;
	unsigned long queues = argc > 4 ? strtoul(argv[4], NULL, 0) : 1;
	char path[] = "/tmp/ursa-bench-blk-XXXXXX", append[96], err[256];
	double host[64], ursa[64], host_eff[64], ursa_eff[64];
	double host_iops, ursa_iops, host_per_cpu, ursa_per_cpu;
	struct kvm_host kvm;
	struct vm_config *cfg = calloc(1, sizeof(*cfg));
	int fd = mkstemp(path);

	if (!reads || rounds < 1 || rounds > 64 || poll_us > VIRTIO_BLK_MAX_POLL_US ||
	    queues < 1 || queues > VIRTIO_BLK_MAX_QUEUES || fd < 0 || !cfg) {
		fprintf(stderr, "usage: blk [READS [ROUNDS <= 64 [POLL_US [QUEUES]]]]\n");
		return 2;
	}
	close(fd);
	if (kvm_open(&kvm, err, sizeof(err))) {
		fprintf(stderr, "blk: %s\n", err);
		unlink(path);
		return 1;
	}
	make_file(path);
	snprintf(append, sizeof(append), "bench=1 count=%lu qd=%d queues=%lu", reads, QD, queues);
	*cfg = (struct vm_config){
		.stub_name = "blk",
		.builtin = builtin_stub_find("blk"),
		.memory = 64 << 20,
		.cpus = 1,
		.phys_bits = kvm.limits.phys_bits,
		.console = CONSOLE_NONE,
		.append = append,
		.nr_disks = 1,
		.disks[0] = { .queues = queues, .poll_us = poll_us },
	};
	snprintf(cfg->disks[0].path, sizeof(cfg->disks[0].path), "%s", path);
	for (int r = 0; r < rounds; r++) {
		struct round h = host_round(path, reads), u = ursa_round(&kvm, cfg);

		host[r] = reads / h.wall;
		ursa[r] = reads / u.wall;
		host_eff[r] = reads / h.cpu;
		ursa_eff[r] = reads / u.cpu;
		printf("round %d: host %.0f IOPS (%.2f CPUs), ursa %.0f IOPS (%.2f CPUs)\n", r,
		       host[r], h.cpu / h.wall, ursa[r], u.cpu / u.wall);
	}
	host_iops = median(host, rounds);
	ursa_iops = median(ursa, rounds);
	host_per_cpu = median(host_eff, rounds);
	ursa_per_cpu = median(ursa_eff, rounds);
	printf("blk: %lu 4 KiB random reads at QD %d x %d rounds, poll=%lu us, %lu queue(s): median host %.0f IOPS, ursa %.0f IOPS, ursa/host %.3f (goal >= 0.9)\n",
	       reads, QD, rounds, poll_us, queues, host_iops, ursa_iops, ursa_iops / host_iops);
	printf("blk: IOPS per CPU-second: host %.0f, ursa %.0f, ursa/host %.3f (goal >= 0.5)\n",
	       host_per_cpu, ursa_per_cpu, ursa_per_cpu / host_per_cpu);
	kvm_close(&kvm);
	unlink(path);
	free(cfg);
	return 0;
}
