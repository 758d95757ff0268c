/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio PCI transport, modern interface only (VIRTIO 1.2 4.1): one
 * 32 KiB memory BAR holding the common configuration, ISR, device
 * configuration, notification area and MSI-X table, described by vendor
 * capabilities. Queue notifications become eventfd events on the loop
 * thread (through KVM ioeventfds at the BAR's current address, or a
 * trapped write when the access does not match one); interrupts go out
 * as MSI-X through irqfds, or INTx with the ISR when MSI-X is off.
 *
 * Locking: vp->lock covers the virtio state. The device's queue_notify
 * and reset run with it held, on the loop's thread (the device's I/O
 * thread) and a vCPU thread.
 */
#ifndef URSA_DEVICES_VIRTIO_PCI_H
#define URSA_DEVICES_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/msix.h"
#include "devices/pci.h"
#include "devices/virtio/virtqueue.h"

struct irq_router;
struct loop;

#define VIRTIO_PCI_MAX_QUEUES	8
#define VIRTIO_PCI_BAR		0
#define VIRTIO_PCI_BAR_SIZE	0x8000

struct virtio_device_ops {
	/* Device-specific configuration (offset within it; any size). */
	void (*config_read)(void *dev, uint64_t offset, uint8_t *data, unsigned int size);
	void (*config_write)(void *dev, uint64_t offset, const uint8_t *data,
			     unsigned int size);
	/* Queue q was notified (the thread of the loop given to init). */
	void (*queue_notify)(void *dev, unsigned int q);
	/* The driver reset the device: forget requests in flight. */
	void (*reset)(void *dev);
};

struct virtio_pci_queue {
	struct virtq vq;
	uint16_t size;		/* queue_size as the driver set it */
	uint16_t max_size;
	uint16_t msix_vector;
	bool enabled;
	uint64_t desc, driver, device;
	int notify_fd;		/* eventfd, read by the loop */
	unsigned long notifications;	/* wake-ups by notify_fd (vp->lock) */
	struct virtio_pci *vp;
};

struct virtio_pci {
	struct pci_device pci;
	pthread_mutex_t lock;
	const struct virtio_device_ops *ops;
	void *dev;
	const struct guest_memory *mem;
	int vm_fd;
	struct msix msix;

	uint64_t device_features;
	uint64_t driver_features;
	uint32_t device_feature_select;
	uint32_t driver_feature_select;
	uint16_t config_vector;
	uint8_t status;
	uint8_t isr;
	uint16_t queue_select;
	unsigned int nr_queues;
	struct virtio_pci_queue queues[VIRTIO_PCI_MAX_QUEUES];
	/* Bumped by every reset: completions of older requests are dropped. */
	uint32_t generation;
};

struct virtio_pci_params {
	const char *name;
	uint16_t virtio_id;		/* VIRTIO 1.2 5: 2 is a block device */
	uint32_t class_code;
	unsigned int nr_queues;
	uint16_t queue_max_size;
	uint64_t features;		/* VIRTIO_F_VERSION_1 is added */
	uint32_t config_size;		/* bytes of device configuration */
	const struct virtio_device_ops *ops;
	void *dev;
};

/* Set up the PCI function (not yet on the bus: pci_host_add_device()) and
 * start reading the queues' eventfds on loop. 0, or -1 with err. */
int virtio_pci_init(struct virtio_pci *vp, const struct virtio_pci_params *p,
		    const struct guest_memory *mem, struct loop *loop,
		    struct irq_router *router, int vm_fd, char *err, size_t errlen);
void virtio_pci_destroy(struct virtio_pci *vp);

/* With vp->lock held: the driver is ready and queue q usable. */
bool virtio_pci_queue_ready(struct virtio_pci *vp, unsigned int q);
/* With vp->lock held: a used buffer notification for queue q. */
void virtio_pci_queue_interrupt(struct virtio_pci *vp, unsigned int q);
/* With vp->lock held: the driver broke the protocol (DEVICE_NEEDS_RESET). */
void virtio_pci_needs_reset(struct virtio_pci *vp);

#endif
