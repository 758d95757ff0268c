/*
 * debug-exit VALUE: end the nested test machine with a status.
 *
 * QEMU's isa-debug-exit device (run-nested puts it at I/O port 0xf4) makes
 * QEMU exit with status (VALUE << 1) | 1 when VALUE is written to the port.
 * Built statically by run-nested and run by the guest's init, with the
 * serial console as standard output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <termios.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: debug-exit VALUE\n");
		return 2;
	}
	if (ioperm(DEBUG_EXIT_PORT, 1, 1)) {
		perror("debug-exit: ioperm");
		return 1;
	}
	/* Let the serial console send what is queued (the result line). */
	tcdrain(STDOUT_FILENO);
	outb(strtoul(argv[1], NULL, 0), DEBUG_EXIT_PORT);
	fprintf(stderr, "debug-exit: QEMU did not exit (no isa-debug-exit device?)\n");
	return 1;
}
