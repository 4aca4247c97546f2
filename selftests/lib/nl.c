// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/vsock_cidreg.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define ALIGN4(x) (((x) + 3) & ~3U)

void nl_msg_init(struct nl_msg *m, struct nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(h + 1);

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	h->nlmsg_type = nl->family;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = ++nl->seq;
	g->cmd = cmd;
	g->version = VSOCK_CIDREG_GENL_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	h->nlmsg_len = m->len;
}

void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, ALIGN4(len) - len);
	m->len += NLA_HDRLEN + ALIGN4(len);
	((struct nlmsghdr *)m->buf)->nlmsg_len = m->len;
}

void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

static const struct nlattr *find(const char *p, size_t len, uint16_t type)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		len -= ALIGN4(a->nla_len) < len ? ALIGN4(a->nla_len) : len;
		p += ALIGN4(a->nla_len);
	}
	return NULL;
}

const struct nlattr *nl_attr(const struct nlmsghdr *h, uint16_t type)
{
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;

	if (h->nlmsg_len < off)
		return NULL;
	return find((const char *)h + off, h->nlmsg_len - off, type);
}

const struct nlattr *nl_nested(const struct nlattr *nest, uint16_t type)
{
	return find((const char *)nest + NLA_HDRLEN, nest->nla_len - NLA_HDRLEN,
		    type);
}

uint32_t nl_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a)
		memcpy(&v, (const char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

uint64_t nl_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a)
		memcpy(&v, (const char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

/* Reads the extack message of an error, if any. */
static void read_extack(struct nl *nl, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	const struct nlattr *a;

	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || h->nlmsg_len <= off)
		return;
	a = find((const char *)h + off, h->nlmsg_len - off, NLMSGERR_ATTR_MSG);
	if (a)
		snprintf(nl->extack, sizeof(nl->extack), "%.*s",
			 (int)(a->nla_len - NLA_HDRLEN),
			 (const char *)a + NLA_HDRLEN);
}

int nl_request(struct nl *nl, struct nl_msg *m,
	       void (*cb)(const struct nlmsghdr *h, void *arg), void *arg,
	       bool *intr)
{
	static char buf[65536];

	nl->extack[0] = 0;
	if (intr)
		*intr = false;
	((struct nlmsghdr *)m->buf)->nlmsg_flags |= NLM_F_ACK;
	if (send(nl->fd, m->buf, m->len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != nl->seq)
				continue;	/* an event */
			if (h->nlmsg_flags & NLM_F_DUMP_INTR && intr)
				*intr = true;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				read_extack(nl, h);
				return e->error;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (cb)
				cb(h, arg);
		}
	}
}

static void family_cb(const struct nlmsghdr *h, void *arg)
{
	struct nl *nl = arg;
	const struct nlattr *grps, *g;
	const struct nlattr *name, *id;
	const char *p;
	size_t len;

	nl->family = nl_u32(nl_attr(h, CTRL_ATTR_FAMILY_ID)) & 0xffff;
	nl->version = nl_u32(nl_attr(h, CTRL_ATTR_VERSION));
	grps = nl_attr(h, CTRL_ATTR_MCAST_GROUPS);
	if (!grps)
		return;
	p = (const char *)grps + NLA_HDRLEN;
	len = grps->nla_len - NLA_HDRLEN;
	while (len >= NLA_HDRLEN) {
		g = (const struct nlattr *)p;
		if (g->nla_len < NLA_HDRLEN || g->nla_len > len)
			break;
		name = nl_nested(g, CTRL_ATTR_MCAST_GRP_NAME);
		id = nl_nested(g, CTRL_ATTR_MCAST_GRP_ID);
		if (name && id &&
		    !strcmp((const char *)name + NLA_HDRLEN, VSOCK_CIDREG_MCGRP_EVENTS))
			nl->events_group = nl_u32(id);
		if (name && id &&
		    !strcmp((const char *)name + NLA_HDRLEN,
			    VSOCK_CIDREG_MCGRP_NETNS_EVENTS))
			nl->netns_events_group = nl_u32(id);
		len -= ALIGN4(g->nla_len) < len ? ALIGN4(g->nla_len) : len;
		p += ALIGN4(g->nla_len);
	}
}

int nl_open(struct nl *nl)
{
	struct nl_msg m;
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	nl->family = GENL_ID_CTRL;
	nl_msg_init(&m, nl, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->version = 1;
	nl_put(&m, CTRL_ATTR_FAMILY_NAME, VSOCK_CIDREG_GENL_NAME,
	       sizeof(VSOCK_CIDREG_GENL_NAME));
	err = nl_request(nl, &m, family_cb, nl, NULL);
	if (!err && !nl->family)
		err = -ENOENT;
	if (err) {
		close(nl->fd);
		nl->fd = -1;
	}
	return err;
}

void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

int nl_join_events(struct nl *nl)
{
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &nl->events_group, sizeof(nl->events_group)))
		return -errno;
	return 0;
}

int nl_join_netns_events(struct nl *nl)
{
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &nl->netns_events_group, sizeof(nl->netns_events_group)))
		return -errno;
	return 0;
}

int nl_recv(struct nl *nl, struct nl_msg *m, int timeout_ms)
{
	struct pollfd p = { .fd = nl->fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -ETIMEDOUT;
	n = recv(nl->fd, m->buf, sizeof(m->buf), 0);
	if (n < 0)
		return -errno;
	m->len = n;
	return 0;
}

static void entries_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *a = nl_attr(h, VSOCK_CIDREG_A_ENTRIES);

	if (a)
		*(long *)arg = nl_u32(a);
}

long nl_entries(void)
{
	struct nl_msg m;
	struct nl nl;
	long n = -1;

	if (nl_open(&nl))
		return -1;
	nl_msg_init(&m, &nl, VSOCK_CIDREG_CMD_GET_STATS, 0);
	if (nl_request(&nl, &m, entries_cb, &n, NULL))
		n = -1;
	nl_close(&nl);
	return n;
}
