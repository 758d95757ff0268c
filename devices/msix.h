/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MSI-X for an emulated PCI device (PCI Local Bus 3.0 6.8.2; PCIe 6.0
 * 7.7.2): the capability, the vector table and pending-bit array in a BAR,
 * per-vector and function masking, and delivery through KVM: each vector
 * has an MSI route and an irqfd, so signalling it is one eventfd write.
 */
#ifndef URSA_DEVICES_MSIX_H
#define URSA_DEVICES_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/bus.h"

struct irq_router;
struct pci_device;

#define MSIX_MAX_VECTORS	64
#define MSIX_ENTRY_SIZE		16
#define MSIX_NO_VECTOR		0xffff

/* A table entry's dwords (PCIe 6.0 figure 7-36). */
enum { MSIX_ADDR_LO, MSIX_ADDR_HI, MSIX_DATA, MSIX_VECTOR_CTRL };

struct msix_vector {
	uint32_t entry[4];
	bool pending;
	int gsi;	/* -1 without an in-kernel irqchip */
	int efd;	/* irqfd bound to gsi */
};

struct msix {
	pthread_mutex_t lock;
	struct pci_device *pci;
	struct irq_router *router;
	int vm_fd;
	uint8_t cap;			/* capability offset in config space */
	uint16_t ctrl;			/* message control, as last written */
	unsigned int nr_vectors;
	struct msix_vector vec[MSIX_MAX_VECTORS];
};

/*
 * Add the capability to pci (table at table_offset and the PBA at
 * pba_offset of BAR bir) and set up a route and irqfd per vector. Without
 * an in-kernel irqchip (router->irqchip false) vectors cannot be delivered;
 * the guest may still program them. 0, or -1 with err.
 */
int msix_init(struct msix *m, struct pci_device *pci, unsigned int nr_vectors,
	      unsigned int bir, uint32_t table_offset, uint32_t pba_offset,
	      struct irq_router *router, int vm_fd, char *err, size_t errlen);
void msix_destroy(struct msix *m);

/* Whether the guest has enabled MSI-X (message control bit 15). */
bool msix_enabled(struct msix *m);

/* Signal vector v: delivered now, or left pending while masked. Returns
 * false if MSI-X is disabled or v is out of range (the caller may fall
 * back to INTx). */
bool msix_notify(struct msix *m, unsigned int v);

/* Accesses to the table and PBA, offset relative to each's start. */
void msix_table_read(struct msix *m, uint64_t offset, uint8_t *data, unsigned int size);
void msix_table_write(struct msix *m, uint64_t offset, const uint8_t *data,
		      unsigned int size);
void msix_pba_read(struct msix *m, uint64_t offset, uint8_t *data, unsigned int size);

/* From the device's config_written hook: the guest wrote config space. */
void msix_config_written(struct msix *m, unsigned int offset, unsigned int size);

/* Device reset: every vector masked, nothing pending, MSI-X disabled. */
void msix_reset(struct msix *m);

#endif
