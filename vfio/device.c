// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfio/device.h"
#include "vmm/log.h"

/* The capability chain hangs off the info struct: each header's next is
 * an offset from the start of the info (uapi/linux/vfio.h). */
static void read_sparse_areas(struct vfio_region *r,
			      const struct vfio_region_info *info)
{
	uint32_t off = info->cap_offset;
	unsigned int hops = 0;

	while (off && off + sizeof(struct vfio_info_cap_header) <= info->argsz &&
	       hops++ < 16) {
		const struct vfio_info_cap_header *h = (const void *)((const char *)info + off);

		if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			const struct vfio_region_info_cap_sparse_mmap *s = (const void *)h;
			size_t need = off + sizeof(*s);

			r->nr_areas = 0;
			for (uint32_t i = 0; i < s->nr_areas &&
			     need + (i + 1) * sizeof(s->areas[0]) <= info->argsz &&
			     r->nr_areas < VFIO_MAX_MMAP_AREAS; i++) {
				if (s->areas[i].size && s->areas[i].offset < r->size &&
				    s->areas[i].size <= r->size - s->areas[i].offset)
					r->areas[r->nr_areas++] = (struct vfio_mmap_area){
						s->areas[i].offset, s->areas[i].size };
			}
			return;
		}
		off = h->next;
	}
}

static int region_info(struct vfio_device *d, unsigned int index)
{
	struct vfio_region_info *info = calloc(1, sizeof(*info));
	struct vfio_region *r = &d->regions[index];

	if (!info)
		return -ENOMEM;
	info->argsz = sizeof(*info);
	info->index = index;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, info))
		goto fail;
	/* Capabilities do not fit: ask again with the size the kernel wants. */
	if (info->argsz > sizeof(*info)) {
		uint32_t argsz = info->argsz;
		struct vfio_region_info *big = realloc(info, argsz);

		if (!big)
			goto fail;
		info = big;
		memset(info, 0, argsz);
		info->argsz = argsz;
		info->index = index;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, info))
			goto fail;
	}
	*r = (struct vfio_region){
		.flags = info->flags,
		.size = info->size,
		.offset = info->offset,
	};
	if (info->flags & VFIO_REGION_INFO_FLAG_MMAP) {
		r->nr_areas = 1;
		r->areas[0] = (struct vfio_mmap_area){ 0, info->size };
		if (info->flags & VFIO_REGION_INFO_FLAG_CAPS)
			read_sparse_areas(r, info);
	}
	free(info);
	return 0;
fail:
	free(info);
	return errno ? -errno : -ENOMEM;
}

int vfio_device_open(struct vfio_device *d, int group_fd, const char *bdf,
		     char *err, size_t errlen)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int ret;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	d->fd = ioctl(group_fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (d->fd < 0) {
		set_error(err, errlen, "--vfio %s: VFIO_GROUP_GET_DEVICE_FD: %s%s", bdf,
			  strerror(errno), errno == EBUSY ? " (already opened)" : "");
		return -1;
	}
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info)) {
		set_error(err, errlen, "--vfio %s: VFIO_DEVICE_GET_INFO: %s", bdf, strerror(errno));
		goto fail;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions < VFIO_PCI_NUM_REGIONS - 1 ||
	    info.num_irqs < VFIO_PCI_MSIX_IRQ_INDEX + 1) {
		set_error(err, errlen, "--vfio %s: not a vfio-pci device", bdf);
		goto fail;
	}
	d->flags = info.flags;
	for (unsigned int i = 0; i <= VFIO_PCI_CONFIG_REGION_INDEX; i++) {
		ret = region_info(d, i);
		if (ret) {
			set_error(err, errlen, "--vfio %s: region %u: VFIO_DEVICE_GET_REGION_INFO: %s",
				  bdf, i, strerror(-ret));
			goto fail;
		}
	}
	for (unsigned int i = 0; i <= VFIO_PCI_REQ_IRQ_INDEX; i++) {
		struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = i };

		if (!ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq)) {
			d->irq_count[i] = irq.count;
		} else if (i <= VFIO_PCI_MSIX_IRQ_INDEX) {
			set_error(err, errlen, "--vfio %s: interrupt index %u: VFIO_DEVICE_GET_IRQ_INFO: %s",
				  bdf, i, strerror(errno));
			goto fail;
		}
		/* else: a kernel from before the error and request indexes
		 * (Linux 4.0): none of them. */
	}
	return 0;
fail:
	vfio_device_close(d);
	return -1;
}

void vfio_device_close(struct vfio_device *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int vfio_device_reset(struct vfio_device *d)
{
	if (!(d->flags & VFIO_DEVICE_FLAGS_RESET))
		return -ENOTTY;
	return ioctl(d->fd, VFIO_DEVICE_RESET) ? -errno : 0;
}

static bool in_region(const struct vfio_device *d, unsigned int index,
		      uint64_t off, size_t len)
{
	return index < VFIO_PCI_NUM_REGIONS && off <= d->regions[index].size &&
	       len <= d->regions[index].size - off;
}

bool vfio_region_read(const struct vfio_device *d, unsigned int index,
		      uint64_t off, void *buf, size_t len)
{
	return in_region(d, index, off, len) &&
	       pread(d->fd, buf, len, d->regions[index].offset + off) == (ssize_t)len;
}

bool vfio_region_write(const struct vfio_device *d, unsigned int index,
		       uint64_t off, const void *buf, size_t len)
{
	return in_region(d, index, off, len) &&
	       pwrite(d->fd, buf, len, d->regions[index].offset + off) == (ssize_t)len;
}

int vfio_device_set_irqs(const struct vfio_device *d, unsigned int index,
			 uint32_t action, uint32_t start, uint32_t count,
			 const int *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int);
	struct vfio_irq_set *set = calloc(1, sz);
	int ret = 0;

	if (!set)
		return -ENOMEM;
	set->argsz = sz;
	set->flags = (fds ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE) | action;
	set->index = index;
	set->start = start;
	set->count = count;
	if (fds)
		memcpy(set->data, fds, count * sizeof(int));
	if (ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set))
		ret = -errno;
	free(set);
	return ret;
}
