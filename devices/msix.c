// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "devices/msix.h"
#include "devices/pci.h"
#include "vmm/log.h"

#define PCI_CAP_ID_MSIX		0x11
#define MSIX_CAP_LEN		12
#define MSIX_CTRL		2	/* message control, in the capability */
#define MSIX_VECTOR_MASKED	0x1	/* vector control bit 0 */

/* Called with m->lock held: bring vector v's delivery in line with the
 * enable and mask bits and the message the guest programmed. */
static void sync_vector(struct msix *m, unsigned int v)
{
	struct msix_entry *e = &m->entries[v];
	bool live = (m->ctrl & MSIX_CTRL_ENABLE) && !(m->ctrl & MSIX_CTRL_MASKALL) &&
		    !(e->dw[MSIX_VECTOR_CTRL] & MSIX_VECTOR_MASKED);

	msi_vector_update(&e->vec, m->router, live,
			  (uint64_t)e->dw[MSIX_ADDR_HI] << 32 | e->dw[MSIX_ADDR_LO],
			  e->dw[MSIX_DATA]);
}

static void sync_all(struct msix *m)
{
	for (unsigned int v = 0; v < m->nr_vectors; v++)
		sync_vector(m, v);
}

int msix_table_init(struct msix *m, const char *name, unsigned int nr_vectors,
		    struct irq_router *router, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->name = name;
	m->router = router;
	if (!nr_vectors || nr_vectors > MSIX_MAX_VECTORS) {
		set_error(err, errlen, "%s: cannot have MSI-X with %u vectors", name,
			  nr_vectors);
		return -1;
	}
	m->entries = calloc(nr_vectors, sizeof(*m->entries));
	if (!m->entries) {
		set_error(err, errlen, "%s: out of memory for MSI-X", name);
		return -1;
	}
	for (unsigned int v = 0; v < nr_vectors; v++) {
		m->entries[v].dw[MSIX_VECTOR_CTRL] = MSIX_VECTOR_MASKED;
		m->entries[v].vec.efd = -1;
	}
	/* Counted as they come up, so that msix_destroy() undoes exactly
	 * what was done. */
	for (unsigned int v = 0; v < nr_vectors; v++) {
		if (msi_vector_init(&m->entries[v].vec, router, name, v, err, errlen))
			return -1;
		m->nr_vectors = v + 1;
	}
	return 0;
}

int msix_init(struct msix *m, struct pci_device *pci, unsigned int nr_vectors,
	      unsigned int bir, uint32_t table_offset, uint32_t pba_offset,
	      struct irq_router *router, char *err, size_t errlen)
{
	uint8_t cap;

	if (msix_table_init(m, pci->name, nr_vectors, router, err, errlen))
		return -1;
	cap = pci_device_add_capability(pci, PCI_CAP_ID_MSIX, MSIX_CAP_LEN);
	if (!cap) {
		set_error(err, errlen, "%s: no room for the MSI-X capability", pci->name);
		return -1;
	}
	m->pci = pci;
	m->cap = cap;
	/* Table size is encoded as N - 1; only the two control bits are writable. */
	pci_set_u16(pci->cfg, cap + MSIX_CTRL, nr_vectors - 1);
	pci_set_u16(pci->wmask, cap + MSIX_CTRL, MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	pci_set_u32(pci->cfg, cap + 4, table_offset | bir);
	pci_set_u32(pci->cfg, cap + 8, pba_offset | bir);
	return 0;
}

void msix_destroy(struct msix *m)
{
	for (unsigned int v = 0; v < m->nr_vectors; v++)
		msi_vector_destroy(&m->entries[v].vec, m->router);
	free(m->entries);
	m->entries = NULL;
	m->nr_vectors = 0;
	pthread_mutex_destroy(&m->lock);
}

void msix_set_control(struct msix *m, uint16_t ctrl)
{
	pthread_mutex_lock(&m->lock);
	m->ctrl = ctrl & (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	sync_all(m);
	pthread_mutex_unlock(&m->lock);
}

int msix_vector_eventfd(struct msix *m, unsigned int v)
{
	return m->entries[v].vec.efd;
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
	bool taken;

	pthread_mutex_lock(&m->lock);
	taken = (m->ctrl & MSIX_CTRL_ENABLE) && v < m->nr_vectors;
	if (taken)
		msi_vector_raise(&m->entries[v].vec);
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
	return &m->entries[v].dw[(offset % MSIX_ENTRY_SIZE) / 4];
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
		struct msix_entry *e;

		if (!dw)
			continue;
		*dw = (*dw & ~(0xffu << shift)) | (uint32_t)data[i] << shift;
		/* Address bits 1:0 are zero; vector control has only the mask bit. */
		e = &m->entries[off / MSIX_ENTRY_SIZE];
		e->dw[MSIX_ADDR_LO] &= ~3u;
		e->dw[MSIX_VECTOR_CTRL] &= MSIX_VECTOR_MASKED;
		/* Once per entry touched, after its last byte here. */
		if (i + 1 == size || (off + 1) % MSIX_ENTRY_SIZE == 0)
			sync_vector(m, off / MSIX_ENTRY_SIZE);
	}
	pthread_mutex_unlock(&m->lock);
}

void msix_pba_read(struct msix *m, uint64_t offset, uint8_t *data, unsigned int size)
{
	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < size; i++) {
		uint8_t byte = 0;

		for (unsigned int bit = 0; bit < 8; bit++) {
			uint64_t v = (offset + i) * 8 + bit;

			if (v < m->nr_vectors && msi_vector_pending(&m->entries[v].vec))
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
	msix_set_control(m, pci_get_u16(m->pci->cfg, ctrl));
}

void msix_reset(struct msix *m)
{
	pthread_mutex_lock(&m->lock);
	m->ctrl = 0;
	if (m->pci)
		pci_set_u16(m->pci->cfg, m->cap + MSIX_CTRL, m->nr_vectors - 1);
	for (unsigned int v = 0; v < m->nr_vectors; v++) {
		memset(m->entries[v].dw, 0, sizeof(m->entries[v].dw));
		m->entries[v].dw[MSIX_VECTOR_CTRL] = MSIX_VECTOR_MASKED;
		sync_vector(m, v);
		msi_vector_discard(&m->entries[v].vec);
	}
	pthread_mutex_unlock(&m->lock);
}
