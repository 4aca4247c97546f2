// SPDX-License-Identifier: GPL-2.0
/*
 * A node agent's one loop with libcidreg: it reads requests from standard
 * input and the module's events from the events' fd, with one poll(),
 * as an agent with an event loop of its own (epoll, libuv, Go's netpoll
 * through a goroutine-free cgo call) would.
 *
 *   agent-events < requests
 *
 * Each request line is "NETNS_PATH CID LABEL": reserve CID (0: any) for
 * that netns, persistent, labelled; it prints "reserved CID" or the
 * error. Each event prints as "event NAME cid CID". At the end of the
 * input it reads the events still coming, then exits.
 *
 * Build: cc agent-events.c $(pkg-config --cflags --libs libcidreg libnl-genl-3.0)
 */
#include <cidreg.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int print_event(const struct cidreg_event *ev, void *arg)
{
	(void)arg;
	printf("event %s cid %u\n", cidreg_event_name(ev->event), ev->cid);
	return 0;
}

/* One request line: "NETNS_PATH CID LABEL". */
static void request(struct cidreg *h, char *line)
{
	struct cidreg_reserve_req req = CIDREG_INIT(cidreg_reserve_req,
		.persistent = true, .use_netns = true,
	);
	char *path = strtok(line, " \n"), *cid = strtok(NULL, " \n");
	uint32_t got;
	int err;

	req.label = strtok(NULL, " \n");
	if (!path || !cid || !req.label) {
		printf("error: want NETNS_PATH CID LABEL\n");
		return;
	}
	req.cid = strtoul(cid, NULL, 0);
	req.any = req.cid == 0;
	req.netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (req.netns_fd < 0) {
		printf("error: %s: %s\n", path, strerror(errno));
		return;
	}
	err = cidreg_reserve(h, &req, &got);
	close(req.netns_fd);
	if (err)
		printf("error: %s; %s\n", cidreg_strerror(err),
		       cidreg_hint(err, "reserve"));
	else
		printf("reserved %u\n", got);
}

int main(void)
{
	struct pollfd p[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .events = POLLIN },
	};
	char line[512];
	struct cidreg *h;
	int err, n;

	err = cidreg_open(&h);
	if (!err)
		err = p[1].fd = cidreg_events_open(h);
	if (err < 0) {
		fprintf(stderr, "agent-events: %s; %s\n", cidreg_strerror(err),
			cidreg_hint(err, "monitor"));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Unbuffered: a line poll() saw is never left in stdio's buffer. */
	setvbuf(stdin, NULL, _IONBF, 0);
	while (p[0].fd >= 0) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN) {
			n = cidreg_events_read(h, print_event, NULL);
			if (n == -ENOBUFS)
				printf("lost events: list the registry again\n");
			else if (n < 0)
				break;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			if (fgets(line, sizeof(line), stdin))
				request(h, line);
			else
				p[0].fd = -1;	/* the end: poll() skips it */
		}
	}
	/* What the last requests caused: until half a second passes quiet. */
	while (poll(&p[1], 1, 500) > 0 &&
	       cidreg_events_read(h, print_event, NULL) >= 0)
		;
	cidreg_close(h);
	return 0;
}
