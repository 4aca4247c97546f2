// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/vhost.h>

#include "vhost.h"

int vhost_vsock_claim(__u64 cid)
{
	int fd, err;

	fd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, VHOST_SET_OWNER) ||
	    ioctl(fd, VHOST_VSOCK_SET_GUEST_CID, &cid)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int vhost_vsock_claim_in(int nsfd, __u64 cid)
{
	int init = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), fd;

	if (init < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET)) {
		fd = -errno;
		close(init);
		return fd;
	}
	fd = vhost_vsock_claim(cid);
	if (setns(init, CLONE_NEWNET))
		abort();
	close(init);
	return fd;
}

int vhost_stopped_connect_errno(void)
{
	struct utsname u;
	int major = 0;

	if (uname(&u) == 0)
		sscanf(u.release, "%d", &major);
	return major >= 7 ? EHOSTUNREACH : EINPROGRESS;
}
