// SPDX-License-Identifier: GPL-2.0-only
/*
 * ursa repro bar-race: the race of seed 001 on demand. Runs the bar-race
 * stub (guest/stubs/bar-race.c) on an assigned edu device with the chosen
 * BAR ordering and fault recovery, shows its progress while it runs, and
 * judges the outcome from the stub's report and ursa's own counters.
 *
 * The guest's console goes to a pipe: a reader thread takes the stub's
 * "bar-race: progress C" lines as the cycle count and passes every other
 * line to stdout; a ticker thread redraws the status line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/config.h"
#include "vmm/exit_status.h"
#include "vmm/kvm.h"
#include "vmm/log.h"
#include "vmm/repro.h"
#include "vmm/vm.h"

const char repro_usage[] =
	"usage: ursa repro bar-race --vfio BDF [--cycles N] [--order safe|qemu]\n"
	"                           [--no-recover] [--cpus N]\n"
	"\n"
	"Runs the bar-race stub on QEMU's edu device (1234:11e8) passed through as\n"
	"BDF: vCPU 0 turns the device's memory decoding off and on N times while the\n"
	"other vCPUs read BAR 0 and write it with decoding off. Shows cycles/s,\n"
	"all-ones reads, memory-fault exits and recovered EFAULTs as it runs, then\n"
	"a summary.\n"
	"\n"
	"  --cycles N         off/on cycles (default 2000)\n"
	"  --order safe|qemu  safe (default): ursa removes the BAR's memslot before\n"
	"                     the write reaches the device; qemu: the write first,\n"
	"                     as QEMU and kvmtool do (opens the window)\n"
	"  --no-recover       an EFAULT from KVM_RUN ends the VM, as in other VMMs\n"
	"  --cpus N           vCPUs: one toggles, N-1 hammer (default 2)\n"
	"\n"
	"Exit status: 0 the VM survived N cycles with no wrong value and no leaked\n"
	"write; 3 the guest saw a wrong value or a leaked write; 4 the VM died\n"
	"(ursa's diagnosis on stderr); 1 host error; 2 usage error; 128+N stopped\n"
	"by signal N.\n";

#define MAX_CYCLES	1000000000ull
/* The stub reports progress about 100 times a run, at most every 1000
 * cycles: each report is a few dozen port writes, noise next to a cycle. */
#define PROGRESS_REPORTS 100
#define PROGRESS_MAX	1000
#define TICK_NS		100000000L	/* the ticker checks for the end */
#define TTY_REDRAW_TICKS 5		/* status line every 0.5 s on a tty */
#define LOG_LINE_TICKS	50		/* and every 5 s otherwise */

enum repro_option { OPT_VFIO, OPT_CYCLES, OPT_ORDER, OPT_NO_RECOVER, OPT_CPUS, OPT_HELP };

static const struct option_def repro_options[] = {
	{ "vfio", OPT_VFIO, true },
	{ "cycles", OPT_CYCLES, true },
	{ "order", OPT_ORDER, true },
	{ "no-recover", OPT_NO_RECOVER, false },
	{ "cpus", OPT_CPUS, true },
	{ "help", OPT_HELP, false },
};

struct repro_args {
	const char *bdf;
	uint64_t cycles;
	bool order_qemu;
	bool recover;
	const char *cpus;
};

/* The stub's final report: "bar-race: cycles N ur-reads U leaked-writes L
 * wrong-values W windows X". */
struct race_result {
	bool seen;
	uint64_t cycles, ur_reads, leaked, wrong, windows;
};

struct race_watch {
	struct vm *vm;
	const struct repro_args *args;
	int pipe_rd;
	bool tty;
	struct timespec start;

	atomic_ulong cycles;		/* the last progress report */
	atomic_bool done;		/* the VM has ended: ticker, stop */

	pthread_mutex_t out_lock;	/* stdout: guest lines, status line */
	bool status_shown;		/* a status line without its newline */

	struct race_result result;	/* reader thread; read after join */
	char timing[160];		/* "bar-race: longest ..." */
};

/* How often the stub reports progress, in cycles. */
static uint64_t progress_every(const struct repro_args *a)
{
	uint64_t k = a->cycles / PROGRESS_REPORTS;

	return k > PROGRESS_MAX ? PROGRESS_MAX : k ? k : 1;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The counters ursa keeps for the run, summed over the assigned devices. */
struct host_counts {
	unsigned long ur_reads, dropped_writes, transitions, demotions;
	unsigned long memfault_exits, recovered_efaults;
};

static void host_counts(struct vm *vm, struct host_counts *c)
{
	*c = (struct host_counts){
		.memfault_exits = atomic_load(&vm->memfault_exits),
		.recovered_efaults = atomic_load(&vm->recovered_efaults),
	};
	for (unsigned int i = 0; i < vm->nr_vfio_devs; i++) {
		const struct vfio_bar_stats *s = &vm->vfio_devs[i]->bars.stats;

		c->ur_reads += atomic_load(&s->ur_reads);
		c->dropped_writes += atomic_load(&s->dropped_writes);
		c->transitions += atomic_load(&s->transitions);
		c->demotions += atomic_load(&s->demotions);
	}
}

/* With out_lock held: end a status line left open on the terminal. */
static void close_status_line(struct race_watch *w)
{
	if (w->status_shown) {
		fputs("\r\033[K", stdout);
		w->status_shown = false;
	}
}

static void show_status(struct race_watch *w, uint64_t *last_cycles,
			double *last_time)
{
	struct host_counts h;
	uint64_t cycles = atomic_load(&w->cycles);
	double now = seconds_since(&w->start);
	double rate = now > *last_time ? (cycles - *last_cycles) / (now - *last_time) : 0;

	host_counts(w->vm, &h);
	pthread_mutex_lock(&w->out_lock);
	close_status_line(w);
	printf("repro: %" PRIu64 "/%" PRIu64 " cycles, %.0f/s, ur-reads %lu, memory-fault exits %lu, recovered EFAULTs %lu, demotions %lu",
	       cycles, w->args->cycles, rate, h.ur_reads, h.memfault_exits,
	       h.recovered_efaults, h.demotions);
	if (w->tty)
		w->status_shown = true;
	else
		putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&w->out_lock);
	*last_cycles = cycles;
	*last_time = now;
}

static void *ticker_main(void *arg)
{
	struct race_watch *w = arg;
	const struct timespec tick = { .tv_nsec = TICK_NS };
	unsigned int every = w->tty ? TTY_REDRAW_TICKS : LOG_LINE_TICKS;
	uint64_t last_cycles = 0;
	double last_time = 0;

	for (unsigned int n = 1; !atomic_load(&w->done); n++) {
		nanosleep(&tick, NULL);
		if (n % every == 0 && !atomic_load(&w->done))
			show_status(w, &last_cycles, &last_time);
	}
	return NULL;
}

/* One line of the guest's console, without its end of line. */
static void guest_line(struct race_watch *w, char *line)
{
	struct race_result *r = &w->result;
	uint64_t c;

	if (sscanf(line, "bar-race: progress %" SCNu64, &c) == 1) {
		atomic_store(&w->cycles, c);
		return;
	}
	if (sscanf(line, "bar-race: cycles %" SCNu64 " ur-reads %" SCNu64
		   " leaked-writes %" SCNu64 " wrong-values %" SCNu64
		   " windows %" SCNu64, &r->cycles, &r->ur_reads, &r->leaked,
		   &r->wrong, &r->windows) == 5) {
		r->seen = true;
		atomic_store(&w->cycles, r->cycles);
	} else if (!strncmp(line, "bar-race: longest ", 18)) {
		snprintf(w->timing, sizeof(w->timing), "%s", line + 10);
	}
	pthread_mutex_lock(&w->out_lock);
	close_status_line(w);
	puts(line);
	fflush(stdout);
	pthread_mutex_unlock(&w->out_lock);
}

/* Until the pipe's write end closes. Lines longer than the buffer are
 * passed on in pieces. */
static void *reader_main(void *arg)
{
	struct race_watch *w = arg;
	char buf[512];
	size_t len = 0;

	for (;;) {
		ssize_t n = read(w->pipe_rd, buf + len, sizeof(buf) - 1 - len);
		char *start = buf, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		buf[len] = '\0';
		while ((nl = memchr(start, '\n', buf + len - start))) {
			*nl = '\0';
			if (nl > start && nl[-1] == '\r')
				nl[-1] = '\0';
			guest_line(w, start);
			start = nl + 1;
		}
		len -= start - buf;
		memmove(buf, start, len);
		if (len == sizeof(buf) - 1) {
			buf[len] = '\0';
			guest_line(w, buf);
			len = 0;
		}
	}
	if (len) {
		buf[len] = '\0';
		guest_line(w, buf);
	}
	return NULL;
}

/* The verdict on a run that ended with ursa status `status`. */
static int judge(const struct race_watch *w, int status, const struct host_counts *h,
		 double elapsed)
{
	const struct repro_args *a = w->args;
	const struct race_result *r = &w->result;
	uint64_t cycles = atomic_load(&w->cycles);
	uint64_t upto = cycles + progress_every(a);

	printf("repro: bar-race on --vfio %s, order %s, recovery %s, %.1f s\n",
	       a->bdf, a->order_qemu ? "qemu" : "safe", a->recover ? "on" : "off",
	       elapsed);
	printf("repro: host: ur-reads %lu, dropped writes %lu, BAR transitions %lu, demotions %lu, memory-fault exits %lu, recovered EFAULTs %lu\n",
	       h->ur_reads, h->dropped_writes, h->transitions, h->demotions,
	       h->memfault_exits, h->recovered_efaults);
	if (r->seen)
		printf("repro: guest: ur-reads %" PRIu64 ", leaked writes %" PRIu64 ", wrong values %" PRIu64 ", windows %" PRIu64 "%s%s\n",
		       r->ur_reads, r->leaked, r->wrong, r->windows,
		       *w->timing ? "; " : "", w->timing);

	if (status == EXIT_GUEST_DONE && r->seen && r->cycles == a->cycles &&
	    !r->leaked && !r->wrong) {
		printf("repro: survived %" PRIu64 " cycles (%.0f/s) with no wrong value and no leaked write\n",
		       r->cycles, elapsed > 0 ? r->cycles / elapsed : 0);
		return EXIT_GUEST_DONE;
	}
	if (status == EXIT_GUEST_FATAL) {
		printf("repro: the VM died in cycles %" PRIu64 "..%" PRIu64 " of %" PRIu64 " (ursa's diagnosis above)\n",
		       cycles + 1, upto < a->cycles ? upto : a->cycles, a->cycles);
		return status;
	}
	if (status == debug_exit_status(1) || status == EXIT_GUEST_DONE) {
		printf("repro: the guest's checks failed in cycles %" PRIu64 "..%" PRIu64 " of %" PRIu64 "\n",
		       cycles + 1, upto < a->cycles ? upto : a->cycles, a->cycles);
		return debug_exit_status(1);
	}
	printf("repro: ursa ended with status %d in cycles %" PRIu64 "..%" PRIu64 " of %" PRIu64 "\n",
	       status, cycles + 1, upto < a->cycles ? upto : a->cycles, a->cycles);
	return status;
}

static int parse_args(int argc, char **argv, struct repro_args *a, char *err,
		      size_t errlen)
{
	const char *v;
	char *end;
	int i = 1;

	*a = (struct repro_args){ .cycles = 2000, .recover = true, .cpus = "2" };
	if (argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")))
		return 1;
	if (argc < 1 || strcmp(argv[0], "bar-race")) {
		set_error(err, errlen, "expected 'bar-race' (the only reproducer), got '%s'",
			  argc ? argv[0] : "");
		return -1;
	}
	while (i < argc) {
		switch (next_option(argc, argv, &i, repro_options,
				    sizeof(repro_options) / sizeof(repro_options[0]),
				    &v, err, errlen)) {
		case OPT_VFIO:
			if (a->bdf) {
				set_error(err, errlen, "--vfio: one device only");
				return -1;
			}
			a->bdf = v;
			break;
		case OPT_CYCLES:
			errno = 0;
			a->cycles = strtoull(v, &end, 10);
			if (*v < '0' || *v > '9' || *end || errno || !a->cycles ||
			    a->cycles > MAX_CYCLES) {
				set_error(err, errlen, "--cycles '%s': expected 1..%llu",
					  v, MAX_CYCLES);
				return -1;
			}
			break;
		case OPT_ORDER:
			if (strcmp(v, "safe") && strcmp(v, "qemu")) {
				set_error(err, errlen, "--order '%s': expected safe or qemu", v);
				return -1;
			}
			a->order_qemu = !strcmp(v, "qemu");
			break;
		case OPT_NO_RECOVER:
			a->recover = false;
			break;
		case OPT_CPUS:
			a->cpus = v;
			break;
		case OPT_HELP:
			return 1;
		default:
			return -1;
		}
	}
	if (!a->bdf) {
		set_error(err, errlen, "--vfio BDF is required (see 'ursa devices')");
		return -1;
	}
	if (!strcmp(a->cpus, "1")) {
		set_error(err, errlen, "--cpus 1: the race needs a second vCPU");
		return -1;
	}
	return 0;
}

/* The option values race_config() writes; cfg points into them, so they
 * live as long as the VM. */
struct race_strings {
	char vfio[64];
	char append[64];
};

/*
 * The VM's configuration, through the same parser as 'ursa run' so that
 * --vfio and --cpus are checked the same way.
 */
static int race_config(const struct repro_args *a, const struct host_limits *limits,
		       struct race_strings *s, struct vm_config *cfg, char *err,
		       size_t errlen)
{
	const char *argv[] = {
		"--stub", "bar-race", "--cpus", a->cpus, "--vfio", s->vfio,
		"--append", s->append, "--no-fault-recovery",
	};
	int argc = sizeof(argv) / sizeof(argv[0]) - (a->recover ? 1 : 0);

	snprintf(s->vfio, sizeof(s->vfio), "%s%s", a->bdf, a->order_qemu ? ",bar-order=qemu" : "");
	snprintf(s->append, sizeof(s->append), "cycles=%" PRIu64 " progress=%" PRIu64,
		 a->cycles, progress_every(a));
	if (config_parse_run(argc, (char *const *)argv, limits, cfg, err, errlen) != CONFIG_OK)
		return -1;
	cfg->console = CONSOLE_FD;
	return 0;
}

static int run_race(struct kvm_host *kvm, const struct repro_args *a)
{
	struct race_watch w = { .args = a, .tty = isatty(STDOUT_FILENO) };
	pthread_t reader, ticker;
	struct host_counts h;
	struct race_strings strings;
	struct vm_config cfg;
	struct vm vm;
	char err[256];
	int pipe_fds[2], status, ret;
	double elapsed;

	if (race_config(a, &kvm->limits, &strings, &cfg, err, sizeof(err))) {
		log_error("repro: %s", err);
		return EXIT_USAGE;
	}
	if (pipe2(pipe_fds, O_CLOEXEC)) {
		log_error("repro: pipe: %s", strerror(errno));
		return EXIT_HOST_ERROR;
	}
	cfg.console_fd = pipe_fds[1];
	w.pipe_rd = pipe_fds[0];
	w.vm = &vm;
	pthread_mutex_init(&w.out_lock, NULL);
	if (vm_create(&vm, kvm, &cfg, err, sizeof(err))) {
		log_error("%s", err);
		status = EXIT_HOST_ERROR;
		goto out_pipe;
	}
	/* Started after vm_create(), the threads inherit its blocked signals,
	 * so SIGINT still goes to the VM's event loop. */
	ret = pthread_create(&reader, NULL, reader_main, &w);
	if (!ret) {
		ret = pthread_create(&ticker, NULL, ticker_main, &w);
		if (ret) {
			close(pipe_fds[1]);
			pipe_fds[1] = -1;
			pthread_join(reader, NULL);
		}
	}
	if (ret) {
		log_error("repro: starting a thread: %s", strerror(ret));
		vm_destroy(&vm);
		status = EXIT_HOST_ERROR;
		goto out_pipe;
	}
	clock_gettime(CLOCK_MONOTONIC, &w.start);
	status = vm_run(&vm);
	elapsed = seconds_since(&w.start);
	atomic_store(&w.done, true);
	pthread_join(ticker, NULL);
	host_counts(&vm, &h);
	vm_destroy(&vm);
	close(pipe_fds[1]);
	pipe_fds[1] = -1;
	pthread_join(reader, NULL);
	close_status_line(&w);
	status = judge(&w, status, &h, elapsed);
out_pipe:
	close(pipe_fds[0]);
	if (pipe_fds[1] >= 0)
		close(pipe_fds[1]);
	pthread_mutex_destroy(&w.out_lock);
	return status;
}

int cmd_repro(int argc, char **argv)
{
	struct repro_args args;
	struct kvm_host kvm;
	char err[256];
	int status;

	switch (parse_args(argc, argv, &args, err, sizeof(err))) {
	case 1:
		fputs(repro_usage, stdout);
		return EXIT_GUEST_DONE;
	case -1:
		log_error("repro: %s", err);
		return EXIT_USAGE;
	}
	if (kvm_open(&kvm, err, sizeof(err))) {
		log_error("%s", err);
		return EXIT_HOST_ERROR;
	}
	status = run_race(&kvm, &args);
	kvm_close(&kvm);
	return status;
}
