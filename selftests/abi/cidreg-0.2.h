/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcidreg as binaries built against LIBCIDREG_0.2 (and LIBCIDREG_0)
 * know it, frozen: the structs before they began with their size, and
 * the functions such a binary calls. What a binary built then does
 * (client-0.2.c) must keep working against today's libcidreg.so.0.
 * Never edit to follow tools/lib/cidreg.h: this is the past.
 */
#ifndef CIDREG_0_2_H
#define CIDREG_0_2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cidreg;

int cidreg_open(struct cidreg **h);
void cidreg_close(struct cidreg *h);

struct cidreg_reserve_req {
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

int cidreg_reserve(struct cidreg *h, const struct cidreg_reserve_req *req,
		   uint32_t *cid);
int cidreg_release(struct cidreg *h, uint32_t cid);

struct cidreg_entry {
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

int cidreg_show(struct cidreg *h, uint32_t cid, struct cidreg_entry *e);
int cidreg_list(struct cidreg *h, int netns_fd,
		int (*cb)(const struct cidreg_entry *e, void *arg), void *arg);

#define CIDREG_OPS 5

struct cidreg_stats {
	uint32_t entries;
	uint64_t allowed[CIDREG_OPS], denied[CIDREG_OPS], audited[CIDREG_OPS];
};

int cidreg_stats(struct cidreg *h, struct cidreg_stats *st);

struct cidreg_config {
	uint32_t mode;
	bool strict;
	uint32_t cid_min, cid_max, quota;
	uint32_t nports;
	uint32_t ports[32];
};

#define CIDREG_CONFIG_QUOTA	(1U << 4)

int cidreg_get_config(struct cidreg *h, struct cidreg_config *c);
int cidreg_set_config(struct cidreg *h, const struct cidreg_config *c,
		      unsigned int mask);

enum cidreg_setting_type {
	CIDREG_SETTING_CHOICE,
	CIDREG_SETTING_BOOL,
	CIDREG_SETTING_U32,
	CIDREG_SETTING_PORTS,
};

struct cidreg_setting {
	const char *name;
	const char *json_name;
	enum cidreg_setting_type type;
	const char * const *choices;
	unsigned int nchoices;
	const char *values;
	const char *help;
	unsigned int bit;
	unsigned int attr;
	unsigned int offset;
};

const struct cidreg_setting *cidreg_setting(unsigned int i);
const struct cidreg_setting *cidreg_setting_find(const char *name);
int cidreg_setting_parse(const struct cidreg_setting *s, const char *text,
			 struct cidreg_config *c);
int cidreg_setting_format(const struct cidreg_setting *s,
			  const struct cidreg_config *c, char *buf,
			  size_t size);
void cidreg_setting_copy(struct cidreg_config *to,
			 const struct cidreg_config *from, unsigned int mask);

struct cidreg_event {
	uint32_t event;
	uint32_t reason;
	uint32_t cid, kind, op, port, mode;
	uint64_t netns_ino, to_netns_ino;
	uint32_t pid;
	char comm[16];
	char label[64];
	uint32_t rule;
	uint64_t dropped;
	struct cidreg_config config;
	unsigned int config_mask;
};

int cidreg_monitor(struct cidreg *h,
		   int (*cb)(const struct cidreg_event *ev, void *arg),
		   void *arg);
int cidreg_events_open(struct cidreg *h);
int cidreg_events_read(struct cidreg *h,
		       int (*cb)(const struct cidreg_event *ev, void *arg),
		       void *arg);
const char *cidreg_strerror(int err);

#endif /* CIDREG_0_2_H */
