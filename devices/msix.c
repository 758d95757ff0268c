// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/msix.h"
#include "devices/pci.h"
#include "vmm/bytes.h"
#include "vmm/irq.h"
#include "vmm/log.h"

#define PCI_CAP_ID_MSIX		0x11
#define MSIX_CAP_LEN		12
#define MSIX_CTRL		2	/* message control, in the capability */
#define  MSIX_CTRL_MASKALL	0x4000
#define  MSIX_CTRL_ENABLE	0x8000
#define MSIX_VECTOR_MASKED	0x1	/* vector control bit 0 */

static bool vector_masked(const struct msix *m, unsigned int v)
{
	return (m->vec[v].entry[MSIX_VECTOR_CTRL] & MSIX_VECTOR_MASKED) ||
	       (m->ctrl & MSIX_CTRL_MASKALL);
}

/* Called with m->lock held: point the route at the message, then signal. */
static void deliver(struct msix *m, unsigned int v)
{
	struct msix_vector *x = &m->vec[v];
	uint64_t one = 1;

	if (x->gsi < 0)
		return;
	if (irq_msi_set(m->router, x->gsi,
			(uint64_t)x->entry[MSIX_ADDR_HI] << 32 | x->entry[MSIX_ADDR_LO],
			x->entry[MSIX_DATA]) ||
	    write(x->efd, &one, sizeof(one)) != sizeof(one))
		log_error("%s: MSI-X vector %u: delivery failed", m->pci->name, v);
}

/* Called with m->lock held: deliver what unmasking released. */
static void flush_pending(struct msix *m)
{
	if (!(m->ctrl & MSIX_CTRL_ENABLE))
		return;
	for (unsigned int v = 0; v < m->nr_vectors; v++) {
		if (m->vec[v].pending && !vector_masked(m, v)) {
			m->vec[v].pending = false;
			deliver(m, v);
		}
	}
}

int msix_init(struct msix *m, struct pci_device *pci, unsigned int nr_vectors,
	      unsigned int bir, uint32_t table_offset, uint32_t pba_offset,
	      struct irq_router *router, int vm_fd, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->pci = pci;
	m->router = router;
	m->vm_fd = vm_fd;
	m->nr_vectors = nr_vectors;
	for (unsigned int v = 0; v < MSIX_MAX_VECTORS; v++)
		m->vec[v] = (struct msix_vector){
			.entry[MSIX_VECTOR_CTRL] = MSIX_VECTOR_MASKED,
			.gsi = -1,
			.efd = -1,
		};
	m->cap = pci_device_add_capability(pci, PCI_CAP_ID_MSIX, MSIX_CAP_LEN);
	if (!m->cap || !nr_vectors || nr_vectors > MSIX_MAX_VECTORS) {
		set_error(err, errlen, "%s: cannot add MSI-X with %u vectors", pci->name,
			  nr_vectors);
		return -1;
	}
	/* Table size is encoded as N - 1; only the two control bits are writable. */
	pci_set_u16(pci->cfg, m->cap + MSIX_CTRL, nr_vectors - 1);
	pci_set_u16(pci->wmask, m->cap + MSIX_CTRL, MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	pci_set_u32(pci->cfg, m->cap + 4, table_offset | bir);
	pci_set_u32(pci->cfg, m->cap + 8, pba_offset | bir);
	if (!router->irqchip)
		return 0;
	for (unsigned int v = 0; v < nr_vectors; v++) {
		struct msix_vector *x = &m->vec[v];
		int ret;

		x->gsi = irq_msi_alloc(router);
		x->efd = eventfd(0, EFD_CLOEXEC);
		if (x->gsi < 0 || x->efd < 0) {
			set_error(err, errlen, "%s: MSI-X vector %u: %s", pci->name, v,
				  x->gsi < 0 ? strerror(-x->gsi) : strerror(errno));
			return -1;
		}
		ret = irq_irqfd(vm_fd, x->efd, x->gsi, true);
		if (ret) {
			set_error(err, errlen, "%s: MSI-X vector %u: KVM_IRQFD: %s",
				  pci->name, v, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

void msix_destroy(struct msix *m)
{
	for (unsigned int v = 0; v < m->nr_vectors; v++) {
		if (m->vec[v].efd < 0)
			continue;
		if (m->vec[v].gsi >= 0)
			irq_irqfd(m->vm_fd, m->vec[v].efd, m->vec[v].gsi, false);
		close(m->vec[v].efd);
	}
	pthread_mutex_destroy(&m->lock);
}

bool msix_enabled(struct msix *m)
{
	bool on;

	pthread_mutex_lock(&m->lock);
	on = m->ctrl & MSIX_CTRL_ENABLE;
	pthread_mutex_unlock(&m->lock);
	return on;
}

bool msix_notify(struct msix *m, unsigned int v)
{
	bool taken = false;

	pthread_mutex_lock(&m->lock);
	if ((m->ctrl & MSIX_CTRL_ENABLE) && v < m->nr_vectors) {
		taken = true;
		if (vector_masked(m, v))
			m->vec[v].pending = true;
		else
			deliver(m, v);
	}
	pthread_mutex_unlock(&m->lock);
	return taken;
}

/* The table is an array of 16-byte entries of four dwords; accesses are
 * taken byte by byte so that any size and alignment has a defined result.
 * Outside the table: reads 0, writes ignored. */
static uint32_t *table_dword(struct msix *m, uint64_t offset)
{
	uint64_t v = offset / MSIX_ENTRY_SIZE;

	if (v >= m->nr_vectors)
		return NULL;
	return &m->vec[v].entry[(offset % MSIX_ENTRY_SIZE) / 4];
}

void msix_table_read(struct msix *m, uint64_t offset, uint8_t *data, unsigned int size)
{
	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < size; i++) {
		uint32_t *dw = table_dword(m, offset + i);

		data[i] = dw ? *dw >> (8 * ((offset + i) % 4)) : 0;
	}
	pthread_mutex_unlock(&m->lock);
}

void msix_table_write(struct msix *m, uint64_t offset, const uint8_t *data,
		      unsigned int size)
{
	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < size; i++) {
		uint64_t off = offset + i;
		uint32_t *dw = table_dword(m, off);
		unsigned int shift = 8 * (off % 4);

		if (!dw)
			continue;
		*dw = (*dw & ~(0xffu << shift)) | (uint32_t)data[i] << shift;
		/* Address bits 1:0 are zero; vector control has only the mask bit. */
		m->vec[off / MSIX_ENTRY_SIZE].entry[MSIX_ADDR_LO] &= ~3u;
		m->vec[off / MSIX_ENTRY_SIZE].entry[MSIX_VECTOR_CTRL] &= MSIX_VECTOR_MASKED;
	}
	flush_pending(m);
	pthread_mutex_unlock(&m->lock);
}

void msix_pba_read(struct msix *m, uint64_t offset, uint8_t *data, unsigned int size)
{
	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < size; i++) {
		uint8_t byte = 0;

		for (unsigned int bit = 0; bit < 8; bit++) {
			uint64_t v = (offset + i) * 8 + bit;

			if (v < m->nr_vectors && m->vec[v].pending)
				byte |= 1 << bit;
		}
		data[i] = byte;
	}
	pthread_mutex_unlock(&m->lock);
}

void msix_config_written(struct msix *m, unsigned int offset, unsigned int size)
{
	unsigned int ctrl = m->cap + MSIX_CTRL;

	if (offset + size <= ctrl || offset >= ctrl + 2)
		return;
	pthread_mutex_lock(&m->lock);
	m->ctrl = pci_get_u16(m->pci->cfg, ctrl);
	flush_pending(m);
	pthread_mutex_unlock(&m->lock);
}

void msix_reset(struct msix *m)
{
	pthread_mutex_lock(&m->lock);
	m->ctrl = 0;
	pci_set_u16(m->pci->cfg, m->cap + MSIX_CTRL, m->nr_vectors - 1);
	for (unsigned int v = 0; v < m->nr_vectors; v++) {
		memset(m->vec[v].entry, 0, sizeof(m->vec[v].entry));
		m->vec[v].entry[MSIX_VECTOR_CTRL] = MSIX_VECTOR_MASKED;
		m->vec[v].pending = false;
	}
	pthread_mutex_unlock(&m->lock);
}
