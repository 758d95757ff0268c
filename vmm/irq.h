/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt plumbing into KVM: MSI routes and irqfds, INTx lines, and
 * ioeventfds for doorbells.
 *
 * The router owns the whole GSI routing table (KVM_SET_GSI_ROUTING always
 * replaces all of it): the PC's ISA and PCI routes plus one MSI route per
 * vector in use, re-sent on every change. The ISA routes differ from
 * KVM's built-in default (arch/x86/kvm/irq_comm.c, GSI n to IOAPIC pin n)
 * in one place: GSI 0, where KVM's PIT raises ISA IRQ 0, goes to IOAPIC
 * pin 2, as the MADT's interrupt source override tells the guest (ACPI
 * 6.5 5.2.12.5). Without that, a guest that falls back from the LAPIC
 * timer to the PIT programs pin 2 and never sees a tick.
 */
#ifndef URSA_VMM_IRQ_H
#define URSA_VMM_IRQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* GSIs for MSI routes start above the IOAPIC's 24 pins. */
#define IRQ_FIRST_MSI_GSI	24
#define IRQ_MAX_MSI		1024

struct irq_msi_route {
	bool used;
	uint64_t address;
	uint32_t data;
};

struct irq_router {
	int vm_fd;
	bool irqchip;		/* false: no in-kernel irqchip, nothing to route */
	pthread_mutex_t lock;
	struct irq_msi_route msi[IRQ_MAX_MSI];
};

/* With an irqchip, installs the PC routes. 0, or -errno. */
int irq_router_init(struct irq_router *r, int vm_fd, bool irqchip);
void irq_router_destroy(struct irq_router *r);

/* A new GSI for an MSI route (address 0 until set). -ENOSPC, -ENODEV
 * without an irqchip, or the GSI. */
int irq_msi_alloc(struct irq_router *r);
/* Point gsi at the MSI message (address, data). 0 or -errno. */
int irq_msi_set(struct irq_router *r, int gsi, uint64_t address, uint32_t data);

/* Signal gsi when efd is written (KVM_IRQFD). 0 or -errno. */
int irq_irqfd(int vm_fd, int efd, int gsi, bool assign);

/* A level-triggered line through irqfds (KVM_IRQFD_FLAG_RESAMPLE): efd
 * asserts gsi; when the guest EOIs it, KVM deasserts the line and signals
 * resample_fd. 0 or -errno. */
int irq_irqfd_resample(int vm_fd, int efd, int resample_fd, int gsi,
		       bool assign);

/* Set the level of an IOAPIC/PIC input (KVM_IRQ_LINE). 0 or -errno. */
int irq_line(int vm_fd, unsigned int gsi, bool level);

/* Make a guest write of len bytes at addr (MMIO, or port I/O when pio)
 * signal efd inside KVM, without an exit (KVM_IOEVENTFD). 0 or -errno. */
int irq_ioeventfd(int vm_fd, int efd, uint64_t addr, unsigned int len,
		  bool pio, bool assign);

#endif
