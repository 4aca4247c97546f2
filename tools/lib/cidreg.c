// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libcidreg: see cidreg.h. ioctl on /dev/vsock-cidreg for reservations,
 * libnl-genl-3 for the vsock_cidreg family.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/netlink.h>
#include <linux/vsock_cidreg.h>
#include <vsock_cidreg_names.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#include "cidreg.h"

struct cidreg {
	int fd;			/* the device, or -errno of its open */
	struct nl_sock *nl;	/* NULL if the family is not there */
	int family;
	int nl_err;		/* why there is no family */
	struct nl_sock *ev;	/* the events' socket (cidreg_events_open()) */
	char message[256];	/* the kernel's extack message of the last call */
};

/* The family's attributes: what each reply may carry, and how long. */
static struct nla_policy policy[VSOCK_CIDREG_A_MAX + 1] = {
	[VSOCK_CIDREG_A_CID] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_NETNS_INO] = { .type = NLA_U64 },
	[VSOCK_CIDREG_A_NETNS_FD] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_KIND] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_INFO] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_LABEL] = { .type = NLA_STRING,
				   .maxlen = VSOCK_CIDREG_LABEL_MAX },
	[VSOCK_CIDREG_A_CREATOR_PID] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_CREATOR_UID] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_COMM] = { .type = NLA_STRING,
				  .maxlen = VSOCK_CIDREG_COMM_MAX },
	[VSOCK_CIDREG_A_CTIME_NS] = { .type = NLA_U64 },
	[VSOCK_CIDREG_A_HOLDER_PID] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_MODE] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_STRICT] = { .type = NLA_U8 },
	[VSOCK_CIDREG_A_CID_MIN] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_CID_MAX] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_QUOTA] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_PROTECTED_PORTS] = { .type = NLA_UNSPEC,
					     .maxlen = 32 * sizeof(uint32_t) },
	[VSOCK_CIDREG_A_ENTRIES] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_OP_STATS] = { .type = NLA_NESTED },
	[VSOCK_CIDREG_A_OP] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_ALLOWED] = { .type = NLA_U64 },
	[VSOCK_CIDREG_A_DENIED] = { .type = NLA_U64 },
	[VSOCK_CIDREG_A_AUDITED] = { .type = NLA_U64 },
	[VSOCK_CIDREG_A_EVENT] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_REASON] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_PID] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_PORT] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_TO_NETNS_INO] = { .type = NLA_U64 },
	[VSOCK_CIDREG_A_RULE] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_DROPPED] = { .type = NLA_U64 },
	[VSOCK_CIDREG_A_EVENTS_DROPPED] = { .type = NLA_U64 },
};

#define DEVICE "/dev/" VSOCK_CIDREG_DEVICE

int cidreg_open(struct cidreg **hp)
{
	struct cidreg *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->fd = open(DEVICE, O_RDWR | O_CLOEXEC);
	if (h->fd < 0)
		h->fd = -errno;
	h->nl = nl_socket_alloc();
	if (!h->nl) {
		h->nl_err = -ENOMEM;
	} else if (genl_connect(h->nl) < 0) {
		h->nl_err = -ENOTCONN;
	} else {
		h->family = genl_ctrl_resolve(h->nl, VSOCK_CIDREG_GENL_NAME);
		if (h->family < 0)
			h->nl_err = -ENOENT;
		else
			setsockopt(nl_socket_get_fd(h->nl), SOL_NETLINK,
				   NETLINK_EXT_ACK, &(int){ 1 }, sizeof(int));
	}
	if (h->nl_err && h->nl) {
		nl_socket_free(h->nl);
		h->nl = NULL;
	}
	if (h->fd < 0 && h->nl_err) {
		int err = h->fd == -ENOENT ? -ENODEV : h->fd;

		cidreg_close(h);
		return err;
	}
	*hp = h;
	return 0;
}

void cidreg_close(struct cidreg *h)
{
	if (!h)
		return;
	if (h->fd >= 0)
		close(h->fd);
	if (h->nl)
		nl_socket_free(h->nl);
	if (h->ev)
		nl_socket_free(h->ev);
	free(h);
}

static int dev(struct cidreg *h)
{
	if (h->fd >= 0)
		return h->fd;
	return h->fd == -ENOENT ? -ENODEV : h->fd;
}

static int ioc(struct cidreg *h, unsigned long req, void *arg)
{
	int fd = dev(h);

	h->message[0] = 0;
	if (fd < 0)
		return fd;
	return ioctl(fd, req, arg) ? -errno : 0;
}

/*
 * The caller's struct @u (its size first) as the library's own @k of
 * @ksize bytes: what the caller's size covers, zero past it. -EINVAL if
 * smaller than @ksize (every struct is at its first version), -E2BIG if it
 * sets bytes past @ksize (fields this library does not know).
 */
static int struct_in(void *k, size_t ksize, const void *u)
{
	size_t usize = *(const size_t *)u, i;

	if (usize < ksize)
		return -EINVAL;
	for (i = ksize; i < usize; i++)
		if (((const unsigned char *)u)[i])
			return -E2BIG;
	memcpy(k, u, ksize);
	*(size_t *)k = ksize;
	return 0;
}

/* A struct to fill: -EINVAL if smaller than the library's @ksize. */
static int struct_out_check(const void *u, size_t ksize)
{
	return *(const size_t *)u < ksize ? -EINVAL : 0;
}

/* The library's @k (@ksize bytes) into the caller's @u: zero past @ksize. */
static void struct_out(void *u, const void *k, size_t ksize)
{
	size_t usize = *(size_t *)u;

	memcpy((char *)u + sizeof(size_t), (const char *)k + sizeof(size_t),
	       ksize - sizeof(size_t));
	memset((char *)u + ksize, 0, usize - ksize);
}

/*
 * Functions whose structs began with their size in LIBCIDREG_0.3 are
 * defined as NAME_3 and exported as NAME@@LIBCIDREG_0.3 (a static link
 * takes that for NAME too); compat.c keeps their older versions.
 */
__asm__(".symver cidreg_reserve_3, cidreg_reserve@@LIBCIDREG_0.3");
int cidreg_reserve_3(struct cidreg *h, const struct cidreg_reserve_req *ureq,
		     uint32_t *cid)
{
	struct vsock_cidreg_reserve r = { .size = sizeof(r) };
	struct cidreg_reserve_req rq, *req = &rq;
	int err = struct_in(&rq, sizeof(rq), ureq);

	if (err)
		return err;

	if (req->any) {
		r.flags |= VSOCK_CIDREG_RESERVE_ANY;
		if (req->lowest)
			r.flags |= VSOCK_CIDREG_RESERVE_LOWEST;
		r.cid_min = req->cid_min;
		r.cid_max = req->cid_max;
	} else {
		r.cid = req->cid;
	}
	if (req->persistent)
		r.flags |= VSOCK_CIDREG_RESERVE_PERSISTENT;
	if (req->use_netns && req->netns_fd >= 0) {
		r.flags |= VSOCK_CIDREG_RESERVE_NETNS;
		r.netns_fd = req->netns_fd;
	}
	if (req->label) {
		if (strlen(req->label) >= sizeof(r.label))
			return -ENAMETOOLONG;
		strcpy(r.label, req->label);
	}
	err = ioc(h, VSOCK_CIDREG_IOC_RESERVE, &r);
	if (!err)
		*cid = r.cid;
	return err;
}

int cidreg_release(struct cidreg *h, uint32_t cid)
{
	struct vsock_cidreg_release r = { .size = sizeof(r), .cid = cid };

	return ioc(h, VSOCK_CIDREG_IOC_RELEASE, &r);
}

int cidreg_release_all(struct cidreg *h, int netns_fd)
{
	struct vsock_cidreg_release r = {
		.size = sizeof(r), .flags = VSOCK_CIDREG_RELEASE_ALL,
	};
	int err;

	if (netns_fd == CIDREG_EVERY_NETNS) {
		r.flags |= VSOCK_CIDREG_RELEASE_EVERY_NETNS;
	} else if (netns_fd >= 0) {
		r.flags |= VSOCK_CIDREG_RELEASE_NETNS;
		r.netns_fd = netns_fd;
	}
	err = ioc(h, VSOCK_CIDREG_IOC_RELEASE, &r);
	return err ? err : (int)r.count;
}

int cidreg_transfer(struct cidreg *h, uint32_t cid, int netns_fd,
		    bool persistent)
{
	struct vsock_cidreg_transfer t = {
		.size = sizeof(t), .cid = cid, .netns_fd = netns_fd,
		.flags = persistent ? VSOCK_CIDREG_TRANSFER_PERSISTENT : 0,
	};

	return ioc(h, VSOCK_CIDREG_IOC_TRANSFER, &t);
}

static void entry_from_ioctl(struct cidreg_entry *e,
			     const struct vsock_cidreg_entry *q)
{
	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	e->cid = q->cid;
	e->kind = q->kind;
	e->hidden = q->info & VSOCK_CIDREG_INFO_HIDDEN;
	e->own = q->info & VSOCK_CIDREG_INFO_OWN;
	e->attached = q->info & VSOCK_CIDREG_INFO_ATTACHED;
	e->local = q->info & VSOCK_CIDREG_INFO_LOCAL;
	e->netns_ino = q->netns_ino;
	e->creator_pid = q->creator_pid;
	e->creator_uid = q->creator_uid;
	e->holder_pid = q->holder_pid;
	e->ctime_ns = q->ctime_ns;
	memcpy(e->comm, q->comm, sizeof(e->comm));
	memcpy(e->label, q->label, sizeof(e->label));
	e->comm[sizeof(e->comm) - 1] = 0;
	e->label[sizeof(e->label) - 1] = 0;
}

/* Through the device: the same view as netlink, without needing it. */
__asm__(".symver cidreg_show_3, cidreg_show@@LIBCIDREG_0.3");
int cidreg_show_3(struct cidreg *h, uint32_t cid, struct cidreg_entry *ue)
{
	struct vsock_cidreg_entry q = { .size = sizeof(q), .cid = cid };
	struct cidreg_entry e;
	int err = struct_out_check(ue, sizeof(e));

	if (!err)
		err = ioc(h, VSOCK_CIDREG_IOC_QUERY, &q);
	if (err)
		return err;
	entry_from_ioctl(&e, &q);
	struct_out(ue, &e, sizeof(e));
	return 0;
}

/* Netlink */

static int nl_check(struct cidreg *h)
{
	return h->nl ? 0 : h->nl_err;
}

static struct nl_msg *nl_new(struct cidreg *h, uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc();

	if (m && !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, h->family, 0,
			      flags, cmd, VSOCK_CIDREG_GENL_VERSION)) {
		nlmsg_free(m);
		m = NULL;
	}
	return m;
}

#define U32(x, attr) do { if (a[attr]) (x) = nla_get_u32(a[attr]); } while (0)
#define U64(x, attr) do { if (a[attr]) (x) = nla_get_u64(a[attr]); } while (0)

struct nl_call {
	int (*parse)(struct nl_msg *m, void *arg);
	void *arg;
	int err;
	bool done;
	char *message;		/* where the extack message goes */
	size_t size;
};

static int nl_valid(struct nl_msg *m, void *arg)
{
	struct nl_call *c = arg;

	if (!c->err && c->parse)
		c->err = c->parse(m, c->arg);
	return NL_SKIP;
}

static int nl_done(struct nl_msg *m, void *arg)
{
	struct nl_call *c = arg;

	(void)m;
	c->done = true;
	return NL_STOP;
}

/*
 * The extack message of an error, if the kernel gave one: the attributes
 * after the request echoed in it (all of it, or its header only when the
 * kernel capped the ack).
 */
static void nl_extack(const struct nlmsgerr *e, char *buf, size_t size)
{
	const struct nlmsghdr *h = (const void *)((const char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e);
	const struct nlattr *a;
	int len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)h->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return;
	a = (const void *)((const char *)e + off);
	for (; nla_ok(a, len); a = nla_next(a, &len)) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0) {
			snprintf(buf, size, "%.*s", nla_len(a),
				 (const char *)nla_data(a));
			buf[strcspn(buf, "\n")] = 0;
		}
	}
}

/* The kernel's errno, not libnl's own code, is what callers need. */
static int nl_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nl_call *c = arg;

	(void)nla;
	if (!c->err) {
		c->err = e->error;
		if (c->message)
			nl_extack(e, c->message, c->size);
	}
	c->done = true;
	return NL_STOP;
}

/* Sends @m (taking it) and handles the answer, a dump's included. */
static int nl_call(struct cidreg *h, struct nl_msg *m,
		   int (*parse)(struct nl_msg *m, void *arg), void *arg)
{
	struct nl_call c = { .parse = parse, .arg = arg, .message = h->message,
			     .size = sizeof(h->message) };
	struct nl_cb *cb;
	int err;

	h->message[0] = 0;
	if (!m)
		return -ENOMEM;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nl_valid, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, nl_done, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, nl_done, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, nl_error, &c);
	err = nl_send_auto(h->nl, m);
	nlmsg_free(m);
	while (err >= 0 && !c.done) {
		err = nl_recvmsgs(h->nl, cb);
		if (err < 0 && !c.err)
			c.err = -EIO;
	}
	if (err < 0 && !c.err)
		c.err = -EIO;
	nl_cb_put(cb);
	return c.err;
}

static int attrs(struct nl_msg *m, struct nlattr **a)
{
	return genlmsg_parse(nlmsg_hdr(m), 0, a, VSOCK_CIDREG_A_MAX, policy) < 0 ?
	       -EPROTO : 0;
}

static void put_str(char *dst, size_t size, struct nlattr *a)
{
	if (a)
		snprintf(dst, size, "%s", nla_get_string(a));
}

static int parse_entry(struct nl_msg *m, void *arg)
{
	struct nlattr *a[VSOCK_CIDREG_A_MAX + 1];
	struct cidreg_entry *e = arg;
	uint32_t info = 0;

	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	if (attrs(m, a))
		return -EPROTO;
	U32(info, VSOCK_CIDREG_A_INFO);
	if (!a[VSOCK_CIDREG_A_CID])
		return -EPROTO;
	e->cid = nla_get_u32(a[VSOCK_CIDREG_A_CID]);
	e->hidden = info & VSOCK_CIDREG_INFO_HIDDEN;
	e->own = info & VSOCK_CIDREG_INFO_OWN;
	e->attached = info & VSOCK_CIDREG_INFO_ATTACHED;
	e->local = info & VSOCK_CIDREG_INFO_LOCAL;
	U32(e->kind, VSOCK_CIDREG_A_KIND);
	U64(e->netns_ino, VSOCK_CIDREG_A_NETNS_INO);
	U32(e->creator_pid, VSOCK_CIDREG_A_CREATOR_PID);
	U32(e->creator_uid, VSOCK_CIDREG_A_CREATOR_UID);
	U32(e->holder_pid, VSOCK_CIDREG_A_HOLDER_PID);
	U64(e->ctime_ns, VSOCK_CIDREG_A_CTIME_NS);
	put_str(e->comm, sizeof(e->comm), a[VSOCK_CIDREG_A_COMM]);
	put_str(e->label, sizeof(e->label), a[VSOCK_CIDREG_A_LABEL]);
	return 0;
}

struct list_ctx {
	int (*cb)(const struct cidreg_entry *e, void *arg);
	void *arg;
};

static int parse_list(struct nl_msg *m, void *arg)
{
	struct list_ctx *l = arg;
	struct cidreg_entry e;
	int err = parse_entry(m, &e);

	return err ? err : l->cb(&e, l->arg);
}

__asm__(".symver cidreg_list_3, cidreg_list@@LIBCIDREG_0.3");
int cidreg_list_3(struct cidreg *h, int netns_fd,
		  int (*cb)(const struct cidreg_entry *e, void *arg), void *arg)
{
	struct list_ctx l = { .cb = cb, .arg = arg };
	struct nl_msg *m;
	int err = nl_check(h);

	if (err)
		return err;
	m = nl_new(h, VSOCK_CIDREG_CMD_GET, NLM_F_DUMP);
	if (m && netns_fd >= 0)
		nla_put_s32(m, VSOCK_CIDREG_A_NETNS_FD, netns_fd);
	return nl_call(h, m, parse_list, &l);
}

static int parse_stats(struct nl_msg *m, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));
	struct cidreg_stats *st = arg;
	struct nlattr *attr;
	int rem;

	nla_for_each_attr(attr, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem) {
		struct nlattr *a[VSOCK_CIDREG_A_MAX + 1];
		uint32_t op;

		if (nla_type(attr) == VSOCK_CIDREG_A_ENTRIES &&
		    nla_len(attr) >= (int)sizeof(uint32_t)) {
			st->entries = nla_get_u32(attr);
			continue;
		}
		if (nla_type(attr) == VSOCK_CIDREG_A_CONFIG_CHANGES &&
		    nla_len(attr) >= (int)sizeof(uint64_t)) {
			st->config_changes = nla_get_u64(attr);
			continue;
		}
		if (nla_type(attr) == VSOCK_CIDREG_A_EVENTS_DROPPED &&
		    nla_len(attr) >= (int)sizeof(uint64_t)) {
			st->events_dropped = nla_get_u64(attr);
			continue;
		}
		if (nla_type(attr) != VSOCK_CIDREG_A_OP_STATS ||
		    nla_parse_nested(a, VSOCK_CIDREG_A_MAX, attr, policy) < 0 ||
		    !a[VSOCK_CIDREG_A_OP])
			continue;
		op = nla_get_u32(a[VSOCK_CIDREG_A_OP]);
		if (op >= CIDREG_OPS)
			continue;
		U64(st->allowed[op], VSOCK_CIDREG_A_ALLOWED);
		U64(st->denied[op], VSOCK_CIDREG_A_DENIED);
		U64(st->audited[op], VSOCK_CIDREG_A_AUDITED);
	}
	return 0;
}

__asm__(".symver cidreg_stats_3, cidreg_stats@@LIBCIDREG_0.3");
int cidreg_stats_3(struct cidreg *h, struct cidreg_stats *ust)
{
	struct cidreg_stats st = { .size = sizeof(st) };
	int err = struct_out_check(ust, sizeof(st));

	if (!err)
		err = nl_check(h);
	if (!err)
		err = nl_call(h, nl_new(h, VSOCK_CIDREG_CMD_GET_STATS, 0),
			      parse_stats, &st);
	if (!err)
		struct_out(ust, &st, sizeof(st));
	return err;
}

static int parse_dropped(struct nl_msg *m, void *arg)
{
	struct nlattr *a[VSOCK_CIDREG_A_MAX + 1];
	uint64_t *dropped = arg;

	if (attrs(m, a))
		return -EPROTO;
	U64(*dropped, VSOCK_CIDREG_A_EVENTS_DROPPED);
	return 0;
}

int cidreg_events_dropped(struct cidreg *h, uint64_t *dropped)
{
	int err = nl_check(h);

	if (err)
		return err;
	*dropped = 0;
	return nl_call(h, nl_new(h, VSOCK_CIDREG_CMD_GET_STATS, 0),
		       parse_dropped, dropped);
}

static const char * const mode_names[] = VSOCK_CIDREG_MODE_NAMES;
static const char * const bool_names[] = { "yes", "no" };

#define CHOICES(ch) .choices = ch, .nchoices = sizeof(ch) / sizeof(ch[0])
#define NONE .choices = NULL
#define SETTING(n, j, t, ch, v, h, b, at, f) { \
	.name = n, .json_name = j, .type = CIDREG_SETTING_##t, ch, \
	.values = v, .help = h, .bit = CIDREG_CONFIG_##b, \
	.attr = VSOCK_CIDREG_A_##at, \
	.offset = offsetof(struct cidreg_config, f) }

static const struct cidreg_setting settings[] = {
	SETTING("mode", "mode", CHOICE, CHOICES(mode_names), "off|audit|enforce",
		"what the hooks do: nothing, log, or refuse", MODE, MODE, mode),
	SETTING("strict", "strict", BOOL, CHOICES(bool_names), "yes|no",
		"a device's CID must be reserved first", STRICT, STRICT,
		strict),
	SETTING("cid-min", "cid_min", U32, NONE, "N",
		"the lowest CID of an any-CID reservation", CID_MIN, CID_MIN,
		cid_min),
	SETTING("cid-max", "cid_max", U32, NONE, "N",
		"the highest", CID_MAX, CID_MAX, cid_max),
	SETTING("quota", "quota", U32, NONE, "N",
		"reservations a netns or pod may hold (0: no limit)", QUOTA,
		QUOTA, quota),
	SETTING("protected-ports", "protected_ports", PORTS, NONE,
		"P,P,...|none", "ports only a CID's owner may bind", PORTS,
		PROTECTED_PORTS, nports),
};

__asm__(".symver cidreg_setting_3, cidreg_setting@@LIBCIDREG_0.3");
const struct cidreg_setting *cidreg_setting_3(unsigned int i)
{
	return i < sizeof(settings) / sizeof(settings[0]) ? &settings[i] : NULL;
}

__asm__(".symver cidreg_setting_find_3, cidreg_setting_find@@LIBCIDREG_0.3");
const struct cidreg_setting *cidreg_setting_find_3(const char *name)
{
	const struct cidreg_setting *s;
	unsigned int i;

	for (i = 0; (s = cidreg_setting(i)); i++)
		if (!strcmp(name, s->name) || !strcmp(name, s->json_name))
			return s;
	return NULL;
}

#define FIELD(c, s, type) ((type *)((char *)(c) + (s)->offset))

/* Whether @c, a caller's, is large enough to hold the setting @s. */
static bool setting_fits(const struct cidreg_setting *s,
			 const struct cidreg_config *c)
{
	size_t end = s->offset + sizeof(uint32_t);

	if (s->type == CIDREG_SETTING_BOOL)
		end = s->offset + sizeof(bool);
	else if (s->type == CIDREG_SETTING_PORTS)
		end = offsetof(struct cidreg_config, ports) + sizeof(c->ports);
	return c->size >= end;
}

static int parse_u32(const char *text, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!*text || *text == '-' || *text == '+' || *text == ' ')
		return -EINVAL;
	errno = 0;
	x = strtoull(text, &end, 10);
	if (errno || *end || x > 0xffffffffULL)
		return -EINVAL;
	*v = x;
	return 0;
}

static int parse_ports(const char *text, struct cidreg_config *c)
{
	const uint32_t max = sizeof(c->ports) / sizeof(c->ports[0]);
	uint32_t ports[sizeof(c->ports) / sizeof(c->ports[0])], n = 0;
	const char *p = text;
	char num[16];
	size_t len;

	if (strcmp(text, "none")) {
		for (;;) {
			len = strcspn(p, ",");
			if (!len || len >= sizeof(num) || n == max)
				return -EINVAL;
			memcpy(num, p, len);
			num[len] = 0;
			if (parse_u32(num, &ports[n++]))
				return -EINVAL;
			if (!p[len])
				break;
			p += len + 1;
		}
	}
	c->nports = n;
	memcpy(c->ports, ports, n * sizeof(ports[0]));
	return 0;
}

__asm__(".symver cidreg_setting_parse_3, cidreg_setting_parse@@LIBCIDREG_0.3");
int cidreg_setting_parse_3(const struct cidreg_setting *s, const char *text,
			   struct cidreg_config *c)
{
	static const char * const yes[] = { "yes", "on", "1", "Y", "true" };
	static const char * const no[] = { "no", "off", "0", "N", "false" };
	unsigned int i;

	if (!setting_fits(s, c))
		return -EINVAL;
	switch (s->type) {
	case CIDREG_SETTING_CHOICE:
		for (i = 0; i < s->nchoices; i++) {
			if (s->choices[i] && !strcmp(text, s->choices[i])) {
				*FIELD(c, s, uint32_t) = i;
				return 0;
			}
		}
		return -EINVAL;
	case CIDREG_SETTING_BOOL:
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (!strcmp(text, yes[i]) || !strcmp(text, no[i])) {
				*FIELD(c, s, bool) = !strcmp(text, yes[i]);
				return 0;
			}
		}
		return -EINVAL;
	case CIDREG_SETTING_U32:
		return parse_u32(text, FIELD(c, s, uint32_t));
	case CIDREG_SETTING_PORTS:
		return parse_ports(text, c);
	}
	return -EINVAL;
}

__asm__(".symver cidreg_setting_format_3, cidreg_setting_format@@LIBCIDREG_0.3");
int cidreg_setting_format_3(const struct cidreg_setting *s,
			    const struct cidreg_config *c, char *buf,
			    size_t size)
{
	uint32_t v, i;
	int n = 0;

	if (!setting_fits(s, c))
		return -EINVAL;
	switch (s->type) {
	case CIDREG_SETTING_CHOICE:
		v = *FIELD(c, s, const uint32_t);
		return snprintf(buf, size, "%s",
				v < s->nchoices && s->choices[v] ?
				s->choices[v] : "unknown");
	case CIDREG_SETTING_BOOL:
		return snprintf(buf, size, "%s",
				*FIELD(c, s, const bool) ? "yes" : "no");
	case CIDREG_SETTING_U32:
		return snprintf(buf, size, "%u", *FIELD(c, s, const uint32_t));
	case CIDREG_SETTING_PORTS:
		if (!c->nports)
			return snprintf(buf, size, "none");
		for (i = 0; i < c->nports; i++)
			n += snprintf(buf + (n < (int)size ? n : 0),
				      n < (int)size ? size - n : 0,
				      i ? ",%u" : "%u", c->ports[i]);
		return n;
	}
	return snprintf(buf, size, "unknown");
}

__asm__(".symver cidreg_setting_copy_3, cidreg_setting_copy@@LIBCIDREG_0.3");
void cidreg_setting_copy_3(struct cidreg_config *to,
			   const struct cidreg_config *from, unsigned int mask)
{
	const struct cidreg_setting *s;
	unsigned int i;

	for (i = 0; (s = cidreg_setting(i)); i++) {
		if (!(mask & s->bit) || !setting_fits(s, to) ||
		    !setting_fits(s, from))
			continue;
		switch (s->type) {
		case CIDREG_SETTING_BOOL:
			*FIELD(to, s, bool) = *FIELD(from, s, const bool);
			break;
		case CIDREG_SETTING_PORTS:
			to->nports = from->nports;
			memcpy(to->ports, from->ports, sizeof(to->ports));
			break;
		default:
			*FIELD(to, s, uint32_t) = *FIELD(from, s, const uint32_t);
		}
	}
}

/* The settings of @a (a message's attributes) into @c; their mask. */
static int config_from(struct nlattr **a, struct cidreg_config *c,
		       unsigned int *mask)
{
	const struct cidreg_setting *s;
	unsigned int i;
	int len;

	*mask = 0;
	for (i = 0; (s = cidreg_setting(i)); i++) {
		struct nlattr *at = a[s->attr];

		if (!at)
			continue;
		*mask |= s->bit;
		switch (s->type) {
		case CIDREG_SETTING_BOOL:
			*FIELD(c, s, bool) = nla_get_u8(at);
			break;
		case CIDREG_SETTING_PORTS:
			len = nla_len(at);
			/* The kernel's policy bounds it to sizeof(c->ports). */
			if (len % sizeof(uint32_t) ||
			    len > (int)sizeof(c->ports))
				return -EPROTO;
			memcpy(c->ports, nla_data(at), len);
			c->nports = len / sizeof(uint32_t);
			break;
		default:
			*FIELD(c, s, uint32_t) = nla_get_u32(at);
		}
	}
	return 0;
}

static int parse_config(struct nl_msg *m, void *arg)
{
	struct nlattr *a[VSOCK_CIDREG_A_MAX + 1];
	struct cidreg_config *c = arg;
	unsigned int mask;

	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	if (attrs(m, a))
		return -EPROTO;
	return config_from(a, c, &mask);
}

__asm__(".symver cidreg_get_config_3, cidreg_get_config@@LIBCIDREG_0.3");
int cidreg_get_config_3(struct cidreg *h, struct cidreg_config *uc)
{
	struct cidreg_config c;
	int err = struct_out_check(uc, sizeof(c));

	if (!err)
		err = nl_check(h);
	if (!err)
		err = nl_call(h, nl_new(h, VSOCK_CIDREG_CMD_GET_CONFIG, 0),
			      parse_config, &c);
	if (!err)
		struct_out(uc, &c, sizeof(c));
	return err;
}

__asm__(".symver cidreg_set_config_3, cidreg_set_config@@LIBCIDREG_0.3");
int cidreg_set_config_3(struct cidreg *h, const struct cidreg_config *uc,
		        unsigned int mask)
{
	const struct cidreg_setting *s;
	struct cidreg_config kc, *c = &kc;
	struct nl_msg *m;
	unsigned int i;
	int err = struct_in(&kc, sizeof(kc), uc);

	if (!err)
		err = nl_check(h);
	if (err)
		return err;
	m = nl_new(h, VSOCK_CIDREG_CMD_SET_CONFIG, 0);
	if (!m)
		return -ENOMEM;
	for (i = 0; (s = cidreg_setting(i)); i++) {
		if (!(mask & s->bit))
			continue;
		switch (s->type) {
		case CIDREG_SETTING_BOOL:
			nla_put_u8(m, s->attr, *FIELD(c, s, const bool));
			break;
		case CIDREG_SETTING_PORTS:
			nla_put(m, s->attr, c->nports * sizeof(uint32_t),
				c->ports);
			break;
		default:
			nla_put_u32(m, s->attr, *FIELD(c, s, const uint32_t));
		}
	}
	return nl_call(h, m, NULL, NULL);
}

int cidreg_trust(struct cidreg *h, int netns_fd, bool trust)
{
	struct nl_msg *m;
	int err = nl_check(h);

	if (err)
		return err;
	m = nl_new(h, trust ? VSOCK_CIDREG_CMD_TRUST : VSOCK_CIDREG_CMD_UNTRUST,
		   0);
	if (m)
		nla_put_s32(m, VSOCK_CIDREG_A_NETNS_FD, netns_fd);
	return nl_call(h, m, NULL, NULL);
}

struct monitor_ctx {
	int (*cb)(const struct cidreg_event *ev, void *arg);
	void *arg;
	int ret;	/* what @cb returned that was not 0 */
	int count;	/* events delivered */
};

static int monitor_valid(struct nl_msg *m, void *arg)
{
	struct monitor_ctx *mc = arg;
	struct nlattr *a[VSOCK_CIDREG_A_MAX + 1];
	struct cidreg_event ev = { .size = sizeof(ev) };
	uint32_t info = 0;

	ev.config.size = sizeof(ev.config);
	if (attrs(m, a))
		return NL_SKIP;
	U32(ev.event, VSOCK_CIDREG_A_EVENT);
	U32(ev.reason, VSOCK_CIDREG_A_REASON);
	U32(ev.cid, VSOCK_CIDREG_A_CID);
	U32(ev.kind, VSOCK_CIDREG_A_KIND);
	U32(ev.op, VSOCK_CIDREG_A_OP);
	U32(ev.port, VSOCK_CIDREG_A_PORT);
	U32(ev.mode, VSOCK_CIDREG_A_MODE);
	U32(ev.pid, VSOCK_CIDREG_A_PID);
	U64(ev.netns_ino, VSOCK_CIDREG_A_NETNS_INO);
	U64(ev.to_netns_ino, VSOCK_CIDREG_A_TO_NETNS_INO);
	U32(ev.rule, VSOCK_CIDREG_A_RULE);
	U64(ev.dropped, VSOCK_CIDREG_A_DROPPED);
	U32(info, VSOCK_CIDREG_A_INFO);
	ev.local = info & VSOCK_CIDREG_INFO_LOCAL;
	put_str(ev.comm, sizeof(ev.comm), a[VSOCK_CIDREG_A_COMM]);
	put_str(ev.label, sizeof(ev.label), a[VSOCK_CIDREG_A_LABEL]);
	if (ev.event == VSOCK_CIDREG_EVENT_CONFIG_CHANGED &&
	    config_from(a, &ev.config, &ev.config_mask))
		return NL_SKIP;
	mc->count++;
	mc->ret = mc->cb(&ev, mc->arg);
	return mc->ret ? NL_STOP : NL_OK;
}

/* The events' socket: nonblocking, joined to every group it may join. */
int cidreg_events_open(struct cidreg *h)
{
	struct nl_sock *sk;
	uint64_t dropped;
	int grp, err = nl_check(h);

	if (err)
		return err;
	if (h->ev)
		return nl_socket_get_fd(h->ev);
	/*
	 * A request first: outside the initial netns, the module sends a full
	 * view only where someone with CAP_NET_ADMIN asked it something
	 * (before 6.6 it cannot hear a join). Refused without CAP_NET_ADMIN,
	 * which joins no full view.
	 */
	cidreg_events_dropped(h, &dropped);
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	if (genl_connect(sk) < 0) {
		nl_socket_free(sk);
		return -ENOTCONN;
	}
	/*
	 * Every event the caller may see: "events" needs CAP_NET_ADMIN,
	 * "netns-events" (the caller's netns's) nothing. A module older than
	 * netns-events has "events" alone.
	 */
	grp = genl_ctrl_resolve_grp(h->nl, VSOCK_CIDREG_GENL_NAME,
				    VSOCK_CIDREG_MCGRP_EVENTS);
	if (grp < 0) {
		nl_socket_free(sk);
		return -ENOENT;
	}
	if (nl_socket_add_membership(sk, grp) < 0) {
		grp = genl_ctrl_resolve_grp(h->nl, VSOCK_CIDREG_GENL_NAME,
					    VSOCK_CIDREG_MCGRP_NETNS_EVENTS);
		if (grp < 0 || nl_socket_add_membership(sk, grp) < 0) {
			nl_socket_free(sk);
			return -EPERM;
		}
	}
	nl_socket_disable_seq_check(sk);
	if (nl_socket_set_nonblocking(sk) < 0) {
		nl_socket_free(sk);
		return -EIO;
	}
	h->ev = sk;
	return nl_socket_get_fd(sk);
}

/*
 * Delivers the events ready on the events' socket, without blocking, until
 * none is or @mc->cb returns non-zero (in @mc->ret). 0, or -errno.
 */
static int events_ready(struct cidreg *h, struct monitor_ctx *mc)
{
	/* The socket's own: events have no sequence number to check. */
	struct nl_cb *ncb = nl_socket_get_cb(h->ev);
	int n;

	if (!ncb)
		return -ENOMEM;
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, monitor_valid, mc);
	/*
	 * Each datagram ready, until none is: libnl says so with 0 or
	 * -NLE_AGAIN, by version (Debian 12's: -NLE_AGAIN).
	 */
	do {
		n = nl_recvmsgs_report(h->ev, ncb);
	} while (n > 0 && !mc->ret);
	nl_cb_put(ncb);
	if (n < 0 && n != -NLE_AGAIN && !mc->ret)
		return n == -NLE_NOMEM ? -ENOBUFS : -EIO;
	return 0;
}

__asm__(".symver cidreg_events_read_3, cidreg_events_read@@LIBCIDREG_0.3");
int cidreg_events_read_3(struct cidreg *h,
		         int (*cb)(const struct cidreg_event *ev, void *arg),
		         void *arg)
{
	struct monitor_ctx mc = { .cb = cb, .arg = arg };
	int err;

	if (!h->ev)
		return -EBADF;
	err = events_ready(h, &mc);
	if (mc.ret)
		return mc.ret < 0 ? mc.ret : -ECANCELED;
	return err ? err : mc.count;
}

__asm__(".symver cidreg_monitor_3, cidreg_monitor@@LIBCIDREG_0.3");
int cidreg_monitor_3(struct cidreg *h,
		     int (*cb)(const struct cidreg_event *ev, void *arg),
		     void *arg)
{
	struct monitor_ctx mc = { .cb = cb, .arg = arg };
	struct pollfd p = { .events = POLLIN };
	int err;

	p.fd = cidreg_events_open(h);
	if (p.fd < 0)
		return p.fd;
	for (;;) {
		err = events_ready(h, &mc);
		if (mc.ret)
			return mc.ret;
		if (err)
			return err;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -errno;
	}
}

#define NAME(table, v) \
	((v) < sizeof(table) / sizeof(table[0]) && (table)[v] ? (table)[v] : "unknown")

const char *cidreg_op_name(unsigned int op)
{
	static const char * const n[] = VSOCK_CIDREG_OP_NAMES;

	return NAME(n, op);
}

const char *cidreg_mode_name(uint32_t mode)
{
	return NAME(mode_names, mode);
}

const char *cidreg_kind_name(uint32_t kind)
{
	static const char * const n[] = VSOCK_CIDREG_KIND_NAMES;

	return NAME(n, kind);
}

const char *cidreg_rule_name(uint32_t rule)
{
	static const char * const n[] = VSOCK_CIDREG_RULE_NAMES;

	return NAME(n, rule);
}

const char *cidreg_event_name(uint32_t event)
{
	static const char * const n[] = VSOCK_CIDREG_EVENT_NAMES;

	return NAME(n, event);
}

const char *cidreg_reason_name(uint32_t reason)
{
	static const char * const n[] = VSOCK_CIDREG_REASON_NAMES;

	return NAME(n, reason);
}

int cidreg_mode_parse(const char *name)
{
	struct cidreg_config c;

	if (cidreg_setting_parse(cidreg_setting_find("mode"), name, &c))
		return -EINVAL;
	return c.mode;
}

const char *cidreg_message(const struct cidreg *h)
{
	return h && h->message[0] ? h->message : NULL;
}

const char *cidreg_strerror(int err)
{
	switch (-err) {
	case ENODEV:
		return "the vsock_cidreg module is not loaded";
	case EADDRINUSE:
		return "the CID is already reserved or held by a running VM";
	case ENOSPC:
		return "no free CID in the range";
	case EDQUOT:
		return "the network namespace, or the pod, holds its quota of reservations";
	case ENOENT:
		return "the CID is not reserved";
	case EXDEV:
		return "the namespaces are in different vsock spaces (a local-mode namespace)";
	default:
		/* Not strerror(): its text may be a buffer the next call reuses. */
		return strerrordesc_np(-err) ? strerrordesc_np(-err) :
		       "unknown error";
	}
}

const char *cidreg_hint(int err, const char *op)
{
	bool reserving = op && !strcmp(op, "reserve");

	switch (-err) {
	case ENODEV:
		return "load the vsock_cidreg module (modprobe vsock_cidreg)";
	case EACCES:
		return "run as root, or get access to /dev/vsock-cidreg";
	case EPERM:
		return "this needs CAP_NET_ADMIN over the network namespace";
	case EADDRINUSE:
		return "pick another CID, or reserve any free one";
	case ENOSPC:
		return "widen the range, or release CIDs";
	case EDQUOT:
		return "release some, or raise the module's quota";
	case EINVAL:
		return reserving ?
		       "CIDs 0, 1, 2 and 4294967295 are never reservable; a label is printable ASCII" :
		       "a value was out of range";
	case ENOENT:
		return "list the reserved CIDs";
	case EXDEV:
		return "a local-mode namespace's CIDs stay in it: release and reserve instead";
	default:
		return "see libcidreg(3)";
	}
}
