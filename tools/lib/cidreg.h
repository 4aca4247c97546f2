/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcidreg: the one place in userspace that speaks to vsock_cidreg.
 *
 * Reservations go through the device /dev/vsock-cidreg (a lease belongs
 * to the library handle's open device: it ends when the handle is closed
 * or the process exits); lists, statistics, configuration, the trusted set
 * and events go through the "vsock_cidreg" generic netlink family.
 *
 * Every function returning int returns 0 (or a count) on success and a
 * negative errno on failure; cidreg_strerror() turns it into a message
 * and cidreg_hint() into what to do. Not thread-safe per handle; use one
 * handle per thread.
 *
 * Structs grow without breaking their callers: each starts with its size,
 * as the kernel's own extensible structs do. A caller sets it to the
 * sizeof() it was built with (CIDREG_INIT()); the library reads and
 * writes no byte past it, refuses a struct smaller than its first version
 * (-EINVAL) and one that sets fields the library does not know (bytes past
 * its own size not zero: -E2BIG), and zeroes what it does not know of a
 * struct it fills. A struct the library hands over (an entry of
 * cidreg_list(), an event) carries the library's size: CIDREG_HAS() says
 * whether it has a field. Binaries built before the size (LIBCIDREG_0,
 * LIBCIDREG_0.2) get the structs they were built with.
 */
#ifndef CIDREG_H
#define CIDREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cidreg;

/* A struct of this library, its size set: struct T v = CIDREG_INIT(T). */
#define CIDREG_INIT(type, ...) \
	((struct type){ .size = sizeof(struct type), __VA_ARGS__ })
/* Whether *@p, a struct the library filled, has @field. */
#define CIDREG_HAS(p, field) \
	((p)->size >= offsetof(__typeof__(*(p)), field) + sizeof((p)->field))

/* Opens the device (read-write) and the netlink family, each if it can. */
int cidreg_open(struct cidreg **h);
void cidreg_close(struct cidreg *h);

/* What to reserve. CIDREG_INIT(), then set what you need. */
struct cidreg_reserve_req {
	size_t size;
	uint32_t cid;		/* a given CID, unless any */
	bool any;		/* any free CID in [cid_min, cid_max] */
	bool lowest;		/* with any: the lowest free, not random */
	uint32_t cid_min;	/* with any: 0 for the module's default */
	uint32_t cid_max;
	bool persistent;	/* outlive the handle; end on release */
	int netns_fd;		/* -1 (or 0 with !use_netns): the caller's */
	bool use_netns;
	const char *label;	/* up to 63 printable ASCII characters */
};

int cidreg_reserve(struct cidreg *h, const struct cidreg_reserve_req *req,
		   uint32_t *cid);
int cidreg_release(struct cidreg *h, uint32_t cid);
/* netns_fd of cidreg_release_all(): every netns (CAP_NET_ADMIN). */
#define CIDREG_EVERY_NETNS	(-2)
/*
 * Releases every reservation of a netns (netns_fd -1: the caller's;
 * CIDREG_EVERY_NETNS: of all of them); returns how many, or -errno.
 */
int cidreg_release_all(struct cidreg *h, int netns_fd);
int cidreg_transfer(struct cidreg *h, uint32_t cid, int netns_fd,
		    bool persistent);

enum cidreg_kind { CIDREG_LEASE = 1, CIDREG_PERSISTENT = 2, CIDREG_ADOPTED = 3 };

struct cidreg_entry {
	size_t size;
	uint32_t cid;
	uint32_t kind;		/* enum cidreg_kind; 0 if hidden */
	bool hidden;		/* another netns's: details withheld */
	bool own;		/* the caller's netns owns it */
	bool attached;		/* a vhost-vsock device holds it */
	bool local;		/* Linux 7.0+: in a local-mode netns's space */
	uint64_t netns_ino;
	uint32_t creator_pid, creator_uid, holder_pid;
	uint64_t ctime_ns;
	char comm[16];
	char label[64];
};

int cidreg_show(struct cidreg *h, uint32_t cid, struct cidreg_entry *e);
/* Calls @cb for each entry (of the netns of @netns_fd if >= 0). */
int cidreg_list(struct cidreg *h, int netns_fd,
		int (*cb)(const struct cidreg_entry *e, void *arg), void *arg);

#define CIDREG_OPS 5	/* set-cid, connect, accept, bind-cid, bind-port */

struct cidreg_stats {
	size_t size;
	uint32_t entries;
	uint64_t allowed[CIDREG_OPS], denied[CIDREG_OPS], audited[CIDREG_OPS];
	uint64_t config_changes;	/* changes of the settings since loaded */
	uint64_t events_dropped;	/* events not sent (rate limit, full queue) */
};

int cidreg_stats(struct cidreg *h, struct cidreg_stats *st);
/* Events the module did not send (rate limit), since it loaded. */
int cidreg_events_dropped(struct cidreg *h, uint64_t *dropped);
const char *cidreg_op_name(unsigned int op);

struct cidreg_config {
	size_t size;
	uint32_t mode;		/* 0 off, 1 audit, 2 enforce */
	bool strict;
	uint32_t cid_min, cid_max, quota;
	uint32_t nports;
	uint32_t ports[32];
};

/* Bits of the mask of cidreg_set_config(): which fields to change. */
#define CIDREG_CONFIG_MODE	(1U << 0)
#define CIDREG_CONFIG_STRICT	(1U << 1)
#define CIDREG_CONFIG_CID_MIN	(1U << 2)
#define CIDREG_CONFIG_CID_MAX	(1U << 3)
#define CIDREG_CONFIG_QUOTA	(1U << 4)
#define CIDREG_CONFIG_PORTS	(1U << 5)

int cidreg_get_config(struct cidreg *h, struct cidreg_config *c);
int cidreg_set_config(struct cidreg *h, const struct cidreg_config *c,
		      unsigned int mask);
const char *cidreg_mode_name(uint32_t mode);

/*
 * The settings, one row each: the one table that names them, reads them
 * from text and writes them as text (cidctl's config and apply, a
 * settings file, the monitor line, JSON output), and carries them to and
 * from the kernel.
 */
enum cidreg_setting_type {
	CIDREG_SETTING_CHOICE,	/* one of @choices, kept as its index */
	CIDREG_SETTING_BOOL,	/* yes or no (on/off, 1/0, true/false) */
	CIDREG_SETTING_U32,	/* a number */
	CIDREG_SETTING_PORTS,	/* ports, comma-separated, or none */
};

struct cidreg_setting {
	const char *name;	/* "cid-min": cidctl's key, a settings file's */
	const char *json_name;	/* "cid_min" */
	enum cidreg_setting_type type;
	const char * const *choices;	/* CHOICE: the names; BOOL: yes, no */
	unsigned int nchoices;
	const char *values;	/* what it takes, for help: "off|audit|enforce" */
	const char *help;	/* what it is, one line */
	unsigned int bit;	/* CIDREG_CONFIG_*: in masks */
	unsigned int attr;	/* its netlink attribute */
	unsigned int offset;	/* its field in struct cidreg_config */
};

/* The @i-th setting (from 0), or NULL past the last. */
const struct cidreg_setting *cidreg_setting(unsigned int i);
/* The setting named @name (its name or its JSON name), or NULL. */
const struct cidreg_setting *cidreg_setting_find(const char *name);
/*
 * Reads @text into the setting's field of @c: 0, or -EINVAL (also when @c
 * is too small to have that field).
 */
int cidreg_setting_parse(const struct cidreg_setting *s, const char *text,
			 struct cidreg_config *c);
/*
 * Writes the setting's value in @c as the text that parses back to it
 * ("audit", "yes", "22,1024", "none"); returns its length (as
 * snprintf()).
 */
int cidreg_setting_format(const struct cidreg_setting *s,
			  const struct cidreg_config *c, char *buf,
			  size_t size);
/* Copies the settings of @mask from @from into @to. */
void cidreg_setting_copy(struct cidreg_config *to,
			 const struct cidreg_config *from, unsigned int mask);

int cidreg_trust(struct cidreg *h, int netns_fd, bool trust);

struct cidreg_event {
	size_t size;
	uint32_t event;		/* 1 reserved ... 7 denied, see cidreg_event_name() */
	uint32_t reason;	/* for released */
	uint32_t cid, kind, op, port, mode;
	uint64_t netns_ino, to_netns_ino;
	uint32_t pid;		/* in the initial pid namespace; 0 unless all are seen */
	char comm[16];
	char label[64];
	uint32_t rule;		/* for denied: which rule, cidreg_rule_name() */
	uint64_t dropped;	/* its source's dropped since its last one sent */
	/* config-changed: the settings after the change (@mode above too) */
	struct cidreg_config config;
	unsigned int config_mask;	/* CIDREG_CONFIG_*: those it carried */
	bool local;		/* Linux 7.0+: in a local-mode netns's space */
};

/*
 * Delivers events to @cb until it returns non-zero (which is returned) or
 * an error occurs: all of them with CAP_NET_ADMIN, else those about the
 * caller's netns. -ENOBUFS: the kernel dropped events this listener had
 * no room for; list the registry again, then call it again.
 */
int cidreg_monitor(struct cidreg *h,
		   int (*cb)(const struct cidreg_event *ev, void *arg),
		   void *arg);
/*
 * Events in the caller's own loop. cidreg_events_open() joins the event
 * groups (as cidreg_monitor() does) on a socket of the handle's own and
 * returns its fd, to poll for POLLIN with the caller's other fds (again:
 * the same fd). cidreg_events_read() delivers every event ready to @cb,
 * without blocking, and returns how many (0: none was ready), or -errno
 * (-ENOBUFS as for cidreg_monitor()); @cb returns 0 to go on, or a
 * negative errno that stops the read and is returned. Requests on the
 * same handle go on their own socket and never meet an event.
 */
int cidreg_events_open(struct cidreg *h);
int cidreg_events_read(struct cidreg *h,
		       int (*cb)(const struct cidreg_event *ev, void *arg),
		       void *arg);
const char *cidreg_event_name(uint32_t event);
const char *cidreg_reason_name(uint32_t reason);
const char *cidreg_kind_name(uint32_t kind);
const char *cidreg_rule_name(uint32_t rule);
/* The value of a mode's name ("off", "audit", "enforce"), or -EINVAL. */
int cidreg_mode_parse(const char *name);

/* The message of a negative errno this library returned. */
const char *cidreg_strerror(int err);
/*
 * What to do about it, for operation @op ("reserve", "list", ...), in
 * words that name no program's options.
 */
const char *cidreg_hint(int err, const char *op);
/*
 * The kernel's own words on why the last netlink call of @h failed (its
 * extended ACK), or NULL if it gave none. Valid until the next call.
 */
const char *cidreg_message(const struct cidreg *h);

#ifdef __cplusplus
}
#endif

#endif /* CIDREG_H */
