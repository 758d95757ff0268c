// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "devices/uart8250.h"
#include "vmm/bytes.h"
#include "vmm/console.h"

/* Register offsets from the base port (datasheet table 2). */
enum {
	UART_RBR_THR = 0,	/* DLAB=1: divisor latch low */
	UART_IER = 1,		/* DLAB=1: divisor latch high */
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};

#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01	/* receive data ready */
#define LSR_OE		0x02	/* overrun */
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* THR empty */
#define IER_RLSI	0x04	/* receiver line status */
#define IIR_NONE	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_FIFO_ON	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

void uart8250_init(struct uart8250 *u, struct console *console,
		   uart_irq_fn set_irq, void *irq_opaque)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->console = console;
	u->set_irq = set_irq;
	u->irq_opaque = irq_opaque;
	u->mcr = MCR_OUT2;
	u->dll = 12;	/* 9600 baud from the 1.8432 MHz clock */
}

void uart8250_destroy(struct uart8250 *u)
{
	pthread_mutex_destroy(&u->lock);
}

static void rx_push(struct uart8250 *u, uint8_t c)
{
	if (u->rx_count == UART_RX_SIZE) {
		u->lsr_errors |= LSR_OE;
		u->rx_dropped++;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_RX_SIZE] = c;
	u->rx_count++;
}

static uint8_t rx_pop(struct uart8250 *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_RX_SIZE;
	u->rx_count--;
	return c;
}

/* The highest-priority pending interrupt, as IIR reports it (datasheet
 * table 4), without the FIFO bits. */
static uint8_t pending_irq(const struct uart8250 *u)
{
	if ((u->ier & IER_RLSI) && u->lsr_errors)
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thri_pending)
		return IIR_THRI;
	return IIR_NONE;
}

/* On a PC the UART's INTR output reaches the interrupt controller through
 * MCR.OUT2; the line follows the pending state. ISA IRQs are edge-triggered,
 * so only changes are passed on. */
static void update_irq(struct uart8250 *u)
{
	bool level = pending_irq(u) != IIR_NONE && (u->mcr & MCR_OUT2);

	if (!u->set_irq || level == u->irq_level)
		return;
	u->irq_level = level;
	u->set_irq(u->irq_opaque, level);
}

void uart8250_receive(struct uart8250 *u, const uint8_t *buf, size_t n)
{
	pthread_mutex_lock(&u->lock);
	/* In loopback the receiver hears only the transmitter (datasheet 8.6). */
	if (!(u->mcr & MCR_LOOP))
		for (size_t i = 0; i < n; i++)
			rx_push(u, buf[i]);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

/* Modem status: in loopback, MCR's outputs feed the inputs (datasheet 8.6);
 * otherwise a peer is always present and ready. */
static uint8_t msr(const struct uart8250 *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	return ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
	       ((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
	       ((u->mcr & MCR_OUT1) ? MSR_RI : 0) |
	       ((u->mcr & MCR_OUT2) ? MSR_DCD : 0);
}

static uint8_t read_reg(struct uart8250 *u, unsigned int reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RBR_THR:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR:
		v = pending_irq(u);
		if (v == IIR_THRI)
			u->thri_pending = false;
		return v | ((u->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = LSR_THRE | LSR_TEMT | u->lsr_errors | (u->rx_count ? LSR_DR : 0);
		u->lsr_errors = 0;
		return v;
	case UART_MSR:
		return msr(u);
	default:
		return u->scr;
	}
}

static void write_reg(struct uart8250 *u, unsigned int reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab) {
			u->dll = v;
			break;
		}
		if (u->mcr & MCR_LOOP)
			rx_push(u, v);
		else
			console_write(u->console, &v, 1);
		u->thri_pending = true;	/* sent at once: THR is empty again */
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thri_pending = true;
		u->ier = v & 0x0f;
		break;
	case UART_IIR_FCR:
		if (v & FCR_CLEAR_RX)
			u->rx_head = u->rx_count = 0;
		u->fcr = v & ~0x06;	/* the clear bits self-reset */
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:	/* LSR and MSR are read-only */
		break;
	}
}

/*
 * Registers are bytes; a wider access touches consecutive registers, as a
 * 16-bit ISA cycle split into two 8-bit ones would.
 */
static void uart_read(void *dev, uint64_t offset, uint8_t *data,
		      unsigned int size)
{
	struct uart8250 *u = dev;

	pthread_mutex_lock(&u->lock);
	for (unsigned int i = 0; i < size; i++)
		data[i] = read_reg(u, offset + i);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static void uart_write(void *dev, uint64_t offset, const uint8_t *data,
		       unsigned int size)
{
	struct uart8250 *u = dev;

	pthread_mutex_lock(&u->lock);
	for (unsigned int i = 0; i < size; i++)
		write_reg(u, offset + i, data[i]);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

const struct bus_ops uart8250_ops = {
	.read = uart_read,
	.write = uart_write,
};
