// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/irq.h"
#include "vmm/kvm_uapi.h"

#define PIC_PINS		16
#define IOAPIC_PINS		24
#define ISA_CASCADE_IRQ		2
#define ISA_TIMER_IOAPIC_PIN	2

static int commit_routes(struct irq_router *r);

int irq_router_init(struct irq_router *r, int vm_fd, bool irqchip)
{
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->vm_fd = vm_fd;
	r->irqchip = irqchip;
	pthread_mutex_init(&r->lock, NULL);
	if (irqchip) {
		pthread_mutex_lock(&r->lock);
		ret = commit_routes(r);
		pthread_mutex_unlock(&r->lock);
	}
	return ret;
}

void irq_router_destroy(struct irq_router *r)
{
	pthread_mutex_destroy(&r->lock);
}

int irq_msi_alloc(struct irq_router *r)
{
	int gsi = -ENOSPC;

	if (!r->irqchip)
		return -ENODEV;
	pthread_mutex_lock(&r->lock);
	for (int i = 0; i < IRQ_MAX_MSI; i++) {
		if (!r->msi[i].used) {
			r->msi[i] = (struct irq_msi_route){ .used = true };
			gsi = IRQ_FIRST_MSI_GSI + i;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return gsi;
}

/* Called with r->lock held (or before anyone else can see r). */
static int commit_routes(struct irq_router *r)
{
	size_t max = PIC_PINS + IOAPIC_PINS + IRQ_MAX_MSI;
	struct kvm_irq_routing *t;
	unsigned int n = 0;
	int ret = 0;

	t = calloc(1, sizeof(*t) + max * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	/* ISA IRQs reach the 8259s at their own pins; IRQ 2 is the
	 * cascade from the slave, so nothing is routed there. */
	for (unsigned int irq = 0; irq < PIC_PINS; irq++) {
		if (irq == ISA_CASCADE_IRQ)
			continue;
		t->entries[n++] = (struct kvm_irq_routing_entry){
			.gsi = irq,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { irq < 8 ? KVM_IRQCHIP_PIC_MASTER :
					       KVM_IRQCHIP_PIC_SLAVE, irq % 8 },
		};
	}
	/* IOAPIC: GSI n to pin n, but ISA IRQ 0 to pin 2 (see irq.h). */
	for (unsigned int gsi = 0; gsi < IOAPIC_PINS; gsi++) {
		if (gsi == ISA_CASCADE_IRQ)
			continue;
		t->entries[n++] = (struct kvm_irq_routing_entry){
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { KVM_IRQCHIP_IOAPIC, gsi ? gsi : ISA_TIMER_IOAPIC_PIN },
		};
	}
	for (unsigned int i = 0; i < IRQ_MAX_MSI; i++) {
		if (!r->msi[i].used)
			continue;
		t->entries[n++] = (struct kvm_irq_routing_entry){
			.gsi = IRQ_FIRST_MSI_GSI + i,
			.type = KVM_IRQ_ROUTING_MSI,
			.u.msi = {
				.address_lo = (uint32_t)r->msi[i].address,
				.address_hi = r->msi[i].address >> 32,
				.data = r->msi[i].data,
			},
		};
	}
	t->nr = n;
	if (ioctl(r->vm_fd, KVM_SET_GSI_ROUTING, t))
		ret = -errno;
	free(t);
	return ret;
}

int irq_msi_set(struct irq_router *r, int gsi, uint64_t address, uint32_t data)
{
	int i = gsi - IRQ_FIRST_MSI_GSI;
	int ret;

	if (i < 0 || i >= IRQ_MAX_MSI)
		return -EINVAL;
	pthread_mutex_lock(&r->lock);
	if (!r->msi[i].used) {
		ret = -EINVAL;
	} else if (r->msi[i].address == address && r->msi[i].data == data) {
		ret = 0;
	} else {
		r->msi[i].address = address;
		r->msi[i].data = data;
		ret = commit_routes(r);
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int irq_irqfd(int vm_fd, int efd, int gsi, bool assign)
{
	struct kvm_irqfd fd = {
		.fd = efd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	return ioctl(vm_fd, KVM_IRQFD, &fd) ? -errno : 0;
}

int irq_irqfd_resample(int vm_fd, int efd, int resample_fd, int gsi,
		       bool assign)
{
	struct kvm_irqfd fd = {
		.fd = efd,
		.gsi = gsi,
		.flags = assign ? KVM_IRQFD_FLAG_RESAMPLE : KVM_IRQFD_FLAG_DEASSIGN,
		.resamplefd = resample_fd,
	};

	return ioctl(vm_fd, KVM_IRQFD, &fd) ? -errno : 0;
}

int irq_line(int vm_fd, unsigned int gsi, bool level)
{
	struct kvm_irq_level line = { .irq = gsi, .level = level };

	return ioctl(vm_fd, KVM_IRQ_LINE, &line) ? -errno : 0;
}

int irq_ioeventfd(int vm_fd, int efd, uint64_t addr, unsigned int len,
		  bool pio, bool assign)
{
	struct kvm_ioeventfd io = {
		.addr = addr,
		.len = len,
		.fd = efd,
		.flags = (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	return ioctl(vm_fd, KVM_IOEVENTFD, &io) ? -errno : 0;
}
