// SPDX-License-Identifier: GPL-2.0-only
/* MSI-X: capability layout, table and PBA accesses of any size, masking
 * and pending bits, function mask and enable (PCIe 6.0 7.7.2). Without an
 * in-kernel irqchip nothing is delivered, so "delivered" shows as a
 * pending bit that clears. */
#include "check.h"
#include "devices/msix.h"
#include "devices/pci.h"
#include "vmm/bytes.h"
#include "vmm/irq.h"

static struct msix m;
static struct pci_device pci;

static uint32_t table_read32(uint64_t off)
{
	uint8_t d[4];

	msix_table_read(&m, off, d, 4);
	return le_load(d, 4);
}

static void table_write32(uint64_t off, uint32_t v)
{
	uint8_t d[4];

	le_store(d, 4, v);
	msix_table_write(&m, off, d, 4);
}

static uint64_t pba(void)
{
	uint8_t d[8];

	msix_pba_read(&m, 0, d, 8);
	return le_load(d, 8);
}

/* What the PCI layer does for a guest config write: store, then hook. */
static void set_control(uint16_t v)
{
	pci_set_u16(pci.cfg, m.cap + 2, (pci_get_u16(pci.cfg, m.cap + 2) & ~0xc000) |
		    (v & 0xc000));
	msix_config_written(&m, m.cap + 2, 2);
}

int main(void)
{
	struct irq_router router;
	char err[256];
	uint8_t d[8];

	CHECK(!irq_router_init(&router, -1, false));
	pci_device_init(&pci, "t", 0x1af4, 0x1042, 0, 0x1af4, 2);
	CHECK(!msix_init(&m, &pci, 3, 0, 0x4000, 0x5000, &router, err, sizeof(err)));

	/* Capability: id, table size N-1, BIR and offsets; only the two
	 * control bits writable. */
	CHECK_EQ_U64(pci.cfg[m.cap], 0x11);
	CHECK_EQ_U64(pci_get_u16(pci.cfg, m.cap + 2), 2);
	CHECK_EQ_U64(pci_get_u16(pci.wmask, m.cap + 2), 0xc000);
	CHECK_EQ_U64(pci_get_u32(pci.cfg, m.cap + 4), 0x4000);
	CHECK_EQ_U64(pci_get_u32(pci.cfg, m.cap + 8), 0x5000);

	/* Reset state: every vector masked, nothing pending. */
	for (unsigned int v = 0; v < 3; v++)
		CHECK_EQ_U64(table_read32(16 * v + 12), 1);
	CHECK_EQ_U64(pba(), 0);

	/* Disabled MSI-X takes no notification (the device falls back). */
	CHECK(!msix_notify(&m, 0));
	set_control(0x8000);
	CHECK(msix_enabled(&m));
	CHECK(!msix_notify(&m, 3));		/* no such vector */

	/* Masked: the notification waits as a pending bit. */
	table_write32(16 * 1 + 0, 0xfee00003);	/* address bits 1:0 read as 0 */
	table_write32(16 * 1 + 4, 0);
	table_write32(16 * 1 + 8, 0x4041);
	CHECK_EQ_U64(table_read32(16 * 1 + 0), 0xfee00000);
	CHECK(msix_notify(&m, 1));
	CHECK_EQ_U64(pba(), 1u << 1);
	/* Unmasking delivers it. Vector control keeps only its mask bit. */
	table_write32(16 * 1 + 12, 0xfffffffe);
	CHECK_EQ_U64(table_read32(16 * 1 + 12), 0);
	CHECK_EQ_U64(pba(), 0);
	CHECK(msix_notify(&m, 1));
	CHECK_EQ_U64(pba(), 0);

	/* Function mask holds every vector; clearing it releases them. */
	set_control(0xc000);
	CHECK(msix_notify(&m, 1));
	CHECK(msix_notify(&m, 2));
	CHECK_EQ_U64(pba(), 0x6);
	set_control(0x8000);
	CHECK_EQ_U64(pba(), 1u << 2);		/* vector 2 is still masked */

	/* Any size and offset: bytes of an entry, beyond the table. */
	msix_table_read(&m, 16 * 1 + 8, d, 2);
	CHECK_EQ_U64(le_load(d, 2), 0x4041);
	msix_table_read(&m, 16 * 1 + 10, d, 1);
	CHECK_EQ_U64(d[0], 0);
	le_store(d, 8, ~0ull);
	msix_table_write(&m, 16 * 3, d, 8);	/* past the last entry: ignored */
	msix_table_read(&m, 16 * 3, d, 8);
	CHECK_EQ_U64(le_load(d, 8), 0);
	le_store(d, 8, ~0ull);
	msix_table_write(&m, 16 * 2 + 12, d, 1);	/* mask bit of vector 2 */
	CHECK_EQ_U64(table_read32(16 * 2 + 12), 1);

	/* Reset: masked, not pending, disabled. */
	msix_reset(&m);
	CHECK(!msix_enabled(&m));
	CHECK_EQ_U64(pba(), 0);
	CHECK_EQ_U64(table_read32(16 * 1 + 12), 1);
	CHECK_EQ_U64(table_read32(16 * 1 + 8), 0);

	msix_destroy(&m);
	irq_router_destroy(&router);
	return check_report("msix");
}
