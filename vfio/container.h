/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VFIO container of a VM (Documentation/driver-api/vfio.rst): the
 * IOMMU groups of its assigned devices, attached to one type1v2 IOMMU
 * context in which all guest RAM is mapped for DMA at IOVA == gpa, so a
 * device given a guest-physical address by the guest's driver reaches the
 * right RAM.
 */
#ifndef URSA_VFIO_CONTAINER_H
#define URSA_VFIO_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

struct guest_memory;

#define VFIO_MAX_GROUPS		16

struct vfio_container {
	bool open;			/* zeroed: not yet */
	int fd;				/* /dev/vfio/vfio, when open */
	bool iommu_set;			/* VFIO_SET_IOMMU done */
	unsigned int nr_groups;
	struct {
		int nr;			/* /dev/vfio/<nr> */
		int fd;
	} groups[VFIO_MAX_GROUPS];
};

/* Opens /dev/vfio/vfio on first use. 0, or -1 with err. */
int vfio_container_open(struct vfio_container *c, char *err, size_t errlen);

/*
 * The fd of the IOMMU group bdf belongs to, attached to the container (an
 * already attached group is shared by its devices). Errors name bdf and
 * the cause: no IOMMU group, group not viable (a device in it is bound to
 * another driver), group held by another process. -1 with err.
 */
int vfio_container_group(struct vfio_container *c, const char *bdf,
			 char *err, size_t errlen);

/* Map every RAM range of mem for DMA, read-write. 0, or -1 with err. */
int vfio_container_map_ram(struct vfio_container *c,
			   const struct guest_memory *mem, char *err,
			   size_t errlen);

/* Detach and close everything (the kernel unmaps and unpins the RAM). */
void vfio_container_close(struct vfio_container *c);

#endif
