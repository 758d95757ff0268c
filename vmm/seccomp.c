// SPDX-License-Identifier: GPL-2.0-only
/*
 * seccomp-bpf allowlists, one per thread role, installed by each thread
 * for itself once the VM is set up (Documentation/userspace-api/seccomp_filter.rst).
 * A vCPU thread runs KVM_RUN and the device emulation its exits call; the
 * event loop's thread waits in io_uring and tears the VM down at the end;
 * a disk's I/O thread waits in its own io_uring. None opens files, creates sockets or processes, or maps executable
 * memory. The lists are what those paths were measured to call (strace
 * over the stubs, Linux guests and VFIO scenarios of the test suites),
 * plus what glibc does underneath (malloc arenas, thread exit, stdio).
 *
 * io_uring requests run in the kernel without passing seccomp; the loop's
 * ring is set up before the filter and only ever carries the device I/O
 * ursa queues.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/seccomp.h"

/* Calls every role makes. */
static const int common_calls[] = {
	SYS_read, SYS_write, SYS_pread64, SYS_pwrite64, SYS_ioctl, SYS_poll,
	SYS_ppoll, SYS_futex, SYS_sched_yield, SYS_clock_gettime,
	SYS_getpid, SYS_gettid, SYS_tgkill, SYS_rt_sigprocmask,
	SYS_rt_sigreturn, SYS_restart_syscall,
	/* malloc and free: arenas, heap growth and trimming */
	SYS_brk, SYS_munmap, SYS_madvise, SYS_getrandom,
	/* stdio's first write to a stream asks what it is */
	SYS_newfstatat, SYS_fstat,
	SYS_exit, SYS_exit_group,
};

/* And the event loop's and I/O threads': waiting, and closing at the end. */
static const int loop_calls[] = {
	SYS_io_uring_enter, SYS_close,
};

/* What AddressSanitizer's runtime adds, in builds that have it: each
 * thread takes down its alternate signal stack as it exits. */
static const int sanitizer_calls[] = {
#ifdef __SANITIZE_ADDRESS__
	SYS_sigaltstack,
#endif
};

/* Jump targets resolved when the program is finished. */
enum label { TO_ALLOW = 0xf0, TO_DENY, TO_KILL };

#define MAX_INSNS	128

struct program {
	struct sock_filter insn[MAX_INSNS];
	unsigned int n;
};

static void emit(struct program *p, struct sock_filter insn)
{
	if (p->n < MAX_INSNS)
		p->insn[p->n] = insn;
	p->n++;
}

static void allow_calls(struct program *p, const int *nrs, size_t count)
{
	for (size_t i = 0; i < count; i++)
		emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      nrs[i], TO_ALLOW, 0));
}

/* A jump offset to a label, from instruction at. */
static uint8_t resolve(uint8_t off, unsigned int at, unsigned int labels)
{
	if (off < TO_ALLOW)
		return off;
	return labels + (off - TO_ALLOW) - at - 1;
}

/* Appends the three returns the labels name and resolves the jumps to
 * them. -1 if the program outgrew its array. */
static int finish(struct program *p, uint32_t deny_action)
{
	unsigned int labels = p->n;

	emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, deny_action));
	emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	if (p->n > MAX_INSNS)
		return -1;
	for (unsigned int i = 0; i < labels; i++) {
		if (BPF_CLASS(p->insn[i].code) != BPF_JMP)
			continue;
		p->insn[i].jt = resolve(p->insn[i].jt, i, labels);
		p->insn[i].jf = resolve(p->insn[i].jf, i, labels);
	}
	return 0;
}

/*
 * The filter: another architecture's or an x32 call kills the process
 * (the numbers below mean nothing there); the role's calls pass; mmap
 * and mprotect pass unless they ask for PROT_EXEC; anything else gets
 * deny_action.
 */
static int build(struct program *p, enum seccomp_role role, uint32_t deny_action)
{
	p->n = 0;
	emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, arch)));
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					     AUDIT_ARCH_X86_64, 0, TO_KILL));
	emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, nr)));
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
					     __X32_SYSCALL_BIT, TO_KILL, 0));
	allow_calls(p, common_calls, sizeof(common_calls) / sizeof(common_calls[0]));
	allow_calls(p, sanitizer_calls, sizeof(sanitizer_calls) / sizeof(sanitizer_calls[0]));
	if (role != SECCOMP_ROLE_VCPU)
		allow_calls(p, loop_calls, sizeof(loop_calls) / sizeof(loop_calls[0]));
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 1, 0));
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 0, TO_DENY));
	/* prot is the third argument of both; the low word holds it. */
	emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, args[2])));
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
					     PROT_EXEC, TO_DENY, TO_ALLOW));
	return finish(p, deny_action);
}

static __thread const char *thread_role;
static void (*restore_fn)(void *arg);
static void *restore_arg;

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_uint(char *p, unsigned int v)
{
	char digits[10];
	int n = 0;

	do {
		digits[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = digits[--n];
	return p;
}

/* SECCOMP_RET_TRAP: the refused call raised SIGSYS in the thread that
 * made it. Only async-signal-safe calls here, and only allowed ones. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[160], *p = line;
	ssize_t n;

	(void)sig;
	(void)uc;
	p = put_str(p, "ursa: seccomp: the ");
	p = put_str(p, thread_role ? thread_role : "unconfined");
	p = put_str(p, " thread made system call ");
	p = put_uint(p, (unsigned int)si->si_syscall);
	p = put_str(p, ", which its role never makes; stopping\n");
	/* Nothing to do if stderr is gone: the status says it. */
	n = write(STDERR_FILENO, line, p - line);
	(void)n;
	if (restore_fn)
		restore_fn(restore_arg);
	_exit(EXIT_SECCOMP);
}

int seccomp_prepare(enum seccomp_mode mode, void (*restore)(void *arg), void *arg,
		    char *err, size_t errlen)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

	if (mode != SECCOMP_ON)
		return 0;
	restore_fn = restore;
	restore_arg = arg;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL)) {
		set_error(err, errlen, "seccomp: SIGSYS handler: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void seccomp_make_forbidden_call(void)
{
	syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
}

int seccomp_confine(enum seccomp_mode mode, enum seccomp_role role)
{
	static const uint32_t deny_actions[] = {
		[SECCOMP_ON] = SECCOMP_RET_TRAP,
		[SECCOMP_LOG] = SECCOMP_RET_LOG,
	};
	struct program p;
	struct sock_fprog prog = { .filter = p.insn };

	if (mode == SECCOMP_OFF)
		return 0;
	if (build(&p, role, deny_actions[mode]))
		return -E2BIG;
	prog.len = p.n;
	thread_role = role == SECCOMP_ROLE_VCPU ? "vCPU" :
		      role == SECCOMP_ROLE_LOOP ? "event loop" : "I/O";
	/* Required for an unprivileged filter; keeps exec from gaining any. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
}
