/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests: modules, network namespaces, commands.
 * One netns helper, one module helper: tests call these, never their own.
 */
#ifndef _CIDREG_SELFTEST_UTIL_H
#define _CIDREG_SELFTEST_UTIL_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * In a forked child: exit with @n when @cond is false, so that the
 * parent's wait_child() names the first check that failed.
 */
#define CHILD_CHECK(n, cond)		\
	do {				\
		if (!(cond))		\
			_exit(n);	\
	} while (0)

/* The child's exit status: 0, or the number of its failed check; -1 if it died. */
int wait_child(pid_t pid);

/*
 * The errors of forked workers, in memory they share (MAP_SHARED): how
 * many, and the first one's message.
 */
struct child_errors {
	int count;
	char first[256];
};

struct child_errors *child_errors_new(void);
void child_error(struct child_errors *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Runs a shell command; returns its exit status, or -1 if it died. */
int run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* modprobe NAME / modprobe -r NAME; 0 on success. */
int module_load(const char *name);
int module_unload(const char *name);
bool module_loaded(const char *name);

/*
 * Moves the calling thread into a new network namespace with lo up and
 * returns an fd for it (or -1 with errno set).
 */
int netns_new(void);
/*
 * Creates a named netns (ip netns add NAME, which keeps it alive) and
 * returns an O_RDONLY fd of it, or -1. netns_del() deletes it.
 */
int netns_add(const char *name);
void netns_del(const char *name);
/*
 * Linux 7.0+: as netns_add(), a netns in vsock's local mode. It is made
 * from a netns ("cidreg-local-parent", kept) whose child_ns_mode is
 * local, so the initial netns's child_ns_mode (which locks on its first
 * write) stays global and other tests still make global ones.
 */
int netns_add_local(const char *name);
/* The vsock mode of the netns of @fd: "global", "local", or "" on error. */
const char *netns_vsock_mode(int fd);
/* Inode number of the netns of @fd, or of the caller's when @fd < 0. */
ino_t netns_inode(int fd);

/*
 * A host vsock stream socket listening on @port (any CID), with extra
 * socket() @flags (SOCK_NONBLOCK); -1 with errno set on failure.
 */
int vsock_listen(unsigned int port, int flags);

/*
 * Drops capability @cap from the calling process (effective, permitted,
 * inheritable); 0, or -errno.
 */
int drop_cap(int cap);

#endif /* _CIDREG_SELFTEST_UTIL_H */
