/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MSI-X (PCI Local Bus 3.0 6.8.2; PCIe 6.0 7.7.2): the vector table and
 * pending-bit array a guest programs, per-vector and function masking,
 * and delivery through KVM (devices/msi_vector.h), so that raising a
 * vector is one eventfd write, by ursa's own device models or by an
 * assigned device through VFIO.
 *
 * msix_init() also adds the capability to an emulated device's config
 * space; an assigned device has its own and drives msix_set_control().
 */
#ifndef URSA_DEVICES_MSIX_H
#define URSA_DEVICES_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/msi_vector.h"

struct irq_router;
struct pci_device;

#define MSIX_MAX_VECTORS	256
#define MSIX_ENTRY_SIZE		16
#define MSIX_NO_VECTOR		0xffff

/* A table entry's dwords (PCIe 6.0 figure 7-36). */
enum { MSIX_ADDR_LO, MSIX_ADDR_HI, MSIX_DATA, MSIX_VECTOR_CTRL };

/* Message control bits (PCIe 6.0 7.7.2.2). */
#define MSIX_CTRL_MASKALL	0x4000
#define MSIX_CTRL_ENABLE	0x8000

struct msix_entry {
	uint32_t dw[4];			/* as the guest wrote them */
	struct msi_vector vec;
};

struct msix {
	pthread_mutex_t lock;
	const char *name;		/* for messages */
	struct irq_router *router;
	uint16_t ctrl;			/* MSIX_CTRL_* as last written */
	unsigned int nr_vectors;
	struct msix_entry *entries;	/* nr_vectors of them */
	struct pci_device *pci;		/* msix_init(): the emulated device */
	uint8_t cap;			/* and the capability's offset */
};

/*
 * A table of nr_vectors (1..MSIX_MAX_VECTORS), all masked, MSI-X
 * disabled. Without an in-kernel irqchip (router->irqchip false) vectors
 * cannot be delivered; the guest may still program them. 0, or -1 with err.
 */
int msix_table_init(struct msix *m, const char *name, unsigned int nr_vectors,
		    struct irq_router *router, char *err, size_t errlen);

/* msix_table_init(), and the capability added to pci: table at
 * table_offset and the PBA at pba_offset of BAR bir. */
int msix_init(struct msix *m, struct pci_device *pci, unsigned int nr_vectors,
	      unsigned int bir, uint32_t table_offset, uint32_t pba_offset,
	      struct irq_router *router, char *err, size_t errlen);
void msix_destroy(struct msix *m);

/* The guest wrote message control: MSIX_CTRL_ENABLE and _MASKALL. */
void msix_set_control(struct msix *m, uint16_t ctrl);

/* The eventfd that raises vector v (v < nr_vectors), for VFIO. */
int msix_vector_eventfd(struct msix *m, unsigned int v);

/* Whether the guest has enabled MSI-X (message control bit 15). */
bool msix_enabled(struct msix *m);

/* Raise vector v: delivered now, or left pending while masked. Returns
 * false if MSI-X is disabled or v is out of range (the caller may fall
 * back to INTx). */
bool msix_notify(struct msix *m, unsigned int v);

/* Accesses to the table and PBA, offset relative to each's start. */
void msix_table_read(struct msix *m, uint64_t offset, uint8_t *data, unsigned int size);
void msix_table_write(struct msix *m, uint64_t offset, const uint8_t *data,
		      unsigned int size);
void msix_pba_read(struct msix *m, uint64_t offset, uint8_t *data, unsigned int size);

/* From an emulated device's config_written hook: the guest wrote config
 * space (msix_init() devices only). */
void msix_config_written(struct msix *m, unsigned int offset, unsigned int size);

/* Device reset: every vector masked, nothing pending, MSI-X disabled. */
void msix_reset(struct msix *m);

#endif
