// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/log.h"

int console_open(struct console *con, const struct vm_config *cfg,
		 char *err, size_t errlen)
{
	struct termios raw;

	*con = (struct console){ .out_fd = -1, .in_fd = -1 };
	switch (cfg->console) {
	case CONSOLE_NONE:
		return 0;
	case CONSOLE_FD:
		con->out_fd = cfg->console_fd;
		return 0;
	case CONSOLE_FILE:
		/* Nothing is lost or left behind if setup fails later: a new
		 * file is removed (console_abandon()), an existing one is
		 * emptied only once the VM starts (console_start()). */
		con->out_fd = open(cfg->console_path,
				   O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (con->out_fd >= 0)
			con->created = cfg->console_path;
		else if (errno == EEXIST)
			con->out_fd = open(cfg->console_path, O_WRONLY | O_CLOEXEC);
		if (con->out_fd < 0) {
			set_error(err, errlen, "--console '%s': %s",
				  cfg->console_path, strerror(errno));
			return -1;
		}
		con->owns_out_fd = true;
		return 0;
	case CONSOLE_STDIO:
		con->out_fd = STDOUT_FILENO;
		con->in_fd = STDIN_FILENO;
		if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &con->saved_term)) {
			raw = con->saved_term;
			raw.c_lflag &= ~(ICANON | ECHO);
			raw.c_cc[VMIN] = 1;
			raw.c_cc[VTIME] = 0;
			if (!tcsetattr(STDIN_FILENO, TCSANOW, &raw))
				con->term_saved = true;
		}
		return 0;
	}
	return -1;
}

void console_start(struct console *con)
{
	struct stat st;

	if (con->owns_out_fd && !con->created && !fstat(con->out_fd, &st) &&
	    S_ISREG(st.st_mode) && ftruncate(con->out_fd, 0))
		log_error("console: emptying the file: %s", strerror(errno));
}

void console_abandon(struct console *con)
{
	if (con->created)
		unlink(con->created);
	con->created = NULL;
}

void console_restore_terminal(void *opaque)
{
	const struct console *con = opaque;

	if (con->term_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &con->saved_term);
}

void console_close(struct console *con)
{
	if (con->term_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &con->saved_term);
	if (con->owns_out_fd)
		close(con->out_fd);
	*con = (struct console){ .out_fd = -1, .in_fd = -1 };
}

void console_write(struct console *con, const uint8_t *buf, size_t n)
{
	while (n && con->out_fd >= 0) {
		ssize_t w = write(con->out_fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		/* A reader that went away (EPIPE) or a full disk loses output,
		 * not the guest. */
		if (w <= 0)
			return;
		buf += w;
		n -= w;
	}
}
