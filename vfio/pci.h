/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A host PCI function passed through to the guest (ursa run --vfio): the
 * vfio-pci device as a function on the guest's PCI bus, with its config
 * space virtualized (config.h), its BARs (bar.h) and interrupts (irq.h).
 */
#ifndef URSA_VFIO_PCI_H
#define URSA_VFIO_PCI_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/pci.h"
#include "vfio/bar.h"
#include "vfio/config.h"
#include "vfio/device.h"
#include "vfio/irq.h"

struct bus;
struct guest_memory;
struct irq_router;
struct vfio_container;

/* What an assigned device needs from its VM. */
struct vfio_pci_env {
	int vm_fd;
	bool use_region2;
	struct guest_memory *mem;
	struct bus *mmio, *pio;
	struct irq_router *router;
	struct pci_host *host;
	/* The IOAPIC input INTx pin (0 = INTA) of slot is wired to. */
	unsigned int (*intx_gsi)(unsigned int slot, unsigned int pin);
};

struct vfio_pci {
	struct pci_device pci;		/* what the guest's bus holds */
	char name[32];			/* "--vfio 0000:00:02.0", for messages */
	struct vfio_device dev;
	struct vfio_config config;
	struct vfio_bars bars;
	bool bars_ready;
	struct vfio_irqs irqs;
	bool irqs_ready;
};

/*
 * Open bdf (bound to vfio-pci) in container, reset it, and put it in the
 * guest's slot (1-31). Every failure is one line in err naming bdf and the
 * cause. On failure vp holds nothing and needs no destroy.
 */
int vfio_pci_create(struct vfio_pci *vp, const char *bdf, unsigned int slot,
		    struct vfio_container *container,
		    const struct vfio_pci_env *env, char *err, size_t errlen);

/* Interrupts off, BARs unmapped, the device reset and closed. */
void vfio_pci_destroy(struct vfio_pci *vp);

#endif
