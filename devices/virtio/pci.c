// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>

#include "devices/virtio/pci.h"
#include "vmm/bytes.h"
#include "vmm/irq.h"
#include "vmm/log.h"
#include "vmm/loop.h"

#define PCI_VENDOR_ID_VIRTIO	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040	/* + virtio device ID (4.1.2.1) */
#define PCI_CAP_ID_VNDR		0x09

/* The BAR's layout; each part is page-aligned so that it could be mapped
 * or trapped on its own. */
#define COMMON_OFFSET		0x0000
#define COMMON_SIZE		VIRTIO_PCI_COMMON_Q_NDATA	/* the 1.0 fields */
#define ISR_OFFSET		0x1000
#define DEVICE_OFFSET		0x2000
#define NOTIFY_OFFSET		0x3000
#define NOTIFY_MULTIPLIER	4	/* queue q's doorbell: NOTIFY_OFFSET + 4q */
#define MSIX_TABLE_OFFSET	0x4000
#define MSIX_PBA_OFFSET		0x5000
#define PART_SIZE		0x1000

#define VIRTIO_ISR_QUEUE	0x1

static void add_cap(struct pci_device *pci, uint8_t type, uint32_t offset,
		    uint32_t length, uint8_t extra_len, uint32_t extra)
{
	uint8_t cap = pci_device_add_capability(pci, PCI_CAP_ID_VNDR,
						 sizeof(struct virtio_pci_cap) + extra_len);

	pci->cfg[cap + VIRTIO_PCI_CAP_LEN] = sizeof(struct virtio_pci_cap) + extra_len;
	pci->cfg[cap + VIRTIO_PCI_CAP_CFG_TYPE] = type;
	pci->cfg[cap + VIRTIO_PCI_CAP_BAR] = VIRTIO_PCI_BAR;
	pci_set_u32(pci->cfg, cap + VIRTIO_PCI_CAP_OFFSET, offset);
	pci_set_u32(pci->cfg, cap + VIRTIO_PCI_CAP_LENGTH, length);
	if (extra_len)
		pci_set_u32(pci->cfg, cap + sizeof(struct virtio_pci_cap), extra);
}

/* 2.4: every register back to the state before the driver touched it. */
static void reset_registers(struct virtio_pci *vp)
{
	vp->status = 0;
	vp->driver_features = 0;
	vp->device_feature_select = vp->driver_feature_select = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	vp->queue_select = 0;
	vp->isr = 0;
	for (unsigned int q = 0; q < vp->nr_queues; q++) {
		struct virtio_pci_queue *vq = &vp->queues[q];

		virtq_disable(&vq->vq);
		vq->enabled = false;
		vq->size = vq->max_size;
		vq->msix_vector = VIRTIO_MSI_NO_VECTOR;
		vq->desc = vq->driver = vq->device = 0;
	}
}

static void device_reset(struct virtio_pci *vp)
{
	reset_registers(vp);
	pci_device_set_intx(&vp->pci, false);
	vp->generation++;
	vp->ops->reset(vp->dev);
}

bool virtio_pci_queue_ready(struct virtio_pci *vp, unsigned int q)
{
	return q < vp->nr_queues && vp->queues[q].enabled &&
	       (vp->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(vp->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

void virtio_pci_needs_reset(struct virtio_pci *vp)
{
	vp->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
}

void virtio_pci_queue_interrupt(struct virtio_pci *vp, unsigned int q)
{
	uint16_t vector = vp->queues[q].msix_vector;

	if (msix_enabled(&vp->msix)) {
		if (vector != VIRTIO_MSI_NO_VECTOR)
			msix_notify(&vp->msix, vector);
		return;
	}
	/* 4.1.4.5: without MSI-X, set the ISR's queue bit and raise INTx. */
	vp->isr |= VIRTIO_ISR_QUEUE;
	pci_device_set_intx(&vp->pci, true);
}

static struct virtio_pci_queue *selected(struct virtio_pci *vp)
{
	return vp->queue_select < vp->nr_queues ? &vp->queues[vp->queue_select] : NULL;
}

static uint32_t feature_word(uint64_t features, uint32_t select)
{
	return select < 2 ? (uint32_t)(features >> (32 * select)) : 0;
}

/*
 * Common configuration registers (4.1.4.3), each read with its natural
 * size; the 64-bit queue addresses whole or as two dwords (4.1.3.1).
 * Anything else, or a register of a queue that does not exist, reads 0.
 */
static uint64_t common_read(struct virtio_pci *vp, uint64_t off, unsigned int size)
{
	struct virtio_pci_queue *q = selected(vp);

	switch (off | (uint64_t)size << 32) {
#define REG(o, s) ((o) | (uint64_t)(s) << 32)
	case REG(VIRTIO_PCI_COMMON_DFSELECT, 4):
		return vp->device_feature_select;
	case REG(VIRTIO_PCI_COMMON_DF, 4):
		return feature_word(vp->device_features, vp->device_feature_select);
	case REG(VIRTIO_PCI_COMMON_GFSELECT, 4):
		return vp->driver_feature_select;
	case REG(VIRTIO_PCI_COMMON_GF, 4):
		return feature_word(vp->driver_features, vp->driver_feature_select);
	case REG(VIRTIO_PCI_COMMON_MSIX, 2):
		return vp->config_vector;
	case REG(VIRTIO_PCI_COMMON_NUMQ, 2):
		return vp->nr_queues;
	case REG(VIRTIO_PCI_COMMON_STATUS, 1):
		return vp->status;
	case REG(VIRTIO_PCI_COMMON_CFGGENERATION, 1):
		return 0;	/* the configuration never changes */
	case REG(VIRTIO_PCI_COMMON_Q_SELECT, 2):
		return vp->queue_select;
	case REG(VIRTIO_PCI_COMMON_Q_SIZE, 2):
		return q ? q->size : 0;	/* 0: no such queue (4.1.4.3.2) */
	case REG(VIRTIO_PCI_COMMON_Q_MSIX, 2):
		return q ? q->msix_vector : VIRTIO_MSI_NO_VECTOR;
	case REG(VIRTIO_PCI_COMMON_Q_ENABLE, 2):
		return q ? q->enabled : 0;
	case REG(VIRTIO_PCI_COMMON_Q_NOFF, 2):
		return vp->queue_select;
	case REG(VIRTIO_PCI_COMMON_Q_DESCLO, 4):
		return q ? (uint32_t)q->desc : 0;
	case REG(VIRTIO_PCI_COMMON_Q_DESCHI, 4):
		return q ? q->desc >> 32 : 0;
	case REG(VIRTIO_PCI_COMMON_Q_AVAILLO, 4):
		return q ? (uint32_t)q->driver : 0;
	case REG(VIRTIO_PCI_COMMON_Q_AVAILHI, 4):
		return q ? q->driver >> 32 : 0;
	case REG(VIRTIO_PCI_COMMON_Q_USEDLO, 4):
		return q ? (uint32_t)q->device : 0;
	case REG(VIRTIO_PCI_COMMON_Q_USEDHI, 4):
		return q ? q->device >> 32 : 0;
	case REG(VIRTIO_PCI_COMMON_Q_DESCLO, 8):
		return q ? q->desc : 0;
	case REG(VIRTIO_PCI_COMMON_Q_AVAILLO, 8):
		return q ? q->driver : 0;
	case REG(VIRTIO_PCI_COMMON_Q_USEDLO, 8):
		return q ? q->device : 0;
	}
	return 0;
}

static void set_half(uint64_t *reg, bool high, uint32_t v)
{
	*reg = high ? (*reg & 0xffffffffull) | (uint64_t)v << 32 :
		      (*reg & ~0xffffffffull) | v;
}

/* 3.1.1 step 5: FEATURES_OK sticks only for a subset of what we offer
 * that includes VERSION_1 (this device has no legacy interface). */
static void write_status(struct virtio_pci *vp, uint8_t v)
{
	if (!v) {
		device_reset(vp);
		return;
	}
	if ((v & VIRTIO_CONFIG_S_FEATURES_OK) && !(vp->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    ((vp->driver_features & ~vp->device_features) ||
	     !(vp->driver_features & (1ull << VIRTIO_F_VERSION_1))))
		v &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	/* NEEDS_RESET is the device's to set; the driver cannot clear it. */
	vp->status = v | (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void enable_queue(struct virtio_pci *vp, struct virtio_pci_queue *q)
{
	struct virtq_config cfg = {
		.size = q->size,
		.desc_gpa = q->desc,
		.avail_gpa = q->driver,
		.used_gpa = q->device,
		.features = vp->driver_features,
	};

	if (q->enabled)
		return;
	if (virtq_enable(&q->vq, vp->mem, &cfg)) {
		/* A queue we cannot use: the driver must start over. */
		virtio_pci_needs_reset(vp);
		return;
	}
	q->enabled = true;
}

static void common_write(struct virtio_pci *vp, uint64_t off, unsigned int size,
			 uint64_t v)
{
	struct virtio_pci_queue *q = selected(vp);
	/* Queue registers are the driver's only until it enables the queue. */
	struct virtio_pci_queue *setup = q && !q->enabled ? q : NULL;
	unsigned int nr_vectors = vp->msix.nr_vectors;

	switch (off | (uint64_t)size << 32) {
	case REG(VIRTIO_PCI_COMMON_DFSELECT, 4):
		vp->device_feature_select = v;
		break;
	case REG(VIRTIO_PCI_COMMON_GFSELECT, 4):
		vp->driver_feature_select = v;
		break;
	case REG(VIRTIO_PCI_COMMON_GF, 4):
		if (vp->driver_feature_select < 2 && !(vp->status & VIRTIO_CONFIG_S_FEATURES_OK))
			set_half(&vp->driver_features, vp->driver_feature_select, v);
		break;
	case REG(VIRTIO_PCI_COMMON_MSIX, 2):
		/* A vector the device lacks reads back as NO_VECTOR (4.1.5.1.2). */
		vp->config_vector = v < nr_vectors ? v : VIRTIO_MSI_NO_VECTOR;
		break;
	case REG(VIRTIO_PCI_COMMON_STATUS, 1):
		write_status(vp, v);
		break;
	case REG(VIRTIO_PCI_COMMON_Q_SELECT, 2):
		vp->queue_select = v;
		break;
	case REG(VIRTIO_PCI_COMMON_Q_SIZE, 2):
		/* A power of two no larger than the maximum; virtq_enable()
		 * refuses anything else when the queue is enabled. */
		if (setup)
			setup->size = v;
		break;
	case REG(VIRTIO_PCI_COMMON_Q_MSIX, 2):
		if (q)
			q->msix_vector = v < nr_vectors ? v : VIRTIO_MSI_NO_VECTOR;
		break;
	case REG(VIRTIO_PCI_COMMON_Q_ENABLE, 2):
		/* Writing 0 is not for the driver (4.1.4.3.2); only 1 counts. */
		if (setup && v == 1)
			enable_queue(vp, setup);
		break;
	case REG(VIRTIO_PCI_COMMON_Q_DESCLO, 4):
	case REG(VIRTIO_PCI_COMMON_Q_DESCHI, 4):
		if (setup)
			set_half(&setup->desc, off == VIRTIO_PCI_COMMON_Q_DESCHI, v);
		break;
	case REG(VIRTIO_PCI_COMMON_Q_AVAILLO, 4):
	case REG(VIRTIO_PCI_COMMON_Q_AVAILHI, 4):
		if (setup)
			set_half(&setup->driver, off == VIRTIO_PCI_COMMON_Q_AVAILHI, v);
		break;
	case REG(VIRTIO_PCI_COMMON_Q_USEDLO, 4):
	case REG(VIRTIO_PCI_COMMON_Q_USEDHI, 4):
		if (setup)
			set_half(&setup->device, off == VIRTIO_PCI_COMMON_Q_USEDHI, v);
		break;
	case REG(VIRTIO_PCI_COMMON_Q_DESCLO, 8):
		if (setup)
			setup->desc = v;
		break;
	case REG(VIRTIO_PCI_COMMON_Q_AVAILLO, 8):
		if (setup)
			setup->driver = v;
		break;
	case REG(VIRTIO_PCI_COMMON_Q_USEDLO, 8):
		if (setup)
			setup->device = v;
		break;
#undef REG
	}
	if (setup && setup->size > setup->max_size)
		setup->size = setup->max_size;
}

static void kick(struct virtio_pci_queue *q)
{
	uint64_t one = 1;

	if (write(q->notify_fd, &one, sizeof(one)) != sizeof(one))
		log_error("%s: queue notification lost: %s", q->vp->pci.name,
			  strerror(errno));
}

static void bar_read(void *opaque, uint64_t off, uint8_t *data, unsigned int size)
{
	struct virtio_pci *vp = opaque;
	uint64_t v = 0;

	if (off >= MSIX_TABLE_OFFSET && off < MSIX_TABLE_OFFSET + PART_SIZE) {
		msix_table_read(&vp->msix, off - MSIX_TABLE_OFFSET, data, size);
		return;
	}
	if (off >= MSIX_PBA_OFFSET && off < MSIX_PBA_OFFSET + PART_SIZE) {
		msix_pba_read(&vp->msix, off - MSIX_PBA_OFFSET, data, size);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	if (off < COMMON_OFFSET + PART_SIZE) {
		v = common_read(vp, off, size);
	} else if (off == ISR_OFFSET) {
		/* Reading the ISR clears it and the INTx it raised (4.1.4.5). */
		v = vp->isr;
		vp->isr = 0;
		pci_device_set_intx(&vp->pci, false);
	} else if (off >= DEVICE_OFFSET && off < DEVICE_OFFSET + PART_SIZE) {
		vp->ops->config_read(vp->dev, off - DEVICE_OFFSET, data, size);
		pthread_mutex_unlock(&vp->lock);
		return;
	}
	pthread_mutex_unlock(&vp->lock);
	le_store(data, size, v);
}

static void bar_write(void *opaque, uint64_t off, const uint8_t *data,
		      unsigned int size)
{
	struct virtio_pci *vp = opaque;
	uint64_t q;

	if (off >= MSIX_TABLE_OFFSET && off < MSIX_TABLE_OFFSET + PART_SIZE) {
		msix_table_write(&vp->msix, off - MSIX_TABLE_OFFSET, data, size);
		return;
	}
	if (off >= NOTIFY_OFFSET && off < NOTIFY_OFFSET + PART_SIZE) {
		/* A doorbell KVM did not turn into an eventfd event itself. */
		q = (off - NOTIFY_OFFSET) / NOTIFY_MULTIPLIER;
		if (q < vp->nr_queues)
			kick(&vp->queues[q]);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	if (off < COMMON_OFFSET + PART_SIZE)
		common_write(vp, off, size, le_load(data, size));
	else if (off >= DEVICE_OFFSET && off < DEVICE_OFFSET + PART_SIZE)
		vp->ops->config_write(vp->dev, off - DEVICE_OFFSET, data, size);
	pthread_mutex_unlock(&vp->lock);
}

static const struct bus_ops bar_ops = { bar_read, bar_write };

/* Follow the BAR with the doorbells' ioeventfds: a 2-byte write of the
 * queue index (4.1.4.4) then never leaves KVM. */
static void bar_moved(struct pci_device *pci, unsigned int bar, bool mapped,
		      uint64_t addr)
{
	struct virtio_pci *vp = (struct virtio_pci *)pci;

	if (bar != VIRTIO_PCI_BAR)
		return;
	for (unsigned int q = 0; q < vp->nr_queues; q++)
		irq_ioeventfd(vp->vm_fd, vp->queues[q].notify_fd,
			      addr + NOTIFY_OFFSET + q * NOTIFY_MULTIPLIER, 2,
			      false, mapped);
}

static void config_written(struct pci_device *pci, unsigned int offset,
			   unsigned int size)
{
	msix_config_written(&((struct virtio_pci *)pci)->msix, offset, size);
}

static void on_notify(void *opaque, const uint8_t *buf, size_t n, int errno_val)
{
	struct virtio_pci_queue *q = opaque;
	struct virtio_pci *vp = q->vp;

	(void)buf;
	if (!n) {
		log_error("%s: queue eventfd: %s", vp->pci.name, strerror(errno_val));
		return;
	}
	pthread_mutex_lock(&vp->lock);
	q->notifications++;
	if (virtio_pci_queue_ready(vp, q - vp->queues))
		vp->ops->queue_notify(vp->dev, q - vp->queues);
	pthread_mutex_unlock(&vp->lock);
}

int virtio_pci_init(struct virtio_pci *vp, const struct virtio_pci_params *p,
		    const struct guest_memory *mem, struct loop *loop,
		    struct irq_router *router, int vm_fd, char *err, size_t errlen)
{
	struct pci_device *pci = &vp->pci;

	if (p->nr_queues > VIRTIO_PCI_MAX_QUEUES) {
		set_error(err, errlen, "%s: %u queues are more than %u", p->name,
			  p->nr_queues, VIRTIO_PCI_MAX_QUEUES);
		return -1;
	}
	memset(vp, 0, sizeof(*vp));
	pthread_mutex_init(&vp->lock, NULL);
	vp->ops = p->ops;
	vp->dev = p->dev;
	vp->mem = mem;
	vp->vm_fd = vm_fd;
	vp->device_features = p->features | 1ull << VIRTIO_F_VERSION_1;
	vp->nr_queues = p->nr_queues;
	for (unsigned int q = 0; q < VIRTIO_PCI_MAX_QUEUES; q++)
		vp->queues[q] = (struct virtio_pci_queue){ .notify_fd = -1, .vp = vp };

	/* A modern-only device: revision 1, device ID 0x1040 + id (4.1.2.1). */
	pci_device_init(pci, p->name, PCI_VENDOR_ID_VIRTIO,
			VIRTIO_PCI_DEVICE_BASE + p->virtio_id, p->class_code,
			PCI_VENDOR_ID_VIRTIO, 0x40 + p->virtio_id);
	pci->cfg[PCI_REVISION_ID] = 1;
	pci->cfg[PCI_INTERRUPT_PIN] = 1;	/* INTA */
	pci->config_written = config_written;
	pci->bar_moved = bar_moved;
	pci_device_add_bar(pci, VIRTIO_PCI_BAR, PCI_BAR_MEM32, false,
			   VIRTIO_PCI_BAR_SIZE, &bar_ops, vp);
	add_cap(pci, VIRTIO_PCI_CAP_COMMON_CFG, COMMON_OFFSET, COMMON_SIZE, 0, 0);
	add_cap(pci, VIRTIO_PCI_CAP_NOTIFY_CFG, NOTIFY_OFFSET,
		p->nr_queues * NOTIFY_MULTIPLIER, 4, NOTIFY_MULTIPLIER);
	add_cap(pci, VIRTIO_PCI_CAP_ISR_CFG, ISR_OFFSET, 1, 0, 0);
	add_cap(pci, VIRTIO_PCI_CAP_DEVICE_CFG, DEVICE_OFFSET, p->config_size, 0, 0);
	if (msix_init(&vp->msix, pci, p->nr_queues + 1, VIRTIO_PCI_BAR,
		      MSIX_TABLE_OFFSET, MSIX_PBA_OFFSET, router, err, errlen))
		goto fail;
	for (unsigned int q = 0; q < p->nr_queues; q++) {
		struct virtio_pci_queue *vq = &vp->queues[q];
		int ret;

		vq->max_size = p->queue_max_size;
		vq->notify_fd = eventfd(0, EFD_CLOEXEC);
		ret = vq->notify_fd < 0 ? -errno : loop_add_reader(loop, vq->notify_fd, on_notify, vq);
		if (ret) {
			set_error(err, errlen, "%s: queue %u notifications: %s", p->name, q,
				  strerror(-ret));
			goto fail;
		}
	}
	reset_registers(vp);
	return 0;
fail:
	virtio_pci_destroy(vp);
	return -1;
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	for (unsigned int q = 0; q < VIRTIO_PCI_MAX_QUEUES; q++)
		if (vp->queues[q].notify_fd >= 0)
			close(vp->queues[q].notify_fd);
	msix_destroy(&vp->msix);
	pthread_mutex_destroy(&vp->lock);
}
