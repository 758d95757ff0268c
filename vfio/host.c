// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pci/pci.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfio/host.h"
#include "vmm/log.h"

#define SYSFS_PCI	"/sys/bus/pci/devices"

bool host_pci_judge(const struct host_pci_facts *f, char *reason, size_t len)
{
	if (f->iommu_group < 0) {
		set_error(reason, len, "no IOMMU group (is the IOMMU on? intel_iommu=on or amd_iommu=on)");
		return false;
	}
	if (!*f->driver) {
		set_error(reason, len, "bound to no driver ('ursa vfio-bind' gives it to vfio-pci)");
		return false;
	}
	if (strcmp(f->driver, "vfio-pci")) {
		set_error(reason, len, "bound to %s ('ursa vfio-bind' moves it to vfio-pci)",
			  f->driver);
		return false;
	}
	for (unsigned int i = 0; i < f->nr_peers; i++) {
		if (*f->peer_driver[i] && strcmp(f->peer_driver[i], "vfio-pci")) {
			set_error(reason, len, "IOMMU group %d also holds %s, bound to %s",
				  f->iommu_group, f->peer_bdf[i], f->peer_driver[i]);
			return false;
		}
	}
	/* vfio allows one open of a group at a time: EBUSY means another
	 * process (another ursa) has it. */
	if (f->group_open_errno == EBUSY) {
		set_error(reason, len, "in use: IOMMU group %d is open in another process",
			  f->iommu_group);
		return false;
	}
	if (f->group_open_errno) {
		set_error(reason, len, "/dev/vfio/%d: %s", f->iommu_group,
			  strerror(f->group_open_errno));
		return false;
	}
	return true;
}

/* The last component of the symlink at dir/name, or "" if there is none. */
static void link_name(const char *dir, const char *name, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *slash;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = readlink(path, target, sizeof(target) - 1);
	*out = 0;
	if (n <= 0)
		return;
	target[n] = 0;
	slash = strrchr(target, '/');
	slash = slash ? slash + 1 : target;
	n = strlen(slash);
	if ((size_t)n >= len)
		n = len - 1;
	memcpy(out, slash, n);
	out[n] = 0;
}

bool host_pci_present(const char *bdf)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), SYSFS_PCI "/%s", bdf);
	return !access(dir, F_OK);
}

void host_pci_driver(const char *bdf, char *out, size_t len)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), SYSFS_PCI "/%s", bdf);
	link_name(dir, "driver", out, len);
}

int host_pci_iommu_group(const char *bdf)
{
	char dir[PATH_MAX], group[32];

	snprintf(dir, sizeof(dir), SYSFS_PCI "/%s", bdf);
	link_name(dir, "iommu_group", group, sizeof(group));
	return *group ? atoi(group) : -1;
}

/* Gather the facts about d and judge it. */
static void assess(struct host_pci_device *d)
{
	struct host_pci_facts f = { .driver = d->driver };
	char path[PATH_MAX];
	static char peer_bdf[HOST_PCI_MAX_GROUP][16], peer_drv[HOST_PCI_MAX_GROUP][64];
	struct dirent *e;
	DIR *members;
	int fd;

	host_pci_driver(d->bdf, d->driver, sizeof(d->driver));
	f.iommu_group = d->iommu_group = host_pci_iommu_group(d->bdf);
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/devices", f.iommu_group);
	members = f.iommu_group >= 0 ? opendir(path) : NULL;
	while (members && (e = readdir(members)) && f.nr_peers < HOST_PCI_MAX_GROUP) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, d->bdf))
			continue;
		snprintf(peer_bdf[f.nr_peers], sizeof(peer_bdf[0]), "%.15s", e->d_name);
		host_pci_driver(e->d_name, peer_drv[f.nr_peers], sizeof(peer_drv[0]));
		f.peer_bdf[f.nr_peers] = peer_bdf[f.nr_peers];
		f.peer_driver[f.nr_peers] = peer_drv[f.nr_peers];
		f.nr_peers++;
	}
	if (members)
		closedir(members);
	if (f.iommu_group >= 0 && !strcmp(d->driver, "vfio-pci")) {
		snprintf(path, sizeof(path), "/dev/vfio/%d", f.iommu_group);
		fd = open(path, O_RDWR | O_CLOEXEC);
		f.group_open_errno = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
	}
	d->passable = host_pci_judge(&f, d->reason, sizeof(d->reason));
}

__attribute__((noreturn)) static void libpci_error(char *msg, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(line, sizeof(line), msg, ap);
	va_end(ap);
	/* libpci expects this not to return (pci.h: "write error message and quit"). */
	log_error("libpci: %s", line);
	exit(1);
}

static void libpci_quiet(char *msg, ...)
{
	(void)msg;
}

static int by_bdf(const void *a, const void *b)
{
	return strcmp(((const struct host_pci_device *)a)->bdf,
		      ((const struct host_pci_device *)b)->bdf);
}

int host_pci_scan(struct host_pci_device **devices, size_t *count, char *err,
		  size_t errlen)
{
	struct pci_access *pacc = pci_alloc();
	struct host_pci_device *out = NULL;
	size_t n = 0, cap = 0;

	if (!pacc) {
		set_error(err, errlen, "libpci: out of memory");
		return -1;
	}
	pacc->error = libpci_error;
	pacc->warning = libpci_quiet;
	pacc->debug = libpci_quiet;
	pci_init(pacc);
	pci_scan_bus(pacc);
	for (struct pci_dev *p = pacc->devices; p; p = p->next) {
		struct host_pci_device *d;

		if (n == cap) {
			struct host_pci_device *grown;

			cap = cap ? 2 * cap : 32;
			grown = realloc(out, cap * sizeof(*out));
			if (!grown) {
				set_error(err, errlen, "out of memory listing PCI devices");
				free(out);
				pci_cleanup(pacc);
				return -1;
			}
			out = grown;
		}
		d = &out[n++];
		memset(d, 0, sizeof(*d));
		pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS);
		snprintf(d->bdf, sizeof(d->bdf), "%04x:%02x:%02x.%x", p->domain & 0xffff,
			 p->bus, p->dev, p->func);
		d->vendor = p->vendor_id;
		d->device = p->device_id;
		d->class_id = p->device_class;
		d->iommu_group = -1;
		/* Names from pci.ids only: libpci's udev hwdb path leaks a
		 * udev context per lookup (LeakSanitizer) and adds nothing
		 * pci.ids lacks for passthrough candidates. */
		pci_lookup_name(pacc, d->vendor_name, sizeof(d->vendor_name),
				PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_HWDB, p->vendor_id);
		pci_lookup_name(pacc, d->device_name, sizeof(d->device_name),
				PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_HWDB, p->vendor_id,
				p->device_id);
		pci_lookup_name(pacc, d->class_name, sizeof(d->class_name),
				PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_HWDB, p->device_class);
		assess(d);
	}
	pci_cleanup(pacc);
	if (n)
		qsort(out, n, sizeof(*out), by_bdf);
	*devices = out;
	*count = n;
	return 0;
}
