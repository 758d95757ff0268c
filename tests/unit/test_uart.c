// SPDX-License-Identifier: GPL-2.0-only
/* 16550 register semantics, driven through the bus as a guest would. */
#include <fcntl.h>
#include <unistd.h>

#include "check.h"
#include "devices/uart8250.h"
#include "vmm/console.h"

static struct uart8250 uart;
static int irq_edges;		/* rising edges seen */
static bool irq_line;

static void record_irq(void *opaque, bool level)
{
	(void)opaque;
	if (level && !irq_line)
		irq_edges++;
	irq_line = level;
}

static uint8_t rd(unsigned int reg)
{
	uint8_t v;

	uart8250_ops.read(&uart, reg, &v, 1);
	return v;
}

static void wr(unsigned int reg, uint8_t v)
{
	uart8250_ops.write(&uart, reg, &v, 1);
}

int main(void)
{
	struct console con = { .out_fd = -1, .in_fd = -1 };
	int pipefd[2];
	char out[16] = "";
	uint8_t two[2];

	CHECK(!pipe(pipefd));
	con.out_fd = pipefd[1];
	uart8250_init(&uart, &con, record_irq, NULL);

	/* Transmit goes to the console; the transmitter is always empty. */
	wr(0, 'h');
	wr(0, 'i');
	CHECK(read(pipefd[0], out, sizeof(out)) == 2 && !memcmp(out, "hi", 2));
	CHECK_EQ_U64(rd(5) & 0x61, 0x60);	/* THRE|TEMT, no DR */
	CHECK_EQ_U64(rd(2), 0x01);		/* no interrupt pending */

	/* Divisor latch behind DLAB; IER is not disturbed by it. */
	wr(1, 0x05);
	wr(3, 0x80);
	wr(0, 0x01);
	wr(1, 0x00);
	CHECK_EQ_U64(rd(0), 0x01);
	CHECK_EQ_U64(rd(1), 0x00);
	wr(3, 0x03);
	CHECK_EQ_U64(rd(1), 0x05);
	CHECK_EQ_U64(rd(3), 0x03);

	/* Receive: data ready, IIR priority, FIFO order. */
	uart8250_receive(&uart, (const uint8_t *)"ab", 2);
	CHECK_EQ_U64(rd(5) & 0x01, 0x01);
	wr(1, 0x01);				/* receive interrupt */
	CHECK_EQ_U64(rd(2) & 0x0f, 0x04);
	CHECK_EQ_U64(rd(0), 'a');
	CHECK_EQ_U64(rd(0), 'b');
	CHECK_EQ_U64(rd(5) & 0x01, 0x00);
	CHECK_EQ_U64(rd(0), 0);			/* empty FIFO reads 0 */
	wr(1, 0x03);
	CHECK_EQ_U64(rd(2) & 0x0f, 0x02);	/* THR empty */
	wr(2, 0x01);				/* FIFO on */
	CHECK_EQ_U64(rd(2) & 0xc0, 0xc0);

	/* Overrun: the FIFO holds UART_RX_SIZE bytes, then OE until LSR is read. */
	for (int i = 0; i < UART_RX_SIZE + 3; i++)
		uart8250_receive(&uart, (const uint8_t *)"x", 1);
	CHECK_EQ_U64(uart.rx_dropped, 3);
	CHECK_EQ_U64(rd(5) & 0x02, 0x02);
	CHECK_EQ_U64(rd(5) & 0x02, 0x00);
	wr(2, 0x03);				/* clear the receive FIFO */
	CHECK_EQ_U64(rd(5) & 0x01, 0x00);

	/* Loopback (datasheet 8.6): output feeds input, MCR feeds MSR. */
	CHECK_EQ_U64(rd(6), 0xb0);
	wr(4, 0x10 | 0x0a);			/* LOOP, RTS, OUT2 */
	CHECK_EQ_U64(rd(6), 0x90);		/* CTS, DCD */
	wr(0, 'z');
	CHECK_EQ_U64(rd(0), 'z');
	uart8250_receive(&uart, (const uint8_t *)"q", 1);
	CHECK_EQ_U64(rd(5) & 0x01, 0x00);	/* deaf to the line in loopback */
	wr(4, 0x08);

	/* Scratch, and a 2-byte access spanning SCR and nothing more. */
	wr(7, 0x42);
	CHECK_EQ_U64(rd(7), 0x42);
	uart8250_ops.read(&uart, 6, two, 2);
	CHECK_EQ_U64(two[1], 0x42);
	/* LSR and MSR ignore writes. */
	wr(5, 0x00);
	CHECK_EQ_U64(rd(5) & 0x60, 0x60);

	/*
	 * The interrupt line (OUT2 gates it, as on a PC). Edge-triggered ISA
	 * IRQ 4 needs a new rising edge for every event the driver waits for.
	 */
	wr(2, 0x07);				/* FIFO on, both cleared */
	wr(1, 0x00);
	rd(5);
	CHECK(!irq_line);
	wr(1, 0x02);				/* enable THR empty */
	CHECK(irq_line);
	CHECK_EQ_U64(rd(2) & 0x0f, 0x02);	/* reading IIR clears it ... */
	CHECK(!irq_line);
	CHECK_EQ_U64(rd(2) & 0x0f, 0x01);
	irq_edges = 0;
	wr(0, 'a');				/* ... and each byte sent sets it */
	wr(0, 'b');
	CHECK(irq_line);
	rd(2);
	CHECK(!irq_line);
	wr(0, 'c');
	CHECK_EQ_U64(irq_edges, 2);
	rd(2);
	wr(1, 0x01);				/* receive only */
	CHECK(!irq_line);
	uart8250_receive(&uart, (const uint8_t *)"k", 1);
	CHECK(irq_line);
	CHECK_EQ_U64(rd(0), 'k');
	CHECK(!irq_line);
	wr(4, 0x00);				/* OUT2 low: no interrupt reaches the PIC */
	uart8250_receive(&uart, (const uint8_t *)"k", 1);
	CHECK(!irq_line);
	wr(4, 0x08);
	CHECK(irq_line);

	uart8250_destroy(&uart);
	close(pipefd[0]);
	close(pipefd[1]);
	return check_report("uart8250");
}
