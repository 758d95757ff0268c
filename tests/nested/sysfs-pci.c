// SPDX-License-Identifier: GPL-2.0-only
/* sysfs-pci.h: a PCI device seen through Linux's sysfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sysfs-pci.h"

#define SYSFS_PCI		"/sys/bus/pci/devices"
#define IORESOURCE_MEM		0x00000200	/* the kernel's resource flag */

void die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", sysfs_pci_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

int parse_num(const char *s, int base, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (*s == '\0' || *s == '-' || *s == '+')
		return 0;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end != '\0' || v > max)
		return 0;
	*out = v;
	return 1;
}

/* The first line of a sysfs file, without its newline; -1 with errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The value of a device's sysfs file holding one hex ID ("0x1234"). */
static int read_id(const char *bdf, const char *file, unsigned long *id)
{
	char path[512], buf[32];

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/%s", bdf, file);
	if (read_line(path, buf, sizeof(buf)) < 0)
		return -1;
	return parse_num(buf, 16, 0xffff, id) ? 0 : -1;
}

void find_device(unsigned long vendor, unsigned long device, char *bdf,
		 size_t len)
{
	unsigned long v, d;
	struct dirent *e;
	DIR *dir;

	dir = opendir(SYSFS_PCI);
	if (!dir)
		die(1, "%s: %s", SYSFS_PCI, strerror(errno));
	bdf[0] = '\0';
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= len)
			continue;
		if (read_id(e->d_name, "vendor", &v) < 0 ||
		    read_id(e->d_name, "device", &d) < 0)
			die(1, "cannot read the IDs of %s", e->d_name);
		if (v == vendor && d == device &&
		    (!bdf[0] || strcmp(e->d_name, bdf) < 0))
			strcpy(bdf, e->d_name);
	}
	closedir(dir);
	if (!bdf[0])
		die(1, "no PCI device %04lx:%04lx", vendor, device);
}

static int open_config_mode(const char *bdf, int mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/config", bdf);
	fd = open(path, mode);
	if (fd < 0)
		die(1, "%s: %s", path, strerror(errno));
	return fd;
}

int open_config(const char *bdf)
{
	return open_config_mode(bdf, O_RDWR);
}

uint16_t read_command(const char *bdf)
{
	int fd = open_config_mode(bdf, O_RDONLY);
	uint8_t cmd[2];

	if (pread(fd, cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd))
		die(1, "%s: cannot read the command register", bdf);
	close(fd);
	return cmd[0] | cmd[1] << 8;
}

void write_command(int config_fd, uint16_t cmd)
{
	uint8_t b[2] = { cmd & 0xff, cmd >> 8 };

	if (pwrite(config_fd, b, sizeof(b), PCI_COMMAND) != sizeof(b))
		die(1, "cannot write the command register: %s", strerror(errno));
}

void enable_memory(const char *bdf)
{
	char path[512];
	int fd, err = 0;

	if (read_command(bdf) & PCI_COMMAND_MEMORY)
		return;
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/enable", bdf);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		err = errno;
	if (fd >= 0)
		close(fd);
	if (err)
		die(1, "%s does not decode memory and writing 1 to %s failed: %s",
		    bdf, path, strerror(err));
	if (!(read_command(bdf) & PCI_COMMAND_MEMORY))
		die(1, "%s does not decode memory even after writing 1 to %s",
		    bdf, path);
}

unsigned long long bar_size(const char *bdf, unsigned int bar)
{
	unsigned long long start, end, flags;
	char path[512];
	unsigned int i;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		die(1, "%s: %s", path, strerror(errno));
	for (i = 0; i <= bar; i++) {
		n = fscanf(f, "%llx %llx %llx", &start, &end, &flags);
		if (n != 3)
			break;
	}
	fclose(f);
	if (n != 3)
		die(1, "%s: no line for BAR %u", path, bar);
	if (!start && !end)
		die(1, "%s has no BAR %u", bdf, bar);
	if (!(flags & IORESOURCE_MEM))
		die(1, "BAR %u of %s is not a memory BAR (flags 0x%llx)", bar,
		    bdf, flags);
	return end - start + 1;
}

/*
 * A note for a failed mmap: the kernel refuses to map a BAR whose region a
 * driver has claimed (CONFIG_IO_STRICT_DEVMEM: EINVAL).
 */
static const char *held_by(const char *bdf)
{
	static char note[512];
	char path[512], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return "";
	target[n] = '\0';
	snprintf(note, sizeof(note), " (driver %s holds the device)",
		 strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	return note;
}

volatile uint32_t *map_register(const char *bdf, unsigned int bar,
				unsigned long offset, int writable)
{
	unsigned long long size = bar_size(bdf, bar);
	long page = sysconf(_SC_PAGESIZE);
	unsigned long page_off = offset & ~(unsigned long)(page - 1);
	char path[512];
	void *map;
	int fd;

	if (size < 4 || offset > size - 4)
		die(1, "offset 0x%lx is beyond BAR %u of %s (0x%llx bytes)",
		    offset, bar, bdf, size);
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/resource%u", bdf, bar);
	fd = open(path, writable ? O_RDWR | O_SYNC : O_RDONLY);
	if (fd < 0)
		die(1, "%s: %s", path, strerror(errno));
	map = mmap(NULL, page, PROT_READ | (writable ? PROT_WRITE : 0),
		   MAP_SHARED, fd, page_off);
	if (map == MAP_FAILED)
		die(1, "mmap %s: %s%s", path, strerror(errno), held_by(bdf));
	close(fd);
	return (volatile uint32_t *)((char *)map + (offset - page_off));
}
