/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's PCI devices as a VFIO user sees them: identity (libpci, with
 * names from pci.ids), the bound driver and IOMMU group (sysfs), and
 * whether the device can be passed through right now -- with the reason
 * when it cannot.
 */
#ifndef URSA_VFIO_HOST_H
#define URSA_VFIO_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOST_PCI_NAME_MAX	128
#define HOST_PCI_MAX_GROUP	64	/* devices one IOMMU group may hold here */

struct host_pci_device {
	char bdf[16];			/* "0000:00:03.0" */
	uint16_t vendor, device;
	uint16_t class_id;		/* base class << 8 | subclass */
	char vendor_name[HOST_PCI_NAME_MAX];
	char device_name[HOST_PCI_NAME_MAX];
	char class_name[HOST_PCI_NAME_MAX];
	char driver[64];		/* "" when no driver is bound */
	int iommu_group;		/* -1 without one */
	bool passable;
	char reason[192];		/* why not, when !passable */
};

/* What passability depends on, gathered from sysfs and /dev/vfio. */
struct host_pci_facts {
	const char *driver;		/* "" for none */
	int iommu_group;		/* -1 for none */
	/* The other devices in the group and their drivers. */
	unsigned int nr_peers;
	const char *peer_bdf[HOST_PCI_MAX_GROUP];
	const char *peer_driver[HOST_PCI_MAX_GROUP];
	int group_open_errno;		/* opening /dev/vfio/<group>: 0 or errno */
};

/*
 * Whether a device with these facts can be handed to a VM now (the
 * kernel's rule for a viable group, drivers/vfio/group.c: every device in
 * it bound to vfio-pci or to no driver), and why not. Pure.
 */
bool host_pci_judge(const struct host_pci_facts *f, char *reason, size_t len);

/* Whether the host has a PCI device bdf ("DDDD:BB:DD.F"), from sysfs. */
bool host_pci_present(const char *bdf);

/* The driver bound to bdf ("" for none), from sysfs. */
void host_pci_driver(const char *bdf, char *out, size_t len);

/* The IOMMU group bdf belongs to, from sysfs; -1 without one. */
int host_pci_iommu_group(const char *bdf);

/* Every PCI device, sorted by address. 0, or -1 with err. Free with free(). */
int host_pci_scan(struct host_pci_device **devices, size_t *count, char *err,
		  size_t errlen);

#endif
