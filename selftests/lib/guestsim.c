// SPDX-License-Identifier: GPL-2.0
/*
 * A userspace virtio-vsock guest driver over /dev/vhost-vsock: see
 * guestsim.h. Guest memory is one anonymous mapping, given to vhost with
 * guest physical address == user address; each virtqueue is a split ring
 * of QSZ descriptors, descriptor i always using buffer slot i.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_vsock.h>

#include "guestsim.h"

#define QSZ		128
#define SLOT		(4096 + sizeof(struct virtio_vsock_hdr))
#define MAX_PAYLOAD	4096
#define RXCAP		(256 * 1024)	/* per stream: our buf_alloc */
#define MAX_STREAMS	64
#define MAX_LISTEN	16
#define HOST_CID	2
#define VQ_RX		0
#define VQ_TX		1

struct vq {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	unsigned char *slots;
	int kick, call;
	uint16_t avail_idx, used_idx;
	uint16_t free[QSZ];	/* tx: free descriptors */
	unsigned int nfree;
};

enum state { FREE, CONNECTING, ESTABLISHED, PENDING_ACCEPT, RESET, CLOSED };

struct stream {
	enum state state;
	uint32_t port, peer_port;
	unsigned char *rx;
	size_t rx_head, rx_len;
	uint32_t fwd_cnt, fwd_sent;	/* bytes the application consumed */
	uint32_t tx_cnt, peer_buf_alloc, peer_fwd_cnt;
	bool peer_shut_send;
};

struct gsim {
	int fd;
	uint32_t cid;
	void *mem;
	size_t memsize;
	struct vq vq[2];
	struct stream s[MAX_STREAMS];
	uint32_t listen[MAX_LISTEN];
	unsigned int nlisten;
	uint32_t next_port;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t ring_bytes(void)
{
	size_t n = 16 * QSZ + 6 + 2 * QSZ;

	n = (n + 4095) & ~4095UL;
	return n + ((6 + 8 * QSZ + 4095) & ~4095UL);
}

static int vq_setup(struct gsim *g, int idx, unsigned char *base)
{
	struct vq *q = &g->vq[idx];
	struct vhost_vring_state num = { .index = idx, .num = QSZ };
	struct vhost_vring_state vbase = { .index = idx, .num = 0 };
	struct vhost_vring_addr addr = { .index = idx };
	struct vhost_vring_file kick = { .index = idx }, call = { .index = idx };
	unsigned int i;

	q->desc = (struct vring_desc *)base;
	q->avail = (struct vring_avail *)(base + 16 * QSZ);
	q->used = (struct vring_used *)(base + ((16 * QSZ + 6 + 2 * QSZ +
						  4095) & ~4095UL));
	q->slots = base + ring_bytes();
	q->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->kick < 0 || q->call < 0)
		return -errno;
	for (i = 0; i < QSZ; i++) {
		q->desc[i].addr = (uintptr_t)(q->slots + i * SLOT);
		q->desc[i].len = SLOT;
		q->desc[i].flags = idx == VQ_RX ? VRING_DESC_F_WRITE : 0;
		if (idx == VQ_TX)
			q->free[q->nfree++] = QSZ - 1 - i;
	}
	addr.desc_user_addr = (uintptr_t)q->desc;
	addr.avail_user_addr = (uintptr_t)q->avail;
	addr.used_user_addr = (uintptr_t)q->used;
	kick.fd = q->kick;
	call.fd = q->call;
	if (ioctl(g->fd, VHOST_SET_VRING_NUM, &num) ||
	    ioctl(g->fd, VHOST_SET_VRING_BASE, &vbase) ||
	    ioctl(g->fd, VHOST_SET_VRING_ADDR, &addr) ||
	    ioctl(g->fd, VHOST_SET_VRING_KICK, &kick) ||
	    ioctl(g->fd, VHOST_SET_VRING_CALL, &call))
		return -errno;
	if (idx == VQ_RX) {
		/* Every receive buffer goes to the device at once. */
		for (i = 0; i < QSZ; i++)
			q->avail->ring[i] = i;
		__atomic_store_n(&q->avail->idx, QSZ, __ATOMIC_RELEASE);
		q->avail_idx = QSZ;
	}
	return 0;
}

static void vq_kick(struct vq *q)
{
	uint64_t one = 1;

	if (write(q->kick, &one, sizeof(one)) < 0)
		return;	/* EAGAIN: a kick is pending anyway */
}

struct gsim *gsim_create(uint32_t cid)
{
	size_t per_vq = ring_bytes() + QSZ * SLOT;
	struct vhost_memory *mt;
	uint64_t features = 1ULL << VIRTIO_F_VERSION_1, cid64 = cid;
	struct gsim *g;
	int running = 1, err, i;

	g = calloc(1, sizeof(*g));
	mt = calloc(1, sizeof(*mt) + sizeof(mt->regions[0]));
	if (!g || !mt) {
		free(g);
		free(mt);
		errno = ENOMEM;
		return NULL;
	}
	g->cid = cid;
	g->next_port = 50000 + (getpid() % 10000);
	for (i = 0; i < 2; i++)
		g->vq[i].kick = g->vq[i].call = -1;
	g->memsize = 2 * ((per_vq + 4095) & ~4095UL);
	g->mem = mmap(NULL, g->memsize, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	g->fd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	if (g->mem == MAP_FAILED || g->fd < 0) {
		err = errno;
		goto fail;
	}
	mt->nregions = 1;
	mt->regions[0].guest_phys_addr = (uintptr_t)g->mem;
	mt->regions[0].userspace_addr = (uintptr_t)g->mem;
	mt->regions[0].memory_size = g->memsize;
	if (ioctl(g->fd, VHOST_SET_OWNER) ||
	    ioctl(g->fd, VHOST_SET_FEATURES, &features) ||
	    ioctl(g->fd, VHOST_SET_MEM_TABLE, mt)) {
		err = errno;
		goto fail;
	}
	for (i = 0; i < 2; i++) {
		err = -vq_setup(g, i, (unsigned char *)g->mem +
				i * ((per_vq + 4095) & ~4095UL));
		if (err)
			goto fail;
	}
	if (ioctl(g->fd, VHOST_VSOCK_SET_GUEST_CID, &cid64) ||
	    ioctl(g->fd, VHOST_VSOCK_SET_RUNNING, &running)) {
		err = errno;
		goto fail;
	}
	free(mt);
	vq_kick(&g->vq[VQ_RX]);
	return g;

fail:
	free(mt);
	gsim_destroy(g);
	errno = err;
	return NULL;
}

void gsim_destroy(struct gsim *g)
{
	int i;

	if (!g)
		return;
	if (g->fd >= 0)
		close(g->fd);
	for (i = 0; i < 2; i++) {
		if (g->vq[i].kick >= 0)
			close(g->vq[i].kick);
		if (g->vq[i].call >= 0)
			close(g->vq[i].call);
	}
	for (i = 0; i < MAX_STREAMS; i++)
		free(g->s[i].rx);
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, g->memsize);
	free(g);
}

/* Takes back the transmit descriptors the device is done with. */
static void tx_reclaim(struct gsim *g)
{
	struct vq *q = &g->vq[VQ_TX];

	while (q->used_idx != __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE)) {
		q->free[q->nfree++] = q->used->ring[q->used_idx % QSZ].id;
		q->used_idx++;
	}
}

static int wait_events(struct gsim *g, int timeout_ms);

/* Sends one packet; waits for a free descriptor if need be. */
static int send_pkt(struct gsim *g, struct stream *st, uint32_t port,
		    uint32_t peer_port, uint16_t op, uint32_t flags,
		    const void *data, uint32_t len)
{
	struct vq *q = &g->vq[VQ_TX];
	struct virtio_vsock_hdr *h;
	long deadline = now_ms() + 5000;
	uint16_t d;

	tx_reclaim(g);
	while (!q->nfree) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		wait_events(g, 100);
		tx_reclaim(g);
	}
	d = q->free[--q->nfree];
	h = (struct virtio_vsock_hdr *)(q->slots + d * SLOT);
	memset(h, 0, sizeof(*h));
	h->src_cid = g->cid;
	h->dst_cid = HOST_CID;
	h->src_port = port;
	h->dst_port = peer_port;
	h->len = len;
	h->type = VIRTIO_VSOCK_TYPE_STREAM;
	h->op = op;
	h->flags = flags;
	h->buf_alloc = RXCAP;
	if (st) {
		h->fwd_cnt = st->fwd_cnt;
		st->fwd_sent = st->fwd_cnt;
	}
	if (len)
		memcpy(h + 1, data, len);
	q->desc[d].len = sizeof(*h) + len;
	q->avail->ring[q->avail_idx % QSZ] = d;
	q->avail_idx++;
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	vq_kick(q);
	return 0;
}

static struct stream *find_stream(struct gsim *g, uint32_t port,
				  uint32_t peer_port)
{
	int i;

	for (i = 0; i < MAX_STREAMS; i++) {
		struct stream *st = &g->s[i];

		if (st->state != FREE && st->state != CLOSED &&
		    st->port == port && st->peer_port == peer_port)
			return st;
	}
	return NULL;
}

static struct stream *new_stream(struct gsim *g, uint32_t port,
				 uint32_t peer_port, enum state state)
{
	int i;

	for (i = 0; i < MAX_STREAMS; i++) {
		struct stream *st = &g->s[i];

		if (st->state != FREE)
			continue;
		if (!st->rx)
			st->rx = malloc(RXCAP);
		if (!st->rx)
			return NULL;
		st->state = state;
		st->port = port;
		st->peer_port = peer_port;
		st->rx_head = st->rx_len = 0;
		st->fwd_cnt = st->fwd_sent = st->tx_cnt = 0;
		st->peer_buf_alloc = st->peer_fwd_cnt = 0;
		st->peer_shut_send = false;
		return st;
	}
	return NULL;
}

static bool listening(struct gsim *g, uint32_t port)
{
	unsigned int i;

	for (i = 0; i < g->nlisten; i++)
		if (g->listen[i] == port)
			return true;
	return false;
}

static void handle_pkt(struct gsim *g, const struct virtio_vsock_hdr *h,
		       const unsigned char *data)
{
	struct stream *st;
	size_t tail, n;

	if (h->dst_cid != g->cid || h->type != VIRTIO_VSOCK_TYPE_STREAM)
		return;
	st = find_stream(g, h->dst_port, h->src_port);
	if (!st) {
		if (h->op == VIRTIO_VSOCK_OP_REQUEST && listening(g, h->dst_port))
			st = new_stream(g, h->dst_port, h->src_port,
					PENDING_ACCEPT);
		if (st) {
			st->peer_buf_alloc = h->buf_alloc;
			st->peer_fwd_cnt = h->fwd_cnt;
			send_pkt(g, st, st->port, st->peer_port,
				 VIRTIO_VSOCK_OP_RESPONSE, 0, NULL, 0);
		} else if (h->op != VIRTIO_VSOCK_OP_RST) {
			send_pkt(g, NULL, h->dst_port, h->src_port,
				 VIRTIO_VSOCK_OP_RST, 0, NULL, 0);
		}
		return;
	}
	st->peer_buf_alloc = h->buf_alloc;
	st->peer_fwd_cnt = h->fwd_cnt;
	switch (h->op) {
	case VIRTIO_VSOCK_OP_RESPONSE:
		if (st->state == CONNECTING)
			st->state = ESTABLISHED;
		break;
	case VIRTIO_VSOCK_OP_RST:
		st->state = RESET;
		break;
	case VIRTIO_VSOCK_OP_SHUTDOWN:
		if (h->flags & VIRTIO_VSOCK_SHUTDOWN_SEND)
			st->peer_shut_send = true;
		break;
	case VIRTIO_VSOCK_OP_RW:
		n = h->len;
		if (n > RXCAP - st->rx_len) {	/* the host broke our credit */
			st->state = RESET;
			break;
		}
		tail = (st->rx_head + st->rx_len) % RXCAP;
		if (tail + n <= RXCAP) {
			memcpy(st->rx + tail, data, n);
		} else {
			memcpy(st->rx + tail, data, RXCAP - tail);
			memcpy(st->rx, data + RXCAP - tail, n - (RXCAP - tail));
		}
		st->rx_len += n;
		break;
	case VIRTIO_VSOCK_OP_CREDIT_REQUEST:
		send_pkt(g, st, st->port, st->peer_port,
			 VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
		break;
	default:
		break;
	}
}

/* Handles what the device put in the receive queue; reposts buffers. */
static void rx_process(struct gsim *g)
{
	struct vq *q = &g->vq[VQ_RX];
	bool reposted = false;

	while (q->used_idx != __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE)) {
		struct vring_used_elem *u = &q->used->ring[q->used_idx % QSZ];
		const struct virtio_vsock_hdr *h;

		h = (const struct virtio_vsock_hdr *)(q->slots + u->id * SLOT);
		if (u->len >= sizeof(*h) && h->len <= u->len - sizeof(*h))
			handle_pkt(g, h, (const unsigned char *)(h + 1));
		q->avail->ring[q->avail_idx % QSZ] = u->id;
		q->avail_idx++;
		q->used_idx++;
		reposted = true;
	}
	if (reposted) {
		__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
		vq_kick(q);
	}
}

static int wait_events(struct gsim *g, int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = g->vq[VQ_RX].call, .events = POLLIN },
		{ .fd = g->vq[VQ_TX].call, .events = POLLIN },
	};
	uint64_t v;
	int n, i;

	n = poll(p, 2, timeout_ms);
	if (n < 0)
		return -errno;
	for (i = 0; i < 2; i++)
		if (p[i].revents & POLLIN && read(p[i].fd, &v, sizeof(v)) < 0)
			return -errno;
	rx_process(g);
	tx_reclaim(g);
	return n;
}

int gsim_poll(struct gsim *g, int timeout_ms)
{
	rx_process(g);
	return wait_events(g, timeout_ms) < 0 ? -errno : 0;
}

static struct stream *get(struct gsim *g, int s)
{
	if (s < 0 || s >= MAX_STREAMS || g->s[s].state == FREE ||
	    g->s[s].state == CLOSED)
		return NULL;
	return &g->s[s];
}

int gsim_connect(struct gsim *g, uint32_t port, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	struct stream *st;
	int err;

	st = new_stream(g, g->next_port++, port, CONNECTING);
	if (!st)
		return -ENOMEM;
	err = send_pkt(g, st, st->port, port, VIRTIO_VSOCK_OP_REQUEST, 0,
		       NULL, 0);
	while (!err && st->state == CONNECTING) {
		if (now_ms() >= deadline)
			err = -ETIMEDOUT;
		else
			wait_events(g, deadline - now_ms());
	}
	if (!err && st->state == RESET)
		err = -ECONNRESET;
	if (err) {
		st->state = FREE;
		return err;
	}
	return st - g->s;
}

int gsim_listen(struct gsim *g, uint32_t port)
{
	if (listening(g, port))
		return -EADDRINUSE;
	if (g->nlisten == MAX_LISTEN)
		return -ENOSPC;
	g->listen[g->nlisten++] = port;
	return 0;
}

int gsim_accept(struct gsim *g, uint32_t port, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	int i;

	if (!listening(g, port))
		return -EINVAL;
	for (;;) {
		rx_process(g);
		for (i = 0; i < MAX_STREAMS; i++) {
			if (g->s[i].state == PENDING_ACCEPT &&
			    g->s[i].port == port) {
				g->s[i].state = ESTABLISHED;
				return i;
			}
		}
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		wait_events(g, deadline - now_ms());
	}
}

ssize_t gsim_send(struct gsim *g, int s, const void *buf, size_t len,
		  int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	struct stream *st = get(g, s);
	size_t done = 0;
	bool asked = false;

	if (!st)
		return -EBADF;
	while (done < len) {
		uint32_t credit, n;
		int err;

		if (st->state == RESET)
			return done ? (ssize_t)done : -ECONNRESET;
		credit = st->peer_buf_alloc - (st->tx_cnt - st->peer_fwd_cnt);
		if (!credit) {
			if (!asked) {
				send_pkt(g, st, st->port, st->peer_port,
					 VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0,
					 NULL, 0);
				asked = true;
			}
			if (now_ms() >= deadline)
				return done ? (ssize_t)done : -ETIMEDOUT;
			wait_events(g, deadline - now_ms());
			continue;
		}
		asked = false;
		n = len - done;
		if (n > credit)
			n = credit;
		if (n > MAX_PAYLOAD)
			n = MAX_PAYLOAD;
		err = send_pkt(g, st, st->port, st->peer_port,
			       VIRTIO_VSOCK_OP_RW, 0,
			       (const char *)buf + done, n);
		if (err)
			return done ? (ssize_t)done : err;
		st->tx_cnt += n;
		done += n;
		rx_process(g);
	}
	return done;
}

ssize_t gsim_recv(struct gsim *g, int s, void *buf, size_t len,
		  int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	struct stream *st = get(g, s);
	size_t n, first;

	if (!st)
		return -EBADF;
	for (;;) {
		rx_process(g);
		if (st->rx_len)
			break;
		if (st->state == RESET)
			return -ECONNRESET;
		if (st->peer_shut_send)
			return 0;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		wait_events(g, deadline - now_ms());
	}
	n = len < st->rx_len ? len : st->rx_len;
	first = RXCAP - st->rx_head;
	if (first >= n) {
		memcpy(buf, st->rx + st->rx_head, n);
	} else {
		memcpy(buf, st->rx + st->rx_head, first);
		memcpy((char *)buf + first, st->rx, n - first);
	}
	st->rx_head = (st->rx_head + n) % RXCAP;
	st->rx_len -= n;
	st->fwd_cnt += n;
	/* Give credit back once a quarter of the buffer is free again. */
	if (st->fwd_cnt - st->fwd_sent >= RXCAP / 4 && st->state != RESET)
		send_pkt(g, st, st->port, st->peer_port,
			 VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
	return n;
}

int gsim_shutdown_send(struct gsim *g, int s)
{
	struct stream *st = get(g, s);

	if (!st)
		return -EBADF;
	if (st->state == RESET)
		return -ECONNRESET;
	return send_pkt(g, st, st->port, st->peer_port,
			VIRTIO_VSOCK_OP_SHUTDOWN, VIRTIO_VSOCK_SHUTDOWN_SEND,
			NULL, 0);
}

int gsim_linger(struct gsim *g, int s, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms, asked = 0, left;
	struct stream *st = get(g, s);

	if (!st)
		return -EBADF;
	for (;;) {
		rx_process(g);
		if (st->state == RESET || st->peer_fwd_cnt == st->tx_cnt)
			return 0;
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		/* The host tells its count in any packet: ask for one. */
		if (now_ms() - asked >= 100) {
			send_pkt(g, st, st->port, st->peer_port,
				 VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0, NULL, 0);
			asked = now_ms();
		}
		wait_events(g, left < 100 ? left : 100);
	}
}

int gsim_close(struct gsim *g, int s)
{
	struct stream *st = get(g, s);

	if (!st)
		return -EBADF;
	if (st->state != RESET)
		send_pkt(g, st, st->port, st->peer_port,
			 VIRTIO_VSOCK_OP_SHUTDOWN,
			 VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND,
			 NULL, 0);
	st->state = FREE;
	return 0;
}
