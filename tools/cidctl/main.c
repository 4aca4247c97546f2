// SPDX-License-Identifier: GPL-2.0
/*
 * cidctl: reserve, inspect and configure vsock CIDs of the vsock_cidreg
 * module. The command line, a batch of them (-b), the netns to run in
 * (-n), and the completion's entry (cidctl __complete LINE). See
 * cidctl(8) (Documentation/cidctl.8).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cidctl.h"
#include "cidreg.h"

/*
 * -b FILE: each line a command (without "cidctl"), with the options of
 * the command line; the first that fails ends the batch with its status.
 */
static int run_batch(const struct cidctl_args *opts)
{
	FILE *f = strcmp(opts->batch, "-") ? fopen(opts->batch, "r") : stdin;
	char *line = NULL, *argv[64], err[256];
	char *where = cidctl_where;
	struct cidreg *h = NULL;
	struct cidctl_args a;
	size_t size = 0;
	int rc = 0, n, lineno = 0;

	if (!f) {
		fprintf(stderr, "cidctl: -b %s: %s\n", opts->batch, strerror(errno));
		return 1;
	}
	while (!rc && getline(&line, &size, f) >= 0) {
		lineno++;
		snprintf(where, sizeof(cidctl_where), "%s:%d: ",
			 f == stdin ? "stdin" : opts->batch, lineno);
		n = cidctl_split(line, argv, sizeof(argv) / sizeof(argv[0]));
		if (n < 0) {
			fprintf(stderr, "cidctl: %san unterminated quote or more than 63 words\n", where);
			rc = 2;
			break;
		}
		if (!n)
			continue;
		if (cidctl_parse(n, argv, &a, err, sizeof(err))) {
			fprintf(stderr, "cidctl: %s%s\n", where, err);
			rc = 2;
			break;
		}
		if (a.batch || a.in_netns) {
			fprintf(stderr, "cidctl: %s%s inside a batch: give it to cidctl itself\n",
				where, a.batch ? "-b" : "-n");
			rc = 2;
			break;
		}
		a.json |= opts->json;
		a.pretty |= opts->pretty;
		a.timestamp |= opts->timestamp;
		a.no_header |= opts->no_header;
		rc = cidctl_run(&a, &h);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	cidreg_close(h);
	return rc;
}

/* -n NETNS: the rest runs in it, as ip -n does. */
static int enter_netns(const char *netns)
{
	int fd, rc;

	if (cidctl_open_netns(netns, "-n", &fd))
		return 1;
	rc = setns(fd, CLONE_NEWNET);
	if (rc)
		fprintf(stderr, "cidctl: -n %s: cannot enter it: %s%s\n", netns,
			strerror(errno), errno == EPERM ?
			": entering a netns needs CAP_SYS_ADMIN" : "");
	close(fd);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct cidreg *h = NULL;
	struct cidctl_args a;
	char err[256];
	int rc;

	/* The bash completion's: the words that can end the line. */
	if (argc == 3 && !strcmp(argv[1], "__complete")) {
		cidctl_complete(stdout, argv[2]);
		return 0;
	}
	if (cidctl_parse(argc - 1, argv + 1, &a, err, sizeof(err))) {
		fprintf(stderr, "cidctl: %s\n", err);
		return 2;
	}
	if (a.in_netns && enter_netns(a.in_netns))
		return 1;
	rc = a.batch ? run_batch(&a) : cidctl_run(&a, &h);
	cidreg_close(h);
	if (fflush(stdout) && !rc)
		rc = 1;
	return rc;
}
