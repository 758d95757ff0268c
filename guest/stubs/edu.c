// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu: a driver for QEMU's educational PCI device (QEMU docs/specs/edu.rst),
 * given to the guest with VFIO (ursa run --stub edu --vfio BDF). vCPU 0
 * reads the identification, checks liveness, has the device compute a
 * factorial, moves 2 KiB through the device's buffer by DMA both ways,
 * takes INTx three times through the I/O APIC, then enables MSI and takes
 * an interrupt raised by hand and one raised at the end of a DMA. One line per step, "edu: ok" and a halt (status 0); a
 * failure prints "edu: FAIL ..." and exits with code 1 (status 3).
 *
 * ursa's PCI host assigns the BAR before boot, as firmware would; the
 * stub uses it where it is.
 */
#include "../rt/rt.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_ID_1_0		0x010000ed	/* 0xRRrr00ed: version 1.0 */

/* BAR 0 registers. Below 0x80 the device takes 4-byte accesses only. */
#define EDU_ID			0x00
#define EDU_LIVENESS		0x04	/* reads back the complement */
#define EDU_FACTORIAL		0x08
#define EDU_STATUS		0x20
#define EDU_STATUS_COMPUTING	0x01
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_DMA_RUN		0x01	/* cleared by the device when done */
#define EDU_DMA_TO_RAM		0x02	/* 0: RAM to device */
#define EDU_DMA_IRQ		0x04	/* raise EDU_IRQ_DMA when done */
#define EDU_IRQ_DMA		0x100

/*
 * The device's 4 KiB DMA buffer, and its default DMA mask of 28 bits. A
 * transfer that ends at the buffer's end makes older QEMUs (7.2, in the
 * nested test machine) stop with a hardware error, an off-by-one in the
 * range check (QEMU issue 1254), so transfers here use the first half.
 */
#define EDU_BUFFER		0x40000
#define EDU_DMA_SIZE		2048
#define EDU_DMA_LIMIT		(1ull << 28)

/* Configuration space (PCI Local Bus 3.0 6.2, 6.7, 6.8.1); the rest in rt.h. */
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_CAP_PTR		0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_CAP_ID_MSI		0x05
#define MSI_CONTROL		2
#define MSI_CONTROL_ENABLE	0x0001
#define MSI_CONTROL_MME		0x0070	/* messages enabled: 0 is one */
#define MSI_CONTROL_64BIT	0x0080
#define MSI_ADDRESS		4
#define MSI_ADDRESS_HIGH	8
#define MSI_DATA_32		8
#define MSI_DATA_64		12

/*
 * An x86 MSI (SDM Vol. 3A 11.11.1, 11.11.2): address 0xfee00000 with the
 * destination APIC ID in bits 19:12, redirection hint and destination
 * mode 0 (physical); data is the vector, delivery mode 000 (fixed), and
 * trigger mode 0 (edge).
 */
#define MSI_ADDRESS_BASE	0xfee00000u
#define MSI_ADDRESS_DEST_SHIFT	12

#define EDU_VECTOR		0x50
#define EDU_INTX_VECTOR		0x51
#define INTX_ROUNDS		3
#define WAIT_MS			5000	/* a DMA takes the device 100 ms */
#define RAISE_BITS		0x1234

static uint8_t slot;
static volatile uint32_t intx_status;
static uint64_t bar;
static volatile uint32_t irqs;
static uint8_t to_device[EDU_DMA_SIZE] __attribute__((aligned(4096)));
static uint8_t from_device[EDU_DMA_SIZE] __attribute__((aligned(4096)));

#define fail(...) rt_fail("edu", __VA_ARGS__)

static uint32_t cfg_read(uint16_t off, unsigned int size)
{
	return rt_pci_read(0, slot, 0, off, size);
}

static void cfg_write(uint16_t off, unsigned int size, uint32_t v)
{
	rt_pci_write(0, slot, 0, off, size, v);
}

static uint32_t edu_read(uint32_t reg)
{
	return mmio_read32(bar + reg);
}

static void edu_write(uint32_t reg, uint32_t v)
{
	mmio_write32(bar + reg, v);
}

/* Poll reg until the bits in mask are clear; false after WAIT_MS. */
static bool edu_wait_clear(uint32_t reg, uint32_t mask)
{
	rt_deadline_set(WAIT_MS);
	while (edu_read(reg) & mask)
		if (rt_deadline_passed())
			return false;
	return true;
}

static void on_msi(uint8_t vector)
{
	(void)vector;
	irqs++;
}

/* INTx is level-triggered: the handler quiets the device (acknowledge)
 * before the runtime's EOI, or the line would fire again at once. */
static void on_intx(uint8_t vector)
{
	(void)vector;
	intx_status = edu_read(EDU_IRQ_STATUS);
	edu_write(EDU_IRQ_ACK, intx_status);
	irqs++;
}

/* Wait for the MSI handler to run once more than seen; false after WAIT_MS. */
static bool wait_msi(uint32_t seen)
{
	rt_deadline_set(WAIT_MS);
	while (irqs == seen && !rt_deadline_passed())
		rt_irq_wait();
	return irqs != seen;
}

/* Find the device on bus 0, take BAR 0 where ursa put it, enable it. */
static void probe(void)
{
	int dev = rt_pci_find(EDU_VENDOR, EDU_DEVICE);

	if (dev < 0)
		fail("no edu device");
	slot = dev;
	bar = rt_pci_bar_address(slot, 0);
	/* The stubs' identity map ends at 4 GiB; the BAR is 1 MiB. */
	if (!bar || bar + (1 << 20) > (1ull << 32))
		fail("BAR 0 (%lx) is no memory BAR in the low 4 GiB", bar);
	cfg_write(PCI_COMMAND, 2, cfg_read(PCI_COMMAND, 2) |
		  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void check_id_and_liveness(void)
{
	static const uint32_t patterns[] = { 0x12345678, 0xa5a5a5a5 };
	uint32_t id = edu_read(EDU_ID);

	if (id != EDU_ID_1_0)
		fail("id %08x, want %08x", id, EDU_ID_1_0);
	rt_printf("edu: id %08x\n", id);
	for (unsigned int i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		edu_write(EDU_LIVENESS, patterns[i]);
		if (edu_read(EDU_LIVENESS) != ~patterns[i])
			fail("liveness: wrote %08x, read %08x", patterns[i],
			     edu_read(EDU_LIVENESS));
	}
	rt_printf("edu: liveness ok\n");
}

/* The device computes n! once the status register's computing bit clears. */
static void check_factorial(void)
{
	uint32_t got;

	edu_write(EDU_STATUS, 0);	/* no interrupt when done */
	edu_write(EDU_FACTORIAL, 10);
	if (!edu_wait_clear(EDU_STATUS, EDU_STATUS_COMPUTING))
		fail("factorial still computing after %u ms", WAIT_MS);
	got = edu_read(EDU_FACTORIAL);
	if (got != 3628800)
		fail("factorial 10 = %u, want 3628800", got);
	rt_printf("edu: factorial 10 = %u\n", got);
}

/*
 * One transfer between RAM and the device's buffer (ursa maps guest RAM
 * for DMA at IOVA == gpa). The fences keep the compiler from moving RAM
 * accesses across the MMIO that starts and ends the transfer; x86 keeps
 * them in order itself.
 */
static void dma(uint64_t src, uint64_t dst, uint32_t cmd)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	edu_write(EDU_DMA_SRC, src);
	edu_write(EDU_DMA_DST, dst);
	edu_write(EDU_DMA_COUNT, EDU_DMA_SIZE);
	edu_write(EDU_DMA_CMD, EDU_DMA_RUN | cmd);
	if (!edu_wait_clear(EDU_DMA_CMD, EDU_DMA_RUN))
		fail("DMA %lx -> %lx not done after %u ms", src, dst, WAIT_MS);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void check_dma(void)
{
	/* Addresses beyond the mask are clamped by the device, not refused. */
	if ((uint64_t)to_device + EDU_DMA_SIZE > EDU_DMA_LIMIT ||
	    (uint64_t)from_device + EDU_DMA_SIZE > EDU_DMA_LIMIT)
		fail("DMA buffers above the device's 28-bit DMA mask");
	for (unsigned int i = 0; i < EDU_DMA_SIZE; i++) {
		to_device[i] = (uint8_t)(i * 7 + (i >> 8) + 1);
		from_device[i] = 0;
	}
	dma((uint64_t)to_device, EDU_BUFFER, 0);
	dma(EDU_BUFFER, (uint64_t)from_device, EDU_DMA_TO_RAM);
	for (unsigned int i = 0; i < EDU_DMA_SIZE; i++)
		if (from_device[i] != to_device[i])
			fail("DMA round trip: byte %u is %x, want %x", i,
			     from_device[i], to_device[i]);
	rt_printf("edu: dma %u bytes round trip ok\n", EDU_DMA_SIZE);
}

/* Walk the capability list (PCI Local Bus 3.0 6.7); 0 if there is no MSI. */
static uint8_t find_msi(void)
{
	uint8_t cap;

	if (!(cfg_read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	/* 48 dwords past the header at most: a looping list ends too. */
	cap = cfg_read(PCI_CAP_PTR, 1) & 0xfc;
	for (unsigned int n = 0; cap && n < 48; n++) {
		if (cfg_read(cap, 1) == PCI_CAP_ID_MSI)
			return cap;
		cap = cfg_read(cap + 1, 1) & 0xfc;
	}
	return 0;
}

/*
 * Address and data first, then one message enabled (PCI Local Bus 3.0
 * 6.8.1). The device has no per-vector mask bits to clear; were they
 * there, they would come out of reset clear anyway.
 */
static void enable_msi(uint8_t cap, uint32_t apic_id)
{
	uint16_t control = cfg_read(cap + MSI_CONTROL, 2);

	cfg_write(cap + MSI_ADDRESS, 4,
		  MSI_ADDRESS_BASE | apic_id << MSI_ADDRESS_DEST_SHIFT);
	if (control & MSI_CONTROL_64BIT) {
		cfg_write(cap + MSI_ADDRESS_HIGH, 4, 0);
		cfg_write(cap + MSI_DATA_64, 2, EDU_VECTOR);
	} else {
		cfg_write(cap + MSI_DATA_32, 2, EDU_VECTOR);
	}
	cfg_write(cap + MSI_CONTROL, 2,
		  (control & ~MSI_CONTROL_MME) | MSI_CONTROL_ENABLE);
}

/* Wait for the interrupt that raised bits, check and acknowledge them. */
static void expect_msi(uint32_t seen, uint32_t bits, const char *what)
{
	uint32_t status;

	if (!wait_msi(seen))
		fail("no MSI after %s in %u ms", what, WAIT_MS);
	status = edu_read(EDU_IRQ_STATUS);
	if (status != bits)
		fail("interrupt status %x after %s, want %x", status, what, bits);
	edu_write(EDU_IRQ_ACK, bits);
	status = edu_read(EDU_IRQ_STATUS);
	if (status)
		fail("interrupt status %x after the acknowledgement", status);
}

/*
 * Before MSI is on, edu raises INTx. ursa wrote the I/O APIC input its
 * INTA goes to into the interrupt line register, as firmware does, and
 * the DSDT's _PRT says level-triggered, active low (ACPI 6.5 6.2.13). Each
 * round needs the previous one's EOI to have reached the device's line
 * (KVM's resample, vfio-pci's unmask), or the next raise goes unheard.
 */
static void check_intx(void)
{
	uint32_t line = cfg_read(PCI_INTERRUPT_LINE, 1);

	if (cfg_read(PCI_INTERRUPT_PIN, 1) != 1)
		fail("interrupt pin %u, want 1 (INTA)", cfg_read(PCI_INTERRUPT_PIN, 1));
	if (line < 16 || line > 23)
		fail("interrupt line %u is no PCI input of the I/O APIC", line);
	rt_irq_handler(EDU_INTX_VECTOR, on_intx);
	rt_ioapic_route(line, EDU_INTX_VECTOR, rt_cpu_index(), true, true);
	for (uint32_t round = 0; round < INTX_ROUNDS; round++) {
		uint32_t seen = irqs;

		edu_write(EDU_IRQ_RAISE, 1u << round);
		if (!wait_msi(seen))
			fail("no INTx for raise %u", round);
		if (intx_status != 1u << round)
			fail("interrupt status %x in the INTx handler, want %x",
			     intx_status, 1u << round);
	}
	rt_ioapic_mask(line);
	rt_printf("edu: intx gsi %u: %u interrupts\n", line, INTX_ROUNDS);
}

static void check_msi(void)
{
	uint8_t cap = find_msi();
	uint32_t seen;

	if (!cap)
		fail("no MSI capability");
	rt_irq_handler(EDU_VECTOR, on_msi);
	enable_msi(cap, rt_cpu_index());

	seen = irqs;
	edu_write(EDU_IRQ_RAISE, RAISE_BITS);
	expect_msi(seen, RAISE_BITS, "a raise");
	rt_printf("edu: msi vector %u received\n", EDU_VECTOR);

	seen = irqs;
	dma((uint64_t)to_device, EDU_BUFFER, EDU_DMA_IRQ);
	expect_msi(seen, EDU_IRQ_DMA, "a DMA");
	rt_printf("edu: dma-done msi received\n");
}

void stub_main(uint32_t cpu, uint32_t ncpus)
{
	(void)ncpus;
	if (cpu != 0)
		return;
	probe();
	check_id_and_liveness();
	check_factorial();
	check_dma();
	check_intx();
	check_msi();
	rt_printf("edu: ok\n");
}
