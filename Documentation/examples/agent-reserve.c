// SPDX-License-Identifier: GPL-2.0
/*
 * A node agent's reservation with libcidreg: a given CID (or any, with 0)
 * for the network namespace at a path, persistent, labelled.
 *
 *   agent-reserve NETNS_PATH CID LABEL
 *
 * Build: cc agent-reserve.c $(pkg-config --cflags --libs libcidreg libnl-genl-3.0)
 */
#include <cidreg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Returns the CID reserved for the netns at @netns_path, or -errno. */
static int reserve_for_pod(const char *netns_path, uint32_t want,
			   const char *label)
{
	struct cidreg_reserve_req req = CIDREG_INIT(cidreg_reserve_req,
		.cid = want,
		.any = want == 0,	/* any in the module's range */
		.persistent = true,	/* outlive this process */
		.use_netns = true,
		.label = label,
	);
	struct cidreg *h;
	uint32_t cid;
	int err;

	req.netns_fd = open(netns_path, O_RDONLY | O_CLOEXEC);
	if (req.netns_fd < 0)
		return -errno;
	err = cidreg_open(&h);
	if (!err) {
		err = cidreg_reserve(h, &req, &cid);
		cidreg_close(h);
	}
	close(req.netns_fd);
	return err ? err : (int)cid;
}

int main(int argc, char **argv)
{
	int cid;

	if (argc != 4) {
		fprintf(stderr, "usage: agent-reserve NETNS_PATH CID LABEL\n");
		return 2;
	}
	cid = reserve_for_pod(argv[1], strtoul(argv[2], NULL, 0), argv[3]);
	if (cid < 0) {
		fprintf(stderr, "agent-reserve: %s; %s\n", cidreg_strerror(cid),
			cidreg_hint(cid, "reserve"));
		return 1;
	}
	printf("%d\n", cid);
	return 0;
}
