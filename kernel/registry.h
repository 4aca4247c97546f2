/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_REGISTRY_H
#define _VSOCK_CIDREG_REGISTRY_H

#include <linux/list.h>
#include <linux/types.h>
#include <linux/vsock_cidreg.h>

struct net;
struct cidreg_space;

/**
 * struct cidreg_file - an open file description of /dev/vsock-cidreg.
 * @leases: the leases it holds (cidreg_entry.lease_node), under the
 *	registry lock; they end when it is released.
 */
struct cidreg_file {
	struct list_head leases;
};

/**
 * struct cidreg_request - what to reserve.
 * @cid: the CID, unless @any.
 * @min: with @any: lowest CID of the range.
 * @max: with @any: highest CID of the range.
 * @any: any free CID in [@min, @max].
 * @lowest: with @any: the lowest free, else one at random.
 * @net: the owning netns; the caller holds a reference.
 * @lease: the file holding the lease, or NULL for a persistent entry.
 * @label: a valid label (see cidreg_label_valid()).
 */
struct cidreg_request {
	u32 cid;
	u32 min;
	u32 max;
	bool any;
	bool lowest;
	struct net *net;
	struct cidreg_file *lease;
	const char *label;
};

bool cidreg_label_valid(const char *label, size_t size);
int cidreg_reserve(const struct cidreg_request *req, u32 *cid);
struct cidreg_space *cidreg_space_of(const struct net *net);
struct cidreg_space *cidreg_global_space(void);
int cidreg_release(u32 cid, const struct net *net);
unsigned int cidreg_release_all(struct net *net);
void cidreg_release_file(struct cidreg_file *file);
/**
 * struct cidreg_viewer - who reads the registry.
 * @net: its netns: entries of it are its own.
 * @admin: it has CAP_NET_ADMIN in the initial user namespace and sees
 *	every entry in full.
 */
struct cidreg_viewer {
	const struct net *net;
	bool admin;
};

bool cidreg_viewer_sees(const struct cidreg_viewer *viewer,
			const struct net *net);
int cidreg_query(u32 cid, const struct cidreg_viewer *viewer,
		 struct vsock_cidreg_entry *out);
int cidreg_query_next(u64 *space, u32 *cid, const struct net *owner,
		      const struct cidreg_viewer *viewer,
		      struct vsock_cidreg_entry *out, unsigned int *generation);
unsigned int cidreg_count(void);
int cidreg_transfer(u32 cid, const struct net *where, struct net *to,
		    bool persistent);
int cidreg_registry_init(void);
void cidreg_registry_exit(void);

/**
 * enum cidreg_claim - whether a CID a vhost-vsock device claims is reserved.
 * @CIDREG_CLAIM_OWNED: by the claimer's netns.
 * @CIDREG_CLAIM_FOREIGN: by another netns.
 * @CIDREG_CLAIM_UNRESERVED: not at all.
 * @CIDREG_CLAIM_OVER_QUOTA: not at all, and adopting it would take the
 *	claimer beyond its quota.
 * @CIDREG_CLAIM_NOMEM: what the device's taking it needs recorded could
 *	not be allocated.
 */
enum cidreg_claim {
	CIDREG_CLAIM_OWNED,
	CIDREG_CLAIM_FOREIGN,
	CIDREG_CLAIM_UNRESERVED,
	CIDREG_CLAIM_OVER_QUOTA,
	CIDREG_CLAIM_NOMEM,
};

bool cidreg_owner(u32 cid, const struct net *net, bool *owned);
enum cidreg_claim cidreg_vhost_claim(struct cidreg_space *space, u32 cid,
				     struct net *net, bool adopt,
				     bool *adopted);
void cidreg_vhost_commit(const void *dev, struct cidreg_space *space, u32 cid,
			 bool adopted);
void cidreg_vhost_abort(struct cidreg_space *space, u32 cid, bool adopted);
void cidreg_vhost_moved(const void *dev, struct cidreg_space *space, u32 cid);
void cidreg_vhost_detach(const void *dev);

#endif /* _VSOCK_CIDREG_REGISTRY_H */
