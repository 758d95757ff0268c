// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vfio/container.h"
#include "vfio/host.h"
#include "vmm/log.h"
#include "vmm/memory.h"

int vfio_container_open(struct vfio_container *c, char *err, size_t errlen)
{
	int api;

	if (c->open)
		return 0;
	c->fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		set_error(err, errlen, "/dev/vfio/vfio: %s%s", strerror(errno),
			  errno == ENOENT ? " (is the vfio-pci module loaded?)" : "");
		return -1;
	}
	api = ioctl(c->fd, VFIO_GET_API_VERSION);
	if (api != VFIO_API_VERSION) {
		set_error(err, errlen, "/dev/vfio/vfio: VFIO API version %d, ursa speaks %d",
			  api, VFIO_API_VERSION);
		close(c->fd);
		return -1;
	}
	if (ioctl(c->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		set_error(err, errlen, "/dev/vfio/vfio: no type1v2 IOMMU driver (vfio_iommu_type1)");
		close(c->fd);
		return -1;
	}
	c->open = true;
	return 0;
}

static int attach_group(struct vfio_container *c, const char *bdf, int nr,
			int fd, char *err, size_t errlen)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };

	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status)) {
		set_error(err, errlen, "--vfio %s: IOMMU group %d: VFIO_GROUP_GET_STATUS: %s",
			  bdf, nr, strerror(errno));
		return -1;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		set_error(err, errlen, "--vfio %s: IOMMU group %d is not viable: every device in it must be bound to vfio-pci or to no driver (see 'ursa devices')",
			  bdf, nr);
		return -1;
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &c->fd)) {
		set_error(err, errlen, "--vfio %s: IOMMU group %d: VFIO_GROUP_SET_CONTAINER: %s",
			  bdf, nr, strerror(errno));
		return -1;
	}
	/* The IOMMU model is chosen once, after the first group is in. */
	if (!c->iommu_set && ioctl(c->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		set_error(err, errlen, "--vfio %s: VFIO_SET_IOMMU type1v2: %s", bdf, strerror(errno));
		ioctl(fd, VFIO_GROUP_UNSET_CONTAINER);
		return -1;
	}
	c->iommu_set = true;
	return 0;
}

int vfio_container_group(struct vfio_container *c, const char *bdf,
			 char *err, size_t errlen)
{
	char path[32];
	int nr = host_pci_iommu_group(bdf);
	int fd;

	if (nr < 0) {
		set_error(err, errlen, "--vfio %s: no IOMMU group (is the IOMMU on, and the device present?)",
			  bdf);
		return -1;
	}
	for (unsigned int i = 0; i < c->nr_groups; i++)
		if (c->groups[i].nr == nr)
			return c->groups[i].fd;
	if (c->nr_groups == VFIO_MAX_GROUPS) {
		set_error(err, errlen, "--vfio %s: more than %d IOMMU groups", bdf, VFIO_MAX_GROUPS);
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", nr);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		set_error(err, errlen, "--vfio %s: %s: %s", bdf, path,
			  e == EBUSY ? "in use by another process (another ursa?)" :
			  e == ENOENT ? "absent: the device is not bound to vfio-pci (ursa vfio-bind)" :
			  strerror(e));
		return -1;
	}
	if (attach_group(c, bdf, nr, fd, err, errlen)) {
		close(fd);
		return -1;
	}
	c->groups[c->nr_groups].nr = nr;
	c->groups[c->nr_groups].fd = fd;
	c->nr_groups++;
	return fd;
}

int vfio_container_map_ram(struct vfio_container *c,
			   const struct guest_memory *mem, char *err,
			   size_t errlen)
{
	for (unsigned int i = 0; i < mem->nr_ranges; i++) {
		const struct guest_ram_range *r = &mem->ranges[i];
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)r->hva,
			.iova = r->gpa,
			.size = r->size,
		};

		if (ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map)) {
			set_error(err, errlen, "mapping guest RAM [0x%llx, 0x%llx) for DMA: %s%s",
				  (unsigned long long)r->gpa,
				  (unsigned long long)(r->gpa + r->size), strerror(errno),
				  errno == ENOMEM ? " (locked-memory limit? see ulimit -l)" : "");
			return -1;
		}
	}
	return 0;
}

void vfio_container_close(struct vfio_container *c)
{
	for (unsigned int i = 0; i < c->nr_groups; i++) {
		ioctl(c->groups[i].fd, VFIO_GROUP_UNSET_CONTAINER);
		close(c->groups[i].fd);
	}
	c->nr_groups = 0;
	if (c->open)
		close(c->fd);
	c->open = false;
	c->iommu_set = false;
}
