/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vsock guest without a VM: plays the guest's virtio-vsock driver
 * against /dev/vhost-vsock from userspace (split rings in our own memory,
 * eventfds for kick and call), so tests get a real guest CID behind the
 * real vhost-vsock driver.
 *
 * Stream sockets only. One guest is single-threaded: every call drives
 * its event loop; several guests may live in one process. Calls return
 * 0 or a count, or a negative errno (-ETIMEDOUT, -ECONNRESET, ...).
 */
#ifndef _CIDREG_GUESTSIM_H
#define _CIDREG_GUESTSIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct gsim;

/*
 * Creates a guest with CID @cid, set by the calling thread (so in its
 * netns), and starts the device. NULL with errno set on failure.
 */
struct gsim *gsim_create(uint32_t cid);
/* Closes the device: the host resets every connection of the guest. */
void gsim_destroy(struct gsim *g);

/* Connects to host port @port; returns a stream id. */
int gsim_connect(struct gsim *g, uint32_t port, int timeout_ms);
/* Accepts host connections on guest port @port from now on. */
int gsim_listen(struct gsim *g, uint32_t port);
/* Waits for a connection on a listened port; returns a stream id. */
int gsim_accept(struct gsim *g, uint32_t port, int timeout_ms);

/* Sends all of @buf, as the host's credit allows. */
ssize_t gsim_send(struct gsim *g, int s, const void *buf, size_t len,
		  int timeout_ms);
/* Receives up to @len bytes; 0 once the host shut down its sending side. */
ssize_t gsim_recv(struct gsim *g, int s, void *buf, size_t len,
		  int timeout_ms);
/* Tells the host the guest sends no more (its reads then see EOF). */
int gsim_shutdown_send(struct gsim *g, int s);
/*
 * Waits until the host has read all the guest sent on the stream (its
 * forward count), or reset it, for at most @timeout_ms: 0, or -ETIMEDOUT.
 * Before gsim_close() when the host must get every byte: closing the
 * device resets the host's socket, and what it had not read yet is lost.
 */
int gsim_linger(struct gsim *g, int s, int timeout_ms);
/* Shuts both directions down and forgets the stream. */
int gsim_close(struct gsim *g, int s);
/* Processes what the device has for at most @timeout_ms. */
int gsim_poll(struct gsim *g, int timeout_ms);

#endif /* _CIDREG_GUESTSIM_H */
