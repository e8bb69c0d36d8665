/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-quorum: every difference between the kernel series it builds for
 * (Debian's 6.1 and 6.12) lives here.  The code is written against the
 * newer API; this header gives the older series what it lacks, behind a
 * test for the feature itself where the kernel offers one.
 */
#ifndef DM_QUORUM_COMPAT_H
#define DM_QUORUM_COMPAT_H

#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/mempool.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

/*
 * Stable pages during writeback, so that every leg receives the same bytes:
 * a target flag up to 6.10, a queue limits feature from 6.11 on.
 */
#ifdef BLK_FEAT_STABLE_WRITES
static inline void quorum_compat_ctr_stable_writes(struct dm_target *ti)
{
}

static inline void quorum_compat_io_hints_stable_writes(struct queue_limits *limits)
{
	limits->features |= BLK_FEAT_STABLE_WRITES;
}
#else
static inline void quorum_compat_ctr_stable_writes(struct dm_target *ti)
{
	ti->needs_stable_writes = true;
}

static inline void quorum_compat_io_hints_stable_writes(struct queue_limits *limits)
{
}
#endif

typedef unsigned long (*quorum_shrink_fn)(struct shrinker *shrinker,
					  struct shrink_control *sc);

/*
 * Shrinkers: allocated by the shrinker core, with a private data pointer,
 * from 6.7 on; embedded in their user's structure and registered up to 6.6.
 */
#ifdef SHRINKER_ALLOCATED
static inline struct shrinker *
quorum_compat_shrinker_create(quorum_shrink_fn count, quorum_shrink_fn scan,
			      void *data, const char *name)
{
	struct shrinker *shrinker = shrinker_alloc(0, "dm-quorum:%s", name);

	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker->private_data = data;
	shrinker_register(shrinker);
	return shrinker;
}

static inline void *quorum_compat_shrinker_data(struct shrinker *shrinker)
{
	return shrinker->private_data;
}

static inline void quorum_compat_shrinker_destroy(struct shrinker *shrinker)
{
	shrinker_free(shrinker);
}
#else
struct quorum_compat_shrinker {
	struct shrinker shrinker;
	void *data;
};

static inline struct shrinker *
quorum_compat_shrinker_create(quorum_shrink_fn count, quorum_shrink_fn scan,
			      void *data, const char *name)
{
	struct quorum_compat_shrinker *qs = kzalloc(sizeof(*qs), GFP_KERNEL);

	if (!qs)
		return NULL;
	qs->shrinker.count_objects = count;
	qs->shrinker.scan_objects = scan;
	qs->shrinker.seeks = DEFAULT_SEEKS;
	qs->data = data;
	if (register_shrinker(&qs->shrinker, "dm-quorum:%s", name)) {
		kfree(qs);
		return NULL;
	}
	return &qs->shrinker;
}

static inline void *quorum_compat_shrinker_data(struct shrinker *shrinker)
{
	return container_of(shrinker, struct quorum_compat_shrinker, shrinker)->data;
}

static inline void quorum_compat_shrinker_destroy(struct shrinker *shrinker)
{
	if (!shrinker)
		return;
	unregister_shrinker(shrinker);
	kfree(container_of(shrinker, struct quorum_compat_shrinker, shrinker));
}
#endif

/* Open modes: blk_mode_t from 6.5 on, fmode_t before. */
#ifndef BLK_OPEN_WRITE
#define BLK_OPEN_WRITE	FMODE_WRITE
#endif

/* mempool_is_saturated() came with 6.2: Kbuild looks for it. */
#ifndef QUORUM_HAVE_MEMPOOL_IS_SATURATED
static inline bool mempool_is_saturated(mempool_t *pool)
{
	return READ_ONCE(pool->curr_nr) >= pool->min_nr;
}
#endif

/* module_dm() came with 6.4. */
#ifndef module_dm
#define module_dm(name) \
static int __init dm_##name##_init(void) \
{ \
	return dm_register_target(&(name##_target)); \
} \
module_init(dm_##name##_init) \
static void __exit dm_##name##_exit(void) \
{ \
	dm_unregister_target(&(name##_target)); \
} \
module_exit(dm_##name##_exit)
#endif

#endif /* DM_QUORUM_COMPAT_H */
