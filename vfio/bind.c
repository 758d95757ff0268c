// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vfio/bind.h"
#include "vfio/host.h"
#include "vmm/log.h"

#define SYSFS_PCI_DEVICES	"/sys/bus/pci/devices"
#define SYSFS_VFIO_PCI		"/sys/bus/pci/drivers/vfio-pci"
#define SYSFS_DRIVERS_PROBE	"/sys/bus/pci/drivers_probe"

int pci_bdf_parse(const char *s, char out[16])
{
	unsigned int dom = 0, bus, dev, fn;
	int n = -1;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) != 4 || s[n]) {
		dom = 0;
		n = -1;
		if (sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn, &n) != 3 || s[n])
			return -1;
	}
	/* %x accepts signs and "0x"; only plain hex digits are an address. */
	for (const char *p = s; *p; p++)
		if (!strchr("0123456789abcdefABCDEF:.", *p))
			return -1;
	if (dev > 0x1f || fn > 7)
		return -1;
	snprintf(out, 16, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

static int write_sysfs(const char *path, const char *value, char *err,
		       size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, value, strlen(value));
		if (n < 0)
			n = -errno;
		close(fd);
	} else {
		n = -errno;
	}
	if (n >= 0)
		return 0;
	set_error(err, errlen, "%s: %s", path, strerror((int)-n));
	return -1;
}

static int device_path(const char *bdf, const char *file, char *out,
		       char *err, size_t errlen)
{
	snprintf(out, PATH_MAX, SYSFS_PCI_DEVICES "/%s%s%s", bdf, *file ? "/" : "",
		 file);
	if (!*file && !host_pci_present(bdf)) {
		set_error(err, errlen, "no PCI device %s on this host", bdf);
		return -1;
	}
	return 0;
}

int vfio_bind(const char *bdf, char *err, size_t errlen)
{
	char path[PATH_MAX], driver[64];

	if (device_path(bdf, "", path, err, errlen))
		return -1;
	if (access(SYSFS_VFIO_PCI, F_OK)) {
		set_error(err, errlen, "%s: the vfio-pci driver is not loaded (modprobe vfio-pci)",
			  bdf);
		return -1;
	}
	host_pci_driver(bdf, driver, sizeof(driver));
	if (!strcmp(driver, "vfio-pci"))
		return 0;
	/* Claim it for vfio-pci first, so that no other driver can take it
	 * between the unbind and the probe. */
	device_path(bdf, "driver_override", path, err, errlen);
	if (write_sysfs(path, "vfio-pci", err, errlen))
		return -1;
	if (*driver) {
		device_path(bdf, "driver/unbind", path, err, errlen);
		if (write_sysfs(path, bdf, err, errlen))
			return -1;
	}
	write_sysfs(SYSFS_DRIVERS_PROBE, bdf, err, errlen);
	host_pci_driver(bdf, driver, sizeof(driver));
	if (strcmp(driver, "vfio-pci")) {
		set_error(err, errlen, "%s: vfio-pci did not take it (no IOMMU group? the kernel log says why)",
			  bdf);
		return -1;
	}
	return 0;
}

int vfio_unbind(const char *bdf, char *err, size_t errlen)
{
	char path[PATH_MAX], driver[64];

	if (device_path(bdf, "", path, err, errlen))
		return -1;
	host_pci_driver(bdf, driver, sizeof(driver));
	if (!strcmp(driver, "vfio-pci")) {
		device_path(bdf, "driver/unbind", path, err, errlen);
		if (write_sysfs(path, bdf, err, errlen))
			return -1;
	}
	/* An empty override lets the usual ID matching choose again. */
	device_path(bdf, "driver_override", path, err, errlen);
	if (write_sysfs(path, "\n", err, errlen))
		return -1;
	/* Finding no driver is a fine outcome: the device stays unbound. */
	write_sysfs(SYSFS_DRIVERS_PROBE, bdf, err, errlen);
	return 0;
}
