/*
 * pci-peek VENDOR DEVICE BAR OFFSET: read 32 bits from a memory BAR of a
 * PCI device through sysfs and print one line "BDF 0xVALUE".
 *
 * The device is the one with the lowest address among those in
 * /sys/bus/pci/devices whose vendor and device files say VENDOR and DEVICE
 * (hex, with or without 0x). BAR is 0-5; OFFSET (a multiple of 4, decimal
 * or 0x hex) is where in the BAR to read. A memory BAR's resourceN file
 * only supports mmap, not read(), so the page holding OFFSET is mapped.
 * A device that does not decode memory (PCI_COMMAND_MEMORY clear) is
 * enabled first by writing 1 to its enable file (pci_enable_device; the
 * kernel refuses that while a driver holds the device).
 *
 * Built statically by run-nested and run by the Linux guest's init
 * (guest_mode=vfio) under ursa. Errors: one line on stderr, exit status 1
 * (2 for a usage error).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SYSFS_PCI		"/sys/bus/pci/devices"
#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2
#define PCI_NUM_BARS		6
#define IORESOURCE_MEM		0x00000200	/* the kernel's resource flag */

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("pci-peek: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* A whole number in base (0: C rules) that fits in max; false if not. */
static int parse_num(const char *s, int base, unsigned long max,
		     unsigned long *out)
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

static void find_device(unsigned long vendor, unsigned long device,
			char *bdf, size_t len)
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

static uint16_t read_command(const char *bdf)
{
	char path[512];
	uint8_t cmd[2];
	int fd;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(1, "%s: %s", path, strerror(errno));
	if (pread(fd, cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd))
		die(1, "%s: cannot read the command register", path);
	close(fd);
	return cmd[0] | cmd[1] << 8;
}

static void enable_memory(const char *bdf)
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

/* The size of a memory BAR, from the device's resource file. */
static unsigned long long bar_size(const char *bdf, unsigned int bar)
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

int main(int argc, char **argv)
{
	unsigned long vendor, device, bar, offset, page_off;
	unsigned long long size;
	char bdf[256], path[512];
	volatile uint32_t *reg;
	uint32_t value;
	long page;
	void *map;
	int fd;

	if (argc != 5)
		die(2, "usage: pci-peek VENDOR DEVICE BAR OFFSET");
	if (!parse_num(argv[1], 16, 0xffff, &vendor))
		die(2, "bad vendor ID '%s'", argv[1]);
	if (!parse_num(argv[2], 16, 0xffff, &device))
		die(2, "bad device ID '%s'", argv[2]);
	if (!parse_num(argv[3], 10, PCI_NUM_BARS - 1, &bar))
		die(2, "bad BAR '%s' (0-%d)", argv[3], PCI_NUM_BARS - 1);
	if (!parse_num(argv[4], 0, ~0UL, &offset) || offset % 4)
		die(2, "bad offset '%s' (a multiple of 4)", argv[4]);

	find_device(vendor, device, bdf, sizeof(bdf));
	size = bar_size(bdf, bar);
	if (size < 4 || offset > size - 4)
		die(1, "offset 0x%lx is beyond BAR %lu of %s (0x%llx bytes)",
		    offset, bar, bdf, size);
	enable_memory(bdf);

	page = sysconf(_SC_PAGESIZE);
	page_off = offset & ~(unsigned long)(page - 1);
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/resource%lu", bdf, bar);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(1, "%s: %s", path, strerror(errno));
	map = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page_off);
	if (map == MAP_FAILED)
		die(1, "mmap %s: %s%s", path, strerror(errno), held_by(bdf));
	reg = (volatile uint32_t *)((char *)map + (offset - page_off));
	value = *reg;
	munmap(map, page);
	close(fd);
	printf("%s 0x%08x\n", bdf, value);
	return 0;
}
