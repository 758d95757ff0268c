// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vfio/config.h"
#include "vfio/device.h"
#include "vfio/irq.h"
#include "vmm/irq.h"
#include "vmm/log.h"

static void report(struct vfio_irqs *q, const char *what, int ret)
{
	if (ret)
		log_error("%s: %s: %s", q->name, what, strerror(-ret));
}

static void intx_enable(struct vfio_irqs *q, bool on)
{
	int ret;

	if (q->intx_gsi < 0 || on == q->intx_on)
		return;
	if (!on) {
		report(q, "INTx off", vfio_device_set_irqs(q->dev, VFIO_PCI_INTX_IRQ_INDEX,
			VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL));
		q->intx_on = false;
		return;
	}
	ret = vfio_device_set_irqs(q->dev, VFIO_PCI_INTX_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &q->intx_efd);
	if (!ret)
		ret = vfio_device_set_irqs(q->dev, VFIO_PCI_INTX_IRQ_INDEX,
					   VFIO_IRQ_SET_ACTION_UNMASK, 0, 1,
					   &q->intx_resample_efd);
	report(q, "INTx on", ret);
	q->intx_on = !ret;
}

static int setup_intx(struct vfio_irqs *q, int gsi, char *err, size_t errlen)
{
	int ret;

	q->intx_efd = eventfd(0, EFD_CLOEXEC);
	q->intx_resample_efd = eventfd(0, EFD_CLOEXEC);
	if (q->intx_efd < 0 || q->intx_resample_efd < 0) {
		set_error(err, errlen, "%s: INTx: eventfd: %s", q->name, strerror(errno));
		return -1;
	}
	ret = irq_irqfd_resample(q->router->vm_fd, q->intx_efd, q->intx_resample_efd,
				 gsi, true);
	if (ret) {
		set_error(err, errlen, "%s: INTx on GSI %d: KVM_IRQFD: %s", q->name, gsi,
			  strerror(-ret));
		return -1;
	}
	q->intx_gsi = gsi;
	intx_enable(q, true);
	if (!q->intx_on) {
		set_error(err, errlen, "%s: INTx: VFIO_DEVICE_SET_IRQS refused", q->name);
		return -1;
	}
	return 0;
}

int vfio_irqs_init(struct vfio_irqs *q, const char *name,
		   struct vfio_device *dev, const struct vfio_config *config,
		   struct irq_router *router, int intx_gsi, char *err,
		   size_t errlen)
{
	*q = (struct vfio_irqs){
		.name = name, .dev = dev, .router = router,
		.msi = { .efd = -1, .gsi = -1 },
		.intx_gsi = -1, .intx_efd = -1, .intx_resample_efd = -1,
	};
	if (config->msi && dev->irq_count[VFIO_PCI_MSI_IRQ_INDEX]) {
		if (msi_vector_init(&q->msi, router, name, 0, err, errlen))
			return -1;
		q->has_msi = true;
	}
	if (config->msix && dev->irq_count[VFIO_PCI_MSIX_IRQ_INDEX]) {
		if (msix_table_init(&q->msix, name, config->msix_vectors, router,
				    err, errlen)) {
			msix_destroy(&q->msix);
			return -1;
		}
		q->has_msix = true;
	}
	if (intx_gsi >= 0 && router->irqchip && dev->irq_count[VFIO_PCI_INTX_IRQ_INDEX])
		return setup_intx(q, intx_gsi, err, errlen);
	return 0;
}

void vfio_irqs_destroy(struct vfio_irqs *q)
{
	if (q->msix_on)
		vfio_device_set_irqs(q->dev, VFIO_PCI_MSIX_IRQ_INDEX,
				     VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
	if (q->msi_on)
		vfio_device_set_irqs(q->dev, VFIO_PCI_MSI_IRQ_INDEX,
				     VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
	q->msix_on = q->msi_on = false;
	intx_enable(q, false);
	if (q->intx_gsi >= 0)
		irq_irqfd_resample(q->router->vm_fd, q->intx_efd, q->intx_resample_efd,
				   q->intx_gsi, false);
	if (q->intx_efd >= 0)
		close(q->intx_efd);
	if (q->intx_resample_efd >= 0)
		close(q->intx_resample_efd);
	if (q->has_msix)
		msix_destroy(&q->msix);
	msi_vector_destroy(&q->msi, q->router);
	q->has_msi = q->has_msix = false;
	q->intx_gsi = q->intx_efd = q->intx_resample_efd = -1;
}

void vfio_irqs_msi_written(struct vfio_irqs *q, const struct vfio_msi_state *s)
{
	if (!q->has_msi)
		return;
	if (s->enabled && !q->msi_on) {
		int ret;

		intx_enable(q, false);
		ret = vfio_device_set_irqs(q->dev, VFIO_PCI_MSI_IRQ_INDEX,
					   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &q->msi.efd);
		report(q, "MSI on", ret);
		q->msi_on = !ret;
	}
	msi_vector_update(&q->msi, q->router, s->enabled && !s->masked,
			  s->address, s->data);
	if (!s->enabled && q->msi_on) {
		report(q, "MSI off", vfio_device_set_irqs(q->dev, VFIO_PCI_MSI_IRQ_INDEX,
			VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL));
		q->msi_on = false;
		intx_enable(q, true);
	}
}

uint32_t vfio_irqs_msi_pending(struct vfio_irqs *q)
{
	return q->has_msi && msi_vector_pending(&q->msi);
}

void vfio_irqs_msix_control(struct vfio_irqs *q, uint16_t ctrl)
{
	bool enable = ctrl & MSIX_CTRL_ENABLE;

	if (!q->has_msix)
		return;
	if (enable && !q->msix_on) {
		int *fds = calloc(q->msix.nr_vectors, sizeof(*fds));
		int ret = -ENOMEM;

		intx_enable(q, false);
		if (fds) {
			for (unsigned int v = 0; v < q->msix.nr_vectors; v++)
				fds[v] = msix_vector_eventfd(&q->msix, v);
			ret = vfio_device_set_irqs(q->dev, VFIO_PCI_MSIX_IRQ_INDEX,
						   VFIO_IRQ_SET_ACTION_TRIGGER, 0,
						   q->msix.nr_vectors, fds);
			free(fds);
		}
		report(q, "MSI-X on", ret);
		q->msix_on = !ret;
	}
	msix_set_control(&q->msix, ctrl);
	if (!enable && q->msix_on) {
		report(q, "MSI-X off", vfio_device_set_irqs(q->dev, VFIO_PCI_MSIX_IRQ_INDEX,
			VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL));
		q->msix_on = false;
		intx_enable(q, true);
	}
}
