// SPDX-License-Identifier: GPL-2.0-only
/* ursa: subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ursa_version.h"
#include "vfio/bind.h"
#include "vfio/host.h"
#include "vmm/config.h"
#include "vmm/exit_status.h"
#include "vmm/kvm.h"
#include "vmm/log.h"
#include "vmm/repro.h"
#include "vmm/stubs.h"
#include "vmm/vm.h"

static const char usage[] =
	"usage: ursa COMMAND [options]\n"
	"\n"
	"  run        run a VM ('ursa run --help')\n"
	"  repro bar-race --vfio BDF   the disabled-BAR race, on demand ('ursa repro --help')\n"
	"  devices    the host's PCI devices and whether they can be passed through\n"
	"  vfio-bind BDF     give a host PCI device to vfio-pci, for passthrough\n"
	"  vfio-unbind BDF   give it back to its usual driver\n"
	"  stubs      list the built-in guest stubs\n"
	"  version    print ursa's version and what this host's KVM offers\n"
	"\n"
	"Exit status of 'run': 0 the guest halted or powered off; 1 host error;\n"
	"2 usage error; 4 the guest crashed (diagnosis on stderr); 6 the guest\n"
	"reset; 128+N stopped by signal N; (v << 1) | 1 the guest wrote v to the\n"
	"debug-exit port 0x501.\n";

static bool wants_help(int argc, char **argv)
{
	return argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"));
}

/* For subcommands without options: only --help is allowed. */
static int no_options(const char *cmd, const char *help, int argc, char **argv)
{
	if (!argc)
		return -1;
	if (wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_GUEST_DONE;
	}
	log_error("%s: unexpected argument '%s' (see 'ursa %s --help')", cmd,
		  argv[0], cmd);
	return EXIT_USAGE;
}

static int cmd_run(int argc, char **argv)
{
	struct kvm_host kvm;
	struct vm_config cfg;
	struct vm vm;
	char kvm_err[256], err[256];
	enum config_result cfg_ret;
	bool have_kvm;
	int status;

	have_kvm = !kvm_open(&kvm, kvm_err, sizeof(kvm_err));
	cfg_ret = config_parse_run(argc, argv,
				   have_kvm ? &kvm.limits : &kvm_architectural_limits,
				   &cfg, err, sizeof(err));
	switch (cfg_ret) {
	case CONFIG_HELP:
		fputs(config_run_usage, stdout);
		status = EXIT_GUEST_DONE;
		goto out;
	case CONFIG_ERROR:
	case CONFIG_FILE_ERROR:
		log_error("run: %s", err);
		status = cfg_ret == CONFIG_ERROR ? EXIT_USAGE : EXIT_HOST_ERROR;
		goto out;
	case CONFIG_OK:
		break;
	}
	if (!have_kvm) {
		log_error("%s", kvm_err);
		return EXIT_HOST_ERROR;
	}
	if (vm_create(&vm, &kvm, &cfg, err, sizeof(err))) {
		log_error("%s", err);
		status = EXIT_HOST_ERROR;
		goto out;
	}
	status = vm_run(&vm);
	vm_destroy(&vm);
out:
	if (have_kvm)
		kvm_close(&kvm);
	return status;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_device_json(const struct host_pci_device *d, bool last)
{
	printf("  {\"bdf\": ");
	json_string(d->bdf);
	printf(", \"vendor\": \"%04x\", \"device\": \"%04x\", \"class\": \"%04x\", \"vendor_name\": ",
	       d->vendor, d->device, d->class_id);
	json_string(d->vendor_name);
	printf(", \"device_name\": ");
	json_string(d->device_name);
	printf(", \"class_name\": ");
	json_string(d->class_name);
	printf(", \"driver\": ");
	if (*d->driver)
		json_string(d->driver);
	else
		printf("null");
	if (d->iommu_group >= 0)
		printf(", \"iommu_group\": %d", d->iommu_group);
	else
		printf(", \"iommu_group\": null");
	printf(", \"passable\": %s, \"reason\": ", d->passable ? "true" : "false");
	if (d->passable)
		printf("null");
	else
		json_string(d->reason);
	printf("}%s\n", last ? "" : ",");
}

static const char devices_usage[] =
	"usage: ursa devices [--json]\n"
	"\n"
	"Lists the host's PCI devices: address, vendor:device and names, class,\n"
	"bound driver, IOMMU group, and whether it can be passed through now\n"
	"(--vfio), with the reason when not. --json prints a JSON array.\n";

static int cmd_devices(int argc, char **argv)
{
	static const struct option_def defs[] = {
		{ "json", 1, false },
		{ "help", 2, false },
	};
	struct host_pci_device *devs;
	bool json = false;
	char err[256];
	size_t n;
	int i = 0;

	while (i < argc) {
		const char *value;
		int id = next_option(argc, argv, &i, defs, 2, &value, err, sizeof(err));

		if (id < 0) {
			log_error("devices: %s", err);
			return EXIT_USAGE;
		}
		if (id == 2) {
			fputs(devices_usage, stdout);
			return EXIT_GUEST_DONE;
		}
		json = true;
	}
	if (host_pci_scan(&devs, &n, err, sizeof(err))) {
		log_error("devices: %s", err);
		return EXIT_HOST_ERROR;
	}
	if (json)
		printf("[\n");
	for (size_t d = 0; d < n; d++) {
		const struct host_pci_device *x = &devs[d];

		if (json) {
			print_device_json(x, d + 1 == n);
			continue;
		}
		printf("%s %04x:%04x %s: %s [%s] driver=%s group=", x->bdf, x->vendor,
		       x->device, x->vendor_name, x->device_name, x->class_name,
		       *x->driver ? x->driver : "none");
		if (x->iommu_group >= 0)
			printf("%d", x->iommu_group);
		else
			printf("none");
		if (x->passable)
			printf(" passable\n");
		else
			printf(" not passable: %s\n", x->reason);
	}
	if (json)
		printf("]\n");
	free(devs);
	return EXIT_GUEST_DONE;
}

/* vfio-bind and vfio-unbind: one device address, or --help. */
static int cmd_bind(const char *cmd, int (*op)(const char *, char *, size_t),
		    int argc, char **argv)
{
	char bdf[16], driver[64], err[256];

	if (wants_help(argc, argv)) {
		printf("usage: ursa %s BDF\n\nBDF is a PCI address, DDDD:BB:DD.F or BB:DD.F (see 'ursa devices').\n",
		       cmd);
		return EXIT_GUEST_DONE;
	}
	if (argc != 1 || pci_bdf_parse(argv[0], bdf)) {
		log_error("%s: expected one PCI address such as 0000:00:03.0 (see 'ursa %s --help')",
			  cmd, cmd);
		return EXIT_USAGE;
	}
	if (op(bdf, err, sizeof(err))) {
		log_error("%s: %s", cmd, err);
		return EXIT_HOST_ERROR;
	}
	host_pci_driver(bdf, driver, sizeof(driver));
	printf("%s: bound to %s\n", bdf, *driver ? driver : "no driver");
	return EXIT_GUEST_DONE;
}

static int cmd_vfio_bind(int argc, char **argv)
{
	return cmd_bind("vfio-bind", vfio_bind, argc, argv);
}

static int cmd_vfio_unbind(int argc, char **argv)
{
	return cmd_bind("vfio-unbind", vfio_unbind, argc, argv);
}

static int cmd_stubs(int argc, char **argv)
{
	int ret = no_options("stubs", "usage: ursa stubs\n\nLists the guest stubs built into ursa.\n",
			     argc, argv);

	if (ret >= 0)
		return ret;
	for (size_t i = 0; i < builtin_stubs_count; i++)
		printf("%-14s %s\n", builtin_stubs[i].name, builtin_stubs[i].description);
	return EXIT_GUEST_DONE;
}

static int cmd_version(int argc, char **argv)
{
	struct kvm_host kvm;
	char err[256];
	int ret = no_options("version", "usage: ursa version\n", argc, argv);

	if (ret >= 0)
		return ret;
	printf("ursa %s\n", URSA_VERSION);
	if (kvm_open(&kvm, err, sizeof(err))) {
		printf("kvm: unavailable: %s\n", err);
		return EXIT_GUEST_DONE;
	}
	printf("kvm: %s: max vCPUs %u, physical address bits %u, memory fault info %s\n",
	       kvm_device_path(), kvm.limits.max_vcpus, kvm.limits.phys_bits,
	       kvm.has_memory_fault_info ? "yes" : "no");
	kvm_close(&kvm);
	return EXIT_GUEST_DONE;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} commands[] = {
		{ "run", cmd_run },
		{ "repro", cmd_repro },
		{ "devices", cmd_devices },
		{ "vfio-bind", cmd_vfio_bind },
		{ "vfio-unbind", cmd_vfio_unbind },
		{ "stubs", cmd_stubs },
		{ "version", cmd_version },
	};

	if (argc < 2) {
		log_error("missing command (see 'ursa --help')");
		return EXIT_USAGE;
	}
	if (wants_help(argc - 1, argv + 1) || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return EXIT_GUEST_DONE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 2, argv + 2);
	log_error("unknown command '%s' (see 'ursa --help')", argv[1]);
	return EXIT_USAGE;
}
