/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ursa's process exit statuses (README "Exit status"). Odd values above 1
 * come from the guest through the debug-exit port: (v << 1) | 1.
 */
#ifndef URSA_VMM_EXIT_STATUS_H
#define URSA_VMM_EXIT_STATUS_H

enum ursa_exit_status {
	EXIT_GUEST_DONE = 0,	/* every vCPU halted, or the guest powered off */
	EXIT_HOST_ERROR = 1,	/* ursa could not set up or keep running the VM */
	EXIT_USAGE = 2,		/* the command line is wrong */
	EXIT_GUEST_FATAL = 4,	/* the guest crashed; the diagnosis is on stderr */
	EXIT_GUEST_RESET = 6,	/* the guest asked for a reset */
	EXIT_SECCOMP = 8,	/* a thread made a call outside its seccomp allowlist */
	EXIT_SIGNAL_BASE = 128,	/* + signal number: stopped by SIGINT/SIGTERM */
};

static inline int debug_exit_status(unsigned long long v)
{
	return (int)(((v << 1) | 1) & 0xff);
}

#endif
