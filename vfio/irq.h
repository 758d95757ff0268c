/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupts of an assigned device, delivered by KVM without a trip
 * through ursa: vfio-pci signals an eventfd (VFIO_DEVICE_SET_IRQS) that
 * is a KVM irqfd.
 *
 *   MSI, MSI-X  one eventfd per vector, an irqfd on the vector's MSI
 *               route while the guest has it unmasked (msi_vector.h).
 *   INTx        level-triggered: an irqfd with a resample eventfd on the
 *               slot's IOAPIC input. vfio-pci masks the line when it
 *               fires; the guest's EOI makes KVM signal the resample
 *               eventfd, which vfio-pci takes as "unmask"
 *               (VFIO_IRQ_SET_ACTION_UNMASK) and re-asserts if the device
 *               still wants service.
 *
 * vfio-pci runs one of the three at a time; enabling MSI or MSI-X takes
 * INTx down, disabling them brings it back (PCI Local Bus 3.0 6.8: a
 * function with MSI enabled does not use INTx).
 */
#ifndef URSA_VFIO_IRQ_H
#define URSA_VFIO_IRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/msi_vector.h"
#include "devices/msix.h"

struct irq_router;
struct vfio_config;
struct vfio_device;
struct vfio_msi_state;

struct vfio_irqs {
	const char *name;
	struct vfio_device *dev;
	struct irq_router *router;
	bool has_msi, msi_on;		/* on: vfio-pci's MSI trigger is set */
	struct msi_vector msi;
	bool has_msix, msix_on;
	struct msix msix;
	int intx_gsi;			/* -1: no INTx */
	int intx_efd, intx_resample_efd;
	bool intx_on;
};

/*
 * Vectors for what config lists (MSI, MSI-X) and, when intx_gsi >= 0,
 * INTx into that GSI, which starts enabled. 0, or -1 with err.
 */
int vfio_irqs_init(struct vfio_irqs *q, const char *name,
		   struct vfio_device *dev, const struct vfio_config *config,
		   struct irq_router *router, int intx_gsi, char *err,
		   size_t errlen);
/* Everything off in vfio-pci and KVM. */
void vfio_irqs_destroy(struct vfio_irqs *q);

/* The guest wrote the MSI capability; s is its new content. */
void vfio_irqs_msi_written(struct vfio_irqs *q, const struct vfio_msi_state *s);
/* MSI's pending bits (vector 0). */
uint32_t vfio_irqs_msi_pending(struct vfio_irqs *q);
/* The guest wrote MSI-X message control. */
void vfio_irqs_msix_control(struct vfio_irqs *q, uint16_t ctrl);

#endif
