/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A host PCI function passed through to the guest (ursa run --vfio): the
 * vfio-pci device as a function on the guest's PCI bus, with its config
 * space virtualized (config.h), its BARs (bar.h) and interrupts (irq.h).
 */
#ifndef URSA_VFIO_PCI_H
#define URSA_VFIO_PCI_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/pci.h"
#include "vfio/bar.h"
#include "vfio/config.h"
#include "vfio/device.h"
#include "vfio/irq.h"

struct bus;
struct guest_memory;
struct irq_router;
struct vfio_container;

/*
 * When a COMMAND write that turns memory decoding off reaches the device
 * relative to the BARs' memslots going: ursa's order (memslots first,
 * never a window in which a vCPU can touch a zapped mapping), or QEMU's
 * and kvmtool's (the write first), which exists to reproduce the crash.
 */
enum vfio_bar_order { VFIO_BAR_ORDER_SAFE, VFIO_BAR_ORDER_QEMU };

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
	/* Bumped whenever vfio-pci may have zapped a BAR mapping (memory
	 * decoding went off); shared by the VM's devices. */
	atomic_ulong *zaps;
	/* Where the device's request interrupt is watched, and who is told
	 * when the host wants the device back (hot-unplug, unbind). */
	struct loop *loop;
	void (*host_request)(void *opaque, const char *name);
	/* NULL, or: BAR memslots are added only by vfio_pci_map_bars(), which
	 * this asks for (vfio_bars_defer_maps()); called with locks held. */
	void (*map_bars_later)(void *opaque);
	void *opaque;
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
	enum vfio_bar_order order;
	atomic_ulong *zaps;
	/* The device decodes nothing whatever COMMAND says: in D3hot, or in
	 * an FLR the guest started (PCIe 6.0 5.3.1.4.1, 6.6.2). */
	bool in_d3hot, in_flr;
	int request_fd;			/* eventfd of VFIO's request IRQ, or -1 */
	void (*host_request)(void *opaque, const char *name);
	void *opaque;
};

/*
 * Open bdf (bound to vfio-pci) in container, reset it, and put it in the
 * guest's slot (1-31). Every failure is one line in err naming bdf and the
 * cause. On failure vp holds nothing and needs no destroy.
 */
int vfio_pci_create(struct vfio_pci *vp, const char *bdf, unsigned int slot,
		    enum vfio_bar_order order, struct vfio_container *container,
		    const struct vfio_pci_env *env, char *err, size_t errlen);

/*
 * KVM_RUN failed with EFAULT. With have_gpa (KVM_EXIT_MEMORY_FAULT), if
 * gpa lies in one of vp's BARs, demote that BAR according to whether the
 * device decodes memory now; without, if the device does not decode memory
 * now (its mappings are zapped), demote every MAPPED BAR. Returns whether
 * vp explains the fault, i.e. whether re-running the instruction is the
 * right answer.
 */
bool vfio_pci_recover_fault(struct vfio_pci *vp, bool have_gpa, uint64_t gpa);

/* Add the memslots map_bars_later asked for; no vCPU may be in KVM_RUN. */
void vfio_pci_map_bars(struct vfio_pci *vp);

/* One line on the device's state for a diagnosis: COMMAND and BARs. */
void vfio_pci_describe(struct vfio_pci *vp, char *buf, size_t len);

/* Interrupts off, BARs unmapped, the device reset and closed. */
void vfio_pci_destroy(struct vfio_pci *vp);

#endif
