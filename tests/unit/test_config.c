// SPDX-License-Identifier: GPL-2.0-only
/* 'ursa run' command-line parsing: every accepted form and every misuse. */
#include <stdarg.h>

#include "check.h"
#include "devices/virtio/blk.h"
#include "vmm/config.h"
#include "vmm/stubs.h"

static const struct host_limits limits = {
	.max_vcpus = 8, .phys_bits = 40, .nested = true, .smaller_maxphyaddr = true,
};

#define MAX_ARGS 16

static enum config_result parse(struct vm_config *cfg, char *err,
				const char *first, ...)
{
	char *argv[MAX_ARGS];
	const char *a = first;
	va_list ap;
	int argc = 0;

	va_start(ap, first);
	while (a && argc < MAX_ARGS) {
		argv[argc++] = (char *)a;
		a = va_arg(ap, const char *);
	}
	va_end(ap);
	err[0] = 0;
	return config_parse_run(argc, argv, &limits, cfg, err, 256);
}

static void test_defaults(void)
{
	struct vm_config cfg;
	char err[256];

	CHECK(parse(&cfg, err, "--stub", "hello", NULL) == CONFIG_OK);
	CHECK(cfg.builtin == builtin_stub_find("hello"));
	CHECK_EQ_U64(cfg.memory, 256ull << 20);
	CHECK_EQ_U64(cfg.cpus, 1);
	CHECK_EQ_U64(cfg.phys_bits, 40);
	CHECK(!cfg.nested);
	CHECK(cfg.console == CONSOLE_STDIO);
	CHECK(!strcmp(cfg.append, ""));
}

static void test_all_options(void)
{
	struct vm_config cfg;
	char err[256];

	CHECK(parse(&cfg, err, "--stub=smp", "--memory", "1G", "--cpus=8",
		    "--console", "/tmp/x.log", "--append", "count=5",
		    "--phys-bits", "36", "--nested", NULL) == CONFIG_OK);
	CHECK(cfg.nested);
	CHECK(!strcmp(cfg.stub_name, "smp"));
	CHECK_EQ_U64(cfg.memory, 1ull << 30);
	CHECK_EQ_U64(cfg.cpus, 8);
	CHECK(cfg.console == CONSOLE_FILE);
	CHECK(!strcmp(cfg.console_path, "/tmp/x.log"));
	CHECK(!strcmp(cfg.append, "count=5"));
	CHECK_EQ_U64(cfg.phys_bits, 36);

	CHECK(!cfg.debug_memfault_slot);
	CHECK(parse(&cfg, err, "--stub", "hello", "--console", "none",
		    "--debug-memfault-slot", NULL) == CONFIG_OK);
	CHECK(cfg.console == CONSOLE_NONE);
	CHECK(cfg.debug_memfault_slot);
	/* A stub file instead of a built-in name. */
	CHECK(parse(&cfg, err, "--stub", "/dev/null", NULL) == CONFIG_OK);
	CHECK(cfg.builtin == NULL);
	CHECK(parse(&cfg, err, "--kernel", "/dev/null", "--initrd", "/dev/null",
		    "--append", "console=ttyS0", NULL) == CONFIG_OK);
	CHECK(!strcmp(cfg.kernel, "/dev/null") && !strcmp(cfg.initrd, "/dev/null"));
	CHECK(cfg.stub_name == NULL);
	CHECK(parse(&cfg, err, "--stub", "hello", "--disk", "/dev/null",
		    "--disk=/dev/zero,readonly,direct", NULL) == CONFIG_OK);
	CHECK_EQ_U64(cfg.nr_disks, 2);
	CHECK(!strcmp(cfg.disks[0].path, "/dev/null") && !cfg.disks[0].read_only &&
	      !cfg.disks[0].direct);
	CHECK(!strcmp(cfg.disks[1].path, "/dev/zero") && cfg.disks[1].read_only &&
	      cfg.disks[1].direct);
	/* Defaults: one queue, the default polling budget; both settable. */
	CHECK_EQ_U64(cfg.disks[0].queues, 1);
	CHECK_EQ_U64(cfg.disks[0].poll_us, VIRTIO_BLK_DEFAULT_POLL_US);
	CHECK(parse(&cfg, err, "--stub", "hello", "--disk", "/dev/null,queues=8,poll=0",
		    "--disk", "/dev/null,poll=100000,queues=1", NULL) == CONFIG_OK);
	CHECK(cfg.disks[0].queues == 8 && cfg.disks[0].poll_us == 0);
	CHECK(cfg.disks[1].queues == 1 && cfg.disks[1].poll_us == 100000);
	/* Assigned devices: slots from 16 in order unless given; options. */
	CHECK(cfg.fault_recovery && !cfg.stats);
	CHECK(parse(&cfg, err, "--stub", "hello", "--vfio", "00:02.0", "--vfio",
		    "0000:00:03.0,slot=20", "--vfio", "01:02.7,bar-order=qemu,slot=5",
		    "--vfio", "00:04.0,bar-order=safe", "--no-fault-recovery", "--stats",
		    NULL) == CONFIG_OK);
	CHECK_EQ_U64(cfg.nr_vfio, 4);
	CHECK(!strcmp(cfg.vfio[0].bdf, "0000:00:02.0") && cfg.vfio[0].slot == 16 &&
	      !cfg.vfio[0].bar_order_qemu);
	CHECK(!strcmp(cfg.vfio[1].bdf, "0000:00:03.0"));
	CHECK_EQ_U64(cfg.vfio[1].slot, 20);
	CHECK(!strcmp(cfg.vfio[2].bdf, "0000:01:02.7") && cfg.vfio[2].slot == 5 &&
	      cfg.vfio[2].bar_order_qemu);
	CHECK_EQ_U64(cfg.vfio[3].slot, 17);
	CHECK(!cfg.vfio[3].bar_order_qemu);
	CHECK(!cfg.fault_recovery && cfg.stats);
	/* The last of a repeated option wins. */
	CHECK(parse(&cfg, err, "--stub", "hello", "--cpus", "2", "--cpus", "3", NULL) == CONFIG_OK);
	CHECK_EQ_U64(cfg.cpus, 3);
	CHECK(parse(&cfg, err, "--stub", "hello", "--help", NULL) == CONFIG_HELP);
}

static void test_sizes(void)
{
	uint64_t v;

	CHECK(!parse_size("4096", &v) && v == 4096);
	CHECK(!parse_size("16k", &v) && v == 16 << 10);
	CHECK(!parse_size("256M", &v) && v == 256ull << 20);
	CHECK(!parse_size("3G", &v) && v == 3ull << 30);
	CHECK(!parse_size("2T", &v) && v == 2ull << 40);
	CHECK(parse_size("", &v));
	CHECK(parse_size("M", &v));
	CHECK(parse_size("-1G", &v));
	CHECK(parse_size("1.5G", &v));
	CHECK(parse_size("12X", &v));
	CHECK(parse_size("1GB", &v));
	CHECK(parse_size(" 1G", &v));
	CHECK(parse_size("99999999999999999999", &v));
	CHECK(parse_size("16777216T", &v));	/* 2^64: overflows */
}

/* Each misuse: CONFIG_ERROR and a message naming the problem. */
static void test_misuse(void)
{
	static const struct {
		const char *args[6];
		const char *message;
	} cases[] = {
		{ { "--bogus" }, "unknown option '--bogus'" },
		{ { "--stub", "hello", "--bogus=1" }, "unknown option '--bogus'" },
		{ { "--stub", "hello", "stray" }, "unexpected argument 'stray'" },
		{ { "--stub", "hello", "-m", "1G" }, "unexpected argument '-m'" },
		{ { "--stub" }, "option '--stub' needs a value" },
		{ { "--stub", "hello", "--help=yes" }, "'--help' takes no value" },
		{ { "--memory", "1G" }, "missing --kernel BZIMAGE or --stub" },
		{ { "--stub", "hello", "--kernel", "/dev/null" }, "exclude each other" },
		{ { "--initrd", "/dev/null", "--stub", "hello" }, "--initrd needs --kernel" },
		{ { "--stub", "nonesuch" }, "no built-in stub of that name" },
		{ { "--stub", "/nonexistent/stub.bin" }, "no such file" },
		{ { "--stub", "hello", "--memory", "lots" }, "--memory 'lots'" },
		{ { "--stub", "hello", "--memory", "12X" }, "--memory '12X'" },
		{ { "--stub", "hello", "--memory", "4M" }, "below the minimum of 8M" },
		{ { "--stub", "hello", "--memory", "0" }, "below the minimum" },
		{ { "--stub", "hello", "--memory", "10000001" }, "not a multiple of 4K" },
		{ { "--stub", "hello", "--disk", "/dev/null,rw" }, "unknown flag 'rw'" },
		{ { "--stub", "hello", "--disk", ",readonly" }, "expected PATH" },
		{ { "--stub", "hello", "--disk", "/dev/null,readonly,bogus" }, "unknown flag 'bogus'" },
		{ { "--stub", "hello", "--disk", "/dev/null,queues=0" }, "'queues=0' wants a number 1..8" },
		{ { "--stub", "hello", "--disk", "/dev/null,queues=9" }, "'queues=9' wants a number 1..8" },
		{ { "--stub", "hello", "--disk", "/dev/null,queues=x" }, "'queues=x' wants a number" },
		{ { "--stub", "hello", "--disk", "/dev/null,queues=" }, "unknown flag 'queues='" },
		{ { "--stub", "hello", "--disk", "/dev/null,poll=100001" }, "'poll=100001' wants a number 0..100000" },
		{ { "--stub", "hello", "--disk", "/dev/null,poll=-1" }, "'poll=-1' wants a number" },
		{ { "--stub", "hello", "--disk", "/dev/null,poll=99999999999999999999" },
		  "wants a number 0..100000" },
		{ { "--stub", "hello", "--vfio", "zz" }, "--vfio 'zz': expected a PCI address" },
		{ { "--stub", "hello", "--vfio", "00:02.0,slot=0" }, "unknown flag 'slot=0'" },
		{ { "--stub", "hello", "--vfio", "00:02.0,slot=32" }, "unknown flag 'slot=32'" },
		{ { "--stub", "hello", "--vfio", "00:02.0,bar-order=fast" }, "unknown flag 'bar-order=fast'" },
		{ { "--stub", "hello", "--vfio", "00:02.0", "--vfio", "0000:00:02.0" },
		  "--vfio 0000:00:02.0: given twice" },
		{ { "--stub", "hello", "--vfio", "00:02.0", "--vfio", "00:03.0,slot=16" },
		  "slot 16 is taken by --vfio 0000:00:02.0" },
		{ { "--stub", "hello", "--vfio", "00:02.0,slot=3", "--vfio", "00:03.0,slot=3" },
		  "slot 3 is taken by --vfio 0000:00:02.0" },
		{ { "--stub", "hello", "--cpus", "0" }, "--cpus '0'" },
		{ { "--stub", "hello", "--cpus", "9" }, "1 to 8" },
		{ { "--stub", "hello", "--cpus", "two" }, "--cpus 'two'" },
		{ { "--stub", "hello", "--cpus", "-1" }, "--cpus '-1'" },
		{ { "--stub", "hello", "--console", "" }, "--console" },
		{ { "--stub", "hello", "--phys-bits", "31" }, "32 to 40" },
		{ { "--stub", "hello", "--phys-bits", "41" }, "32 to 40" },
		/* RAM beyond what the guest's MAXPHYADDR can address. */
		{ { "--stub", "hello", "--memory", "4G", "--phys-bits", "32" },
		  "beyond what 32 physical address bits can hold" },
		{ { "--stub", "hello", "--memory", "1T" },
		  "beyond what 40 physical address bits can hold" },
		/* 2^64 - 1 GiB: 4 GiB + the RAM above it wraps to 0. */
		{ { "--stub", "hello", "--memory", "17179869183G" },
		  "up to 0xffffffffffffffff, beyond what 40 physical address bits" },
		/* A quoted argument cannot break the message's line. */
		{ { "--stub", "hello", "--cpus", "1\n2" }, "--cpus '1?2'" },
	};
	char longarg[4096];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm_config cfg;
		char err[256] = "";
		int argc = 0;

		while (argc < 6 && cases[i].args[argc])
			argc++;
		CHECK(config_parse_run(argc, (char **)cases[i].args, &limits, &cfg,
				       err, sizeof(err)) == CONFIG_ERROR);
		CHECK_CONTAINS(err, cases[i].message);
		CHECK(!strchr(err, '\n'));
	}

	/* Files that cannot be used are host problems, not usage errors. */
	{
		struct vm_config cfg;
		char err[256];

		CHECK(parse(&cfg, err, "--kernel", "/nonexistent/bzImage", NULL) == CONFIG_FILE_ERROR);
		CHECK_CONTAINS(err, "--kernel '/nonexistent/bzImage': No such file");
		CHECK(parse(&cfg, err, "--kernel", "/dev/null", "--initrd", "/nonexistent/i", NULL) ==
		      CONFIG_FILE_ERROR);
		CHECK_CONTAINS(err, "--initrd '/nonexistent/i': No such file");
		CHECK(parse(&cfg, err, "--stub", "hello", "--disk", "/nonexistent/disk.img", NULL) ==
		      CONFIG_FILE_ERROR);
		CHECK_CONTAINS(err, "--disk '/nonexistent/disk.img': No such file");
	}

	/* So is a KVM that cannot give the guest SVM or VMX. */
	{
		static const struct host_limits flat = { .max_vcpus = 8, .phys_bits = 40 };
		char *argv[] = { "--stub", "hello", "--nested" };
		struct vm_config cfg;
		char err[256];

		CHECK(config_parse_run(3, argv, &flat, &cfg, err, sizeof(err)) ==
		      CONFIG_FILE_ERROR);
		CHECK_CONTAINS(err, "--nested: this host's KVM does not offer nested virtualization");
	}

	/* And one that cannot make a MAXPHYADDR below the host's real: the
	 * host's own width stays allowed, and a layout error still comes
	 * first, as a usage error. */
	{
		static const struct host_limits tdp = { .max_vcpus = 8, .phys_bits = 40 };
		char *below[] = { "--stub", "hello", "--phys-bits", "36" };
		char *same[] = { "--stub", "hello", "--phys-bits", "40" };
		char *too_big[] = { "--stub", "hello", "--memory", "8G", "--phys-bits", "32" };
		struct vm_config cfg;
		char err[256];

		CHECK(config_parse_run(4, below, &tdp, &cfg, err, sizeof(err)) ==
		      CONFIG_FILE_ERROR);
		CHECK_CONTAINS(err, "--phys-bits 36: below this host's 40");
		CHECK_CONTAINS(err, "KVM_CAP_SMALLER_MAXPHYADDR");
		CHECK(!strchr(err, '\n'));
		CHECK(config_parse_run(4, same, &tdp, &cfg, err, sizeof(err)) == CONFIG_OK);
		CHECK(config_parse_run(6, too_big, &tdp, &cfg, err, sizeof(err)) == CONFIG_ERROR);
		CHECK_CONTAINS(err, "beyond what 32 physical address bits can hold");
	}

	memset(longarg, 'a', sizeof(longarg) - 1);
	longarg[sizeof(longarg) - 1] = 0;
	{
		struct vm_config cfg;
		char err[256];

		CHECK(parse(&cfg, err, "--stub", "hello", "--append", longarg, NULL) == CONFIG_ERROR);
		CHECK_CONTAINS(err, "--append: longer than the 2047 characters a stub takes");
		/* A kernel's limit comes from its header, not from the parser. */
		CHECK(parse(&cfg, err, "--kernel", "/dev/null", "--append", longarg, NULL) == CONFIG_OK);
	}
}

int main(void)
{
	test_defaults();
	test_all_options();
	test_sizes();
	test_misuse();
	return check_report("config");
}
