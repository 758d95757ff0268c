// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 16550A (devices/uart8250.c) on the port bus as a guest reaches it,
 * with host input arriving in between: register reads and writes of
 * every size, at COM1's eight ports and just past them (the bus must
 * refuse an access that straddles the end), and bursts of input that
 * overrun the receive FIFO.
 *
 * Input: operations, each an opcode byte and its operands. Checked
 * against a model of the datasheet's registers: received bytes (host
 * input, or transmitted ones in loopback) are read back in order, an
 * empty FIFO reads 0, and a full one drops bytes and sets the overrun bit
 * until LSR is read; LSR always shows the transmitter empty and shows
 * data ready exactly while bytes wait; IIR reports one of its four
 * sources with the FIFO bits of FCR; MSR follows MCR in loopback; the
 * divisor latch, LCR, MCR, IER and scratch read back what was written,
 * their reserved bits 0; the interrupt line is high exactly while an
 * enabled source is pending and OUT2 is set; and the console receives
 * exactly the bytes sent outside loopback, in order.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "devices/uart8250.h"
#include "vmm/bytes.h"
#include "vmm/console.h"

#define COM1		0x3f8
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define MCR_OUT2	0x08

static struct bus pio;
static struct uart8250 uart;
static struct console con = { .out_fd = -1, .in_fd = -1 };
static bool line;

/* The model. */
static struct {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool overrun;
	uint8_t fifo[UART_RX_SIZE];
	size_t head, count;
	uint8_t out[1 << 16];
	size_t nout;
} m;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	con.out_fd = memfd_create("fuzz-uart-console", MFD_CLOEXEC);
	FUZZ_CHECK(con.out_fd >= 0);
	FUZZ_CHECK(!bus_init(&pio, "pio"));
	FUZZ_CHECK(!bus_add(&pio, COM1, UART_NR_PORTS, "com1", &uart8250_ops, &uart));
	return 0;
}

static void set_irq(void *opaque, bool level)
{
	(void)opaque;
	FUZZ_CHECK(level != line);	/* only changes are passed on */
	line = level;
}

static void model_push(uint8_t c)
{
	if (m.count == UART_RX_SIZE) {
		m.overrun = true;
		return;
	}
	m.fifo[(m.head + m.count) % UART_RX_SIZE] = c;
	m.count++;
}

static uint8_t model_pop(void)
{
	uint8_t c;

	if (!m.count)
		return 0;
	c = m.fifo[m.head];
	m.head = (m.head + 1) % UART_RX_SIZE;
	m.count--;
	return c;
}

/* What the guest reads from register reg, and its side effects. */
static void check_read(unsigned int reg, uint8_t v)
{
	bool dlab = m.lcr & LCR_DLAB;
	uint8_t want;

	switch (reg) {
	case 0:
		want = dlab ? m.dll : model_pop();
		FUZZ_CHECK(v == want);
		break;
	case 1:
		FUZZ_CHECK(v == (dlab ? m.dlm : m.ier));
		break;
	case 2:
		/* One of "none", THR empty, data, line status; FIFO bits. */
		FUZZ_CHECK((v & 0x0f) == 0x01 || (v & 0x0f) == 0x02 || (v & 0x0f) == 0x04 ||
			   (v & 0x0f) == 0x06);
		FUZZ_CHECK((v & 0x30) == 0);
		FUZZ_CHECK((v & 0xc0) == ((m.fcr & 1) ? 0xc0 : 0));
		/* The highest-priority source: line status, data, THR. */
		want = (m.ier & 0x04) && m.overrun ? 0x06 :
		       (m.ier & 0x01) && m.count ? 0x04 : 0;
		if (want)
			FUZZ_CHECK((v & 0x0f) == want);
		else
			FUZZ_CHECK((v & 0x0f) == 0x01 ||
				   ((v & 0x0f) == 0x02 && (m.ier & 0x02)));
		break;
	case 3:
		FUZZ_CHECK(v == m.lcr);
		break;
	case 4:
		FUZZ_CHECK(v == m.mcr);
		break;
	case 5:
		FUZZ_CHECK(v == (0x60 | (m.overrun ? 0x02 : 0) | (m.count ? 0x01 : 0)));
		m.overrun = false;
		break;
	case 6:
		if (m.mcr & MCR_LOOP)
			want = ((m.mcr & 0x01) ? 0x20 : 0) | ((m.mcr & 0x02) ? 0x10 : 0) |
			       ((m.mcr & 0x04) ? 0x40 : 0) | ((m.mcr & 0x08) ? 0x80 : 0);
		else
			want = 0xb0;
		FUZZ_CHECK(v == want);
		break;
	default:
		FUZZ_CHECK(v == m.scr);
		break;
	}
}

static void model_write(unsigned int reg, uint8_t v)
{
	bool dlab = m.lcr & LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab)
			m.dll = v;
		else if (m.mcr & MCR_LOOP)
			model_push(v);
		else if (m.nout < sizeof(m.out))
			m.out[m.nout++] = v;
		break;
	case 1:
		if (dlab)
			m.dlm = v;
		else
			m.ier = v & 0x0f;
		break;
	case 2:
		if (v & 0x02)
			m.head = m.count = 0;
		m.fcr = v & ~0x06;
		break;
	case 3:
		m.lcr = v;
		break;
	case 4:
		m.mcr = v & 0x1f;
		break;
	case 7:
		m.scr = v;
		break;
	}
}

static void port_access(struct fuzz_input *in, bool is_write)
{
	unsigned int port = fz_u8(in) % (UART_NR_PORTS + 2);
	unsigned int size = fz_access_size(in);
	bool inside = port + size <= UART_NR_PORTS;
	uint8_t d[8];

	if (is_write) {
		le_store(d, 8, fz_u64(in));
		/* Stop before the console model fills. */
		if (m.nout + size > sizeof(m.out))
			return;
		FUZZ_CHECK(bus_access(&pio, COM1 + port, d, size, true) == inside);
		for (unsigned int i = 0; inside && i < size; i++)
			model_write(port + i, d[i]);
		return;
	}
	memset(d, 0xa5, sizeof(d));
	FUZZ_CHECK(bus_access(&pio, COM1 + port, d, size, false) == inside);
	for (unsigned int i = 0; i < 8; i++) {
		if (i >= size)
			FUZZ_CHECK(d[i] == 0xa5);
		else if (!inside)
			FUZZ_CHECK(d[i] == 0xff);
		else
			check_read(port + i, d[i]);
	}
}

static void receive(struct fuzz_input *in, uint8_t op)
{
	static uint8_t burst[UART_RX_SIZE + 64];
	const uint8_t *p;
	size_t n;

	if (op & 0x80) {
		/* A burst that fills the FIFO and then some. */
		n = UART_RX_SIZE + fz_u8(in) % 64;
		memset(burst, fz_u8(in), n);
		p = burst;
	} else {
		n = fz_bytes(in, fz_u8(in) % 32, &p);
	}
	uart8250_receive(&uart, p, n);
	if (!(m.mcr & MCR_LOOP))
		for (size_t i = 0; i < n; i++)
			model_push(p[i]);
}

/* The line follows the sources the device has pending. */
static void check_line(void)
{
	bool pending = ((uart.ier & 0x04) && uart.lsr_errors) ||
		       ((uart.ier & 0x01) && uart.rx_count) ||
		       ((uart.ier & 0x02) && uart.thri_pending);

	FUZZ_CHECK(line == (pending && (uart.mcr & MCR_OUT2)));
	FUZZ_CHECK(uart.rx_count == m.count && uart.rx_head < UART_RX_SIZE);
	FUZZ_CHECK(!!uart.lsr_errors == m.overrun);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	static uint8_t out[sizeof(m.out)];

	line = false;
	uart8250_init(&uart, &con, set_irq, NULL);
	memset(&m, 0, offsetof(typeof(m), out));
	m.nout = 0;
	m.mcr = MCR_OUT2;
	m.dll = 12;
	FUZZ_CHECK(!ftruncate(con.out_fd, 0) && !lseek(con.out_fd, 0, SEEK_SET));

	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);

		switch (op % 5) {
		case 0:
		case 1:
			port_access(&in, false);
			break;
		case 2:
		case 3:
			port_access(&in, true);
			break;
		default:
			receive(&in, op);
			break;
		}
		check_line();
	}
	FUZZ_CHECK(pread(con.out_fd, out, sizeof(out), 0) == (ssize_t)m.nout);
	FUZZ_CHECK(!memcmp(out, m.out, m.nout));
	uart8250_destroy(&uart);
	return 0;
}
