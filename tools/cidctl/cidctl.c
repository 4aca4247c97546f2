// SPDX-License-Identifier: GPL-2.0
/*
 * cidctl: reserve, inspect and configure vsock CIDs of the vsock_cidreg
 * module. See cidctl(8) (Documentation/cidctl.8).
 *
 * Exit status: 0 success; 1 the operation failed; 2 bad usage; 3 the
 * module is not loaded. With "reserve ... -- COMMAND": COMMAND's status
 * (126: it cannot run, 127: not found).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cidreg.h"
#include "format.h"

#ifndef CIDREG_VERSION
#define CIDREG_VERSION "unknown"
#endif

static const char usage_text[] =
"usage: cidctl [-j] COMMAND [ARGS]\n"
"  reserve [CID | --range MIN-MAX] [--lowest] [--netns PATH|PID|NAME]\n"
"          [--label TEXT] [--persistent] [-- COMMAND ARGS...]\n"
"  release CID | --all [--netns ... | --every-netns]\n"
"  show CID\n"
"  list [--netns ...]\n"
"  transfer CID --netns ... [--persistent]\n"
"  monitor\n"
"  stats\n"
"  status\n"
"  config [KEY VALUE...]   keys: mode strict cid-min cid-max quota protected-ports\n"
"  trust --netns ... | untrust --netns ...\n"
"-j: JSON output. See cidctl(8).\n";

/* One line: what failed, why, what to do. Returns the exit status. */
static int fail(const char *what, int err)
{
	fprintf(stderr, "cidctl: %s: %s; %s\n", what, cidreg_strerror(err),
		cidreg_hint(err, what));
	return err == -ENODEV ? 3 : 1;
}

static int open_netns(const char *netns, const char *verb, int *fd)
{
	char path[4096];

	*fd = -1;
	if (!netns)
		return 0;
	cidctl_netns_path(netns, path, sizeof(path));
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		fprintf(stderr, "cidctl: %s: cannot open netns %s: %s; give a path (/run/netns/NAME), a PID or an ip-netns name\n",
			verb, path, strerror(errno));
		return 1;
	}
	return 0;
}

static int open_handle(struct cidreg **h)
{
	int err = cidreg_open(h);

	if (err)
		return fail("open", err);
	return 0;
}

/* Runs COMMAND with {cid} replaced and VSOCK_CID set; its exit status. */
static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int run_command(char **cmd, uint32_t cid)
{
	char cidstr[16], **argv;
	int n, i, status;

	snprintf(cidstr, sizeof(cidstr), "%u", cid);
	for (n = 0; cmd[n]; n++)
		;
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return fail("reserve", -ENOMEM);
	for (i = 0; i < n; i++) {
		const char *p = strstr(cmd[i], "{cid}");

		if (!p) {
			argv[i] = strdup(cmd[i]);
		} else {
			size_t len = strlen(cmd[i]) + strlen(cidstr);

			argv[i] = malloc(len);
			if (argv[i])
				snprintf(argv[i], len, "%.*s%s%s",
					 (int)(p - cmd[i]), cmd[i], cidstr,
					 p + 5);
		}
		if (!argv[i]) {
			for (i = 0; i < n; i++)
				free(argv[i]);
			free(argv);
			return fail("reserve", -ENOMEM);
		}
	}
	setenv("VSOCK_CID", cidstr, 1);
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	child = fork();
	if (child == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "cidctl: reserve: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	for (i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	if (child < 0)
		return fail("reserve", -errno);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return fail("reserve", -errno);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int do_reserve(struct cidreg *h, const struct cidctl_args *a, int nsfd)
{
	struct cidreg_reserve_req r = {
		.cid = a->cid, .any = !a->has_cid, .lowest = a->lowest,
		.cid_min = a->cid_min, .cid_max = a->cid_max,
		/* Without a COMMAND the lease would end as cidctl exits. */
		.persistent = a->persistent || !a->command,
		.netns_fd = nsfd, .use_netns = nsfd >= 0, .label = a->label,
	};
	uint32_t cid;
	int err = cidreg_reserve(h, &r, &cid);

	if (err)
		return fail("reserve", err);
	if (a->command) {
		fflush(stdout);
		return run_command(a->command, cid);
	}
	if (a->json)
		printf("{\"cid\":%u}\n", cid);
	else
		printf("%u\n", cid);
	return 0;
}

struct list_state {
	bool json;
	int n;
};

static int list_one(const struct cidreg_entry *e, void *arg)
{
	struct list_state *s = arg;

	if (s->json) {
		fputs(s->n ? "," : "", stdout);
		cidctl_entry_json(stdout, e);
	} else {
		if (!s->n)
			cidctl_entry_header(stdout);
		cidctl_entry_row(stdout, e);
	}
	s->n++;
	return 0;
}

static int event_one(const struct cidreg_event *ev, void *arg)
{
	cidctl_event_print(stdout, ev, *(bool *)arg);
	return ferror(stdout) ? -EIO : 0;
}

static int do_config(struct cidreg *h, const struct cidctl_args *a)
{
	struct cidreg_config c = {};
	int err;

	if (!a->nkv) {
		err = cidreg_get_config(h, &c);
		if (err)
			return fail("config", err);
		cidctl_config_print(stdout, &c, a->json);
		return 0;
	}
	err = cidreg_set_config(h, &a->config, a->config_mask);
	return err ? fail("config", err) : 0;
}

/* status: libkmod says whether the module is there; sysfs the rest. */
#define PARAMS_DIR "/sys/module/vsock_cidreg/parameters"

/* Prints the module's settings, " name=value" each, in name order. */
static void print_parameters(void)
{
	struct dirent **names;
	char path[512], value[256];
	int i, n;
	FILE *f;

	n = scandir(PARAMS_DIR, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		/* Not a setting: shown on its own (print_hooks()). */
		if (name[0] != '.' && strcmp(name, "hooks")) {
			snprintf(path, sizeof(path), PARAMS_DIR "/%s", name);
			f = fopen(path, "r");
			if (f && fgets(value, sizeof(value), f)) {
				value[strcspn(value, "\n")] = 0;
				printf(" %s=%s", name, value);
			}
			if (f)
				fclose(f);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/*
 * Prints each hook and its state ("module:symbol state" lines of the
 * hooks parameter): as "hooks:" lines of text, or as a JSON object.
 */
static void print_hooks(bool json)
{
	char line[256], name[200], state[32];
	const char *sep = "";
	FILE *f = fopen(PARAMS_DIR "/hooks", "r");

	if (json)
		printf(",\"hooks\":{");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%199s %31s", name, state) != 2)
			continue;
		if (json) {
			printf("%s", sep);
			cidctl_json_string(stdout, name);
			putchar(':');
			cidctl_json_string(stdout, state);
			sep = ",";
		} else {
			printf("hooks:    %-40s %s\n", name, state);
		}
	}
	if (json)
		putchar('}');
	if (f)
		fclose(f);
}

static int do_status(struct cidreg *h, bool json)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	struct kmod_module *mod = NULL;
	const char *state = "not loaded";
	char version[64] = "";
	struct cidreg_config c = {};
	struct cidreg_stats st = {};
	bool loaded = false, have = false;
	FILE *f;

	if (ctx && !kmod_module_new_from_name(ctx, "vsock_cidreg", &mod)) {
		int s = kmod_module_get_initstate(mod);

		if (s >= 0) {
			state = kmod_module_initstate_str(s);
			loaded = s == KMOD_MODULE_LIVE;
		}
	}
	f = fopen("/sys/module/vsock_cidreg/version", "r");
	if (f) {
		if (fgets(version, sizeof(version), f))
			version[strcspn(version, "\n")] = 0;
		fclose(f);
	}
	if (loaded && h && !cidreg_get_config(h, &c) && !cidreg_stats(h, &st))
		have = true;
	if (json) {
		printf("{\"loaded\":%s,\"state\":\"%s\",\"version\":",
		       loaded ? "true" : "false", state);
		cidctl_json_string(stdout, version);
		if (have) {
			printf(",\"mode\":\"%s\",\"strict\":%s,\"entries\":%u",
			       cidreg_mode_name(c.mode),
			       c.strict ? "true" : "false", st.entries);
			print_hooks(true);
		}
		printf(",\"tools_version\":\"%s\"}\n", CIDREG_VERSION);
	} else {
		printf("module:   vsock_cidreg %s%s%s\n", state,
		       version[0] ? ", version " : "", version);
		if (have) {
			printf("mode:     %s%s\nentries:  %u\n",
			       cidreg_mode_name(c.mode),
			       c.strict ? " (strict)" : "", st.entries);
			printf("parameters:");
			print_parameters();
			printf("\n");
			print_hooks(false);
		}
		if (!loaded)
			printf("load it with: modprobe vsock_cidreg (options in /etc/modprobe.d/vsock-cidreg.conf)\n");
		printf("cidctl:   %s\n", CIDREG_VERSION);
	}
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return loaded ? 0 : 3;
}

int main(int argc, char **argv)
{
	struct cidctl_args a;
	struct cidreg *h = NULL;
	struct cidreg_entry e;
	struct cidreg_stats st;
	struct list_state ls;
	char err[256];
	int rc = 0, nsfd = -1, e2;

	if (cidctl_parse(argc - 1, argv + 1, &a, err, sizeof(err))) {
		fprintf(stderr, "cidctl: %s\n", err);
		return 2;
	}
	if (a.verb == V_HELP) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (a.verb == V_VERSION) {
		printf("cidctl %s\n", CIDREG_VERSION);
		return 0;
	}
	if (a.verb == V_STATUS) {
		if (cidreg_open(&h))
			h = NULL;
		rc = do_status(h, a.json);
		cidreg_close(h);
		return rc;
	}
	if (open_netns(a.netns, argv[1], &nsfd))
		return 1;
	rc = open_handle(&h);
	if (rc)
		goto out;

	switch (a.verb) {
	case V_RESERVE:
		rc = do_reserve(h, &a, nsfd);
		break;
	case V_RELEASE:
		if (a.all) {
			e2 = cidreg_release_all(h, a.every_netns ?
						CIDREG_EVERY_NETNS : nsfd);
			if (e2 < 0)
				rc = fail("release", e2);
			else if (a.json)
				printf("{\"released\":%d}\n", e2);
			else
				printf("released %d\n", e2);
		} else {
			e2 = cidreg_release(h, a.cid);
			rc = e2 ? fail("release", e2) : 0;
		}
		break;
	case V_SHOW:
		e2 = cidreg_show(h, a.cid, &e);
		if (e2) {
			rc = fail("show", e2);
		} else if (a.json) {
			cidctl_entry_json(stdout, &e);
			putchar('\n');
		} else {
			cidctl_entry_header(stdout);
			cidctl_entry_row(stdout, &e);
		}
		break;
	case V_LIST:
		ls = (struct list_state){ .json = a.json };
		if (a.json)
			putchar('[');
		e2 = cidreg_list(h, nsfd, list_one, &ls);
		if (a.json)
			puts("]");
		rc = e2 ? fail("list", e2) : 0;
		break;
	case V_TRANSFER:
		e2 = cidreg_transfer(h, a.cid, nsfd, a.persistent);
		rc = e2 ? fail("transfer", e2) : 0;
		break;
	case V_MONITOR:
		e2 = cidreg_monitor(h, event_one, &a.json);
		rc = e2 ? fail("monitor", e2) : 0;
		break;
	case V_STATS:
		e2 = cidreg_stats(h, &st);
		if (e2)
			rc = fail("stats", e2);
		else
			cidctl_stats_print(stdout, &st, a.json);
		break;
	case V_CONFIG:
		rc = do_config(h, &a);
		break;
	case V_TRUST:
	case V_UNTRUST:
		e2 = cidreg_trust(h, nsfd, a.verb == V_TRUST);
		rc = e2 ? fail(a.verb == V_TRUST ? "trust" : "untrust", e2) : 0;
		break;
	default:
		break;
	}
out:
	cidreg_close(h);
	if (nsfd >= 0)
		close(nsfd);
	if (fflush(stdout) && !rc)
		rc = 1;
	return rc;
}
