// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/msi_vector.h"
#include "vmm/irq.h"
#include "vmm/log.h"

int msi_vector_init(struct msi_vector *v, struct irq_router *router,
		    const char *owner, unsigned int index, char *err,
		    size_t errlen)
{
	*v = (struct msi_vector){ .efd = -1, .gsi = -1 };
	v->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->efd < 0) {
		set_error(err, errlen, "%s: vector %u: eventfd: %s", owner, index,
			  strerror(errno));
		return -1;
	}
	if (!router->irqchip)
		return 0;
	v->gsi = irq_msi_alloc(router);
	if (v->gsi < 0) {
		set_error(err, errlen, "%s: vector %u: no GSI for its route: %s",
			  owner, index, strerror(-v->gsi));
		return -1;
	}
	return 0;
}

void msi_vector_destroy(struct msi_vector *v, struct irq_router *router)
{
	if (v->attached)
		irq_irqfd(router->vm_fd, v->efd, v->gsi, false);
	if (v->efd >= 0)
		close(v->efd);
	v->efd = -1;
	v->attached = false;
}

/* Take every message out of the eventfd; returns how many there were. */
static uint64_t drain(struct msi_vector *v)
{
	uint64_t n = 0;

	if (read(v->efd, &n, sizeof(n)) != sizeof(n))
		return 0;	/* EAGAIN: none */
	return n;
}

void msi_vector_raise(struct msi_vector *v)
{
	uint64_t one = 1;

	if (write(v->efd, &one, sizeof(one)) != sizeof(one))
		log_error("MSI vector: eventfd write: %s", strerror(errno));
}

void msi_vector_update(struct msi_vector *v, struct irq_router *router,
		       bool live, uint64_t address, uint32_t data)
{
	int ret = 0;

	if (live && v->gsi >= 0)
		ret = irq_msi_set(router, v->gsi, address, data);
	if (live && !v->live) {
		bool waiting = drain(v);

		if (!ret && v->gsi >= 0 && !v->attached) {
			ret = irq_irqfd(router->vm_fd, v->efd, v->gsi, true);
			v->attached = !ret;
		}
		/* KVM would also deliver a count found at attach time
		 * (kvm_irqfd_assign() polls the eventfd), but only older
		 * kernels leave counts behind; raise it afresh instead. */
		if (waiting && v->attached)
			msi_vector_raise(v);
	} else if (!live && v->live) {
		/*
		 * What is in the counter now was delivered (or, without an
		 * irqchip, had nowhere to go). Emptied before the irqfd goes:
		 * a message raised in between is delivered and also left
		 * pending, a spurious interrupt rather than a lost one.
		 */
		drain(v);
		if (v->attached) {
			ret = irq_irqfd(router->vm_fd, v->efd, v->gsi, false);
			v->attached = false;
		}
	}
	v->live = live;
	if (ret)
		log_error("MSI GSI %d: %s", v->gsi, strerror(-ret));
}

void msi_vector_discard(struct msi_vector *v)
{
	drain(v);
}

bool msi_vector_pending(const struct msi_vector *v)
{
	struct pollfd p = { .fd = v->efd, .events = POLLIN };

	return !v->live && poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}
