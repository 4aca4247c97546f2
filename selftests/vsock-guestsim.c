// SPDX-License-Identifier: GPL-2.0
/*
 * vsock-guestsim: act as vsock guest CID X through /dev/vhost-vsock,
 * without a VM (lib/guestsim), for scripts and benchmarks.
 *
 *   vsock-guestsim -c CID connect PORT [--send BYTES]
 *   vsock-guestsim -c CID listen PORT [--echo]
 *
 * connect: connects to host port PORT and pipes stdin to it and it to
 * stdout, or with --send sends BYTES bytes and reports the throughput.
 * listen: accepts one host connection on guest port PORT and pipes it, or
 * with --echo sends back what it receives. Exit status: 0, 1 on error
 * (one line on stderr), 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/guestsim.h"

#define TMO 30000

static void usage(void)
{
	fprintf(stderr, "usage: vsock-guestsim -c CID connect PORT [--send BYTES]\n"
		"       vsock-guestsim -c CID listen PORT [--echo]\n");
	exit(2);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "vsock-guestsim: %s: %s\n", what, strerror(err));
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Pipes stdin to the stream and the stream to stdout until both end. */
static int pipe_stream(struct gsim *g, int s, int echo)
{
	char buf[65536];
	int in_open = !echo;
	ssize_t n;

	if (in_open)
		fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	for (;;) {
		if (in_open) {
			n = read(0, buf, sizeof(buf));
			if (n > 0) {
				if (gsim_send(g, s, buf, n, TMO) != n)
					return fail("send", ECONNRESET);
			} else if (n == 0) {
				in_open = 0;
				gsim_shutdown_send(g, s);
			} else if (errno != EAGAIN) {
				return fail("stdin", errno);
			}
		}
		n = gsim_recv(g, s, buf, sizeof(buf), 10);
		if (n == -ETIMEDOUT)
			continue;
		if (n < 0)
			return fail("receive", -n);
		if (n == 0)
			break;
		if (echo ? gsim_send(g, s, buf, n, TMO) != n :
			   write(1, buf, n) != n)
			return fail(echo ? "send" : "stdout", EIO);
	}
	if (echo)
		gsim_shutdown_send(g, s);
	/* The program ends with the device: the host reads everything first. */
	if (gsim_linger(g, s, TMO))
		return fail("linger", ETIMEDOUT);
	gsim_close(g, s);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long cid = 0, port, bytes = 0;
	int echo = 0, s, rc;
	struct gsim *g;
	char *end;

	if (argc < 5 || strcmp(argv[1], "-c"))
		usage();
	cid = strtoul(argv[2], &end, 0);
	if (*end || cid < 3 || cid >= 0xffffffffUL)
		usage();
	port = strtoul(argv[4], &end, 0);
	if (*end || port >= 0xffffffffUL)
		usage();
	if (argc == 6 && !strcmp(argv[5], "--echo"))
		echo = 1;
	else if (argc == 7 && !strcmp(argv[5], "--send"))
		bytes = strtoul(argv[6], NULL, 0);
	else if (argc != 5)
		usage();

	g = gsim_create(cid);
	if (!g)
		return fail("cannot become guest (is vhost_vsock loaded? is the CID free and ours?)",
			    errno);
	if (!strcmp(argv[3], "connect") && !echo) {
		s = gsim_connect(g, port, TMO);
		if (s < 0) {
			rc = fail("connect", -s);
		} else if (bytes) {
			static char buf[65536];
			unsigned long done = 0;
			double t0 = now();

			while (done < bytes) {
				size_t n = bytes - done < sizeof(buf) ?
					   bytes - done : sizeof(buf);

				if (gsim_send(g, s, buf, n, TMO) != (ssize_t)n)
					break;
				done += n;
			}
			printf("sent %lu bytes in %.3f s: %.1f MB/s\n", done,
			       now() - t0, done / (now() - t0) / 1e6);
			gsim_close(g, s);
			rc = done == bytes ? 0 : fail("send", ECONNRESET);
		} else {
			rc = pipe_stream(g, s, 0);
		}
	} else if (!strcmp(argv[3], "listen") && !bytes) {
		s = gsim_listen(g, port);
		if (!s)
			s = gsim_accept(g, port, 60000);
		rc = s < 0 ? fail("accept", -s) : pipe_stream(g, s, echo);
	} else {
		usage();
	}
	gsim_destroy(g);
	return rc;
}
