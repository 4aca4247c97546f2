/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the tests: they check what the kernel does with
 * exactly the bytes they send, malformed ones included, so no library
 * stands in between. Not a general netlink library.
 */
#ifndef _CIDREG_SELFTEST_NL_H
#define _CIDREG_SELFTEST_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

struct nl {
	int fd;
	uint16_t family;
	uint32_t events_group;
	uint32_t netns_events_group;
	uint32_t version;
	uint32_t seq;
	char extack[256];	/* the last error's message */
};

/* A message being built or parsed. */
struct nl_msg {
	char buf[8192];
	size_t len;
};

/* Opens a socket and resolves the vsock_cidreg family; 0 or -errno. */
int nl_open(struct nl *nl);
void nl_close(struct nl *nl);

/* Starts a request of @cmd with netlink @flags (NLM_F_REQUEST is added). */
void nl_msg_init(struct nl_msg *m, struct nl *nl, uint8_t cmd, uint16_t flags);
void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);

/*
 * Sends @m and reads the answer: each reply message (one for a do, many
 * for a dump) is passed to @cb, if any. Returns 0, or the -errno of the
 * kernel's error (its extack message in nl->extack). *@intr, if given, is
 * set when a dump message carried NLM_F_DUMP_INTR.
 */
int nl_request(struct nl *nl, struct nl_msg *m,
	       void (*cb)(const struct nlmsghdr *h, void *arg), void *arg,
	       bool *intr);

/* Attribute @type of a reply message, or NULL. */
const struct nlattr *nl_attr(const struct nlmsghdr *h, uint16_t type);
/* Attribute @type nested in @nest, or NULL. */
const struct nlattr *nl_nested(const struct nlattr *nest, uint16_t type);
uint32_t nl_u32(const struct nlattr *a);
uint64_t nl_u64(const struct nlattr *a);

/* How many entries the registry holds (GET_STATS, on a socket of its own), or -1. */
long nl_entries(void);

/* Joins the events group. */
int nl_join_events(struct nl *nl);
/* Joins "netns-events" (anyone may); 0 or -errno. */
int nl_join_netns_events(struct nl *nl);
/* Receives one message (an event) within @timeout_ms into @m; 0 or -errno. */
int nl_recv(struct nl *nl, struct nl_msg *m, int timeout_ms);

#endif /* _CIDREG_SELFTEST_NL_H */
