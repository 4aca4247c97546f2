// SPDX-License-Identifier: GPL-2.0
/*
 * Reserve any free CID in [1000, 1999] for this network namespace as a
 * lease, print it, hold it while a VM would run, and let it end with the
 * fd. Only the uapi header is needed. Build:
 *
 *   cc -I include/uapi -o reserve-lease Documentation/examples/reserve-lease.c
 * or, installed: cc $(pkg-config --cflags libcidreg) -o reserve-lease reserve-lease.c
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vsock_cidreg.h>

int main(void)
{
	struct vsock_cidreg_reserve r = {
		.size = sizeof(r),
		.flags = VSOCK_CIDREG_RESERVE_ANY,
		.cid_min = 1000,
		.cid_max = 1999,
		.label = "example/vm",
	};
	struct vsock_cidreg_entry e = { .size = sizeof(e) };
	int fd = open("/dev/" VSOCK_CIDREG_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "open /dev/%s: %s (is vsock_cidreg loaded?)\n",
			VSOCK_CIDREG_DEVICE, strerror(errno));
		return 1;
	}
	if (ioctl(fd, VSOCK_CIDREG_IOC_RESERVE, &r)) {
		/* EADDRINUSE, ENOSPC, EDQUOT, EPERM, EINVAL: see uapi.md */
		fprintf(stderr, "reserve: %s\n", strerror(errno));
		return 1;
	}
	e.cid = r.cid;
	if (ioctl(fd, VSOCK_CIDREG_IOC_QUERY, &e) == 0)
		printf("CID %u, lease of netns %llu, label %s\n", e.cid,
		       (unsigned long long)e.netns_ino, e.label);
	/* ... start QEMU with -device vhost-vsock-pci,guest-cid=<CID> ... */
	close(fd);	/* the lease ends with the last fd of the file */
	return 0;
}
