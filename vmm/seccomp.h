/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * seccomp-bpf allowlists per thread role (vmm/seccomp.c). Once the VM is
 * set up, each vCPU thread and the event loop's thread confine themselves
 * to the system calls their role makes; any other call stops ursa with
 * EXIT_SECCOMP and a line naming the thread and the call (--seccomp=on),
 * is only logged by the kernel (log), or is not filtered (off).
 */
#ifndef URSA_VMM_SECCOMP_H
#define URSA_VMM_SECCOMP_H

#include <stddef.h>

enum seccomp_mode { SECCOMP_ON, SECCOMP_LOG, SECCOMP_OFF };
/* The I/O role (a disk's I/O thread) makes the event loop's calls. */
enum seccomp_role { SECCOMP_ROLE_VCPU, SECCOMP_ROLE_LOOP, SECCOMP_ROLE_IO };

/* Once per process, before any filter: the SIGSYS handler that reports a
 * call the filter refused, calls restore(arg) (async-signal-safe; e.g.
 * give the terminal back) and exits. 0, or -1 with err. */
int seccomp_prepare(enum seccomp_mode mode, void (*restore)(void *arg), void *arg,
		    char *err, size_t errlen);

/* Confine the calling thread (and threads it creates later) to role's
 * allowlist. 0, or -errno. */
int seccomp_confine(enum seccomp_mode mode, enum seccomp_role role);

/* --debug-forbidden-syscall: a call no role allows (socket). */
void seccomp_make_forbidden_call(void);

#endif
