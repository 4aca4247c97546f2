/* SPDX-License-Identifier: GPL-2.0 */
/* cidctl's commands as they run (cidctl.c), for main.c. */
#ifndef CIDCTL_H
#define CIDCTL_H

#include "args.h"
#include "cidreg.h"

/* What a command's run function gets. */
struct cidctl_ctx {
	const struct cidctl_args *a;
	struct cidreg **hp;	/* the library's handle, opened on first need */
	int nsfd;		/* --netns, opened; -1: none */
	int rc;			/* why the handle did not open: the status */
};

/* "FILE:LINE: " of the batch line that runs, else "". */
extern char cidctl_where[4200];

/* Runs one parsed command; opens *hp on first need. The exit status. */
int cidctl_run(const struct cidctl_args *a, struct cidreg **hp);
/*
 * Opens the netns @netns names (NULL: none, *fd = -1) for @verb; 0, or
 * 1 with a one-line message on stderr.
 */
int cidctl_open_netns(const char *netns, const char *verb, int *fd);

#endif
