// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libcidreg's older ABIs. Binaries built against LIBCIDREG_0 or
 * LIBCIDREG_0.2, before its structs began with their size, call these
 * under the names and versions they were linked with (libcidreg.map);
 * each turns its struct into today's, calls today's function and turns
 * the result back. Only in the shared library: a static link is always
 * today's. Nothing new goes here.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "cidreg.h"

#define OLD(name, version) __attribute__((symver(#name "@" version)))

/* The structs as they were: today's, without the size in front. */
struct cidreg_reserve_req_0 {
	uint32_t cid;
	bool any;
	bool lowest;
	uint32_t cid_min;
	uint32_t cid_max;
	bool persistent;
	int netns_fd;
	bool use_netns;
	const char *label;
};

struct cidreg_entry_0 {
	uint32_t cid;
	uint32_t kind;
	bool hidden;
	bool own;
	bool attached;
	bool local;
	uint64_t netns_ino;
	uint32_t creator_pid, creator_uid, holder_pid;
	uint64_t ctime_ns;
	char comm[16];
	char label[64];
};

struct cidreg_stats_0 {
	uint32_t entries;
	uint64_t allowed[CIDREG_OPS], denied[CIDREG_OPS], audited[CIDREG_OPS];
};

struct cidreg_config_0 {
	uint32_t mode;
	bool strict;
	uint32_t cid_min, cid_max, quota;
	uint32_t nports;
	uint32_t ports[32];
};

struct cidreg_event_0 {
	uint32_t event;
	uint32_t reason;
	uint32_t cid, kind, op, port, mode;
	uint64_t netns_ino, to_netns_ino;
	uint32_t pid;
	char comm[16];
	char label[64];
	uint32_t rule;
	uint64_t dropped;
	struct cidreg_config_0 config;
	unsigned int config_mask;
};

/*
 * Today's struct is its size, then the old one's fields where they were
 * (what they both end with is checked here), then what was added.
 */
#define SAME_AFTER_SIZE(type, last) \
	_Static_assert(offsetof(struct type, last) == \
		       sizeof(size_t) + offsetof(struct type##_0, last) && \
		       sizeof(struct type) >= sizeof(size_t) + \
		       sizeof(struct type##_0), \
		       #type " keeps its old layout after its size")
SAME_AFTER_SIZE(cidreg_reserve_req, label);
SAME_AFTER_SIZE(cidreg_entry, label);
SAME_AFTER_SIZE(cidreg_stats, audited);
SAME_AFTER_SIZE(cidreg_config, ports);

static void to_new(void *n, size_t nsize, const void *o, size_t osize)
{
	memset(n, 0, nsize);
	*(size_t *)n = nsize;
	memcpy((char *)n + sizeof(size_t), o, osize);
}

static void to_old(void *o, size_t osize, const void *n)
{
	memcpy(o, (const char *)n + sizeof(size_t), osize);
}

#define NEW(type, n, o) to_new(&(n), sizeof(struct type), (o), \
			       sizeof(struct type##_0))
#define BACK(type, o, n) to_old((o), sizeof(struct type##_0), &(n))

int cidreg_reserve_0(struct cidreg *h, const struct cidreg_reserve_req_0 *o,
		     uint32_t *cid) OLD(cidreg_reserve, "LIBCIDREG_0");
int cidreg_reserve_0(struct cidreg *h, const struct cidreg_reserve_req_0 *o,
		     uint32_t *cid)
{
	struct cidreg_reserve_req r;

	NEW(cidreg_reserve_req, r, o);
	return cidreg_reserve(h, &r, cid);
}

int cidreg_show_0(struct cidreg *h, uint32_t cid, struct cidreg_entry_0 *o)
	OLD(cidreg_show, "LIBCIDREG_0");
int cidreg_show_0(struct cidreg *h, uint32_t cid, struct cidreg_entry_0 *o)
{
	struct cidreg_entry e = CIDREG_INIT(cidreg_entry);
	int err = cidreg_show(h, cid, &e);

	if (!err)
		BACK(cidreg_entry, o, e);
	return err;
}

struct list_0 {
	int (*cb)(const struct cidreg_entry_0 *e, void *arg);
	void *arg;
};

static int list_0_entry(const struct cidreg_entry *e, void *arg)
{
	struct list_0 *l = arg;
	struct cidreg_entry_0 o;

	BACK(cidreg_entry, &o, *e);
	return l->cb(&o, l->arg);
}

int cidreg_list_0(struct cidreg *h, int netns_fd,
		  int (*cb)(const struct cidreg_entry_0 *e, void *arg),
		  void *arg) OLD(cidreg_list, "LIBCIDREG_0");
int cidreg_list_0(struct cidreg *h, int netns_fd,
		  int (*cb)(const struct cidreg_entry_0 *e, void *arg),
		  void *arg)
{
	struct list_0 l = { .cb = cb, .arg = arg };

	return cidreg_list(h, netns_fd, list_0_entry, &l);
}

int cidreg_stats_0(struct cidreg *h, struct cidreg_stats_0 *o)
	OLD(cidreg_stats, "LIBCIDREG_0");
int cidreg_stats_0(struct cidreg *h, struct cidreg_stats_0 *o)
{
	struct cidreg_stats st = CIDREG_INIT(cidreg_stats);
	int err = cidreg_stats(h, &st);

	if (!err)
		BACK(cidreg_stats, o, st);
	return err;
}

int cidreg_get_config_0(struct cidreg *h, struct cidreg_config_0 *o)
	OLD(cidreg_get_config, "LIBCIDREG_0");
int cidreg_get_config_0(struct cidreg *h, struct cidreg_config_0 *o)
{
	struct cidreg_config c = CIDREG_INIT(cidreg_config);
	int err = cidreg_get_config(h, &c);

	if (!err)
		BACK(cidreg_config, o, c);
	return err;
}

int cidreg_set_config_0(struct cidreg *h, const struct cidreg_config_0 *o,
			unsigned int mask) OLD(cidreg_set_config, "LIBCIDREG_0");
int cidreg_set_config_0(struct cidreg *h, const struct cidreg_config_0 *o,
			unsigned int mask)
{
	struct cidreg_config c;

	NEW(cidreg_config, c, o);
	return cidreg_set_config(h, &c, mask);
}

struct events_0 {
	int (*cb)(const struct cidreg_event_0 *ev, void *arg);
	void *arg;
};

static int events_0_event(const struct cidreg_event *ev, void *arg)
{
	struct events_0 *e = arg;
	struct cidreg_event_0 o = {
		.event = ev->event, .reason = ev->reason, .cid = ev->cid,
		.kind = ev->kind, .op = ev->op, .port = ev->port,
		.mode = ev->mode, .netns_ino = ev->netns_ino,
		.to_netns_ino = ev->to_netns_ino, .pid = ev->pid,
		.rule = ev->rule, .dropped = ev->dropped,
		.config_mask = ev->config_mask,
	};

	memcpy(o.comm, ev->comm, sizeof(o.comm));
	memcpy(o.label, ev->label, sizeof(o.label));
	BACK(cidreg_config, &o.config, ev->config);
	return e->cb(&o, e->arg);
}

int cidreg_monitor_0(struct cidreg *h,
		     int (*cb)(const struct cidreg_event_0 *ev, void *arg),
		     void *arg) OLD(cidreg_monitor, "LIBCIDREG_0");
int cidreg_monitor_0(struct cidreg *h,
		     int (*cb)(const struct cidreg_event_0 *ev, void *arg),
		     void *arg)
{
	struct events_0 e = { .cb = cb, .arg = arg };

	return cidreg_monitor(h, events_0_event, &e);
}

int cidreg_events_read_0(struct cidreg *h,
			 int (*cb)(const struct cidreg_event_0 *ev, void *arg),
			 void *arg) OLD(cidreg_events_read, "LIBCIDREG_0.2");
int cidreg_events_read_0(struct cidreg *h,
			 int (*cb)(const struct cidreg_event_0 *ev, void *arg),
			 void *arg)
{
	struct events_0 e = { .cb = cb, .arg = arg };

	return cidreg_events_read(h, events_0_event, &e);
}

/*
 * The settings' table as LIBCIDREG_0.2 had it: each field's offset in the
 * old struct cidreg_config. Filled when the library is loaded.
 */
static struct cidreg_setting settings_0[16];
static unsigned int nsettings_0;

__attribute__((constructor)) static void settings_0_fill(void)
{
	const struct cidreg_setting *s;

	for (nsettings_0 = 0; nsettings_0 < 16 &&
	     (s = cidreg_setting(nsettings_0)); nsettings_0++) {
		settings_0[nsettings_0] = *s;
		settings_0[nsettings_0].offset -= sizeof(size_t);
	}
}

/* Today's row of an old row, or NULL if @s0 is none. */
static const struct cidreg_setting *setting_new(const struct cidreg_setting *s0)
{
	if (s0 < settings_0 || s0 >= settings_0 + nsettings_0)
		return NULL;
	return cidreg_setting(s0 - settings_0);
}

const struct cidreg_setting *cidreg_setting_0(unsigned int i)
	OLD(cidreg_setting, "LIBCIDREG_0.2");
const struct cidreg_setting *cidreg_setting_0(unsigned int i)
{
	return i < nsettings_0 ? &settings_0[i] : NULL;
}

const struct cidreg_setting *cidreg_setting_find_0(const char *name)
	OLD(cidreg_setting_find, "LIBCIDREG_0.2");
const struct cidreg_setting *cidreg_setting_find_0(const char *name)
{
	const struct cidreg_setting *s = cidreg_setting_find(name);

	return s ? &settings_0[s - cidreg_setting(0)] : NULL;
}

int cidreg_setting_parse_0(const struct cidreg_setting *s0, const char *text,
			   struct cidreg_config_0 *o)
	OLD(cidreg_setting_parse, "LIBCIDREG_0.2");
int cidreg_setting_parse_0(const struct cidreg_setting *s0, const char *text,
			   struct cidreg_config_0 *o)
{
	const struct cidreg_setting *s = setting_new(s0);
	struct cidreg_config c;
	int err;

	if (!s)
		return -EINVAL;
	NEW(cidreg_config, c, o);
	err = cidreg_setting_parse(s, text, &c);
	if (!err)
		BACK(cidreg_config, o, c);
	return err;
}

int cidreg_setting_format_0(const struct cidreg_setting *s0,
			    const struct cidreg_config_0 *o, char *buf,
			    size_t size) OLD(cidreg_setting_format, "LIBCIDREG_0.2");
int cidreg_setting_format_0(const struct cidreg_setting *s0,
			    const struct cidreg_config_0 *o, char *buf,
			    size_t size)
{
	const struct cidreg_setting *s = setting_new(s0);
	struct cidreg_config c;

	if (!s)
		return -EINVAL;
	NEW(cidreg_config, c, o);
	return cidreg_setting_format(s, &c, buf, size);
}

void cidreg_setting_copy_0(struct cidreg_config_0 *to,
			   const struct cidreg_config_0 *from,
			   unsigned int mask) OLD(cidreg_setting_copy, "LIBCIDREG_0.2");
void cidreg_setting_copy_0(struct cidreg_config_0 *to,
			   const struct cidreg_config_0 *from,
			   unsigned int mask)
{
	struct cidreg_config t, f;

	NEW(cidreg_config, t, to);
	NEW(cidreg_config, f, from);
	cidreg_setting_copy(&t, &f, mask);
	BACK(cidreg_config, to, t);
}
