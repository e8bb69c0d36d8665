/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-quorum: the structures the target's files share, the small helpers
 * they all use, and what each file offers the others.
 *
 * The files (docs/dm-quorum-internals.rst has the map):
 *   dm-quorum-target.c  ctr/dtr, map/end_io, ordering, writes, legs' state,
 *                       suspend/resume, status, messages
 *   dm-quorum-read.c    sending reads: private copies, fan-out, fifo
 *   dm-quorum-vote.c    reads after their legs complete: comparison, vote,
 *                       repairs
 *   dm-quorum-sync.c    which legs hold the data: regions out of sync
 *   dm-quorum-metadata.c  the metadata on the legs: superblocks, bitmaps
 *   dm-quorum-scrub.c   the background scrub
 *   dm-quorum-events.c  reports: log lines, uevents, rate limits
 *   dm-quorum-pages.c   the read pages' mempool and cache, and its shrinker
 *   dm-quorum-table.c   the table parser (no kernel state)
 *   dm-quorum-elect.c   the election of a block's winner (no kernel state)
 *   dm-quorum-super.c   the metadata's format and checks (no kernel state)
 */
#ifndef DM_QUORUM_H
#define DM_QUORUM_H

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/mempool.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "dm-quorum-compat.h"
#include "dm-quorum-elect.h"
#include "dm-quorum-table.h"

#define DM_MSG_PREFIX "quorum"

/* Reads are voted in blocks of 4 KiB, aligned on the legs' sector 0. */
#define QUORUM_BLOCK_SECTORS	8
/* Longest read handled at once: bounds the private pages of one read. */
#define QUORUM_MAX_READ_SECTORS	512
#define QUORUM_MAX_READ_PAGES	(QUORUM_MAX_READ_SECTORS >> (PAGE_SHIFT - SECTOR_SHIFT))
/* quorum_map() ends a split read on a block boundary: it spans this many. */
#define QUORUM_MAX_READ_BLOCKS	(QUORUM_MAX_READ_SECTORS / QUORUM_BLOCK_SECTORS)
/*
 * Private read pages beyond the mempool's reserve (one whole read) are
 * cached while reads use them: at most 32 MiB, none left unused for 1 s.
 */
#define QUORUM_MAX_CACHE_PAGES		(SZ_32M >> PAGE_SHIFT)
#define QUORUM_CACHE_TRIM_INTERVAL	HZ
/* Reports waiting for the event worker; more are dropped and counted. */
#define QUORUM_EVENT_QUEUE	64

/*
 * Reads up to this size are compared where their last leg completed; larger
 * ones from the workqueue, so that the comparison runs on another CPU while
 * the completing context (with RAM-disk legs, the submitter) goes on.
 */
#define QUORUM_INLINE_CHECK_BYTES	SZ_64K

enum quorum_op {
	QUORUM_OP_READ,
	QUORUM_OP_WRITE,
	QUORUM_OP_FLUSH,
	QUORUM_NR_OPS
};

extern const char * const quorum_op_names[QUORUM_NR_OPS];

enum quorum_action {
	QUORUM_ACTION_REPORT_BAD,
	QUORUM_ACTION_FAILURE,
	QUORUM_ACTION_REPAIRED,
	QUORUM_ACTION_LEG_FAILED,
	QUORUM_ACTION_LEG_REINSTATED,
	QUORUM_ACTION_SCRUB_DONE,
	QUORUM_ACTION_RESYNC_DONE,
	QUORUM_NR_ACTIONS
};

enum quorum_scrub_mode {
	QUORUM_SCRUB_IDLE,
	QUORUM_SCRUB_CHECK,
	QUORUM_SCRUB_REPAIR,
};

extern const char * const quorum_scrub_mode_names[];

/* A report on its way from the I/O path to the uevent worker. */
struct quorum_event {
	enum quorum_action action;
	enum quorum_op op;
	int leg;		/* -1 for a quorum failure */
	int error;		/* 0 when the leg was outvoted */
	unsigned int votes;	/* quorum failures: the largest agreement */
	sector_t sector;
	sector_t sectors;
	const char *reason;	/* leg state changes, scrub results */
	enum quorum_scrub_mode scrub_mode;
	unsigned long long scrub_counts[3];	/* bad, repaired, unrecoverable */
	unsigned long regions;		/* resync: regions copied */
};

struct quorum_leg {
	struct dm_dev *dev;
	atomic_t read_errors;
	atomic_t write_errors;
	atomic_t flush_errors;
	atomic_t outvoted;		/* blocks */
	atomic_t repaired;		/* blocks */
	atomic_t scrub_bad;		/* blocks, in the current or last scrub */
	atomic_t consecutive_errors;
	atomic64_t reads;		/* bios sent */
	atomic64_t writes;
	/* Its reads complete in the submitter's context: they are CPU work. */
	bool reads_inline;
	/* Regions it missed writes in: changed under leg_lock. */
	unsigned long *out_of_sync_regions;
	unsigned long nr_out_of_sync;	/* regions set in it */
	unsigned int marks;		/* bumped whenever a region is marked */
	/*
	 * Named failed by the table without the volume's superblock (a
	 * stand-in for a missing leg): out of sync everywhere once
	 * reinstated.  Under leg_lock.
	 */
	bool standin;
	/* uevent rate limit: jiffies before which no further event is sent */
	unsigned long next_event[QUORUM_NR_ACTIONS][QUORUM_NR_OPS];
};

/*
 * A range of the device that an I/O is using, in the device's sectors.
 * Writes, discards and repairs use it exclusively, reads shared; repairs
 * not against each other: repairs of reads that ran together write what
 * each vote elected over the same data, the same version unless read
 * errors gave the reads different voters.
 */
struct quorum_range {
	struct list_head list;	/* in quorum_c.active or .deferred */
	sector_t start;
	sector_t end;		/* start == end: no range (empty flush) */
	bool exclusive;
	bool repair;		/* of a struct quorum_repair, not an I/O */
};

/* Private read pages beyond the page pool's reserve, kept for reuse. */
struct quorum_page_cache {
	spinlock_t lock;		/* protects pages, nr and unused */
	struct list_head pages;		/* by page->lru, last freed first */
	unsigned int nr;
	unsigned int unused;		/* fewest cached since the last trim */
	unsigned int max;		/* 0 while the target is destroyed */
	struct delayed_work trim;
	struct shrinker *shrinker;	/* gives them back under memory pressure */
};

struct quorum_c {
	struct dm_target *ti;
	struct mapped_device *md;
	unsigned int nr_legs;
	unsigned int threshold;
	unsigned int features;		/* QUORUM_FEATURE_* given */
	unsigned int read_pattern;	/* QUORUM_READ_* */
	unsigned int error_limit;
	unsigned int scrub_rate;	/* KiB/s, 0: unlimited */
	unsigned int region_shift;	/* sectors per region, as a shift */
	unsigned long nr_regions;
	bool read_only;			/* the table may not write the legs */

	spinlock_t leg_lock;		/* protects the legs' state changes */
	unsigned long failed_mask;	/* failed legs: they get no I/O */
	/* Failed legs whose device was missing (QUORUM_LEG_ABSENT). */
	unsigned long absent_mask;
	/*
	 * Failed legs that stay failed, missing or not: failed by an
	 * operator, or failed (not absent) when the table was activated.
	 */
	unsigned long sticky_mask;
	unsigned long out_of_sync_mask;	/* legs out of sync in some region */
	unsigned long resync_mask;	/* legs out of sync a scrub repair covers */
	bool degraded_reported;		/* too few alive legs, said once */

	struct bio_set bs;		/* leg clones and private read bios */
	/*
	 * Repairs and walks' chunks: a repair may wait for readers while it
	 * holds its bio, so its bio must not be one they may wait for.
	 */
	struct bio_set background_bs;
	mempool_t *page_pool;		/* pages of the private read bios */
	struct quorum_page_cache cache;	/* more of them, while in use */
	mempool_t *vote_pool;		/* struct quorum_vote_state */
	struct mutex reserve_lock;	/* one I/O at a time waits on reserves */
	struct crypto_shash *tfm;	/* sha256 */
	/* Deferred I/O, fifo retries, the scrub, events: may wait for memory. */
	struct workqueue_struct *wq;
	/*
	 * Checks, votes and fan-out submissions, which never wait for what
	 * the target holds (pages, bios): on their own queue, so that under
	 * memory pressure they never sit behind work waiting for what they
	 * would release.
	 */
	struct workqueue_struct *io_wq;

	atomic_t quorum_failures;
	atomic_t reads_in_flight;	/* voted reads, to decide on fan-out */
	atomic_t events_dropped;

	spinlock_t range_lock;		/* protects active and deferred */
	struct list_head active;	/* ranges of I/O in flight */
	struct list_head deferred;	/* ranges of I/O waiting, in order */
	unsigned int nr_exclusive;	/* exclusive ranges on both lists */
	struct work_struct deferred_work;
	spinlock_t repairs_lock;	/* the last repair wakes under it */
	atomic_t repairs_in_flight;
	wait_queue_head_t repairs_wait;

	spinlock_t event_lock;		/* protects the events queue */
	unsigned int event_head;
	unsigned int nr_events;
	struct quorum_event events[QUORUM_EVENT_QUEUE];
	unsigned long next_event[QUORUM_NR_ACTIONS][QUORUM_NR_OPS];
	unsigned long next_table_event;	/* for reports with no uevent */
	struct work_struct event_work;
	struct quorum_uevent_env *env;

	struct quorum_scrub *scrub;
	struct quorum_resync *resync;
	struct quorum_meta *meta;	/* NULL without the metadata feature */

	struct quorum_leg legs[];
};

/* quorum_io.flags */
#define QUORUM_IO_SCRUB_CHECK	BIT(0)
#define QUORUM_IO_SCRUB_REPAIR	BIT(1)
#define QUORUM_IO_SCRUB		(QUORUM_IO_SCRUB_CHECK | QUORUM_IO_SCRUB_REPAIR)
#define QUORUM_IO_FIFO		BIT(2)
#define QUORUM_IO_REMAPPED	BIT(3)	/* a fifo read sent as the bio itself */
#define QUORUM_IO_RESYNC	BIT(4)	/* a resync's read: repair legs out of sync */
#define QUORUM_IO_BACKGROUND	(QUORUM_IO_SCRUB | QUORUM_IO_RESYNC)
/* A walk's chunk that was not read or repaired whole. */
#define QUORUM_IO_INCOMPLETE	BIT(5)
/* A read of a crash region: quorum_elect_pick() decides what no vote can. */
#define QUORUM_IO_CRASH		BIT(6)

/*
 * The state of one I/O while its legs complete: per-bio data for the
 * device's bios, embedded in the scrub for its reads.
 */
struct quorum_io {
	struct quorum_c *qc;
	struct bio *bio;		/* the I/O being served */
	struct bvec_iter iter;		/* the bio's, as it was mapped */
	unsigned int flags;		/* QUORUM_IO_* */
	unsigned long leg_mask;		/* legs the I/O was sent to */
	/*
	 * Reads: the legs out of sync in the read's range when it was sent;
	 * flushes: the legs out of sync anywhere when it was sent.
	 */
	unsigned long out_of_sync_mask;
	unsigned long refused_mask;	/* legs that turned it down */
	unsigned long fifo_failed_mask;	/* fifo reads: legs that failed it */
	atomic_t pending;		/* legs still in flight */
	unsigned int direct;		/* the leg reading into the bio's pages */
	unsigned long fan_out_mask;	/* reads: legs submitted from the workqueue */
	unsigned short bio_flags;	/* fifo: the bio's, as it was mapped */
	struct quorum_range range;
	struct list_head dispatch;	/* deferred, now ready to go */
	blk_status_t status[QUORUM_MAX_LEGS];
	struct bio *buf[QUORUM_MAX_LEGS];	/* reads: private copies */
	struct bio *direct_clone;	/* reads: the direct leg's, until sent */
	struct work_struct work;
};

/* Every bio sent to a leg carries its io and leg in front of it. */
struct quorum_clone {
	struct quorum_io *io;
	unsigned int leg;
	struct task_struct *submitter;	/* reads: who submitted it */
	struct bio bio;
};

/* A write of the winning bytes to a leg that lost or failed a read. */
struct quorum_repair {
	struct quorum_c *qc;
	struct quorum_range range;
	unsigned int leg;
	unsigned int blocks;
	bool scrub;
	bool skipped;			/* not sent: its leg failed */
	struct quorum_walk *walk;	/* whose chunk it repairs, or NULL */
	struct bio *bio;
	struct quorum_repair *next;
};

/*
 * A walk of the device in the background, a chunk at a time through the
 * read path, one chunk in flight: the scrub's and the resync's.
 */
struct quorum_walk {
	spinlock_t lock;		/* protects the walk and its owner's state */
	sector_t position;		/* next sector, relative to the target */
	bool paused;			/* the device is suspended */
	bool in_flight;			/* a chunk is being read */
	atomic_t repairs;		/* its repairs being written */
	unsigned long started;		/* jiffies, for the rate limit */
	unsigned long long done_kib;	/* since started */
	wait_queue_head_t wait;		/* for in_flight to clear */
	struct delayed_work work;	/* the owner's: sends the next chunk */
	struct page *pages[QUORUM_MAX_READ_PAGES];
	struct quorum_io io;		/* of the chunk in flight */
};

/* The scrub: reads the whole device, and counts (or repairs) bad blocks. */
struct quorum_scrub {
	struct quorum_walk walk;	/* its lock protects the fields below */
	enum quorum_scrub_mode mode;	/* IDLE when none runs */
	bool begin;			/* no chunk read yet */
	bool stop;
	atomic64_t bad;			/* blocks, per run */
	atomic64_t repaired;
	atomic64_t unrecoverable;
	atomic64_t skipped;		/* blocks not repaired: no memory */
};

/* The legs that get I/O: those not failed. */
static inline unsigned long quorum_alive_mask(struct quorum_c *qc)
{
	/* Pairs with reinstate_leg's smp_wmb(): out of sync before alive. */
	return ~smp_load_acquire(&qc->failed_mask) & GENMASK(qc->nr_legs - 1, 0);
}

/* The legs that may hold older data than the device acknowledged. */
static inline unsigned long quorum_out_of_sync_mask(struct quorum_c *qc)
{
	return READ_ONCE(qc->out_of_sync_mask);
}

/* Blocks an I/O touches, for counters (exact for block-aligned I/O). */
static inline unsigned int quorum_nr_blocks(struct quorum_io *io)
{
	return DIV_ROUND_UP(io->iter.bi_size, QUORUM_BLOCK_SECTORS << SECTOR_SHIFT);
}

static inline bool quorum_is_flush(struct quorum_io *io)
{
	return !io->iter.bi_size && op_is_flush(io->bio->bi_opf);
}

/* What an I/O is, for reports: discards and write-zeroes are writes. */
static inline enum quorum_op quorum_io_op(struct quorum_io *io)
{
	if (bio_op(io->bio) == REQ_OP_READ)
		return QUORUM_OP_READ;
	return quorum_is_flush(io) ? QUORUM_OP_FLUSH : QUORUM_OP_WRITE;
}

/* A leg's I/O succeeded: its run of consecutive errors ends. */
static inline void quorum_leg_success(struct quorum_leg *leg)
{
	if (atomic_read(&leg->consecutive_errors))
		atomic_set(&leg->consecutive_errors, 0);
}

/* dm-quorum-target.c */
void quorum_leg_error(struct quorum_c *qc, unsigned int i, enum quorum_op op,
		      int error, sector_t sector, sector_t sectors);
bool quorum_lock_range(struct quorum_c *qc, struct quorum_range *r);
void quorum_unlock_range(struct quorum_c *qc, struct quorum_range *r,
			 struct quorum_repair **repairs);
void quorum_collect_errors(struct quorum_io *io, int *errors,
			   unsigned long *succeeded, unsigned long *refused);
struct bio *quorum_alloc_bio(struct quorum_c *qc, struct quorum_io *io,
			     unsigned int leg, struct bio *src,
			     unsigned short nr_vecs, blk_opf_t opf, gfp_t gfp);
void quorum_alloc_all(struct quorum_c *qc, bool (*alloc)(void *data, gfp_t gfp),
		      void *data);
void quorum_init_io(struct quorum_c *qc, struct quorum_io *io,
		    struct bio *bio, unsigned int flags);
void quorum_issue(struct quorum_io *io);
void quorum_start_io(struct quorum_c *qc, struct quorum_io *io,
		     struct bio *bio, unsigned int flags);
void quorum_write_finish(struct quorum_io *io);
void quorum_write_abort(struct quorum_io *io);

/* dm-quorum-read.c */
void quorum_issue_read(struct quorum_c *qc, struct quorum_io *io,
		       unsigned long alive);
void quorum_free_buffers(struct quorum_c *qc, struct quorum_io *io);
void quorum_fifo_submit(struct quorum_c *qc, struct quorum_io *io);
int quorum_fifo_map(struct quorum_c *qc, struct quorum_io *io,
		    struct bio *bio, unsigned long readable);
void quorum_fifo_leg_failed(struct quorum_io *io, blk_status_t status);
void quorum_fifo_failover_work(struct work_struct *work);
void quorum_fifo_done(struct quorum_io *io);

/* dm-quorum-vote.c */
void quorum_read_endio(struct bio *clone);
void quorum_read_legs_done(struct quorum_io *io, bool in_worker);
void quorum_read_finish(struct quorum_io *io, blk_status_t status,
			struct quorum_repair *repairs);
bool quorum_io_repairs(struct quorum_io *io);
void quorum_send_repairs(struct quorum_repair *repairs);
void quorum_wait_repairs(struct quorum_c *qc);
int quorum_vote_ctr(struct quorum_c *qc);
void quorum_vote_dtr(struct quorum_c *qc);

/* dm-quorum-sync.c */
void quorum_mark_out_of_sync(struct quorum_c *qc, unsigned int i,
			     sector_t sector, sector_t sectors, const char *why);
void quorum_mark_missed(struct quorum_c *qc, unsigned long mask,
			sector_t sector, sector_t sectors);
unsigned long quorum_out_of_sync_range(struct quorum_c *qc, sector_t sector,
				       sector_t sectors);
void quorum_regions(struct quorum_c *qc, sector_t sector, sector_t sectors,
		    unsigned long *first, unsigned long *last);
void quorum_mark_regions(struct quorum_c *qc, unsigned int i,
			 const unsigned long *regions);
void quorum_mark_all(struct quorum_c *qc, unsigned int i);
void __quorum_mark_all(struct quorum_c *qc, unsigned int i);
void __quorum_mark_in_sync(struct quorum_c *qc, unsigned int i);
unsigned long quorum_out_of_sync_regions(struct quorum_c *qc, unsigned int i);
int quorum_sync_ctr(struct quorum_c *qc, const struct quorum_table *table);
bool quorum_resync_needed(struct quorum_c *qc);
void quorum_sync_dtr(struct quorum_c *qc);
int quorum_resync_ctr(struct quorum_c *qc);
void quorum_resync_dtr(struct quorum_c *qc);
void quorum_resync_start(struct quorum_c *qc);
bool quorum_flush_covered(struct quorum_c *qc, unsigned long full,
			  unsigned long partial);
void quorum_flush_legs(struct quorum_c *qc, unsigned long legs);
int quorum_resync_message(struct quorum_c *qc);
void quorum_resync_pause(struct quorum_c *qc);
void quorum_resync_resume(struct quorum_c *qc);
void quorum_resync_status(struct quorum_c *qc, char *result,
			  unsigned int maxlen, unsigned int *szp);

/* dm-quorum-metadata.c */
int quorum_meta_ctr(struct quorum_c *qc, struct quorum_table *table);
int quorum_meta_alloc(struct quorum_c *qc);
void quorum_meta_stop(struct quorum_c *qc);
void quorum_meta_dtr(struct quorum_c *qc);
int quorum_meta_preresume(struct quorum_c *qc);
void quorum_meta_resume(struct quorum_c *qc);
void quorum_meta_postsuspend(struct quorum_c *qc);
void quorum_meta_status(struct quorum_c *qc, char *result, unsigned int maxlen,
			unsigned int *szp);
bool quorum_meta_ready(struct quorum_c *qc, struct quorum_io *io,
		       unsigned long missed);
bool quorum_meta_finish(struct quorum_c *qc, struct quorum_io *io);
bool quorum_meta_persist(struct quorum_c *qc);
void quorum_meta_kick(struct quorum_c *qc);
int quorum_meta_hold(struct quorum_c *qc);
void quorum_meta_release(struct quorum_c *qc);
bool quorum_meta_crash_range(struct quorum_c *qc, sector_t sector,
			     sector_t sectors);
unsigned long quorum_meta_next_crash(struct quorum_c *qc, unsigned long from);
void quorum_meta_crash_done(struct quorum_c *qc, unsigned long region);

/* dm-quorum-walk.c */
int quorum_walk_init(struct quorum_c *qc, struct quorum_walk *walk,
		     work_func_t fn);
void quorum_walk_free(struct quorum_walk *walk);
void quorum_walk_start(struct quorum_walk *walk, sector_t position);
void quorum_walk_read(struct quorum_walk *walk, sector_t len,
		      unsigned int flags);
bool quorum_walk_busy(struct quorum_walk *walk);
void quorum_walk_repaired(struct quorum_walk *walk);
void quorum_walk_pause(struct quorum_walk *walk);
void quorum_walk_resume(struct quorum_walk *walk,
			bool (*running)(struct quorum_walk *walk));

/* dm-quorum-scrub.c */
int quorum_scrub_ctr(struct quorum_c *qc);
void quorum_scrub_dtr(struct quorum_c *qc);
void quorum_scrub_free(struct quorum_c *qc);
void quorum_scrub_pause(struct quorum_c *qc);
void quorum_scrub_resume(struct quorum_c *qc);
void quorum_scrub_status(struct quorum_c *qc, char *result,
			 unsigned int maxlen, unsigned int *szp);
bool quorum_scrub_message(struct quorum_c *qc, const char *arg, int *r);

/* dm-quorum-events.c */
void quorum_queue_event(struct quorum_c *qc, const struct quorum_event *ev,
			unsigned long *next);
void quorum_report_leg(struct quorum_c *qc, unsigned int leg,
		       enum quorum_op op, int error,
		       sector_t sector, sector_t sectors);
void quorum_report_failure(struct quorum_c *qc, enum quorum_op op,
			   unsigned int votes, sector_t sector,
			   sector_t sectors);
void quorum_report_repaired(struct quorum_c *qc, unsigned int leg,
			    sector_t sector, sector_t sectors);
void quorum_report_leg_state(struct quorum_c *qc, unsigned int leg,
			     enum quorum_action action,
			     const char *reason, int error);
void quorum_report_degraded(struct quorum_c *qc, enum quorum_op op,
			    unsigned int alive, sector_t sector,
			    sector_t sectors);
int quorum_events_ctr(struct quorum_c *qc);
void quorum_events_dtr(struct quorum_c *qc);

/* dm-quorum-pages.c */
unsigned int quorum_cache_take(struct quorum_page_cache *cache,
			       struct list_head *pages, unsigned int nr);
void quorum_cache_give(struct quorum_page_cache *cache,
		       struct list_head *pages, unsigned int nr);
unsigned int quorum_read_reserve(unsigned int nr_legs);
int quorum_pages_ctr(struct quorum_c *qc, unsigned int nr_legs);
void quorum_pages_dtr(struct quorum_c *qc);

#endif /* DM_QUORUM_H */
