// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/blk: 4 KiB random reads at queue depth 32 from a file, two ways in
 * the same run: the blk stub in a VM through ursa's virtio-blk (the
 * guest's ring, doorbell ioeventfd, the loop, io_uring), and a bare
 * io_uring program on the host doing the same reads. Rounds alternate;
 * the medians' IOPS and their ratio (goal: ursa / host >= 0.9) are printed.
 *
 * usage: blk [READS [ROUNDS]]   (default 20000 reads, 5 rounds)
 */
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/kvm.h"
#include "vmm/stubs.h"
#include "vmm/vm.h"

#define FILE_BYTES	(256u << 20)
#define BLOCK		4096
#define QD		32

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The same reads the stub makes: its LCG, in 4 KiB units of the file. */
static uint64_t next_block(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	return (*seed >> 33) % (FILE_BYTES / BLOCK);
}

static double host_round(const char *path, unsigned long reads)
{
	static char bufs[QD][BLOCK] __attribute__((aligned(BLOCK)));
	uint64_t seed = 0x2545f4914f6cdd1dull;
	unsigned long issued = 0, done = 0;
	struct io_uring ring;
	int fd = open(path, O_RDONLY);
	double t0;

	if (fd < 0 || io_uring_queue_init(QD, &ring, 0)) {
		perror("blk: host round");
		exit(1);
	}
	t0 = now();
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
	t0 = now() - t0;
	io_uring_queue_exit(&ring);
	close(fd);
	return t0;
}

static double ursa_round(struct kvm_host *kvm, struct vm_config *cfg)
{
	struct vm vm;
	char err[256];
	double t0;
	int status;

	if (vm_create(&vm, kvm, cfg, err, sizeof(err))) {
		fprintf(stderr, "blk: %s\n", err);
		exit(1);
	}
	t0 = now();
	status = vm_run(&vm);
	t0 = now() - t0;
	vm_destroy(&vm);
	if (status) {
		fprintf(stderr, "blk: the stub ended with status %d\n", status);
		exit(1);
	}
	return t0;
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

int main(int argc, char **argv)
{
	unsigned long reads = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	char path[] = "/tmp/ursa-bench-blk-XXXXXX", append[64], err[256];
	double host[64], ursa[64];
	struct kvm_host kvm;
	struct vm_config *cfg = calloc(1, sizeof(*cfg));
	int fd = mkstemp(path);

	if (!reads || rounds < 1 || rounds > 64 || fd < 0 || !cfg) {
		fprintf(stderr, "usage: blk [READS [ROUNDS <= 64]]\n");
		return 2;
	}
	close(fd);
	if (kvm_open(&kvm, err, sizeof(err))) {
		fprintf(stderr, "blk: %s\n", err);
		unlink(path);
		return 1;
	}
	make_file(path);
	snprintf(append, sizeof(append), "bench=1 count=%lu qd=%d", reads, QD);
	*cfg = (struct vm_config){
		.stub_name = "blk",
		.builtin = builtin_stub_find("blk"),
		.memory = 64 << 20,
		.cpus = 1,
		.phys_bits = kvm.limits.phys_bits,
		.console = CONSOLE_NONE,
		.append = append,
		.nr_disks = 1,
	};
	snprintf(cfg->disks[0].path, sizeof(cfg->disks[0].path), "%s", path);
	for (int r = 0; r < rounds; r++) {
		host[r] = host_round(path, reads);
		ursa[r] = ursa_round(&kvm, cfg);
		printf("round %d: host %.0f IOPS, ursa %.0f IOPS\n", r,
		       reads / host[r], reads / ursa[r]);
	}
	qsort(host, rounds, sizeof(double), cmp_double);
	qsort(ursa, rounds, sizeof(double), cmp_double);
	printf("blk: %lu 4 KiB random reads at QD %d x %d rounds, median host %.0f IOPS, ursa %.0f IOPS, ursa/host %.3f (goal >= 0.9)\n",
	       reads, QD, rounds, reads / host[rounds / 2], reads / ursa[rounds / 2],
	       host[rounds / 2] / ursa[rounds / 2]);
	kvm_close(&kvm);
	unlink(path);
	free(cfg);
	return 0;
}
