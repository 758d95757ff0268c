/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An opened vfio-pci device: its regions (BARs, ROM, config space), with
 * the parts of each BAR the kernel lets us mmap, its interrupt indexes,
 * and reset.
 */
#ifndef URSA_VFIO_DEVICE_H
#define URSA_VFIO_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vfio.h>

#define VFIO_MAX_MMAP_AREAS	8

struct vfio_mmap_area {
	uint64_t offset;	/* within the region, page-aligned */
	uint64_t size;
};

struct vfio_region {
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	uint64_t offset;	/* of the region in the device fd */
	/* Where mmap is allowed: the whole region, or the sparse areas the
	 * kernel lists (VFIO_REGION_INFO_CAP_SPARSE_MMAP). */
	unsigned int nr_areas;
	struct vfio_mmap_area areas[VFIO_MAX_MMAP_AREAS];
};

struct vfio_device {
	char bdf[16];
	int fd;
	uint32_t flags;		/* VFIO_DEVICE_FLAGS_* */
	struct vfio_region regions[VFIO_PCI_NUM_REGIONS];
	uint32_t irq_count[VFIO_PCI_NUM_IRQS];
};

/* Open bdf through its group's fd. 0, or -1 with err naming bdf. */
int vfio_device_open(struct vfio_device *d, int group_fd, const char *bdf,
		     char *err, size_t errlen);
void vfio_device_close(struct vfio_device *d);

/* Function-level reset, when the device offers one. 0, -ENOTTY when it
 * cannot be reset, or -errno. */
int vfio_device_reset(struct vfio_device *d);

/* len bytes at off of region index; false unless the whole span lies in
 * the region and the kernel transferred all of it. */
bool vfio_region_read(const struct vfio_device *d, unsigned int index,
		      uint64_t off, void *buf, size_t len);
bool vfio_region_write(const struct vfio_device *d, unsigned int index,
		       uint64_t off, const void *buf, size_t len);

/*
 * VFIO_DEVICE_SET_IRQS on interrupt index: count eventfds from start as
 * the trigger (or, with action VFIO_IRQ_SET_ACTION_UNMASK, as the unmask
 * signal); count 0 with fds NULL tears the index down. 0 or -errno.
 */
int vfio_device_set_irqs(const struct vfio_device *d, unsigned int index,
			 uint32_t action, uint32_t start, uint32_t count,
			 const int *fds);

#endif
