/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One MSI or MSI-X vector delivered through KVM: an eventfd that is a KVM
 * irqfd on the vector's own MSI route while the vector is live (enabled
 * and unmasked), and a plain eventfd while it is not.
 *
 * Whoever raises the interrupt, ursa's own device model or an assigned
 * device through VFIO, only ever writes the eventfd. Masking detaches the
 * irqfd, so a message raised while masked stays in the eventfd's counter:
 * that is the vector's pending bit (PCIe 6.0 7.7.2.5, 7.7.1.8), and
 * unmasking delivers it. KVM never sees a masked vector.
 */
#ifndef URSA_DEVICES_MSI_VECTOR_H
#define URSA_DEVICES_MSI_VECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct irq_router;

struct msi_vector {
	int efd;	/* raised by the device */
	int gsi;	/* its MSI route; -1 without an in-kernel irqchip */
	bool live;	/* delivered as raised, not held pending */
	bool attached;	/* efd is an irqfd on gsi */
};

/* A masked vector. 0, or -1 with err (naming owner and index). */
int msi_vector_init(struct msi_vector *v, struct irq_router *router,
		    const char *owner, unsigned int index, char *err,
		    size_t errlen);
void msi_vector_destroy(struct msi_vector *v, struct irq_router *router);

/*
 * Make the vector live (deliver to the message address/data) or hold its
 * messages pending. A message pending when the vector goes live is
 * delivered then; without an irqchip it is dropped, as nothing can
 * receive it. Called under the owning device's lock.
 */
void msi_vector_update(struct msi_vector *v, struct irq_router *router,
		       bool live, uint64_t address, uint32_t data);

/* Raise the vector (what a device does for an emulated function). */
void msi_vector_raise(struct msi_vector *v);

/* Forget a pending message (a function reset clears pending bits). */
void msi_vector_discard(struct msi_vector *v);

/* Whether a message waits behind the mask. */
bool msi_vector_pending(const struct msi_vector *v);

#endif
