/* SPDX-License-Identifier: GPL-2.0-only */
/* The host end of the guest's serial console: stdio, a file, or nothing. */
#ifndef URSA_VMM_CONSOLE_H
#define URSA_VMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "vmm/config.h"

struct console {
	int out_fd;		/* -1 for none */
	bool owns_out_fd;
	const char *created;	/* CONSOLE_FILE: the path, if ursa created it */
	int in_fd;		/* -1 when the guest gets no input */
	bool term_saved;
	struct termios saved_term;
};

/*
 * Open the console. For stdio on a terminal, the terminal stops echoing
 * and buffering lines, so each key goes to the guest as typed; ISIG stays
 * on, so Ctrl-C still stops ursa. 0, or -1 with err.
 */
int console_open(struct console *con, const struct vm_config *cfg,
		 char *err, size_t errlen);
/* The VM is set up: an existing console file is emptied only now. */
void console_start(struct console *con);
/* Setup failed: a console file ursa created is removed again. */
void console_abandon(struct console *con);
/* Restores the terminal. */
void console_close(struct console *con);
/* Only the terminal's settings, from any context (async-signal-safe): for
 * an exit that skips console_close(). */
void console_restore_terminal(void *con);
void console_write(struct console *con, const uint8_t *buf, size_t n);

#endif
