// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vfio/container.h"
#include "vfio/host.h"
#include "vfio/pci.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/memory.h"

static struct vfio_pci *to_vfio(struct pci_device *pci)
{
	return (struct vfio_pci *)pci;
}

static bool config_region_read(void *opaque, unsigned int off, void *buf,
			       unsigned int len)
{
	struct vfio_pci *vp = opaque;

	return vfio_region_read(&vp->dev, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len);
}

static bool config_region_write(void *opaque, unsigned int off, const void *buf,
				unsigned int len)
{
	struct vfio_pci *vp = opaque;

	return vfio_region_write(&vp->dev, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len);
}

/* Where the ROM BAR decodes, from the emulated register: 0 for nowhere. */
static uint64_t rom_address(struct vfio_pci *vp, uint16_t cmd)
{
	uint32_t reg = pci_get_u32(vp->pci.cfg, PCI_ROM_ADDRESS);
	uint64_t addr = reg & ~(vp->config.rom_size - 1) & ~0x7ffull;

	if (!(cmd & PCI_COMMAND_MEMORY) || !(reg & PCI_ROM_ENABLE) ||
	    addr + vp->config.rom_size > LAYOUT_4G)
		return 0;
	return addr;
}

/* Bring every BAR in line with COMMAND cmd and the BAR registers. */
static void sync_bars(struct vfio_pci *vp, uint16_t cmd)
{
	if (vp->in_d3hot || vp->in_flr)
		cmd &= ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *bar = &vp->pci.bars[i];
		uint16_t enable = bar->kind == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
		uint64_t addr = 0;

		if (bar->kind == PCI_BAR_NONE)
			continue;
		if (!pci_bar_address(&vp->pci, i, &addr))
			addr = 0;
		vfio_bar_sync(&vp->bars, i, cmd & enable, addr);
	}
	if (vp->config.rom_size) {
		uint64_t addr = rom_address(vp, cmd);

		vfio_bar_sync(&vp->bars, VFIO_BAR_ROM, addr, addr);
	}
}

/*
 * Decode goes off before the device sees a write that stops it, and comes
 * back only after the device has seen the write that restores it: in
 * between the BARs are DISABLED, never mapped over a device that does not
 * decode. vfio-pci zaps the BARs' mappings as it forwards a write that
 * clears memory decoding (vfio_basic_config_write() ->
 * vfio_pci_zap_and_down_write_memory_lock()), a move to D3hot
 * (vfio_lock_and_set_power_state()) and a reset; zaps counts them, before
 * the device sees the write, for the EFAULT attribution in vcpu.c. cmd is
 * the COMMAND value to sync the BARs to. With QEMU's order nothing happens
 * before the write: the window QEMU and kvmtool leave open.
 */
static void decode_event(struct vfio_pci *vp, bool before, bool stops,
			 uint16_t cmd)
{
	if (!vp->bars_ready)
		return;
	if (before && stops)
		atomic_fetch_add(vp->zaps, 1);
	if (before && vp->order == VFIO_BAR_ORDER_QEMU)
		return;
	sync_bars(vp, cmd);
}

/* Bits cleared in either value count as off before the write. */
static void on_command(void *opaque, uint16_t old, uint16_t new, bool before)
{
	bool mem_off = (old & PCI_COMMAND_MEMORY) && !(new & PCI_COMMAND_MEMORY);

	decode_event(opaque, before, mem_off, before ? old & new : new);
}

/* Leaving D0 for D3hot takes the BARs down first, coming back to D0 maps
 * them after (a D3hot-to-D0 transition may also reset the device, PCI Bus
 * Power Management 1.2 5.4.1; the guest's driver then restores its config
 * space through ursa as usual). */
static void on_power(void *opaque, unsigned int old, unsigned int new, bool before)
{
	struct vfio_pci *vp = opaque;

	(void)old;
	if (new == PCI_PM_D3HOT || !before)
		vp->in_d3hot = new == PCI_PM_D3HOT;
	decode_event(vp, before, new == PCI_PM_D3HOT, vfio_config_command(&vp->config));
}

/* After an FLR the config emulation is back at reset values (its
 * reset_function()); the MSI-X table is the function's too, and resets
 * to every vector masked (PCIe 6.0 7.7.2.4). */
static void on_flr(void *opaque, bool before)
{
	struct vfio_pci *vp = opaque;

	vp->in_flr = before;
	if (!before && vp->irqs_ready && vp->irqs.has_msix)
		msix_reset(&vp->irqs.msix);
	decode_event(vp, before, before, vfio_config_command(&vp->config));
}

static void on_bar_written(void *opaque, unsigned int bar)
{
	struct vfio_pci *vp = opaque;

	(void)bar;
	if (vp->bars_ready)
		sync_bars(vp, vfio_config_command(&vp->config));
}

static void on_msi_written(void *opaque)
{
	struct vfio_pci *vp = opaque;
	struct vfio_msi_state s;

	vfio_config_msi(&vp->config, &s);
	if (vp->irqs_ready)
		vfio_irqs_msi_written(&vp->irqs, &s);
}

static void on_msix_control(void *opaque, uint16_t ctrl)
{
	struct vfio_pci *vp = opaque;

	if (vp->irqs_ready)
		vfio_irqs_msix_control(&vp->irqs, ctrl);
}

static uint32_t on_msi_pending(void *opaque)
{
	struct vfio_pci *vp = opaque;

	return vp->irqs_ready ? vfio_irqs_msi_pending(&vp->irqs) : 0;
}

static void config_read(struct pci_device *pci, unsigned int off, uint8_t *data,
			unsigned int size)
{
	vfio_config_read(&to_vfio(pci)->config, off, data, size);
}

static void config_write(struct pci_device *pci, unsigned int off,
			 const uint8_t *data, unsigned int size)
{
	vfio_config_write(&to_vfio(pci)->config, off, data, size);
}

static const struct pci_config_ops vfio_config_ops = { config_read, config_write };

/* The host side first: a device that is absent or has another driver
 * gets a message that says so rather than a VFIO error. */
static int check_host_device(const char *bdf, char *err, size_t errlen)
{
	char driver[64];

	if (!host_pci_present(bdf)) {
		set_error(err, errlen, "--vfio %s: no PCI device %s on this host", bdf, bdf);
		return -1;
	}
	host_pci_driver(bdf, driver, sizeof(driver));
	if (strcmp(driver, "vfio-pci")) {
		set_error(err, errlen, "--vfio %s: bound to %s%s, not vfio-pci (ursa vfio-bind %s)",
			  bdf, *driver ? "driver " : "no driver", driver, bdf);
		return -1;
	}
	return 0;
}

static int open_device(struct vfio_pci *vp, const char *bdf,
		       struct vfio_container *container, char *err, size_t errlen)
{
	int group_fd, ret;
	char why[160];

	if (check_host_device(bdf, err, errlen))
		return -1;
	if (vfio_container_open(container, why, sizeof(why))) {
		set_error(err, errlen, "--vfio %s: %s", bdf, why);
		return -1;
	}
	group_fd = vfio_container_group(container, bdf, err, errlen);
	if (group_fd < 0 || vfio_device_open(&vp->dev, group_fd, bdf, err, errlen))
		return -1;
	/* Whatever a previous user left behind (PCI Local Bus 3.0 6.6). */
	ret = vfio_device_reset(&vp->dev);
	if (ret && ret != -ENOTTY)
		log_error("%s: reset: %s", vp->name, strerror(-ret));
	return 0;
}

static int setup_config(struct vfio_pci *vp, char *err, size_t errlen)
{
	const struct vfio_config_io io = { config_region_read, config_region_write, vp };
	const struct vfio_config_hooks hooks = {
		.command = on_command,
		.power = on_power,
		.flr = on_flr,
		.bar_written = on_bar_written,
		.msi_written = on_msi_written,
		.msix_control = on_msix_control,
		.msi_pending = on_msi_pending,
		.opaque = vp,
	};
	uint64_t sizes[VFIO_NR_BARS];
	char why[160];

	for (unsigned int i = 0; i < VFIO_NR_BARS; i++)
		sizes[i] = vp->dev.regions[i].size;
	if (vfio_config_init(&vp->config, &io, &hooks, vp->pci.cfg, vp->pci.wmask,
			     sizes, MSIX_MAX_VECTORS, why, sizeof(why))) {
		set_error(err, errlen, "--vfio %s: %s", vp->dev.bdf, why);
		return -1;
	}
	/* The host places the BARs as firmware would, from these. */
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		vp->pci.bars[i] = vp->config.bars[i];
	return 0;
}

static void on_host_request(void *opaque, const uint8_t *buf, size_t n, int errno_val)
{
	struct vfio_pci *vp = opaque;

	(void)buf;
	(void)errno_val;
	if (n)
		vp->host_request(vp->opaque, vp->name);
}

/*
 * A host that removes or unbinds the device signals vfio-pci's request
 * interrupt and then waits, for ever, until every user has closed the
 * device (vfio_pci_core_request()). ursa watches for it, so that an
 * unplug ends the VM rather than hanging the host's remove.
 */
static int watch_host_requests(struct vfio_pci *vp, const struct vfio_pci_env *env,
			       char *err, size_t errlen)
{
	int ret;

	vp->host_request = env->host_request;
	vp->opaque = env->opaque;
	if (!vp->dev.irq_count[VFIO_PCI_REQ_IRQ_INDEX])
		return 0;	/* kernels before 4.0 */
	vp->request_fd = eventfd(0, EFD_CLOEXEC);
	if (vp->request_fd < 0) {
		set_error(err, errlen, "%s: eventfd: %s", vp->name, strerror(errno));
		return -1;
	}
	ret = vfio_device_set_irqs(&vp->dev, VFIO_PCI_REQ_IRQ_INDEX,
				   VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &vp->request_fd);
	if (!ret)
		ret = loop_add_reader(env->loop, vp->request_fd, on_host_request, vp);
	if (ret) {
		set_error(err, errlen, "%s: watching for unplug requests: %s", vp->name,
			  strerror(-ret));
		close(vp->request_fd);
		vp->request_fd = -1;
		return -1;
	}
	return 0;
}

int vfio_pci_create(struct vfio_pci *vp, const char *bdf, unsigned int slot,
		    enum vfio_bar_order order, struct vfio_container *container,
		    const struct vfio_pci_env *env, char *err, size_t errlen)
{
	uint8_t pin;
	int gsi = -1;

	memset(vp, 0, sizeof(*vp));
	vp->dev.fd = -1;
	vp->request_fd = -1;
	snprintf(vp->name, sizeof(vp->name), "--vfio %s", bdf);
	vp->pci.name = vp->name;
	vp->pci.config_ops = &vfio_config_ops;
	vp->order = order;
	vp->zaps = env->zaps;
	if (open_device(vp, bdf, container, err, errlen) ||
	    setup_config(vp, err, errlen))
		goto fail;
	if (pci_host_add_device(env->host, &vp->pci, slot, err, errlen))
		goto fail;
	vfio_config_read(&vp->config, PCI_INTERRUPT_PIN, &pin, 1);
	if (pin >= 1 && pin <= 4) {
		gsi = env->intx_gsi(vp->pci.slot, pin - 1);
		/* As firmware does: where INTx goes, for OSes without ACPI. */
		vp->pci.cfg[PCI_INTERRUPT_LINE] = gsi;
	}
	if (vfio_irqs_init(&vp->irqs, vp->name, &vp->dev, &vp->config, env->router,
			   gsi, err, errlen))
		goto fail_irqs;
	if (vfio_bars_init(&vp->bars, vp->name, &vp->dev, &vp->config,
			   vp->irqs.has_msix ? &vp->irqs.msix : NULL, env->mem,
			   env->vm_fd, env->use_region2, env->mmio, env->pio, err, errlen))
		goto fail_bars;
	if (env->map_bars_later)
		vfio_bars_defer_maps(&vp->bars, env->map_bars_later, env->opaque);
	if (!watch_host_requests(vp, env, err, errlen)) {
		vp->irqs_ready = vp->bars_ready = true;
		return 0;
	}
fail_bars:
	vfio_bars_destroy(&vp->bars);
fail_irqs:
	vfio_irqs_destroy(&vp->irqs);
	pci_host_remove_device(env->host, &vp->pci);
fail:
	vfio_device_close(&vp->dev);
	return -1;
}

/* Whether the device decodes memory now, as vfio-pci sees it. */
static bool decodes_memory(void *opaque)
{
	struct vfio_pci *vp = opaque;
	uint16_t cmd;

	return !vp->in_flr && vfio_config_power_state(&vp->config) != PCI_PM_D3HOT &&
	       vfio_region_read(&vp->dev, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND,
				&cmd, sizeof(cmd)) && (cmd & PCI_COMMAND_MEMORY);
}

bool vfio_pci_recover_fault(struct vfio_pci *vp, bool have_gpa, uint64_t gpa)
{
	if (have_gpa) {
		if (!vfio_bars_hold(&vp->bars, gpa))
			return false;
		vfio_bars_demote(&vp->bars, false, gpa, decodes_memory, vp);
		return true;
	}
	/* A device that does not decode memory has its mappings zapped; a
	 * fault on them is expected, wherever its BARs stand now (another
	 * vCPU may have disabled them since). */
	return !vfio_bars_demote(&vp->bars, true, 0, decodes_memory, vp);
}

void vfio_pci_map_bars(struct vfio_pci *vp)
{
	if (vp->bars_ready)
		vfio_bars_map_pending(&vp->bars);
}

void vfio_pci_describe(struct vfio_pci *vp, char *buf, size_t len)
{
	char bars[256];
	uint16_t cmd = 0;
	bool ok = vfio_region_read(&vp->dev, VFIO_PCI_CONFIG_REGION_INDEX,
				   PCI_COMMAND, &cmd, sizeof(cmd));

	vfio_bars_describe(&vp->bars, bars, sizeof(bars));
	snprintf(buf, len, "%s: COMMAND %s0x%04x (memory %s); %s", vp->name,
		 ok ? "" : "unreadable ", cmd,
		 cmd & PCI_COMMAND_MEMORY ? "on" : "off", bars);
}

void vfio_pci_destroy(struct vfio_pci *vp)
{
	if (vp->irqs_ready)
		vfio_irqs_destroy(&vp->irqs);
	if (vp->bars_ready)
		vfio_bars_destroy(&vp->bars);
	vp->irqs_ready = vp->bars_ready = false;
	if (vp->request_fd >= 0) {
		vfio_device_set_irqs(&vp->dev, VFIO_PCI_REQ_IRQ_INDEX,
				     VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
		close(vp->request_fd);
		vp->request_fd = -1;
	}
	/* Stop whatever the guest left running (DMA) before vfio-pci's own
	 * release path gets to it. */
	if (vp->dev.fd >= 0 && vfio_device_reset(&vp->dev) == -EIO)
		log_error("%s: reset at exit failed", vp->name);
	vfio_device_close(&vp->dev);
}
