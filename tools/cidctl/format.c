// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <linux/vsock_cidreg.h>

#include "format.h"

const char *cidctl_kind_name(uint32_t kind)
{
	/* 0: hidden, another netns's. */
	return kind ? cidreg_kind_name(kind) : "reserved";
}

void cidctl_entry_header(void)
{
	pr_text("%-10s  %-10s  %-16s  %-8s  %-8s  %-22s  %s\n", "CID", "KIND",
		"NETNS", "ATTACHED", "HOLDER", "CREATOR", "LABEL");
}

void cidctl_entry_print(const struct cidreg_entry *e)
{
	char netns[32] = "-", holder[12] = "-", comm[80], creator[100] = "-";

	pr_open_obj(NULL);
	pr_u32("cid", "%-10u  ", e->cid);
	pr_str("kind", "%-10s  ", cidctl_kind_name(e->kind));
	pr_bool("own", NULL, e->own);
	pr_bool("attached", NULL, e->attached);
	pr_bool("hidden", NULL, e->hidden);
	if (e->local)
		pr_bool("local", NULL, true);
	/* The table's columns: nothing of them in JSON. */
	if (!e->hidden && !pr_json()) {
		snprintf(netns, sizeof(netns), "%" PRIu64 "%s", e->netns_ino,
			 e->local ? "/local" : "");
		if (e->holder_pid)
			snprintf(holder, sizeof(holder), "%u", e->holder_pid);
		pr_escape(comm, sizeof(comm), e->comm, false);
		snprintf(creator, sizeof(creator), "%u/%s", e->creator_pid, comm);
	}
	pr_text("%-16s  %-8s  %-8s  %-22s  ", netns, e->attached ? "yes" : "no",
		holder, creator);
	if (!e->hidden) {
		pr_num("netns", NULL, e->netns_ino);
		pr_u32("holder_pid", NULL, e->holder_pid);
		pr_u32("creator_pid", NULL, e->creator_pid);
		pr_u32("creator_uid", NULL, e->creator_uid);
		pr_u64("ctime_ns", NULL, e->ctime_ns);
		pr_str("comm", NULL, e->comm);
		pr_str("label", "%s", e->label);
	} else {
		pr_text("-");
	}
	pr_text("\n");
	pr_close_obj();
}

void cidctl_stats_print(const struct cidreg_stats *st)
{
	unsigned int op;

	pr_open_obj(NULL);
	pr_u32("entries", "entries: %u\n", st->entries);
	pr_text("%-10s  %12s  %12s  %12s\n", "OPERATION", "ALLOWED", "DENIED",
		"AUDITED");
	pr_open_obj("ops");
	for (op = 0; op < CIDREG_OPS; op++) {
		pr_open_obj(cidreg_op_name(op));
		pr_text("%-10s", cidreg_op_name(op));
		pr_u64("allowed", "  %12" PRIu64, st->allowed[op]);
		pr_u64("denied", "  %12" PRIu64, st->denied[op]);
		pr_u64("audited", "  %12" PRIu64 "\n", st->audited[op]);
		pr_close_obj();
	}
	pr_close_obj();
	pr_u64("config_changes", "config changes: %" PRIu64 "\n",
	       st->config_changes);
	pr_u64("events_dropped", "events dropped: %" PRIu64 "\n",
	       st->events_dropped);
	pr_close_obj();
}

/*
 * One setting of @c, from libcidreg's table: in text @fmt with its name
 * and its value ("%-17s%s\n" for config, " %s %s" for monitor), in JSON
 * under its JSON name, as a JSON string, boolean, number or array.
 */
static void setting_print(const struct cidreg_setting *s,
			  const struct cidreg_config *c, const char *fmt)
{
	char text[400], line[480];
	uint32_t i;

	cidreg_setting_format(s, c, text, sizeof(text));
	snprintf(line, sizeof(line), fmt, s->name, "%s");
	switch (s->type) {
	case CIDREG_SETTING_CHOICE:
		pr_str(s->json_name, line, text);
		break;
	case CIDREG_SETTING_BOOL:
		pr_bool(s->json_name, line,
			*(const bool *)((const char *)c + s->offset));
		break;
	case CIDREG_SETTING_U32:
		pr_u32(s->json_name, NULL,
		       *(const uint32_t *)((const char *)c + s->offset));
		pr_text(line, text);
		break;
	case CIDREG_SETTING_PORTS:
		pr_text(line, text);
		pr_open_arr(s->json_name);
		for (i = 0; i < c->nports; i++)
			pr_u32(NULL, NULL, c->ports[i]);
		pr_close_arr();
		break;
	}
}

/* Each setting of @mask in @c, as setting_print() writes them. */
static void settings_print(const struct cidreg_config *c, unsigned int mask,
			   const char *fmt)
{
	const struct cidreg_setting *s;
	unsigned int i;

	for (i = 0; (s = cidreg_setting(i)); i++)
		if (mask & s->bit)
			setting_print(s, c, fmt);
}

void cidctl_config_print(const struct cidreg_config *c)
{
	pr_open_obj(NULL);
	settings_print(c, ~0U, "%-17s%s\n");
	pr_close_obj();
}

/* ISO 8601, UTC, microseconds: what monitor -t prefixes. */
static void timestamp(void)
{
	char buf[64], out[80];
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, sizeof(out), "%s.%06ldZ", buf, (long)tv.tv_usec);
	pr_str("time", "%s ", out);
}

/*
 * One line per event: "[TIME ]EVENT cid N netns N[ pid N] comm C[ key
 * value]...", each value quoted if it has a space or a quote (monitor
 * turns quoting on); a refusal that audit let through is would-be-denied.
 */
void cidctl_event_print(const struct cidreg_event *ev, bool ts)
{
	bool denied = ev->event == VSOCK_CIDREG_EVENT_DENIED;
	bool audit = denied && ev->mode == VSOCK_CIDREG_MODE_AUDIT;

	pr_open_obj(NULL);
	if (ts)
		timestamp();
	pr_text("%s", audit ? "would-be-" : "");
	pr_str("event", "%s", cidreg_event_name(ev->event));
	/* Events about the configuration name no CID. */
	if (ev->event == VSOCK_CIDREG_EVENT_CONFIG_CHANGED)
		settings_print(&ev->config, ev->config_mask, " %s %s");
	else if (ev->event != VSOCK_CIDREG_EVENT_TRUSTED &&
		 ev->event != VSOCK_CIDREG_EVENT_UNTRUSTED)
		pr_u32("cid", " cid %u", ev->cid);
	if (ev->netns_ino)	/* hidden from a listener of one netns */
		pr_num("netns", " netns %" PRIu64, ev->netns_ino);
	/* In the space of a netns in vsock's local mode (7.0+). */
	if (ev->local)
		pr_str("space", " space %s", "local");
	if (ev->pid)	/* sent to a full view alone */
		pr_u32("pid", " pid %u", ev->pid);
	pr_str("comm", " comm %s", ev->comm);
	if (ev->reason)
		pr_str("reason", " reason %s", cidreg_reason_name(ev->reason));
	if (ev->kind)
		pr_str("kind", " kind %s", cidctl_kind_name(ev->kind));
	if (ev->to_netns_ino)
		pr_num("to_netns", " to-netns %" PRIu64, ev->to_netns_ino);
	if (ev->label[0])
		pr_str("label", " label %s", ev->label);
	if (denied) {
		pr_str("op", " op %s", cidreg_op_name(ev->op));
		pr_u32("port", " port %u", ev->port);
		if (ev->rule)
			pr_str("rule", " rule %s", cidreg_rule_name(ev->rule));
		pr_bool("audit", NULL, audit);
	}
	if (ev->dropped)
		pr_num("dropped", " dropped %" PRIu64, ev->dropped);
	pr_text("\n");
	pr_close_obj();
	pr_end();
}

/*
 * After events were lost: "lost", then one "present" line per entry (as
 * cidctl list sees them), then "synced" (cidctl monitor).
 */
void cidctl_resync_mark(const char *what, bool ts)
{
	pr_open_obj(NULL);
	if (ts)
		timestamp();
	pr_str("event", "%s", what);
	pr_text("\n");
	pr_close_obj();
	pr_end();
}

void cidctl_resync_print(const struct cidreg_entry *e, bool ts)
{
	pr_open_obj(NULL);
	if (ts)
		timestamp();
	pr_str("event", "%s", "present");
	pr_u32("cid", " cid %u", e->cid);
	if (!e->hidden) {
		pr_num("netns", " netns %" PRIu64, e->netns_ino);
		pr_str("kind", " kind %s", cidctl_kind_name(e->kind));
		if (e->label[0])
			pr_str("label", " label %s", e->label);
	}
	pr_bool("hidden", NULL, e->hidden);
	pr_text("\n");
	pr_close_obj();
	pr_end();
}
