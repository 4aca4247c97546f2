// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "format.h"

const char *cidctl_kind_name(uint32_t kind)
{
	switch (kind) {
	case CIDREG_LEASE:
		return "lease";
	case CIDREG_PERSISTENT:
		return "persistent";
	case CIDREG_ADOPTED:
		return "adopted";
	default:
		return "reserved";	/* hidden: another netns's */
	}
}

void cidctl_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void cidctl_entry_json(FILE *f, const struct cidreg_entry *e)
{
	fprintf(f, "{\"cid\":%u,\"kind\":\"%s\",\"own\":%s,\"attached\":%s,"
		"\"hidden\":%s", e->cid, cidctl_kind_name(e->kind),
		e->own ? "true" : "false", e->attached ? "true" : "false",
		e->hidden ? "true" : "false");
	if (e->local)
		fputs(",\"local\":true", f);
	if (!e->hidden) {
		fprintf(f, ",\"netns\":%" PRIu64 ",\"holder_pid\":%u,"
			"\"creator_pid\":%u,\"creator_uid\":%u,\"ctime_ns\":%"
			PRIu64 ",\"comm\":", e->netns_ino, e->holder_pid,
			e->creator_pid, e->creator_uid, e->ctime_ns);
		cidctl_json_string(f, e->comm);
		fputs(",\"label\":", f);
		cidctl_json_string(f, e->label);
	}
	fputc('}', f);
}

void cidctl_entry_header(FILE *f)
{
	fprintf(f, "%-10s  %-10s  %-10s  %-8s  %-8s  %-22s  %s\n", "CID",
		"KIND", "NETNS", "ATTACHED", "HOLDER", "CREATOR", "LABEL");
}

void cidctl_entry_row(FILE *f, const struct cidreg_entry *e)
{
	char netns[24] = "-", holder[12] = "-", creator[40] = "-";

	if (!e->hidden) {
		snprintf(netns, sizeof(netns), "%" PRIu64 "%s", e->netns_ino,
			 e->local ? "/local" : "");
		if (e->holder_pid)
			snprintf(holder, sizeof(holder), "%u", e->holder_pid);
		snprintf(creator, sizeof(creator), "%u/%s", e->creator_pid,
			 e->comm);
	}
	fprintf(f, "%-10u  %-10s  %-10s  %-8s  %-8s  %-22s  %s\n", e->cid,
		cidctl_kind_name(e->kind), netns, e->attached ? "yes" : "no",
		holder, creator, e->hidden ? "-" : e->label);
}

void cidctl_stats_print(FILE *f, const struct cidreg_stats *st, bool json)
{
	unsigned int op;

	if (json) {
		fprintf(f, "{\"entries\":%u,\"ops\":{", st->entries);
		for (op = 0; op < CIDREG_OPS; op++)
			fprintf(f, "%s\"%s\":{\"allowed\":%" PRIu64 ",\"denied\":%"
				PRIu64 ",\"audited\":%" PRIu64 "}",
				op ? "," : "", cidreg_op_name(op),
				st->allowed[op], st->denied[op],
				st->audited[op]);
		fputs("}}\n", f);
		return;
	}
	fprintf(f, "entries: %u\n", st->entries);
	fprintf(f, "%-10s  %12s  %12s  %12s\n", "OPERATION", "ALLOWED",
		"DENIED", "AUDITED");
	for (op = 0; op < CIDREG_OPS; op++)
		fprintf(f, "%-10s  %12" PRIu64 "  %12" PRIu64 "  %12" PRIu64 "\n",
			cidreg_op_name(op), st->allowed[op], st->denied[op],
			st->audited[op]);
}

static void ports(FILE *f, const struct cidreg_config *c, bool json)
{
	uint32_t i;

	for (i = 0; i < c->nports; i++)
		fprintf(f, "%s%u", i ? "," : "", c->ports[i]);
	if (!c->nports && !json)
		fputs("none", f);
}

void cidctl_config_print(FILE *f, const struct cidreg_config *c, bool json)
{
	if (json) {
		fprintf(f, "{\"mode\":\"%s\",\"strict\":%s,\"cid_min\":%u,"
			"\"cid_max\":%u,\"quota\":%u,\"protected_ports\":[",
			cidreg_mode_name(c->mode), c->strict ? "true" : "false",
			c->cid_min, c->cid_max, c->quota);
		ports(f, c, true);
		fputs("]}\n", f);
		return;
	}
	fprintf(f, "mode             %s\nstrict           %s\n"
		"cid-min          %u\ncid-max          %u\nquota            %u\n"
		"protected-ports  ", cidreg_mode_name(c->mode),
		c->strict ? "yes" : "no", c->cid_min, c->cid_max, c->quota);
	ports(f, c, false);
	fputc('\n', f);
}

void cidctl_event_print(FILE *f, const struct cidreg_event *ev, bool json)
{
	bool denied = ev->event == 7;

	if (json) {
		fprintf(f, "{\"event\":\"%s\",\"cid\":%u,\"netns\":%" PRIu64
			",\"pid\":%u,\"comm\":", cidreg_event_name(ev->event),
			ev->cid, ev->netns_ino, ev->pid);
		cidctl_json_string(f, ev->comm);
		if (ev->reason)
			fprintf(f, ",\"reason\":\"%s\"",
				cidreg_reason_name(ev->reason));
		if (ev->kind)
			fprintf(f, ",\"kind\":\"%s\"", cidctl_kind_name(ev->kind));
		if (ev->to_netns_ino)
			fprintf(f, ",\"to_netns\":%" PRIu64, ev->to_netns_ino);
		if (ev->label[0]) {
			fputs(",\"label\":", f);
			cidctl_json_string(f, ev->label);
		}
		if (denied)
			fprintf(f, ",\"op\":\"%s\",\"port\":%u,\"audit\":%s",
				cidreg_op_name(ev->op), ev->port,
				ev->mode == 1 ? "true" : "false");
		fputs("}\n", f);
		fflush(f);
		return;
	}
	fprintf(f, "%s%s cid %u netns %" PRIu64 " pid %u comm %s",
		denied && ev->mode == 1 ? "would-be-" : "",
		cidreg_event_name(ev->event), ev->cid, ev->netns_ino, ev->pid,
		ev->comm);
	if (ev->reason)
		fprintf(f, " reason %s", cidreg_reason_name(ev->reason));
	if (ev->kind)
		fprintf(f, " kind %s", cidctl_kind_name(ev->kind));
	if (ev->to_netns_ino)
		fprintf(f, " to-netns %" PRIu64, ev->to_netns_ino);
	if (ev->label[0])
		fprintf(f, " label %s", ev->label);
	if (denied)
		fprintf(f, " op %s port %u", cidreg_op_name(ev->op), ev->port);
	fputc('\n', f);
	fflush(f);
}
