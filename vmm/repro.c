// SPDX-License-Identifier: GPL-2.0-only
/*
 * ursa repro bar-race: the race of seed 001 on demand. Runs the bar-race
 * stub (guest/stubs/bar-race.c) on an assigned function with a memory BAR
 * (edu: its write windows too; anything else: a read-only hammer) with the
 * chosen BAR ordering and fault recovery, shows its progress while it
 * runs, and judges the outcome from the stub's report and ursa's own
 * counters.
 *
 * The guest's console goes to a pipe: a reader thread takes the stub's
 * "bar-race: progress C" lines as the cycle count and passes every other
 * line to stdout; a ticker thread redraws the status line.
 */
#include <ctype.h>
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
	"usage: ursa repro bar-race --vfio BDF [--bar N] [--offset X] [--cycles N]\n"
	"                           [--order safe|qemu] [--no-recover] [--cpus N]\n"
	"\n"
	"Runs the bar-race stub on the PCI function BDF (bound to vfio-pci) passed\n"
	"through: vCPU 0 turns the function's memory decoding off and on N times\n"
	"while the other vCPUs read a register of one of its memory BARs, which must\n"
	"read its value with decoding on and all ones with it off. The hammer is\n"
	"read-only: the stub never writes to the BAR of a device it does not know;\n"
	"it learns the register's value with decoding on before the race, and\n"
	"refuses one that is not stable or reads all ones. On QEMU's edu device\n"
	"(1234:11e8) without --bar and --offset, the other vCPUs also write edu's\n"
	"liveness register with decoding off, and a write that reaches the device\n"
	"is a leaked write. Shows cycles/s, all-ones reads, memory-fault exits and\n"
	"recovered EFAULTs as it runs, then a summary.\n"
	"\n"
	"  --bar N            the memory BAR to read, 0..5 (default 0)\n"
	"  --offset X         the register: a byte offset inside the BAR, a multiple\n"
	"                     of 4, decimal or 0x hex (default 0); choose one without\n"
	"                     read side effects (an ID, version or capability\n"
	"                     register). Either option makes edu's hammer read-only.\n"
	"  --cycles N         off/on cycles (default 2000)\n"
	"  --order safe|qemu  safe (default): ursa removes the BAR's memslot before\n"
	"                     the write reaches the device; qemu: the write first,\n"
	"                     as QEMU and kvmtool do (opens the window)\n"
	"  --no-recover       an EFAULT from KVM_RUN ends the VM, as in other VMMs\n"
	"  --cpus N           vCPUs: one toggles, N-1 hammer (default 2)\n"
	"\n"
	"Exit status: 0 the VM survived N cycles with no wrong value and no leaked\n"
	"write; 3 the guest saw a wrong value or a leaked write; 4 the VM died\n"
	"(ursa's diagnosis on stderr); 5 the stub refused the register (not stable,\n"
	"or all ones with decoding on); 1 host error; 2 usage error (the BAR is no\n"
	"memory BAR of BDF, or the offset is outside it, included); 128+N stopped\n"
	"by signal N.\n";

#define MAX_CYCLES	1000000000ull
#define MAX_OFFSET	0xfffffffcull	/* the stub's registers are 32-bit */
/* The guest slot of the device, which the stub is told (--append slot=). */
#define RACE_SLOT	URSA_VFIO_FIRST_SLOT
/* The stub's exit code for a register it will not race: status 5. */
#define STUB_REFUSED	2
/* The stub reports progress about 100 times a run, at most every 1000
 * cycles: each report is a few dozen port writes, noise next to a cycle. */
#define PROGRESS_REPORTS 100
#define PROGRESS_MAX	1000
#define TICK_NS		100000000L	/* the ticker checks for the end */
#define TTY_REDRAW_TICKS 5		/* status line every 0.5 s on a tty */
#define LOG_LINE_TICKS	50		/* and every 5 s otherwise */

enum repro_option {
	OPT_VFIO, OPT_BAR, OPT_OFFSET, OPT_CYCLES, OPT_ORDER, OPT_NO_RECOVER,
	OPT_CPUS, OPT_HELP,
};

static const struct option_def repro_options[] = {
	{ "vfio", OPT_VFIO, true },
	{ "bar", OPT_BAR, true },
	{ "offset", OPT_OFFSET, true },
	{ "cycles", OPT_CYCLES, true },
	{ "order", OPT_ORDER, true },
	{ "no-recover", OPT_NO_RECOVER, false },
	{ "cpus", OPT_CPUS, true },
	{ "help", OPT_HELP, false },
};

struct repro_args {
	const char *bdf;
	unsigned int bar;
	uint32_t offset;
	bool target_given;	/* --bar or --offset: a read-only hammer */
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

/* The stub's "bar-race: target VVVV:DDDD bar N offset 0xX value 0xV
 * source edu|learned hammer read-write|read-only", before the race. */
struct race_target {
	bool seen;
	unsigned int vendor, device, bar, offset, value;
	char source[16], hammer[16];
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
	struct race_target target;	/* likewise */
	uint16_t vendor, device;	/* the host's IDs of the function */
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

/*
 * The rate is the average since the start: the guest reports its cycles
 * in steps of progress_every(), up to PROGRESS_MAX, so over one status
 * interval the count moves by a whole step or not at all.
 */
static void show_status(struct race_watch *w)
{
	struct host_counts h;
	uint64_t cycles = atomic_load(&w->cycles);
	double now = seconds_since(&w->start);
	double rate = now > 0 ? cycles / now : 0;

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
}

static void *ticker_main(void *arg)
{
	struct race_watch *w = arg;
	const struct timespec tick = { .tv_nsec = TICK_NS };
	unsigned int every = w->tty ? TTY_REDRAW_TICKS : LOG_LINE_TICKS;

	for (unsigned int n = 1; !atomic_load(&w->done); n++) {
		nanosleep(&tick, NULL);
		if (n % every == 0 && !atomic_load(&w->done))
			show_status(w);
	}
	return NULL;
}

/* One line of the guest's console, without its end of line. */
static void guest_line(struct race_watch *w, char *line)
{
	struct race_result *r = &w->result;
	struct race_target *t = &w->target;
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
	} else if (sscanf(line, "bar-race: target %x:%x bar %u offset %x value %x source %15s hammer %15s",
			  &t->vendor, &t->device, &t->bar, &t->offset, &t->value,
			  t->source, t->hammer) == 7) {
		t->seen = true;
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

/* The register the run raced, its expected value and the hammer; the
 * stub names the last two once it has checked the register. */
static void describe_target(const struct race_watch *w)
{
	const struct race_target *t = &w->target;
	const struct repro_args *a = w->args;

	printf("repro: target %04x:%04x BAR %u offset 0x%x", w->vendor, w->device,
	       a->bar, a->offset);
	if (!t->seen) {
		printf(", the stub did not start the race\n");
		return;
	}
	printf(", expected 0x%08x (%s), %s hammer\n", t->value,
	       strcmp(t->source, "edu") ? "learned with decoding on" : "edu's ID register",
	       strcmp(t->hammer, "read-only") ? "read-write (edu's liveness windows)" : "read-only");
}

/* The verdict on a run that ended with ursa status `status`. */
static int judge(const struct race_watch *w, int status, const struct host_counts *h,
		 double elapsed)
{
	const struct repro_args *a = w->args;
	const struct race_result *r = &w->result;
	uint64_t cycles = atomic_load(&w->cycles);
	uint64_t upto = cycles + progress_every(a);

	printf("repro: bar-race on --vfio %s (%04x:%04x), order %s, recovery %s, %.1f s\n",
	       a->bdf, w->vendor, w->device, a->order_qemu ? "qemu" : "safe",
	       a->recover ? "on" : "off", elapsed);
	describe_target(w);
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
	if (status == debug_exit_status(STUB_REFUSED)) {
		printf("repro: the stub refused BAR %u offset 0x%x of %04x:%04x (its reason above)\n",
		       a->bar, a->offset, w->vendor, w->device);
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

static int parse_bar(const char *v, struct repro_args *a, char *err, size_t errlen)
{
	if (v[0] < '0' || v[0] > '0' + PCI_NUM_BARS - 1 || v[1]) {
		set_error(err, errlen, "--bar '%s': expected 0..%u", v, PCI_NUM_BARS - 1);
		return -1;
	}
	a->bar = v[0] - '0';
	a->target_given = true;
	return 0;
}

/* A byte offset, decimal or 0x hex (as the stub's arguments are: no
 * octal); the stub reads it as a dword. */
static int parse_offset(const char *v, struct repro_args *a, char *err, size_t errlen)
{
	bool hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
	const char *digits = hex ? v + 2 : v;
	unsigned long long off;
	char *end;

	errno = 0;
	off = strtoull(digits, &end, hex ? 16 : 10);
	if (!(hex ? isxdigit((unsigned char)*digits) : isdigit((unsigned char)*digits)) ||
	    *end || errno || off > MAX_OFFSET) {
		set_error(err, errlen, "--offset '%s': expected a byte offset 0..0x%llx, such as 0x8",
			  v, MAX_OFFSET);
		return -1;
	}
	if (off % 4) {
		set_error(err, errlen, "--offset '%s': not a multiple of 4 (the register is a dword)", v);
		return -1;
	}
	a->offset = off;
	a->target_given = true;
	return 0;
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
		case OPT_BAR:
			if (parse_bar(v, a, err, errlen))
				return -1;
			break;
		case OPT_OFFSET:
			if (parse_offset(v, a, err, errlen))
				return -1;
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
	char append[128];
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
	int argc = sizeof(argv) / sizeof(argv[0]) - (a->recover ? 1 : 0), n;

	snprintf(s->vfio, sizeof(s->vfio), "%s,slot=%u%s", a->bdf, RACE_SLOT,
		 a->order_qemu ? ",bar-order=qemu" : "");
	n = snprintf(s->append, sizeof(s->append), "slot=%u cycles=%" PRIu64 " progress=%" PRIu64,
		     RACE_SLOT, a->cycles, progress_every(a));
	/* Given at all, they make edu's hammer read-only too. */
	if (a->target_given)
		snprintf(s->append + n, sizeof(s->append) - n, " bar=%u offset=0x%" PRIx32,
			 a->bar, a->offset);
	if (config_parse_run(argc, (char *const *)argv, limits, cfg, err, errlen) != CONFIG_OK)
		return -1;
	cfg->console = CONSOLE_FD;
	return 0;
}

/* The function's vendor and device IDs, for the summary. */
static void read_ids(struct race_watch *w, struct vfio_pci *vp)
{
	uint8_t ids[4];

	vfio_config_read(&vp->config, PCI_VENDOR_ID, ids, sizeof(ids));
	w->vendor = ids[0] | ids[1] << 8;
	w->device = ids[2] | ids[3] << 8;
}

/* What BAR index of an assigned function is, when it is no memory BAR. */
static const char *no_memory_bar(const struct pci_device *pci, unsigned int index)
{
	if (pci->bars[index].kind == PCI_BAR_IO)
		return "an I/O BAR";
	if (index && pci->bars[index - 1].kind == PCI_BAR_MEM64)
		return "the upper half of a 64-bit BAR";
	return "not implemented";
}

/*
 * --bar and --offset against the function's BARs, which ursa knows once it
 * has the device from VFIO: a usage error, like any other bad option
 * value, before the guest runs. The stub checks them again.
 */
static int check_target(const struct race_watch *w, const struct vfio_pci *vp,
			char *err, size_t errlen)
{
	const struct repro_args *a = w->args;
	const struct pci_bar *bar = &vp->pci.bars[a->bar];

	if (bar->kind != PCI_BAR_MEM32 && bar->kind != PCI_BAR_MEM64) {
		set_error(err, errlen, "--bar %u: BAR %u of --vfio %s (%04x:%04x) is %s; the race needs a memory BAR",
			  a->bar, a->bar, a->bdf, w->vendor, w->device,
			  no_memory_bar(&vp->pci, a->bar));
		return -1;
	}
	if (a->offset > bar->size - 4) {
		set_error(err, errlen, "--offset 0x%" PRIx32 ": outside BAR %u of --vfio %s (0x%" PRIx64 " bytes)",
			  a->offset, a->bar, a->bdf, bar->size);
		return -1;
	}
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
	read_ids(&w, vm.vfio_devs[0]);
	if (check_target(&w, vm.vfio_devs[0], err, sizeof(err))) {
		log_error("repro: %s", err);
		vm_destroy(&vm);
		status = EXIT_USAGE;
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
