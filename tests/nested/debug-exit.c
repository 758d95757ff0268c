/*
 * debug-exit VALUE [PORT]: end a virtual machine with a status.
 *
 * QEMU's isa-debug-exit device makes QEMU exit with status (VALUE << 1) | 1
 * when VALUE is written to its port; ursa does the same on port 0x501.
 * PORT defaults to 0xf4, where run-nested puts the nested machine's device.
 * Built statically by run-nested and run by the nested machine's init (and,
 * with port 0x501, by the Linux guest's init to mark the boot-timer point),
 * with the serial console as standard output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <termios.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	unsigned long port = DEBUG_EXIT_PORT;
	char *end;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: debug-exit VALUE [PORT]\n");
		return 2;
	}
	if (argc == 3) {
		port = strtoul(argv[2], &end, 0);
		if (*argv[2] == '\0' || *end != '\0' || port > 0xffff) {
			fprintf(stderr, "debug-exit: bad port '%s'\n", argv[2]);
			return 2;
		}
	}
	if (ioperm(port, 1, 1)) {
		perror("debug-exit: ioperm");
		return 1;
	}
	/* Let the serial console send what is queued (the result line). */
	tcdrain(STDOUT_FILENO);
	outb(strtoul(argv[1], NULL, 0), port);
	fprintf(stderr, "debug-exit: the VMM did not exit (no debug-exit device at 0x%lx?)\n",
		port);
	return 1;
}
