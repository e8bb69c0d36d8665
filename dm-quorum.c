// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: a device-mapper target that keeps N copies ("legs") of a volume
 * and votes on every read, so that a minority of legs that fail, lie or rot
 * silently is detected, reported and outvoted.
 *
 *   <start> <len> quorum <threshold> <dev_1> ... <dev_N>
 *                        [<#feature_args> <feature_arg>...]
 *
 * Writes, flushes and discards are cloned to every alive leg and succeed
 * when at least <threshold> legs succeed.  Reads go to every alive leg: the
 * first reads straight into the caller's pages, the others into private
 * pages.  When all copies that were read are identical (memcmp), the read
 * completes; when they differ, every 4 KiB block is voted on: a version
 * that more than half of the copies hold byte for byte wins outright, any
 * other split is voted by SHA-256 digest, and the largest group of equal
 * copies wins if it has at least <threshold> votes and no other group ties
 * it.  Outvoted and failing legs, and quorum failures, are reported in the
 * kernel log, as uevents and in the status counters; with rewrite_corrupted
 * the losers are rewritten.
 *
 * Overlapping I/O is kept in order (see "Ordering"), legs fail and return
 * (see "Leg failure"), a scrub walks the whole device in the background,
 * and read_pattern fifo reads one leg only, without a vote.
 *
 * The idea comes from QEMU's quorum block driver.
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/dm-ioctl.h>
#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/mempool.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <crypto/hash.h>
#include <crypto/sha2.h>

#include "dm-quorum-compat.h"
#include "dm-quorum-table.h"
#include "dm-quorum-vote.h"

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

static const char * const quorum_op_names[QUORUM_NR_OPS] = {
	"read", "write", "flush",
};

enum quorum_action {
	QUORUM_ACTION_REPORT_BAD,
	QUORUM_ACTION_FAILURE,
	QUORUM_ACTION_REPAIRED,
	QUORUM_ACTION_LEG_FAILED,
	QUORUM_ACTION_LEG_REINSTATED,
	QUORUM_ACTION_SCRUB_DONE,
	QUORUM_NR_ACTIONS
};

static const char * const quorum_action_names[QUORUM_NR_ACTIONS] = {
	"QUORUM_REPORT_BAD", "QUORUM_FAILURE", "QUORUM_REPAIRED",
	"QUORUM_LEG_FAILED", "QUORUM_LEG_REINSTATED", "QUORUM_SCRUB_DONE",
};

enum quorum_scrub_mode {
	QUORUM_SCRUB_IDLE,
	QUORUM_SCRUB_CHECK,
	QUORUM_SCRUB_REPAIR,
};

static const char * const quorum_scrub_mode_names[] = {
	"idle", "check", "repair",
};

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
	/* uevent rate limit: jiffies before which no further event is sent */
	unsigned long next_event[QUORUM_NR_ACTIONS][QUORUM_NR_OPS];
};

/* Room for the variables of one uevent, reused by the event worker. */
struct quorum_uevent_env {
	char vars[13][DM_UUID_LEN + 16];
	char *envp[14];
};

/*
 * A range of the device that an I/O is using, in the device's sectors.
 * Writes, discards and repairs use it exclusively, reads shared.
 */
struct quorum_range {
	struct list_head list;	/* in quorum_c.active or .deferred */
	sector_t start;
	sector_t end;		/* start == end: no range (empty flush) */
	bool exclusive;
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

	spinlock_t leg_lock;		/* protects the leg bitmaps' changes */
	unsigned long failed_legs;	/* bitmap; failed legs get no I/O */
	unsigned long stale_legs;	/* bitmap; legs out of sync */
	unsigned long resync_legs;	/* stale legs a scrub repair covers */
	bool degraded_reported;		/* too few alive legs, said once */

	struct bio_set bs;		/* leg clones and private read bios */
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

	struct quorum_leg legs[];
};

/* quorum_io.flags */
#define QUORUM_IO_SCRUB_CHECK	BIT(0)
#define QUORUM_IO_SCRUB_REPAIR	BIT(1)
#define QUORUM_IO_SCRUB		(QUORUM_IO_SCRUB_CHECK | QUORUM_IO_SCRUB_REPAIR)
#define QUORUM_IO_FIFO		BIT(2)
#define QUORUM_IO_REMAPPED	BIT(3)	/* a fifo read sent as the bio itself */

/*
 * The state of one I/O while its legs complete: per-bio data for the
 * device's bios, embedded in the scrub for its reads.
 */
struct quorum_io {
	struct quorum_c *qc;
	struct bio *bio;		/* the I/O being served */
	struct bvec_iter iter;		/* the bio's, as it was mapped */
	unsigned int flags;		/* QUORUM_IO_* */
	unsigned int legs;		/* legs the I/O was sent to */
	unsigned int fifo_failed;	/* fifo reads: legs that failed it */
	atomic_t pending;		/* legs still in flight */
	unsigned int direct;		/* the leg reading into the bio's pages */
	unsigned int fan_out;		/* reads: legs submitted from the workqueue */
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
	struct bio *bio;
	struct quorum_repair *next;
};

/*
 * The background scrub: reads the whole device a chunk at a time through
 * the read path (vote, ordering, repairs), one chunk in flight.
 */
struct quorum_scrub {
	spinlock_t lock;		/* protects the fields below */
	enum quorum_scrub_mode mode;	/* IDLE when none runs */
	sector_t position;		/* next sector, relative to the target */
	bool stop;
	bool paused;			/* the device is suspended */
	bool in_flight;			/* a chunk is being read */
	unsigned long started;		/* jiffies, for the rate limit */
	unsigned long long done_kib;	/* since started */
	atomic64_t bad;			/* blocks, per run */
	atomic64_t repaired;
	atomic64_t unrecoverable;
	wait_queue_head_t wait;		/* for in_flight to clear */
	struct delayed_work work;
	struct page *pages[QUORUM_MAX_READ_PAGES];
	struct quorum_io io;		/* of the chunk in flight */
};

static struct bio *quorum_io_bio(struct quorum_io *io)
{
	return io->bio;
}

static unsigned int quorum_alive_legs(struct quorum_c *qc)
{
	return ~(unsigned int)READ_ONCE(qc->failed_legs) &
	       ((1u << qc->nr_legs) - 1);
}

/* Blocks an I/O touches, for counters (exact for block-aligned I/O). */
static unsigned int quorum_nr_blocks(struct quorum_io *io)
{
	return DIV_ROUND_UP(io->iter.bi_size, QUORUM_BLOCK_SECTORS << SECTOR_SHIFT);
}

static bool quorum_is_flush(struct quorum_io *io)
{
	return !io->iter.bi_size && op_is_flush(quorum_io_bio(io)->bi_opf);
}

/* What an I/O is, for reports: discards and write-zeroes are writes. */
static enum quorum_op quorum_io_op(struct quorum_io *io)
{
	if (bio_op(quorum_io_bio(io)) == REQ_OP_READ)
		return QUORUM_OP_READ;
	return quorum_is_flush(io) ? QUORUM_OP_FLUSH : QUORUM_OP_WRITE;
}

/*
 * Reporting.
 *
 * Log lines are printed where the fault is seen (rate-limited); uevents and
 * dm_table_event() need process context, so reports are queued for
 * quorum_event_work().  At most one uevent per leg, action and operation is
 * sent per second; the rest are counted in events_dropped, and raise one
 * dm event per second between them.
 */

static bool quorum_event_allowed(unsigned long *next)
{
	unsigned long now = jiffies, old = READ_ONCE(*next);

	if (time_before(now, old))
		return false;
	return cmpxchg(next, old, now + HZ) == old;
}

static void quorum_queue_event(struct quorum_c *qc, const struct quorum_event *ev,
			       unsigned long *next)
{
	unsigned long flags;
	bool queued = false;

	if (!next || quorum_event_allowed(next)) {
		spin_lock_irqsave(&qc->event_lock, flags);
		if (qc->nr_events < QUORUM_EVENT_QUEUE) {
			qc->events[(qc->event_head + qc->nr_events) %
				   QUORUM_EVENT_QUEUE] = *ev;
			qc->nr_events++;
			queued = true;
		}
		spin_unlock_irqrestore(&qc->event_lock, flags);
	}
	if (!queued) {
		atomic_inc(&qc->events_dropped);
		if (!quorum_event_allowed(&qc->next_table_event))
			return;
	}
	queue_work(qc->wq, &qc->event_work);
}

static void quorum_report_leg(struct quorum_c *qc, unsigned int leg,
			      enum quorum_op op, int error,
			      sector_t sector, sector_t sectors)
{
	struct quorum_leg *l = &qc->legs[leg];
	struct quorum_event ev = {
		.action = QUORUM_ACTION_REPORT_BAD,
		.op = op,
		.leg = leg,
		.error = error,
		.sector = sector,
		.sectors = sectors,
	};

	if (error)
		DMERR_LIMIT("%s: leg %s %s error %d at sectors %llu+%llu",
			    dm_device_name(qc->md), l->dev->name,
			    quorum_op_names[op], error,
			    (unsigned long long)sector,
			    (unsigned long long)sectors);
	else
		DMERR_LIMIT("%s: leg %s %s outvoted at sectors %llu+%llu",
			    dm_device_name(qc->md), l->dev->name,
			    quorum_op_names[op], (unsigned long long)sector,
			    (unsigned long long)sectors);
	quorum_queue_event(qc, &ev, &l->next_event[ev.action][op]);
}

static void quorum_report_failure(struct quorum_c *qc, enum quorum_op op,
				  unsigned int votes, sector_t sector,
				  sector_t sectors)
{
	struct quorum_event ev = {
		.action = QUORUM_ACTION_FAILURE,
		.op = op,
		.leg = -1,
		.votes = votes,
		.sector = sector,
		.sectors = sectors,
	};

	atomic_inc(&qc->quorum_failures);
	DMERR_LIMIT("%s: %s quorum failure at sectors %llu+%llu: %u of %u legs agree, threshold %u",
		    dm_device_name(qc->md), quorum_op_names[op],
		    (unsigned long long)sector, (unsigned long long)sectors,
		    votes, qc->nr_legs, qc->threshold);
	quorum_queue_event(qc, &ev, &qc->next_event[ev.action][op]);
}

static void quorum_report_repaired(struct quorum_c *qc, unsigned int leg,
				   sector_t sector, sector_t sectors)
{
	struct quorum_leg *l = &qc->legs[leg];
	struct quorum_event ev = {
		.action = QUORUM_ACTION_REPAIRED,
		.op = QUORUM_OP_WRITE,
		.leg = leg,
		.sector = sector,
		.sectors = sectors,
	};

	DMINFO_LIMIT("%s: leg %s repaired at sectors %llu+%llu",
		     dm_device_name(qc->md), l->dev->name,
		     (unsigned long long)sector, (unsigned long long)sectors);
	quorum_queue_event(qc, &ev, &l->next_event[ev.action][ev.op]);
}

static bool quorum_pop_event(struct quorum_c *qc, struct quorum_event *ev)
{
	bool found = false;

	spin_lock_irq(&qc->event_lock);
	if (qc->nr_events) {
		*ev = qc->events[qc->event_head];
		qc->event_head = (qc->event_head + 1) % QUORUM_EVENT_QUEUE;
		qc->nr_events--;
		found = true;
	}
	spin_unlock_irq(&qc->event_lock);
	return found;
}

static __printf(3, 4)
void quorum_env_add(struct quorum_uevent_env *env, unsigned int *n,
		    const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(env->vars[*n], sizeof(env->vars[*n]), fmt, args);
	va_end(args);
	env->envp[*n] = env->vars[*n];
	env->envp[++*n] = NULL;
}

static void quorum_send_uevent(struct quorum_c *qc, const struct quorum_event *ev)
{
	struct quorum_uevent_env *env = qc->env;
	char name[DM_NAME_LEN], uuid[DM_UUID_LEN];
	unsigned int n = 0;

	if (dm_copy_name_and_uuid(qc->md, name, uuid)) {
		name[0] = '\0';
		uuid[0] = '\0';
	}

	quorum_env_add(env, &n, "DM_TARGET=quorum");
	quorum_env_add(env, &n, "DM_ACTION=%s", quorum_action_names[ev->action]);
	switch (ev->action) {
	case QUORUM_ACTION_REPORT_BAD:
	case QUORUM_ACTION_FAILURE:
	case QUORUM_ACTION_REPAIRED:
		quorum_env_add(env, &n, "DM_QUORUM_TYPE=%s", quorum_op_names[ev->op]);
		quorum_env_add(env, &n, "DM_QUORUM_SECTOR=%llu",
			       (unsigned long long)ev->sector);
		quorum_env_add(env, &n, "DM_QUORUM_SECTORS=%llu",
			       (unsigned long long)ev->sectors);
		break;
	case QUORUM_ACTION_SCRUB_DONE:
		quorum_env_add(env, &n, "DM_QUORUM_SCRUB_MODE=%s",
			       quorum_scrub_mode_names[ev->scrub_mode]);
		quorum_env_add(env, &n, "DM_QUORUM_SCRUB_RESULT=%s", ev->reason);
		quorum_env_add(env, &n, "DM_QUORUM_SCRUB_POSITION=%llu",
			       (unsigned long long)ev->sector);
		quorum_env_add(env, &n, "DM_QUORUM_SCRUB_TOTAL=%llu",
			       (unsigned long long)ev->sectors);
		quorum_env_add(env, &n, "DM_QUORUM_SCRUB_BAD=%llu",
			       ev->scrub_counts[0]);
		quorum_env_add(env, &n, "DM_QUORUM_SCRUB_REPAIRED=%llu",
			       ev->scrub_counts[1]);
		quorum_env_add(env, &n, "DM_QUORUM_SCRUB_UNRECOVERABLE=%llu",
			       ev->scrub_counts[2]);
		break;
	default:
		break;
	}
	if (ev->leg >= 0)
		quorum_env_add(env, &n, "DM_QUORUM_LEG=%s",
			       qc->legs[ev->leg].dev->name);
	if (ev->action == QUORUM_ACTION_REPORT_BAD)
		quorum_env_add(env, &n, "DM_QUORUM_REASON=%s",
			       ev->error ? "error" : "outvoted");
	else if (ev->action == QUORUM_ACTION_LEG_FAILED ||
		 ev->action == QUORUM_ACTION_LEG_REINSTATED)
		quorum_env_add(env, &n, "DM_QUORUM_REASON=%s", ev->reason);
	if (ev->action == QUORUM_ACTION_FAILURE) {
		quorum_env_add(env, &n, "DM_QUORUM_VOTES=%u", ev->votes);
		quorum_env_add(env, &n, "DM_QUORUM_THRESHOLD=%u", qc->threshold);
	}
	if (ev->error)
		quorum_env_add(env, &n, "DM_QUORUM_ERROR=%d", ev->error);
	quorum_env_add(env, &n, "DM_NAME=%s", name);
	quorum_env_add(env, &n, "DM_UUID=%s", uuid);

	kobject_uevent_env(&disk_to_dev(dm_disk(qc->md))->kobj, KOBJ_CHANGE,
			   env->envp);
}

static void quorum_event_work(struct work_struct *work)
{
	struct quorum_c *qc = container_of(work, struct quorum_c, event_work);
	struct quorum_event ev;

	while (quorum_pop_event(qc, &ev))
		quorum_send_uevent(qc, &ev);
	dm_table_event(qc->ti->table);
}

/*
 * Leg failure.  A failed leg (health D) gets no I/O and casts no vote.  The
 * operator fails and reinstates legs by message; a leg also fails by itself
 * after error_limit consecutive I/O errors, even if that leaves fewer than
 * <threshold> legs alive: then every I/O fails at once.
 *
 * A leg that missed a write (a write, flush or repair to it failed, or it
 * was failed) is out of sync (health O): it may hold older data than the
 * device acknowledged.  It still takes writes and votes, where the legs
 * that hold the data outvote it, but fifo reads skip it and flushes do not
 * count it, until a scrub repair that covered it has run to its end.
 */

static unsigned int quorum_stale_legs(struct quorum_c *qc)
{
	return READ_ONCE(qc->stale_legs);
}

/* Under leg_lock: leg @i missed a write; true if it was in sync. */
static bool __quorum_mark_stale(struct quorum_c *qc, unsigned int i)
{
	__clear_bit(i, &qc->resync_legs);
	return !__test_and_set_bit(i, &qc->stale_legs);
}

/* Under leg_lock: fail leg @i, which misses writes from now on. */
static bool __quorum_fail_leg(struct quorum_c *qc, unsigned int i)
{
	__quorum_mark_stale(qc, i);
	return !__test_and_set_bit(i, &qc->failed_legs);
}

static void quorum_mark_stale(struct quorum_c *qc, unsigned int i)
{
	unsigned long flags;
	bool changed;

	spin_lock_irqsave(&qc->leg_lock, flags);
	changed = __quorum_mark_stale(qc, i);
	spin_unlock_irqrestore(&qc->leg_lock, flags);
	if (changed)
		DMWARN("%s: leg %s is out of sync: it missed a write",
		       dm_device_name(qc->md), qc->legs[i].dev->name);
}

static void quorum_report_leg_state(struct quorum_c *qc, unsigned int leg,
				    enum quorum_action action,
				    const char *reason, int error)
{
	struct quorum_event ev = {
		.action = action,
		.leg = leg,
		.error = error,
		.reason = reason,
	};

	quorum_queue_event(qc, &ev, NULL);
}

static void quorum_fail_leg_on_errors(struct quorum_c *qc, unsigned int i,
				      int error)
{
	unsigned long flags;
	bool changed;

	spin_lock_irqsave(&qc->leg_lock, flags);
	changed = __quorum_fail_leg(qc, i);
	spin_unlock_irqrestore(&qc->leg_lock, flags);
	if (!changed)
		return;
	DMERR("%s: leg %s failed after %u consecutive I/O errors, last %d",
	      dm_device_name(qc->md), qc->legs[i].dev->name, qc->error_limit,
	      error);
	quorum_report_leg_state(qc, i, QUORUM_ACTION_LEG_FAILED, "errors", error);
}

/* Count and report an I/O error of leg @i. */
static void quorum_leg_error(struct quorum_c *qc, unsigned int i,
			     enum quorum_op op, int error,
			     sector_t sector, sector_t sectors)
{
	struct quorum_leg *leg = &qc->legs[i];

	atomic_inc(op == QUORUM_OP_READ ? &leg->read_errors :
		   op == QUORUM_OP_FLUSH ? &leg->flush_errors :
		   &leg->write_errors);
	quorum_report_leg(qc, i, op, error, sector, sectors);
	if (op != QUORUM_OP_READ)
		quorum_mark_stale(qc, i);
	if (qc->error_limit &&
	    atomic_inc_return(&leg->consecutive_errors) == qc->error_limit)
		quorum_fail_leg_on_errors(qc, i, error);
}

static void quorum_leg_success(struct quorum_leg *leg)
{
	if (atomic_read(&leg->consecutive_errors))
		atomic_set(&leg->consecutive_errors, 0);
}

/*
 * Ordering.
 *
 * Legs complete independently, so two overlapping writes in flight could
 * land in different orders on different legs, a read overlapping a write
 * could vote against a half-written state, and a repair could overwrite
 * newer data.  Every I/O therefore holds its range of the device while it
 * is in flight: writes exclusively, reads shared.  An I/O whose range
 * conflicts with one in flight, or with an earlier one still waiting, waits
 * on the deferred list (so overlapping I/O keeps its order and nothing
 * starves) and is issued from the workqueue once the conflict is gone.
 * I/O that does not overlap is never held back.
 */

static bool quorum_ranges_conflict(const struct quorum_range *a,
				   const struct quorum_range *b)
{
	return (a->exclusive || b->exclusive) &&
	       a->start < b->end && b->start < a->end;
}

/* Is @r held back by I/O in flight or by deferred I/O queued before @r? */
static bool quorum_range_busy(struct quorum_c *qc, const struct quorum_range *r)
{
	struct quorum_range *other;

	list_for_each_entry(other, &qc->active, list)
		if (quorum_ranges_conflict(r, other))
			return true;
	list_for_each_entry(other, &qc->deferred, list) {
		if (other == r)
			break;
		if (quorum_ranges_conflict(r, other))
			return true;
	}
	return false;
}

/* Returns false when the I/O was deferred. */
static bool quorum_lock_range(struct quorum_c *qc, struct quorum_range *r)
{
	unsigned long flags;
	bool free;

	if (r->start == r->end)
		return true;
	spin_lock_irqsave(&qc->range_lock, flags);
	/* Reads conflict with exclusive ranges only: often there is none. */
	if (r->exclusive)
		qc->nr_exclusive++;
	free = (!r->exclusive && !qc->nr_exclusive) ||
	       !quorum_range_busy(qc, r);
	list_add_tail(&r->list, free ? &qc->active : &qc->deferred);
	spin_unlock_irqrestore(&qc->range_lock, flags);
	return free;
}

/* Release @r, and hand the ranges of @repairs over to their writes. */
static void quorum_unlock_range(struct quorum_c *qc, struct quorum_range *r,
				struct quorum_repair *repairs)
{
	unsigned long flags;
	bool kick;

	if (r->start == r->end && !repairs)
		return;
	spin_lock_irqsave(&qc->range_lock, flags);
	for (; repairs; repairs = repairs->next) {
		list_add_tail(&repairs->range.list, &qc->active);
		qc->nr_exclusive++;
	}
	if (r->start != r->end) {
		list_del(&r->list);
		if (r->exclusive)
			qc->nr_exclusive--;
	}
	kick = !list_empty(&qc->deferred);
	spin_unlock_irqrestore(&qc->range_lock, flags);
	if (kick)
		queue_work(qc->wq, &qc->deferred_work);
}

static void quorum_issue(struct quorum_io *io);

static void quorum_deferred_work(struct work_struct *work)
{
	struct quorum_c *qc = container_of(work, struct quorum_c, deferred_work);
	struct quorum_range *r, *tmp;
	struct quorum_io *io, *next;
	LIST_HEAD(ready);

	spin_lock_irq(&qc->range_lock);
	list_for_each_entry_safe(r, tmp, &qc->deferred, list) {
		if (quorum_range_busy(qc, r))
			continue;
		list_move_tail(&r->list, &qc->active);
		io = container_of(r, struct quorum_io, range);
		list_add_tail(&io->dispatch, &ready);
	}
	spin_unlock_irq(&qc->range_lock);

	list_for_each_entry_safe(io, next, &ready, dispatch)
		quorum_issue(io);
}

/*
 * Legs' completions, and the rule for writes and flushes: success when at
 * least <threshold> legs succeed, else the error most legs returned.  A
 * flush makes the writes acknowledged before it durable, so it counts only
 * the legs that hold them: those in sync.
 */

static void quorum_collect_errors(struct quorum_io *io, int *errors,
				  unsigned int *succeeded)
{
	struct quorum_c *qc = io->qc;
	enum quorum_op op = quorum_io_op(io);
	unsigned int i;

	*succeeded = 0;
	for (i = 0; i < qc->nr_legs; i++) {
		errors[i] = 0;
		if (!(io->legs & (1u << i)))
			continue;
		errors[i] = blk_status_to_errno(io->status[i]);
		if (!errors[i]) {
			*succeeded |= 1u << i;
			quorum_leg_success(&qc->legs[i]);
			continue;
		}
		quorum_leg_error(qc, i, op, errors[i], io->iter.bi_sector,
				 io->iter.bi_size >> SECTOR_SHIFT);
	}
}

static void quorum_write_done(struct quorum_io *io)
{
	struct quorum_c *qc = io->qc;
	struct bio *bio = quorum_io_bio(io);
	int errors[QUORUM_MAX_LEGS];
	unsigned int succeeded, votes;

	quorum_collect_errors(io, errors, &succeeded);
	if (quorum_is_flush(io))
		succeeded &= ~quorum_stale_legs(qc);
	votes = hweight32(succeeded);
	if (votes < qc->threshold) {
		int error = quorum_common_error(errors, qc->nr_legs) ?: -EIO;

		bio->bi_status = errno_to_blk_status(error);
		quorum_report_failure(qc, quorum_io_op(io), votes,
				      io->iter.bi_sector, bio_sectors(bio));
	}
	quorum_unlock_range(qc, &io->range, NULL);
	bio_endio(bio);
}

static void quorum_write_endio(struct bio *clone)
{
	struct quorum_clone *qclone = container_of(clone, struct quorum_clone, bio);
	struct quorum_io *io = qclone->io;

	io->status[qclone->leg] = clone->bi_status;
	bio_put(clone);
	if (atomic_dec_and_test(&io->pending))
		quorum_write_done(io);
}

static void quorum_read_done(struct quorum_io *io, bool in_worker);

static void quorum_read_endio(struct bio *clone)
{
	struct quorum_clone *qclone = container_of(clone, struct quorum_clone, bio);
	struct quorum_io *io = qclone->io;
	unsigned int i = qclone->leg;
	struct quorum_leg *leg = &io->qc->legs[i];
	bool done_inline = in_task() && current == qclone->submitter;

	if (READ_ONCE(leg->reads_inline) != done_inline)
		WRITE_ONCE(leg->reads_inline, done_inline);
	io->status[i] = clone->bi_status;
	/* Private copies are kept for the vote. */
	if (i == io->direct)
		bio_put(clone);
	if (atomic_dec_and_test(&io->pending))
		quorum_read_done(io, false);
}

/*
 * Copies: a leg's data for one read, either in the bio's own pages (the
 * direct leg) or in a private bio.  Ranges are byte offsets into the read.
 */

struct quorum_copy {
	struct bio_vec *bvecs;
	struct bvec_iter iter;
};

static void quorum_get_copy(struct quorum_io *io, unsigned int leg,
			    struct quorum_copy *copy)
{
	if (leg == io->direct) {
		copy->bvecs = quorum_io_bio(io)->bi_io_vec;
		copy->iter = io->iter;
	} else {
		copy->bvecs = io->buf[leg]->bi_io_vec;
		copy->iter = (struct bvec_iter) { .bi_size = io->iter.bi_size };
	}
}

static struct bvec_iter quorum_copy_seek(const struct quorum_copy *copy,
					 unsigned int offset, unsigned int len)
{
	struct bvec_iter iter = copy->iter;

	bvec_iter_advance(copy->bvecs, &iter, offset);
	iter.bi_size = len;
	return iter;
}

/*
 * Are copies @c[1..@nr-1] (@nr is 2 or 3) the same as @c[0], over @len
 * bytes from @offset?  All of them are walked together, a page segment at
 * a time.
 */
static bool quorum_copies_equal(const struct quorum_copy *c, unsigned int nr,
				unsigned int offset, unsigned int len)
{
	struct bvec_iter iter[3];
	struct bio_vec bv[3];
	void *p[3];
	unsigned int k, n;
	bool equal = true;

	for (k = 0; k < nr; k++)
		iter[k] = quorum_copy_seek(&c[k], offset, len);
	while (equal && iter[0].bi_size) {
		n = UINT_MAX;
		for (k = 0; k < nr; k++) {
			bv[k] = bvec_iter_bvec(c[k].bvecs, iter[k]);
			n = min(n, bv[k].bv_len);
		}
		for (k = 0; k < nr; k++)
			p[k] = bvec_kmap_local(&bv[k]);
		if (nr == 3)
			equal = quorum_mem_equal3(p[0], p[1], p[2], n);
		else
			equal = quorum_mem_equal(p[0], p[1], n);
		for (k = nr; k-- > 0;)
			kunmap_local(p[k]);
		for (k = 0; k < nr; k++)
			bvec_iter_advance_single(c[k].bvecs, &iter[k], n);
	}
	return equal;
}

/* Copy @len bytes of @a from @a_off into @b at @b_off. */
static void quorum_copy_bytes(const struct quorum_copy *a, unsigned int a_off,
			      const struct quorum_copy *b, unsigned int b_off,
			      unsigned int len)
{
	struct bvec_iter ia = quorum_copy_seek(a, a_off, len);
	struct bvec_iter ib = quorum_copy_seek(b, b_off, len);

	while (ia.bi_size) {
		struct bio_vec va = bvec_iter_bvec(a->bvecs, ia);
		struct bio_vec vb = bvec_iter_bvec(b->bvecs, ib);
		unsigned int n = min(va.bv_len, vb.bv_len);
		void *pa = bvec_kmap_local(&va);
		void *pb = bvec_kmap_local(&vb);

		memcpy(pb, pa, n);
		flush_dcache_page(vb.bv_page);
		kunmap_local(pb);
		kunmap_local(pa);
		bvec_iter_advance_single(a->bvecs, &ia, n);
		bvec_iter_advance_single(b->bvecs, &ib, n);
	}
}

static void quorum_range_copy(const struct quorum_copy *from,
			      const struct quorum_copy *to,
			      unsigned int offset, unsigned int len)
{
	quorum_copy_bytes(from, offset, to, offset, len);
}

static int quorum_range_digest(struct crypto_shash *tfm,
			       const struct quorum_copy *copy,
			       unsigned int offset, unsigned int len, u8 *digest)
{
	struct bvec_iter iter = quorum_copy_seek(copy, offset, len);
	SHASH_DESC_ON_STACK(desc, tfm);
	int r;

	desc->tfm = tfm;
	r = crypto_shash_init(desc);
	while (!r && iter.bi_size) {
		struct bio_vec bv = bvec_iter_bvec(copy->bvecs, iter);
		void *p = bvec_kmap_local(&bv);

		r = crypto_shash_update(desc, p, bv.bv_len);
		kunmap_local(p);
		bvec_iter_advance_single(copy->bvecs, &iter, bv.bv_len);
	}
	if (!r)
		r = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	return r;
}

/*
 * Repairs (rewrite_corrupted): the winning bytes, copied out of the read
 * before it completes, are written to a leg that was outvoted or failed.
 * The read hands its range over to its repairs, so no write can come
 * between the vote and the repair; the read itself does not wait for them.
 */

static void quorum_free_repair(struct quorum_repair *rep)
{
	struct bio *bio = rep->bio;
	unsigned int i;

	if (bio) {
		for (i = 0; i < bio->bi_vcnt; i++)
			__free_page(bio->bi_io_vec[i].bv_page);
		bio_put(bio);
	}
	kfree(rep);
}

static void quorum_repair_endio(struct bio *bio)
{
	struct quorum_repair *rep = bio->bi_private;
	struct quorum_c *qc = rep->qc;
	sector_t sectors = rep->range.end - rep->range.start;
	int error = blk_status_to_errno(bio->bi_status);
	unsigned long flags;

	if (error) {
		quorum_leg_error(qc, rep->leg, QUORUM_OP_WRITE, error,
				 rep->range.start, sectors);
	} else {
		quorum_leg_success(&qc->legs[rep->leg]);
		atomic_add(rep->blocks, &qc->legs[rep->leg].repaired);
		if (rep->scrub)
			atomic64_add(rep->blocks, &qc->scrub->repaired);
		quorum_report_repaired(qc, rep->leg, rep->range.start, sectors);
	}
	quorum_unlock_range(qc, &rep->range, NULL);
	quorum_free_repair(rep);
	/* Once the waiter sees none in flight, it may free @qc. */
	spin_lock_irqsave(&qc->repairs_lock, flags);
	if (atomic_dec_and_test(&qc->repairs_in_flight))
		wake_up(&qc->repairs_wait);
	spin_unlock_irqrestore(&qc->repairs_lock, flags);
}

static void quorum_wait_repairs(struct quorum_c *qc)
{
	spin_lock_irq(&qc->repairs_lock);
	wait_event_lock_irq(qc->repairs_wait,
			    !atomic_read(&qc->repairs_in_flight),
			    qc->repairs_lock);
	spin_unlock_irq(&qc->repairs_lock);
}

/*
 * Prepare the repair of @leg over the byte range @offset+@len of the read,
 * whose direct copy holds the winning bytes.  Repairs are best effort: when
 * memory is short the leg is left for a later read to repair.
 */
static struct quorum_repair *quorum_prepare_repair(struct quorum_io *io,
						   const struct quorum_copy *winner,
						   unsigned int leg,
						   unsigned int offset,
						   unsigned int len,
						   unsigned int blocks)
{
	struct quorum_c *qc = io->qc;
	unsigned int nr_pages = DIV_ROUND_UP(len, PAGE_SIZE), left = len, i;
	gfp_t gfp = GFP_NOIO | __GFP_NORETRY | __GFP_NOWARN;
	struct quorum_copy data;
	struct quorum_repair *rep;

	rep = kzalloc(sizeof(*rep), gfp);
	if (!rep)
		goto no_memory;
	rep->qc = qc;
	rep->leg = leg;
	rep->blocks = blocks;
	rep->scrub = io->flags & QUORUM_IO_SCRUB;
	rep->range.start = io->iter.bi_sector + (offset >> SECTOR_SHIFT);
	rep->range.end = rep->range.start + (len >> SECTOR_SHIFT);
	rep->range.exclusive = true;

	/* Without waiting: a vote must never wait for a bio. */
	rep->bio = bio_alloc_bioset(qc->legs[leg].dev->bdev, nr_pages,
				    REQ_OP_WRITE, GFP_NOWAIT | __GFP_NOWARN,
				    &qc->bs);
	if (!rep->bio)
		goto no_memory;
	rep->bio->bi_iter.bi_sector = dm_target_offset(qc->ti, rep->range.start);
	rep->bio->bi_end_io = quorum_repair_endio;
	rep->bio->bi_private = rep;
	for (i = 0; i < nr_pages; i++) {
		struct page *page = alloc_page(gfp);
		unsigned int n = min_t(unsigned int, left, PAGE_SIZE);

		if (!page)
			goto no_memory;
		__bio_add_page(rep->bio, page, n, 0);
		left -= n;
	}

	data.bvecs = rep->bio->bi_io_vec;
	data.iter = (struct bvec_iter) { .bi_size = len };
	quorum_copy_bytes(winner, offset, &data, 0, len);
	atomic_inc(&qc->repairs_in_flight);
	atomic64_inc(&qc->legs[leg].writes);
	return rep;

no_memory:
	DMERR_LIMIT("%s: leg %s not repaired at sectors %llu+%u: out of memory",
		    dm_device_name(qc->md), qc->legs[leg].dev->name,
		    (unsigned long long)io->iter.bi_sector + (offset >> SECTOR_SHIFT),
		    len >> SECTOR_SHIFT);
	if (rep)
		quorum_free_repair(rep);
	return NULL;
}

/*
 * The block vote, run once the copies were found to differ (or a leg failed
 * and rewrite_corrupted is on).  Each 4 KiB block (the read's unaligned
 * head and tail as they are) is elected on its own, every block before any
 * is acted on; then outvoted blocks, blocks with no winner and repairs go
 * per leg in runs of adjacent blocks.
 */

struct quorum_run {
	unsigned int offset;	/* bytes into the read */
	unsigned int len;
	unsigned int blocks;
	unsigned int votes;
};

/* The outcome of one block's election. */
struct quorum_ballot {
	u16 winners;		/* legs, 0: no version has enough votes */
	u8 votes;		/* the largest group of equal copies */
};

struct quorum_vote_state {
	unsigned int voters;	/* legs that read their copy */
	struct quorum_ballot ballots[QUORUM_MAX_READ_BLOCKS];
	u8 digests[QUORUM_MAX_LEGS][SHA256_DIGEST_SIZE];
	struct quorum_copy copies[QUORUM_MAX_LEGS];
	struct quorum_run outvoted[QUORUM_MAX_LEGS];
	struct quorum_run repair[QUORUM_MAX_LEGS];
	struct quorum_run failed;
	struct quorum_repair *repairs;
};

static bool quorum_same_digest(void *ctx, unsigned int a, unsigned int b)
{
	struct quorum_vote_state *vs = ctx;

	return !memcmp(vs->digests[a], vs->digests[b], SHA256_DIGEST_SIZE);
}

/* Does a block at @offset extend @run (or start it)? */
static bool quorum_run_extends(const struct quorum_run *run, unsigned int offset)
{
	return !run->len || run->offset + run->len == offset;
}

static void quorum_run_add(struct quorum_run *run, unsigned int offset,
			   unsigned int len, unsigned int votes)
{
	if (!run->len) {
		run->offset = offset;
		run->votes = votes;
	}
	run->len += len;
	run->blocks++;
	run->votes = max(run->votes, votes);
}

static void quorum_flush_outvoted(struct quorum_io *io, unsigned int leg,
				  struct quorum_run *run)
{
	struct quorum_c *qc = io->qc;

	if (!run->len)
		return;
	atomic_add(run->blocks, &qc->legs[leg].outvoted);
	quorum_report_leg(qc, leg, QUORUM_OP_READ, 0,
			  io->iter.bi_sector + (run->offset >> SECTOR_SHIFT),
			  run->len >> SECTOR_SHIFT);
	memset(run, 0, sizeof(*run));
}

static void quorum_flush_repair(struct quorum_io *io,
				struct quorum_vote_state *vs, unsigned int leg)
{
	struct quorum_run *run = &vs->repair[leg];
	struct quorum_repair *rep;

	if (!run->len)
		return;
	rep = quorum_prepare_repair(io, &vs->copies[io->direct], leg,
				    run->offset, run->len, run->blocks);
	if (rep) {
		rep->next = vs->repairs;
		vs->repairs = rep;
	}
	memset(run, 0, sizeof(*run));
}

static void quorum_flush_failed(struct quorum_io *io, struct quorum_run *run)
{
	if (!run->len)
		return;
	quorum_report_failure(io->qc, QUORUM_OP_READ, run->votes,
			      io->iter.bi_sector + (run->offset >> SECTOR_SHIFT),
			      run->len >> SECTOR_SHIFT);
	memset(run, 0, sizeof(*run));
}

/* One block of every copy, compared byte for byte. */
struct quorum_block {
	struct quorum_vote_state *vs;
	unsigned int offset;
	unsigned int len;
};

static bool quorum_same_bytes(void *ctx, unsigned int a, unsigned int b)
{
	struct quorum_block *blk = ctx;
	struct quorum_copy pair[2] = { blk->vs->copies[a], blk->vs->copies[b] };

	return quorum_copies_equal(pair, 2, blk->offset, blk->len);
}

/*
 * Elect one block.  A version that more than half of the voters hold byte
 * for byte wins outright (the one bad leg of the common case costs
 * comparisons only); any other split is voted on with the SHA-256 digests
 * of every copy, unless @may_hash is false: then returns false, undecided.
 */
static bool quorum_elect_block(struct quorum_io *io, struct quorum_vote_state *vs,
			       unsigned int offset, unsigned int len,
			       bool may_hash, struct quorum_ballot *ballot)
{
	struct quorum_c *qc = io->qc;
	struct quorum_block blk = { .vs = vs, .offset = offset, .len = len };
	struct quorum_vote_result res;
	unsigned int i;

	if (!quorum_vote_majority(qc->nr_legs, vs->voters, quorum_same_bytes,
				  &blk, qc->threshold, &res)) {
		if (!may_hash)
			return false;
		for (i = 0; i < qc->nr_legs; i++) {
			if (!(vs->voters & (1u << i)))
				continue;
			if (quorum_range_digest(qc->tfm, &vs->copies[i], offset,
						len, vs->digests[i])) {
				/* No digest, no vote: never guess. */
				ballot->winners = 0;
				ballot->votes = 0;
				return true;
			}
		}
		quorum_vote(qc->nr_legs, vs->voters, quorum_same_digest, vs,
			    qc->threshold, &res);
	}
	ballot->winners = res.winners;
	ballot->votes = res.votes;
	return true;
}

/* Does this read write the winner back to the legs that lost it? */
static bool quorum_io_repairs(struct quorum_io *io)
{
	if (io->flags & QUORUM_IO_SCRUB)
		return io->flags & QUORUM_IO_SCRUB_REPAIR;
	return io->qc->features & QUORUM_FEATURE_REWRITE_CORRUPTED;
}

/* Blocks are aligned on the legs' sectors: the one at @offset of @io. */
static unsigned int quorum_block_len(struct quorum_io *io, unsigned int offset)
{
	sector_t s = dm_target_offset(io->qc->ti, io->iter.bi_sector) +
		     (offset >> SECTOR_SHIFT);

	return min_t(unsigned int, io->iter.bi_size - offset,
		     (QUORUM_BLOCK_SECTORS - (s & (QUORUM_BLOCK_SECTORS - 1))) <<
		     SECTOR_SHIFT);
}

static unsigned int quorum_voters(struct quorum_io *io)
{
	unsigned int voters = 0, i;

	for (i = 0; i < io->qc->nr_legs; i++)
		if (io->legs & (1u << i) && !io->status[i])
			voters |= 1u << i;
	return voters;
}

static void quorum_vote_begin(struct quorum_io *io, struct quorum_vote_state *vs)
{
	unsigned int i;

	memset(vs, 0, sizeof(*vs));
	vs->voters = quorum_voters(io);
	for (i = 0; i < io->qc->nr_legs; i++)
		if (vs->voters & (1u << i) || i == io->direct)
			quorum_get_copy(io, i, &vs->copies[i]);
}

/* Elect every block; returns false if one is left undecided. */
static bool quorum_elect_blocks(struct quorum_io *io, struct quorum_vote_state *vs,
				bool may_hash)
{
	unsigned int offset, len, b = 0;

	for (offset = 0; offset < io->iter.bi_size; offset += len, b++) {
		len = quorum_block_len(io, offset);
		if (!quorum_elect_block(io, vs, offset, len, may_hash,
					&vs->ballots[b]))
			return false;
	}
	return true;
}

/* Every block is elected: serve the winners, report and repair the rest. */
static blk_status_t quorum_count_votes(struct quorum_io *io,
				       struct quorum_vote_state *vs)
{
	struct quorum_c *qc = io->qc;
	bool rewrite = quorum_io_repairs(io);
	bool scrub = io->flags & QUORUM_IO_SCRUB;
	unsigned int offset, len, i, winners, votes, b = 0;
	unsigned int voters = vs->voters;
	bool failed = false;

	for (offset = 0; offset < io->iter.bi_size; offset += len, b++) {
		len = quorum_block_len(io, offset);
		winners = vs->ballots[b].winners;
		votes = vs->ballots[b].votes;

		if (!winners) {
			failed = true;
			if (scrub)
				atomic64_inc(&qc->scrub->unrecoverable);
			if (!quorum_run_extends(&vs->failed, offset))
				quorum_flush_failed(io, &vs->failed);
			quorum_run_add(&vs->failed, offset, len, votes);
			continue;
		}
		if (!(winners & (1u << io->direct)))
			quorum_range_copy(&vs->copies[__ffs(winners)],
					  &vs->copies[io->direct], offset, len);
		for (i = 0; i < qc->nr_legs; i++) {
			if ((winners & (1u << i)) || !(io->legs & (1u << i)))
				continue;
			if (scrub) {
				atomic_inc(&qc->legs[i].scrub_bad);
				atomic64_inc(&qc->scrub->bad);
			}
			if (voters & (1u << i)) {
				if (!quorum_run_extends(&vs->outvoted[i], offset))
					quorum_flush_outvoted(io, i, &vs->outvoted[i]);
				quorum_run_add(&vs->outvoted[i], offset, len, 0);
			}
			if (rewrite) {
				if (!quorum_run_extends(&vs->repair[i], offset))
					quorum_flush_repair(io, vs, i);
				quorum_run_add(&vs->repair[i], offset, len, 0);
			}
		}
	}

	for (i = 0; i < qc->nr_legs; i++) {
		quorum_flush_outvoted(io, i, &vs->outvoted[i]);
		quorum_flush_repair(io, vs, i);
	}
	quorum_flush_failed(io, &vs->failed);
	return failed ? BLK_STS_IOERR : BLK_STS_OK;
}

static void quorum_free_buffers(struct quorum_c *qc, struct quorum_io *io);

static void quorum_read_complete(struct quorum_io *io, blk_status_t status,
				 struct quorum_repair *repairs)
{
	struct quorum_c *qc = io->qc;
	struct bio *bio = quorum_io_bio(io);
	struct quorum_repair *rep, *next;

	quorum_free_buffers(qc, io);
	if (!(io->flags & QUORUM_IO_FIFO))
		atomic_dec(&qc->reads_in_flight);
	quorum_unlock_range(qc, &io->range, repairs);
	for (rep = repairs; rep; rep = next) {
		next = rep->next;
		submit_bio_noacct(rep->bio);
	}
	bio->bi_status = status;
	bio_endio(bio);
}

/*
 * End a vote: count the votes and complete the read.  With @vs NULL (where
 * it may sleep), take a vote state and elect every block first, hashing
 * where no majority decides; the state is taken only where it is used, so
 * that no vote waits for a state that a vote queued behind it holds.
 */
static void quorum_vote_end(struct quorum_io *io, struct quorum_vote_state *vs)
{
	struct quorum_c *qc = io->qc;
	struct quorum_repair *repairs;
	blk_status_t status;

	if (!vs) {
		vs = mempool_alloc(qc->vote_pool, GFP_NOIO);
		quorum_vote_begin(io, vs);
		quorum_elect_blocks(io, vs, true);
	}
	status = quorum_count_votes(io, vs);
	repairs = vs->repairs;
	mempool_free(vs, qc->vote_pool);
	quorum_read_complete(io, status, repairs);
}

static void quorum_vote_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);

	quorum_vote_end(io, NULL);
}

/*
 * Vote on a read where its last leg completed (quorum_read_done() checks
 * only small reads there): only with nothing to repair and a vote state
 * at hand, and only if majorities decide every block.  Else the vote is
 * left to the workqueue, from the start.
 */
static void quorum_vote_inline(struct quorum_io *io)
{
	struct quorum_c *qc = io->qc;
	struct quorum_vote_state *vs = NULL;

	if (!quorum_io_repairs(io) && !(io->flags & QUORUM_IO_SCRUB))
		vs = mempool_alloc(qc->vote_pool, GFP_NOWAIT | __GFP_NOWARN);
	if (vs) {
		quorum_vote_begin(io, vs);
		if (quorum_elect_blocks(io, vs, false)) {
			quorum_vote_end(io, vs);
			return;
		}
		mempool_free(vs, qc->vote_pool);
	}
	INIT_WORK(&io->work, quorum_vote_work);
	queue_work(qc->io_wq, &io->work);
}

/*
 * A read's legs have all completed.  Runs in completion context for small
 * reads, unless that is hard interrupt context, else in a worker
 * (@in_worker): one queued for the check, or the one that read the
 * fanned-out legs.  Hashing and repairs are left to a worker.
 */
static void quorum_read_check(struct quorum_io *io, bool in_worker)
{
	struct quorum_c *qc = io->qc;
	struct quorum_copy copies[3], copy;
	int errors[QUORUM_MAX_LEGS];
	unsigned int succeeded, votes, ref, others, nr;
	bool vote = false;
	int error;

	quorum_collect_errors(io, errors, &succeeded);
	votes = hweight32(succeeded);
	if (votes < qc->threshold) {
		if (io->flags & QUORUM_IO_SCRUB)
			atomic64_add(quorum_nr_blocks(io),
				     &qc->scrub->unrecoverable);
		quorum_report_failure(qc, QUORUM_OP_READ, votes,
				      io->iter.bi_sector, io->iter.bi_size >> SECTOR_SHIFT);
		error = quorum_common_error(errors, qc->nr_legs);
		quorum_read_complete(io, errno_to_blk_status(error), NULL);
		return;
	}

	/*
	 * The fast path: every copy that was read is the same.  The first
	 * is compared with two others at a time: with three legs, each
	 * copy is read once.
	 */
	ref = __ffs(succeeded);
	quorum_get_copy(io, ref, &copies[0]);
	others = succeeded & ~(1u << ref);
	while (!vote && others) {
		for (nr = 1; nr < 3 && others; nr++) {
			quorum_get_copy(io, __ffs(others), &copies[nr]);
			others &= others - 1;
		}
		vote = !quorum_copies_equal(copies, nr, 0, io->iter.bi_size);
	}
	/* A leg failed: repair it, or count its blocks for the scrub. */
	if (succeeded != io->legs &&
	    (quorum_io_repairs(io) || io->flags & QUORUM_IO_SCRUB))
		vote = true;
	if (vote) {
		if (in_worker)
			quorum_vote_end(io, NULL);
		else
			quorum_vote_inline(io);
		return;
	}
	if (ref != io->direct) {
		quorum_get_copy(io, io->direct, &copy);
		quorum_range_copy(&copies[0], &copy, 0, io->iter.bi_size);
	}
	quorum_read_complete(io, BLK_STS_OK, NULL);
}

static void quorum_read_check_work(struct work_struct *work)
{
	quorum_read_check(container_of(work, struct quorum_io, work), true);
}

static void quorum_fifo_done(struct quorum_io *io);

/*
 * A read's legs have all completed; @in_worker: quorum_fan_out_work() found
 * them done once it had sent its own, and the check runs there.
 */
static void quorum_read_done(struct quorum_io *io, bool in_worker)
{
	if (io->flags & QUORUM_IO_FIFO) {
		quorum_fifo_done(io);
		return;
	}
	if (in_worker) {
		quorum_read_check(io, true);
		return;
	}
	if (in_hardirq() || irqs_disabled() ||
	    io->iter.bi_size > QUORUM_INLINE_CHECK_BYTES) {
		INIT_WORK(&io->work, quorum_read_check_work);
		queue_work(io->qc->io_wq, &io->work);
		return;
	}
	quorum_read_check(io, false);
}

/*
 * Mapping.
 */

static struct bio *quorum_alloc_bio(struct quorum_c *qc, struct quorum_io *io,
				    unsigned int leg, struct bio *src,
				    unsigned short nr_vecs, blk_opf_t opf, gfp_t gfp)
{
	struct block_device *bdev = qc->legs[leg].dev->bdev;
	struct quorum_clone *qclone;
	struct bio *clone;

	if (src)
		clone = bio_alloc_clone(bdev, src, gfp, &qc->bs);
	else
		clone = bio_alloc_bioset(bdev, nr_vecs, opf, gfp, &qc->bs);
	if (!clone)
		return NULL;
	/* dm core polls only its own clone: ours complete by interrupt. */
	bio_clear_polled(clone);
	qclone = container_of(clone, struct quorum_clone, bio);
	qclone->io = io;
	qclone->leg = leg;
	qclone->submitter = NULL;
	clone->bi_iter.bi_sector = dm_target_offset(qc->ti, io->iter.bi_sector);
	return clone;
}

/*
 * A leg's read is never readahead nor failfast: a leg may drop those
 * without being at fault, and the vote needs every copy.
 */
static void quorum_leg_read_flags(struct bio *bio)
{
	bio->bi_opf &= ~(REQ_RAHEAD | REQ_FAILFAST_MASK);
}

/* The read of the direct leg, into the bio's own pages. */
static struct bio *quorum_clone_direct(struct quorum_c *qc, struct quorum_io *io,
				       gfp_t gfp)
{
	struct bio *clone = quorum_alloc_bio(qc, io, io->direct, quorum_io_bio(io),
					     0, 0, gfp);

	if (!clone)
		return NULL;
	quorum_leg_read_flags(clone);
	clone->bi_end_io = quorum_read_endio;
	return clone;
}

/*
 * The private pages of reads are reused: a fresh page costs far more than
 * a reused one, since the kernel may clear every page it hands out
 * (init_on_alloc).  They come from a mempool whose reserve holds one
 * whole read, and from a cache beside it that holds what the reads had
 * in flight lately.  A freed page refills the reserve first, then the
 * cache (up to QUORUM_MAX_CACHE_PAGES), and goes back to the kernel only
 * when both are full.  Every QUORUM_CACHE_TRIM_INTERVAL, the cached pages
 * that no read took since the last trim go back to the kernel, so that
 * an idle target holds its reserve only; under memory pressure, the
 * cache's shrinker gives back what reclaim asks for, least recently
 * freed first.
 *
 * A page is taken from the cache first, then from the reserve (the
 * mempool's first, non-sleeping attempt at the allocator finds the cache
 * empty and is refused), and from the page allocator, with the caller's
 * gfp flags, only when both are empty.  A read takes all its pages from
 * the cache, and gives back to it those the reserve does not need, in one
 * go.
 */

/* Cut the first @nr pages of @head (it has that many) off to @list. */
static void quorum_pages_cut(struct list_head *list, struct list_head *head,
			     unsigned int nr)
{
	struct list_head *last = head;

	while (nr--)
		last = last->next;
	list_cut_position(list, head, last);
}

/* Move up to @nr pages, the last freed first, to @pages; returns how many. */
static unsigned int quorum_cache_take(struct quorum_page_cache *cache,
				      struct list_head *pages, unsigned int nr)
{
	unsigned long flags;
	LIST_HEAD(taken);

	/* Often empty (small reads cycle through the reserve): no lock then. */
	if (!READ_ONCE(cache->nr))
		return 0;
	spin_lock_irqsave(&cache->lock, flags);
	nr = min(nr, cache->nr);
	quorum_pages_cut(&taken, &cache->pages, nr);
	cache->nr -= nr;
	cache->unused = min(cache->unused, cache->nr);
	spin_unlock_irqrestore(&cache->lock, flags);
	list_splice_tail(&taken, pages);
	return nr;
}

/*
 * Cache the @nr pages on @pages as far as there is room, and free the
 * rest: @pages is left empty.
 */
static void quorum_cache_give(struct quorum_page_cache *cache,
			      struct list_head *pages, unsigned int nr)
{
	struct page *page, *next;
	unsigned long flags;
	unsigned int n;
	LIST_HEAD(kept);
	bool first;

	spin_lock_irqsave(&cache->lock, flags);
	first = !cache->nr;
	n = cache->nr < cache->max ? min(nr, cache->max - cache->nr) : 0;
	cache->nr += n;
	if (n == nr) {
		list_splice_init(pages, &cache->pages);
	} else {
		quorum_pages_cut(&kept, pages, n);
		list_splice(&kept, &cache->pages);
	}
	first = first && cache->nr;
	spin_unlock_irqrestore(&cache->lock, flags);

	list_for_each_entry_safe(page, next, pages, lru)
		__free_page(page);
	INIT_LIST_HEAD(pages);
	if (first)
		schedule_delayed_work(&cache->trim, QUORUM_CACHE_TRIM_INTERVAL);
}

/*
 * Give back cached pages, the least recently freed (at the tail) first:
 * @nr of them, or with @trim those that no read took since the last trim,
 * and then start counting those anew.  Returns the number given back.
 */
static unsigned int quorum_cache_shrink(struct quorum_page_cache *cache,
					unsigned int nr, bool trim)
{
	struct list_head *first = &cache->pages;
	struct page *page, *next;
	LIST_HEAD(freed);
	LIST_HEAD(kept);
	unsigned int n;

	spin_lock_irq(&cache->lock);
	nr = min(trim ? cache->unused : nr, cache->nr);
	/* Cut the last @nr pages off in one go: up to 8192 of them. */
	for (n = nr; n; n--)
		first = first->prev;
	list_cut_before(&kept, &cache->pages, first);
	list_splice_init(&cache->pages, &freed);
	list_splice(&kept, &cache->pages);
	cache->nr -= nr;
	cache->unused = trim ? cache->nr : min(cache->unused, cache->nr);
	spin_unlock_irq(&cache->lock);

	list_for_each_entry_safe(page, next, &freed, lru)
		__free_page(page);
	return nr;
}

/*
 * Give back the pages that no read took since the last trim.  While pages
 * are left, trim again later; once none is, quorum_cache_give() rearms.
 */
static void quorum_cache_trim(struct work_struct *work)
{
	struct quorum_page_cache *cache =
		container_of(to_delayed_work(work), struct quorum_page_cache, trim);

	quorum_cache_shrink(cache, 0, true);
	if (READ_ONCE(cache->nr))
		schedule_delayed_work(&cache->trim, QUORUM_CACHE_TRIM_INTERVAL);
}

static unsigned long quorum_cache_count(struct shrinker *shrinker,
					struct shrink_control *sc)
{
	struct quorum_page_cache *cache = quorum_compat_shrinker_data(shrinker);

	return READ_ONCE(cache->nr) ?: SHRINK_EMPTY;
}

static unsigned long quorum_cache_scan(struct shrinker *shrinker,
				       struct shrink_control *sc)
{
	struct quorum_page_cache *cache = quorum_compat_shrinker_data(shrinker);
	unsigned int nr = min_t(unsigned long, sc->nr_to_scan, UINT_MAX);

	return quorum_cache_shrink(cache, nr, false) ?: SHRINK_STOP;
}

static void quorum_cache_init(struct quorum_page_cache *cache)
{
	spin_lock_init(&cache->lock);
	INIT_LIST_HEAD(&cache->pages);
	INIT_DELAYED_WORK(&cache->trim, quorum_cache_trim);
}

/* Start caching, with a shrinker named after the device. */
static int quorum_cache_start(struct quorum_page_cache *cache, const char *name)
{
	cache->shrinker = quorum_compat_shrinker_create(quorum_cache_count,
							quorum_cache_scan,
							cache, name);
	if (!cache->shrinker)
		return -ENOMEM;
	cache->max = QUORUM_MAX_CACHE_PAGES;
	return 0;
}

/* The target is going away: no more caching, and no page left behind. */
static void quorum_cache_destroy(struct quorum_page_cache *cache)
{
	quorum_compat_shrinker_destroy(cache->shrinker);
	spin_lock_irq(&cache->lock);
	cache->max = 0;
	spin_unlock_irq(&cache->lock);
	cancel_delayed_work_sync(&cache->trim);
	quorum_cache_shrink(cache, UINT_MAX, false);
}

static void *quorum_page_alloc(gfp_t gfp, void *data)
{
	struct quorum_c *qc = data;
	struct page *page;
	LIST_HEAD(pages);

	if (quorum_cache_take(&qc->cache, &pages, 1)) {
		page = list_first_entry(&pages, struct page, lru);
		list_del(&page->lru);
		return page;
	}
	if (!(gfp & __GFP_DIRECT_RECLAIM))
		return NULL;
	return alloc_page(gfp);
}

static void quorum_page_free(void *element, void *data)
{
	struct quorum_c *qc = data;
	struct page *page = element;
	LIST_HEAD(pages);

	list_add(&page->lru, &pages);
	quorum_cache_give(&qc->cache, &pages, 1);
}

/* One whole read of every leg but one: progress is guaranteed. */
static unsigned int quorum_read_reserve(unsigned int nr_legs)
{
	return (nr_legs - 1) * QUORUM_MAX_READ_PAGES;
}

/*
 * A read's bios: private pages for every leg but the direct one, and the
 * direct leg's clone.  First all of them without waiting; if memory is
 * short, none is kept, and all again under reserve_lock, so that a single
 * I/O at a time waits on the reserves (the bioset's holds the bios of two
 * I/Os, the mempool's one whole read) while holding part of them.
 */
static void quorum_alloc_buffers(struct quorum_c *qc, struct quorum_io *io,
				 struct bio *bio)
{
	unsigned int nr_pages = DIV_ROUND_UP(io->iter.bi_size, PAGE_SIZE);
	unsigned int nr_bufs = hweight32(io->legs & ~(1u << io->direct));
	blk_opf_t opf = REQ_OP_READ | (bio->bi_opf & (REQ_SYNC | REQ_META | REQ_PRIO));
	gfp_t gfp = GFP_NOWAIT | __GFP_NOWARN;
	bool locked = false;
	unsigned int i, p, nr_cached;
	LIST_HEAD(cached);

retry:
	nr_cached = quorum_cache_take(&qc->cache, &cached, nr_bufs * nr_pages);
	for (i = 0; i < qc->nr_legs; i++) {
		unsigned int left = io->iter.bi_size;
		struct bio *buf;

		if (i == io->direct || !(io->legs & (1u << i)))
			continue;
		buf = quorum_alloc_bio(qc, io, i, NULL, nr_pages, opf, gfp);
		if (!buf)
			goto fail;
		io->buf[i] = buf;
		buf->bi_ioprio = bio->bi_ioprio;
		buf->bi_end_io = quorum_read_endio;
		for (p = 0; p < nr_pages; p++) {
			struct page *page = list_first_entry_or_null(&cached,
								     struct page, lru);
			unsigned int len = min_t(unsigned int, left, PAGE_SIZE);

			if (page) {
				list_del(&page->lru);
				nr_cached--;
			} else {
				page = mempool_alloc(qc->page_pool, gfp);
			}
			if (!page)
				goto fail;
			__bio_add_page(buf, page, len, 0);
			left -= len;
		}
	}
	io->direct_clone = quorum_clone_direct(qc, io, gfp);
	if (!io->direct_clone)
		goto fail;
	if (locked)
		mutex_unlock(&qc->reserve_lock);
	return;

fail:
	/* Only GFP_NOWAIT allocations can fail. */
	quorum_cache_give(&qc->cache, &cached, nr_cached);
	quorum_free_buffers(qc, io);
	mutex_lock(&qc->reserve_lock);
	locked = true;
	gfp = GFP_NOIO;
	goto retry;
}

/*
 * Give a read's private pages back: to the mempool while its reserve is
 * short, the others to the cache, in one go.
 */
static void quorum_free_buffers(struct quorum_c *qc, struct quorum_io *io)
{
	LIST_HEAD(pages);
	unsigned int i, p, nr = 0;

	for (i = 0; i < qc->nr_legs; i++) {
		struct bio *buf = io->buf[i];

		if (!buf)
			continue;
		for (p = 0; p < buf->bi_vcnt; p++) {
			struct page *page = buf->bi_io_vec[p].bv_page;

			if (quorum_compat_mempool_full(qc->page_pool)) {
				list_add(&page->lru, &pages);
				nr++;
			} else {
				mempool_free(page, qc->page_pool);
			}
		}
		bio_put(buf);
		io->buf[i] = NULL;
	}
	if (nr)
		quorum_cache_give(&qc->cache, &pages, nr);
}

/*
 * Fan-out.  A leg whose reads complete in the context that submitted them
 * (a RAM disk, zram, pmem) makes its copy with the submitter's CPU, so a
 * voted read of N such legs would use one CPU for N copies.  When other
 * reads are in flight (or the read is large), such legs are read from the
 * workqueue, in parallel with the submitter.  A large read while others
 * are in flight is read from the workqueue whole, its direct leg too: the
 * submitter has more reads to send, and a copy there would hold them up
 * while the workers share the copies over every CPU.  Legs that complete
 * from interrupts are always submitted inline: for them, a hop would only
 * add latency.
 */
static unsigned int quorum_fan_out_legs(struct quorum_c *qc,
					struct quorum_io *io, bool busy)
{
	bool large = io->iter.bi_size > QUORUM_INLINE_CHECK_BYTES;
	unsigned int legs = 0, i;

	if (!busy && !large)
		return 0;
	for (i = 0; i < qc->nr_legs; i++) {
		if (!(io->legs & (1u << i)) ||
		    !READ_ONCE(qc->legs[i].reads_inline))
			continue;
		if (i != io->direct || (busy && large))
			legs |= 1u << i;
	}
	return legs;
}

/* A read's clone of leg @i: into the bio's pages, or a private copy. */
static struct bio *quorum_read_clone(struct quorum_io *io, unsigned int i)
{
	return i == io->direct ? io->direct_clone : io->buf[i];
}

static void quorum_submit_read(struct bio *clone)
{
	container_of(clone, struct quorum_clone, bio)->submitter = current;
	submit_bio_noacct(clone);
}

static void quorum_fan_out_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);
	struct blk_plug plug;
	unsigned int i;

	/*
	 * Legs may complete within their submission, where a blk-mq driver
	 * may hold the RCU read lock and the vote must not sleep: hold @io
	 * until they are all sent, and check the read here if they are done.
	 */
	atomic_inc(&io->pending);
	blk_start_plug(&plug);
	for (i = 0; i < io->qc->nr_legs; i++)
		if (io->fan_out & (1u << i))
			quorum_submit_read(quorum_read_clone(io, i));
	blk_finish_plug(&plug);
	if (atomic_dec_and_test(&io->pending))
		quorum_read_done(io, true);
}

static void quorum_issue_read(struct quorum_c *qc, struct quorum_io *io,
			      unsigned int alive)
{
	struct bio *bio = quorum_io_bio(io);
	struct bio *clones[QUORUM_MAX_LEGS];
	unsigned int i, n = 0;

	io->legs = alive;
	io->direct = __ffs(alive);
	memset(io->buf, 0, sizeof(io->buf));
	atomic_set(&io->pending, hweight32(alive));

	quorum_alloc_buffers(qc, io, bio);

	io->fan_out = quorum_fan_out_legs(qc, io,
					  atomic_inc_return(&qc->reads_in_flight) > 1);
	for (i = 0; i < qc->nr_legs; i++) {
		if (!(alive & (1u << i)))
			continue;
		atomic64_inc(&qc->legs[i].reads);
		if (!(io->fan_out & (1u << i)))
			clones[n++] = quorum_read_clone(io, i);
	}
	if (io->fan_out) {
		INIT_WORK(&io->work, quorum_fan_out_work);
		queue_work(qc->io_wq, &io->work);
	}
	/*
	 * From a worker (deferred reads), legs may complete as they are
	 * submitted, and the last one frees @io: read nothing of it after.
	 */
	for (i = 0; i < n; i++)
		quorum_submit_read(clones[i]);
}

/*
 * read_pattern fifo: read the first alive leg only, straight into the bio's
 * pages; on an error try the next alive leg, in table order.  Nothing is
 * verified; with rewrite_corrupted, the legs that failed are rewritten
 * with the data another leg served.
 *
 * The first try costs what dm-linear costs: the bio is remapped to the leg
 * (quorum_fifo_map) and holds no range, since a read of one leg can race a
 * write no worse than on any disk.  If that leg fails, quorum_end_io takes
 * the bio back, and the retries and repairs hold the read's range, like
 * every other read, so that a repair cannot overwrite a newer write.
 */
static void quorum_fifo_submit(struct quorum_c *qc, struct quorum_io *io)
{
	unsigned int next = quorum_alive_legs(qc) & ~quorum_stale_legs(qc) &
			    ~io->fifo_failed;
	struct bio *clone;

	if (!next) {
		/* io->direct is the last leg that failed, if one did. */
		quorum_report_failure(qc, QUORUM_OP_READ, 0, io->iter.bi_sector,
				      io->iter.bi_size >> SECTOR_SHIFT);
		quorum_read_complete(io, io->fifo_failed ?
				     io->status[io->direct] : BLK_STS_IOERR,
				     NULL);
		return;
	}
	io->direct = __ffs(next);
	atomic_set(&io->pending, 1);
	io->legs = 1u << io->direct;
	clone = quorum_clone_direct(qc, io, GFP_NOIO);
	atomic64_inc(&qc->legs[io->direct].reads);
	quorum_submit_read(clone);
}

static void quorum_fifo_retry_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);

	quorum_fifo_submit(io->qc, io);
}

static void quorum_fifo_repair_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);
	struct quorum_repair *repairs = NULL, *rep;
	unsigned int i, offset, len;
	struct quorum_copy data;

	quorum_get_copy(io, io->direct, &data);
	for (i = 0; i < io->qc->nr_legs; i++) {
		if (!(io->fifo_failed & (1u << i)))
			continue;
		/* fifo reads are not split: repair them a piece at a time. */
		for (offset = 0; offset < io->iter.bi_size; offset += len) {
			len = min_t(unsigned int, io->iter.bi_size - offset,
				    QUORUM_MAX_READ_SECTORS << SECTOR_SHIFT);
			rep = quorum_prepare_repair(io, &data, i, offset, len,
						    DIV_ROUND_UP(len, QUORUM_BLOCK_SECTORS <<
								 SECTOR_SHIFT));
			if (rep) {
				rep->next = repairs;
				repairs = rep;
			}
		}
	}
	quorum_read_complete(io, BLK_STS_OK, repairs);
}

/* A leg failed a fifo read: count it, and try the next one. */
static void quorum_fifo_leg_failed(struct quorum_io *io, blk_status_t status)
{
	unsigned int leg = io->direct;

	io->status[leg] = status;
	io->fifo_failed |= 1u << leg;
	quorum_leg_error(io->qc, leg, QUORUM_OP_READ, blk_status_to_errno(status),
			 io->iter.bi_sector, io->iter.bi_size >> SECTOR_SHIFT);
}

static void quorum_fifo_done(struct quorum_io *io)
{
	struct quorum_c *qc = io->qc;
	blk_status_t status = io->status[io->direct];

	if (!status) {
		quorum_leg_success(&qc->legs[io->direct]);
		if (io->fifo_failed && quorum_io_repairs(io)) {
			INIT_WORK(&io->work, quorum_fifo_repair_work);
			queue_work(qc->io_wq, &io->work);
			return;
		}
		quorum_read_complete(io, BLK_STS_OK, NULL);
		return;
	}
	quorum_fifo_leg_failed(io, status);
	INIT_WORK(&io->work, quorum_fifo_retry_work);
	queue_work(qc->wq, &io->work);
}

/* Fill in @io for @bio, with the range it holds once it is locked. */
static void quorum_init_io(struct quorum_c *qc, struct quorum_io *io,
			   struct bio *bio, unsigned int flags)
{
	io->qc = qc;
	io->bio = bio;
	io->iter = bio->bi_iter;
	io->flags = flags;
	io->fifo_failed = 0;
	io->range.start = bio->bi_iter.bi_sector;
	io->range.end = bio_end_sector(bio);
	io->range.exclusive = bio_op(bio) != REQ_OP_READ;
}

/* The first try: the bio itself goes to the first alive leg in sync. */
static int quorum_fifo_map(struct quorum_c *qc, struct quorum_io *io,
			   struct bio *bio, unsigned int readable)
{
	quorum_init_io(qc, io, bio, QUORUM_IO_FIFO | QUORUM_IO_REMAPPED);
	io->direct = __ffs(readable);
	io->bio_flags = bio->bi_flags;
	atomic64_inc(&qc->legs[io->direct].reads);

	bio_set_dev(bio, qc->legs[io->direct].dev->bdev);
	bio->bi_iter.bi_sector = dm_target_offset(qc->ti, bio->bi_iter.bi_sector);
	quorum_leg_read_flags(bio);
	return DM_MAPIO_REMAPPED;
}

/* Retries of a remapped fifo read take the read's range first. */
static void quorum_fifo_failover_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);

	if (quorum_lock_range(io->qc, &io->range))
		quorum_issue(io);
}

static int quorum_end_io(struct dm_target *ti, struct bio *bio,
			 blk_status_t *error)
{
	struct quorum_c *qc = ti->private;
	struct quorum_io *io = dm_per_bio_data(bio, sizeof(*io));

	if (!(io->flags & QUORUM_IO_REMAPPED))
		return DM_ENDIO_DONE;
	io->flags &= ~QUORUM_IO_REMAPPED;
	if (!*error) {
		quorum_leg_success(&qc->legs[io->direct]);
		return DM_ENDIO_DONE;
	}

	quorum_fifo_leg_failed(io, *error);
	/*
	 * Back as it was mapped (as dm_bio_restore() does it: the leg's
	 * flags, BIO_REMAPPED among them, must not follow); the retries
	 * clone it.
	 */
	bio->bi_bdev = dm_disk(qc->md)->part0;
	bio->bi_flags = io->bio_flags;
	bio->bi_iter = io->iter;
	INIT_WORK(&io->work, quorum_fifo_failover_work);
	queue_work(qc->wq, &io->work);
	return DM_ENDIO_INCOMPLETE;
}

/*
 * Writes, flushes, discards and write-zeroes: the same bio to every leg.
 * The clones are taken as a read's bios are (quorum_alloc_buffers()): all
 * at once without waiting, or else all under reserve_lock.
 */
static void quorum_issue_write(struct quorum_c *qc, struct quorum_io *io,
			       unsigned int alive)
{
	struct bio *bio = quorum_io_bio(io);
	struct bio *clones[QUORUM_MAX_LEGS] = { };
	gfp_t gfp = GFP_NOWAIT | __GFP_NOWARN;
	bool locked = false;
	unsigned int i;

	io->legs = alive;
	atomic_set(&io->pending, hweight32(alive));
retry:
	for (i = 0; i < qc->nr_legs; i++) {
		if (!(alive & (1u << i)))
			continue;
		clones[i] = quorum_alloc_bio(qc, io, i, bio, 0, 0, gfp);
		if (!clones[i])
			goto fail;
		clones[i]->bi_end_io = quorum_write_endio;
	}
	if (locked)
		mutex_unlock(&qc->reserve_lock);
	for (i = 0; i < qc->nr_legs; i++) {
		if (!clones[i])
			continue;
		atomic64_inc(&qc->legs[i].writes);
		submit_bio_noacct(clones[i]);
	}
	return;

fail:
	/* Only GFP_NOWAIT allocations can fail. */
	for (i = 0; i < qc->nr_legs; i++) {
		if (clones[i])
			bio_put(clones[i]);
		clones[i] = NULL;
	}
	mutex_lock(&qc->reserve_lock);
	locked = true;
	gfp = GFP_NOIO;
	goto retry;
}

/* Fewer than <threshold> legs are alive: fail at once, say so once. */
static void quorum_fail_fast(struct quorum_c *qc, struct quorum_io *io,
			     unsigned int alive)
{
	struct quorum_event ev = {
		.action = QUORUM_ACTION_FAILURE,
		.op = quorum_io_op(io),
		.leg = -1,
		.votes = hweight32(alive),
		.sector = io->iter.bi_sector,
		.sectors = io->iter.bi_size >> SECTOR_SHIFT,
	};
	unsigned long flags;
	bool report;

	spin_lock_irqsave(&qc->leg_lock, flags);
	report = !qc->degraded_reported;
	qc->degraded_reported = true;
	spin_unlock_irqrestore(&qc->leg_lock, flags);

	atomic_inc(&qc->quorum_failures);
	if (report) {
		DMERR("%s: only %u of %u legs alive, threshold %u: failing all I/O",
		      dm_device_name(qc->md), ev.votes, qc->nr_legs,
		      qc->threshold);
		quorum_queue_event(qc, &ev, NULL);
	}
	quorum_unlock_range(qc, &io->range, NULL);
	io->bio->bi_status = BLK_STS_IOERR;
	bio_endio(io->bio);
}

static void quorum_issue(struct quorum_io *io)
{
	struct quorum_c *qc = io->qc;
	unsigned int alive = quorum_alive_legs(qc);

	if (hweight32(alive) < qc->threshold) {
		quorum_fail_fast(qc, io, alive);
	} else if (io->range.exclusive) {
		quorum_issue_write(qc, io, alive);
	} else if (io->flags & QUORUM_IO_FIFO) {
		/* No private copies, but completion frees whatever is there. */
		memset(io->buf, 0, sizeof(io->buf));
		quorum_fifo_submit(qc, io);
	} else {
		quorum_issue_read(qc, io, alive);
	}
}

/* Fill in @io for @bio, hold its range, and send it when the range is free. */
static void quorum_start_io(struct quorum_c *qc, struct quorum_io *io,
			    struct bio *bio, unsigned int flags)
{
	quorum_init_io(qc, io, bio, flags);
	if (quorum_lock_range(qc, &io->range))
		quorum_issue(io);
}

static int quorum_map(struct dm_target *ti, struct bio *bio)
{
	struct quorum_c *qc = ti->private;
	struct quorum_io *io = dm_per_bio_data(bio, sizeof(*io));
	unsigned int flags = 0;

	if (bio_op(bio) == REQ_OP_READ) {
		sector_t leg_sector = dm_target_offset(ti, bio->bi_iter.bi_sector);
		unsigned int max = QUORUM_MAX_READ_SECTORS -
				   (leg_sector & (QUORUM_BLOCK_SECTORS - 1));

		/* fifo reads go to one leg, into the bio's pages: no split. */
		if (qc->read_pattern == QUORUM_READ_FIFO) {
			unsigned int alive = quorum_alive_legs(qc);
			unsigned int readable = alive & ~quorum_stale_legs(qc);

			if (hweight32(alive) >= qc->threshold && readable)
				return quorum_fifo_map(qc, io, bio, readable);
			flags |= QUORUM_IO_FIFO;	/* to fail it */
		} else if (bio_sectors(bio) > max) {
			dm_accept_partial_bio(bio, max);
		}
	}
	quorum_start_io(qc, io, bio, flags);
	return DM_MAPIO_SUBMITTED;
}

/*
 * Scrub: "scrub check" reads the whole device through the read path and
 * counts the blocks each leg has wrong; "scrub repair" also rewrites them
 * from the winner.  One chunk is in flight at a time, so user I/O keeps
 * its share; scrub_rate bounds the pace.  The scrub pauses across suspend.
 */

/*
 * A scrub repair voted every block and no vote was left without a winner:
 * once its repairs are written, the legs out of sync that it covered from
 * its start are in sync again.
 */
static unsigned long quorum_scrub_resync(struct quorum_c *qc)
{
	unsigned long legs;

	quorum_wait_repairs(qc);
	spin_lock_irq(&qc->leg_lock);
	legs = qc->resync_legs & qc->stale_legs;
	qc->stale_legs &= ~legs;
	qc->resync_legs = 0;
	spin_unlock_irq(&qc->leg_lock);
	return legs;
}

static void quorum_scrub_finish(struct quorum_c *qc, const char *result,
				bool done)
{
	struct quorum_scrub *sc = qc->scrub;
	struct quorum_event ev = {
		.action = QUORUM_ACTION_SCRUB_DONE,
		.leg = -1,
		.reason = result,
	};
	unsigned long resynced = 0;
	unsigned int i;

	spin_lock_irq(&sc->lock);
	ev.scrub_mode = sc->mode;
	ev.sector = sc->position;
	spin_unlock_irq(&sc->lock);

	ev.sectors = qc->ti->len;
	ev.scrub_counts[0] = atomic64_read(&sc->bad);
	ev.scrub_counts[1] = atomic64_read(&sc->repaired);
	ev.scrub_counts[2] = atomic64_read(&sc->unrecoverable);
	if (done && ev.scrub_mode == QUORUM_SCRUB_REPAIR && !ev.scrub_counts[2])
		resynced = quorum_scrub_resync(qc);

	DMINFO("%s: scrub %s %s at %llu/%llu: bad %llu repaired %llu unrecoverable %llu",
	       dm_device_name(qc->md), quorum_scrub_mode_names[ev.scrub_mode],
	       result, (unsigned long long)ev.sector,
	       (unsigned long long)ev.sectors, ev.scrub_counts[0],
	       ev.scrub_counts[1], ev.scrub_counts[2]);
	for_each_set_bit(i, &resynced, qc->nr_legs)
		DMINFO("%s: leg %s is in sync again", dm_device_name(qc->md),
		       qc->legs[i].dev->name);
	/* Idle in the status once the result is in the log. */
	spin_lock_irq(&sc->lock);
	sc->mode = QUORUM_SCRUB_IDLE;
	spin_unlock_irq(&sc->lock);
	quorum_queue_event(qc, &ev, NULL);
}

static void quorum_scrub_chunk_endio(struct bio *bio)
{
	struct quorum_c *qc = bio->bi_private;
	struct quorum_scrub *sc = qc->scrub;
	unsigned int sectors = bio_sectors(bio);
	unsigned long flags, delay = 0;

	/* Once in_flight is clear, a suspend and a table unload may follow. */
	bio_put(bio);
	spin_lock_irqsave(&sc->lock, flags);
	sc->position += sectors;
	sc->done_kib += sectors / 2;
	sc->in_flight = false;
	if (qc->scrub_rate) {
		unsigned long due = sc->started +
				    div_u64((u64)sc->done_kib * HZ, qc->scrub_rate);

		if (time_before(jiffies, due))
			delay = due - jiffies;
	}
	if (!sc->paused)
		queue_delayed_work(qc->wq, &sc->work, delay);
	wake_up(&sc->wait);
	spin_unlock_irqrestore(&sc->lock, flags);
}

static void quorum_scrub_work(struct work_struct *work)
{
	struct quorum_scrub *sc = container_of(to_delayed_work(work),
					       struct quorum_scrub, work);
	struct quorum_c *qc = sc->io.qc;
	unsigned int flags, nr_pages, i;
	sector_t sector, len;
	struct bio *bio;
	const char *end = NULL;
	bool done;

	spin_lock_irq(&sc->lock);
	if (sc->mode == QUORUM_SCRUB_IDLE || sc->paused || sc->in_flight) {
		spin_unlock_irq(&sc->lock);
		return;
	}
	done = !sc->stop && sc->position >= qc->ti->len;
	if (sc->stop)
		end = "stopped";
	else if (done)
		end = "done";
	else if (hweight32(quorum_alive_legs(qc)) < qc->threshold)
		end = "failed";
	sector = sc->position;
	len = min_t(sector_t, qc->ti->len - sector, QUORUM_MAX_READ_SECTORS);
	flags = sc->mode == QUORUM_SCRUB_REPAIR ? QUORUM_IO_SCRUB_REPAIR :
		QUORUM_IO_SCRUB_CHECK;
	sc->in_flight = !end;
	spin_unlock_irq(&sc->lock);

	if (end) {
		quorum_scrub_finish(qc, end, done);
		return;
	}

	nr_pages = DIV_ROUND_UP(len << SECTOR_SHIFT, PAGE_SIZE);
	bio = bio_alloc_bioset(NULL, nr_pages, REQ_OP_READ, GFP_NOIO, &qc->bs);
	bio->bi_iter.bi_sector = qc->ti->begin + sector;
	for (i = 0; i < nr_pages; i++)
		__bio_add_page(bio, sc->pages[i],
			       min_t(unsigned int, PAGE_SIZE,
				     (len << SECTOR_SHIFT) - i * PAGE_SIZE), 0);
	bio->bi_end_io = quorum_scrub_chunk_endio;
	bio->bi_private = qc;
	quorum_start_io(qc, &sc->io, bio, flags);
}

static int quorum_scrub_start(struct quorum_c *qc, enum quorum_scrub_mode mode)
{
	struct quorum_scrub *sc = qc->scrub;
	unsigned int i;

	spin_lock_irq(&sc->lock);
	if (sc->mode != QUORUM_SCRUB_IDLE || sc->in_flight) {
		spin_unlock_irq(&sc->lock);
		DMERR("%s: a scrub is already running; \"scrub stop\" first",
		      dm_device_name(qc->md));
		return -EBUSY;
	}
	sc->mode = mode;
	sc->stop = false;
	sc->position = 0;
	sc->started = jiffies;
	sc->done_kib = 0;
	atomic64_set(&sc->bad, 0);
	atomic64_set(&sc->repaired, 0);
	atomic64_set(&sc->unrecoverable, 0);
	for (i = 0; i < qc->nr_legs; i++)
		atomic_set(&qc->legs[i].scrub_bad, 0);
	spin_unlock_irq(&sc->lock);
	/* A leg that goes out of sync from now on drops out of it. */
	spin_lock_irq(&qc->leg_lock);
	qc->resync_legs = mode == QUORUM_SCRUB_REPAIR ?
			  qc->stale_legs & ~qc->failed_legs : 0;
	spin_unlock_irq(&qc->leg_lock);
	DMINFO("%s: scrub %s started", dm_device_name(qc->md),
	       quorum_scrub_mode_names[mode]);
	mod_delayed_work(qc->wq, &sc->work, 0);
	return 0;
}

static void quorum_scrub_stop(struct quorum_c *qc)
{
	struct quorum_scrub *sc = qc->scrub;

	spin_lock_irq(&sc->lock);
	sc->stop = true;
	spin_unlock_irq(&sc->lock);
	mod_delayed_work(qc->wq, &sc->work, 0);
}

/* Suspend: no chunk may be in flight, none may start until resume. */
static void quorum_scrub_pause(struct quorum_c *qc)
{
	struct quorum_scrub *sc = qc->scrub;

	spin_lock_irq(&sc->lock);
	sc->paused = true;
	spin_unlock_irq(&sc->lock);
	cancel_delayed_work_sync(&sc->work);
	spin_lock_irq(&sc->lock);
	wait_event_lock_irq(sc->wait, !sc->in_flight, sc->lock);
	spin_unlock_irq(&sc->lock);
}

static void quorum_scrub_resume(struct quorum_c *qc)
{
	struct quorum_scrub *sc = qc->scrub;
	bool running;

	spin_lock_irq(&sc->lock);
	sc->paused = false;
	running = sc->mode != QUORUM_SCRUB_IDLE;
	/* The pause does not count against the rate. */
	sc->started = jiffies;
	sc->done_kib = 0;
	spin_unlock_irq(&sc->lock);
	if (running)
		mod_delayed_work(qc->wq, &sc->work, 0);
}

static struct quorum_scrub *quorum_scrub_alloc(struct quorum_c *qc)
{
	struct quorum_scrub *sc = kzalloc(sizeof(*sc), GFP_KERNEL);
	unsigned int i;

	if (!sc)
		return NULL;
	for (i = 0; i < QUORUM_MAX_READ_PAGES; i++) {
		sc->pages[i] = alloc_page(GFP_KERNEL);
		if (!sc->pages[i])
			goto bad;
	}
	spin_lock_init(&sc->lock);
	init_waitqueue_head(&sc->wait);
	INIT_DELAYED_WORK(&sc->work, quorum_scrub_work);
	sc->io.qc = qc;
	/* A table is loaded suspended. */
	sc->paused = true;
	return sc;
bad:
	while (i--)
		__free_page(sc->pages[i]);
	kfree(sc);
	return NULL;
}

static void quorum_scrub_free(struct quorum_scrub *sc)
{
	unsigned int i;

	if (!sc)
		return;
	for (i = 0; i < QUORUM_MAX_READ_PAGES; i++)
		__free_page(sc->pages[i]);
	kfree(sc);
}

/*
 * Messages.
 */

static int quorum_find_leg(struct quorum_c *qc, const char *arg)
{
	unsigned int index, major, minor, i;
	bool is_index;

	if (!quorum_parse_leg_ref(arg, &is_index, &index, &major, &minor))
		return -EINVAL;
	if (is_index)
		return index < qc->nr_legs ? index : -ENODEV;
	for (i = 0; i < qc->nr_legs; i++)
		if (qc->legs[i].dev->bdev->bd_dev == MKDEV(major, minor))
			return i;
	return -ENODEV;
}

static int quorum_message_leg(struct quorum_c *qc, bool fail, const char *arg)
{
	const char *name = qc->md ? dm_device_name(qc->md) : "";
	int i = quorum_find_leg(qc, arg);
	unsigned int alive;
	int r = 0;

	if (i < 0) {
		DMERR("%s: %s: no leg %s: give an index from 0 to %u or a leg's major:minor",
		      name, fail ? "fail_leg" : "reinstate_leg", arg,
		      qc->nr_legs - 1);
		return -EINVAL;
	}

	spin_lock_irq(&qc->leg_lock);
	alive = hweight32(quorum_alive_legs(qc));
	if (fail && test_bit(i, &qc->failed_legs)) {
		r = -EINVAL;
	} else if (fail && alive - 1 < qc->threshold) {
		r = -EBUSY;
	} else if (!fail && !test_bit(i, &qc->failed_legs)) {
		r = -EINVAL;
	} else if (fail) {
		__quorum_fail_leg(qc, i);
	} else {
		__clear_bit(i, &qc->failed_legs);
		atomic_set(&qc->legs[i].consecutive_errors, 0);
		if (alive + 1 >= qc->threshold)
			qc->degraded_reported = false;
	}
	spin_unlock_irq(&qc->leg_lock);

	if (r == -EBUSY) {
		DMERR("%s: fail_leg %s refused: only %u of %u legs would stay alive, threshold %u",
		      name, qc->legs[i].dev->name, alive - 1, qc->nr_legs,
		      qc->threshold);
	} else if (r) {
		DMERR("%s: %s %s: the leg is %s", name,
		      fail ? "fail_leg" : "reinstate_leg",
		      qc->legs[i].dev->name, fail ? "already failed" : "not failed");
	} else if (fail) {
		DMWARN("%s: leg %s failed by the operator; %u of %u legs alive",
		       name, qc->legs[i].dev->name, alive - 1, qc->nr_legs);
		quorum_report_leg_state(qc, i, QUORUM_ACTION_LEG_FAILED,
					"operator", 0);
	} else {
		DMINFO("%s: leg %s reinstated, out of sync until a scrub repair",
		       name, qc->legs[i].dev->name);
		quorum_report_leg_state(qc, i, QUORUM_ACTION_LEG_REINSTATED,
					"operator", 0);
	}
	return r;
}

static char quorum_leg_health(struct quorum_c *qc, unsigned int i)
{
	struct quorum_leg *leg = &qc->legs[i];

	if (test_bit(i, &qc->failed_legs))
		return 'D';
	if (test_bit(i, &qc->stale_legs))
		return 'O';
	if (atomic_read(&leg->write_errors) || atomic_read(&leg->flush_errors))
		return 'W';
	if (atomic_read(&leg->read_errors) || atomic_read(&leg->outvoted))
		return 'R';
	return 'A';
}

static void quorum_stats(struct quorum_c *qc, char *result, unsigned int maxlen)
{
	unsigned int sz = 0, i;

	for (i = 0; i < qc->nr_legs; i++) {
		struct quorum_leg *leg = &qc->legs[i];

		DMEMIT("leg=%u dev=%s health=%c reads=%lld writes=%lld", i,
		       leg->dev->name, quorum_leg_health(qc, i),
		       atomic64_read(&leg->reads), atomic64_read(&leg->writes));
		DMEMIT(" read_errors=%d write_errors=%d flush_errors=%d",
		       atomic_read(&leg->read_errors),
		       atomic_read(&leg->write_errors),
		       atomic_read(&leg->flush_errors));
		DMEMIT(" outvoted_blocks=%d repaired_blocks=%d scrub_bad_blocks=%d\n",
		       atomic_read(&leg->outvoted), atomic_read(&leg->repaired),
		       atomic_read(&leg->scrub_bad));
	}
	DMEMIT("quorum_failures=%d events_dropped=%d\n",
	       atomic_read(&qc->quorum_failures),
	       atomic_read(&qc->events_dropped));
	DMEMIT("pages_reserved=%u pages_cached=%u\n",
	       quorum_read_reserve(qc->nr_legs), READ_ONCE(qc->cache.nr));
}

static void quorum_clear_stats(struct quorum_c *qc)
{
	unsigned int i;

	for (i = 0; i < qc->nr_legs; i++) {
		struct quorum_leg *leg = &qc->legs[i];

		atomic64_set(&leg->reads, 0);
		atomic64_set(&leg->writes, 0);
		atomic_set(&leg->read_errors, 0);
		atomic_set(&leg->write_errors, 0);
		atomic_set(&leg->flush_errors, 0);
		atomic_set(&leg->outvoted, 0);
		atomic_set(&leg->repaired, 0);
	}
	atomic_set(&qc->quorum_failures, 0);
	atomic_set(&qc->events_dropped, 0);
}

static int quorum_message(struct dm_target *ti, unsigned int argc, char **argv,
			  char *result, unsigned int maxlen)
{
	struct quorum_c *qc = ti->private;
	const char *name = dm_device_name(qc->md);

	if (argc == 1 && !strcasecmp(argv[0], "stats")) {
		quorum_stats(qc, result, maxlen);
		return 1;
	}
	if (argc == 1 && !strcasecmp(argv[0], "clear_stats")) {
		quorum_clear_stats(qc);
		return 0;
	}
	if (argc == 2 && !strcasecmp(argv[0], "fail_leg"))
		return quorum_message_leg(qc, true, argv[1]);
	if (argc == 2 && !strcasecmp(argv[0], "reinstate_leg"))
		return quorum_message_leg(qc, false, argv[1]);
	if (argc == 2 && !strcasecmp(argv[0], "scrub")) {
		if (!strcasecmp(argv[1], "check"))
			return quorum_scrub_start(qc, QUORUM_SCRUB_CHECK);
		if (!strcasecmp(argv[1], "repair"))
			return quorum_scrub_start(qc, QUORUM_SCRUB_REPAIR);
		if (!strcasecmp(argv[1], "stop")) {
			quorum_scrub_stop(qc);
			return 0;
		}
	}
	DMERR("%s: invalid message \"%s\"%s; see: stats, clear_stats, %s",
	      name, argc ? argv[0] : "", argc > 1 ? " with these arguments" : "",
	      "fail_leg <leg>, reinstate_leg <leg>, scrub check|repair|stop");
	return -EINVAL;
}

/*
 * Construction and destruction.
 */

static void quorum_dtr(struct dm_target *ti)
{
	struct quorum_c *qc = ti->private;
	unsigned int i;

	if (qc->scrub) {
		cancel_delayed_work_sync(&qc->scrub->work);
		if (qc->scrub->mode != QUORUM_SCRUB_IDLE)
			DMINFO("%s: scrub %s stopped by the table's unload at %llu/%llu",
			       dm_device_name(qc->md),
			       quorum_scrub_mode_names[qc->scrub->mode],
			       (unsigned long long)qc->scrub->position,
			       (unsigned long long)ti->len);
	}
	if (qc->io_wq)
		destroy_workqueue(qc->io_wq);
	if (qc->wq)
		destroy_workqueue(qc->wq);
	quorum_scrub_free(qc->scrub);
	if (!IS_ERR_OR_NULL(qc->tfm))
		crypto_free_shash(qc->tfm);
	mempool_destroy(qc->vote_pool);
	quorum_cache_destroy(&qc->cache);
	mempool_destroy(qc->page_pool);
	bioset_exit(&qc->bs);
	for (i = 0; i < qc->nr_legs; i++)
		if (qc->legs[i].dev)
			dm_put_device(ti, qc->legs[i].dev);
	kfree(qc->env);
	kfree(qc);
}

/* Let the first report of every kind through at once. */
static void quorum_init_event_limits(struct quorum_c *qc)
{
	unsigned long now = jiffies;
	unsigned int i, a, o;

	qc->next_table_event = now;
	for (a = 0; a < QUORUM_NR_ACTIONS; a++) {
		for (o = 0; o < QUORUM_NR_OPS; o++) {
			qc->next_event[a][o] = now;
			for (i = 0; i < qc->nr_legs; i++)
				qc->legs[i].next_event[a][o] = now;
		}
	}
}

static int quorum_get_leg(struct dm_target *ti, struct quorum_c *qc,
			  unsigned int i, const char *path)
{
	struct quorum_leg *leg = &qc->legs[i];
	unsigned int j;
	int r;

	r = dm_get_device(ti, path, dm_table_get_mode(ti->table), &leg->dev);
	if (r) {
		DMERR("Leg %s cannot be opened: error %d", path, r);
		ti->error = "Leg cannot be opened";
		return r;
	}
	if (bdev_nr_sectors(leg->dev->bdev) < ti->len) {
		DMERR("Leg %s is too small: %llu sectors, need %llu",
		      leg->dev->name,
		      (unsigned long long)bdev_nr_sectors(leg->dev->bdev),
		      (unsigned long long)ti->len);
		ti->error = "Leg is too small";
		return -EINVAL;
	}
	if (bdev_is_zoned(leg->dev->bdev)) {
		DMERR("Leg %s is a zoned device", leg->dev->name);
		ti->error = "Zoned legs are not supported";
		return -EINVAL;
	}
	for (j = 0; j < i; j++) {
		if (qc->legs[j].dev->bdev->bd_dev == leg->dev->bdev->bd_dev) {
			DMERR("Leg %s is given twice", leg->dev->name);
			ti->error = "Leg is given twice";
			/* dm_get_device() returned the same reference. */
			dm_put_device(ti, leg->dev);
			leg->dev = NULL;
			return -EINVAL;
		}
	}
	return 0;
}

static int quorum_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct quorum_table table;
	struct quorum_c *qc;
	unsigned int i;
	int r;

	ti->error = quorum_parse_table(argc, argv, &table);
	if (ti->error) {
		if (table.bad_arg)
			DMERR("%s: %s", ti->error, table.bad_arg);
		return -EINVAL;
	}

	qc = kzalloc(struct_size(qc, legs, table.nr_legs), GFP_KERNEL);
	if (!qc) {
		ti->error = "Cannot allocate quorum context";
		return -ENOMEM;
	}
	ti->private = qc;
	qc->ti = ti;
	qc->md = dm_table_get_md(ti->table);
	quorum_cache_init(&qc->cache);
	qc->threshold = table.threshold;
	qc->features = table.features;
	qc->read_pattern = table.read_pattern;
	qc->error_limit = table.error_limit;
	qc->scrub_rate = table.scrub_rate;
	qc->stale_legs = table.out_of_sync;
	spin_lock_init(&qc->leg_lock);
	mutex_init(&qc->reserve_lock);
	spin_lock_init(&qc->event_lock);
	INIT_WORK(&qc->event_work, quorum_event_work);
	spin_lock_init(&qc->range_lock);
	INIT_LIST_HEAD(&qc->active);
	INIT_LIST_HEAD(&qc->deferred);
	INIT_WORK(&qc->deferred_work, quorum_deferred_work);
	spin_lock_init(&qc->repairs_lock);
	init_waitqueue_head(&qc->repairs_wait);

	for (i = 0; i < table.nr_legs; i++) {
		qc->nr_legs = i + 1;
		r = quorum_get_leg(ti, qc, i, table.legs[i]);
		if (r) {
			if (!qc->legs[i].dev)
				qc->nr_legs = i;
			goto bad;
		}
	}

	r = bioset_init(&qc->bs, 2 * qc->nr_legs,
			offsetof(struct quorum_clone, bio),
			BIOSET_NEED_BVECS | BIOSET_NEED_RESCUER);
	if (r) {
		ti->error = "Cannot allocate bio set";
		goto bad;
	}
	r = quorum_cache_start(&qc->cache, dm_device_name(qc->md));
	if (r) {
		ti->error = "Cannot allocate page cache shrinker";
		goto bad;
	}
	r = -ENOMEM;
	qc->page_pool = mempool_create(quorum_read_reserve(qc->nr_legs),
				       quorum_page_alloc, quorum_page_free, qc);
	if (!qc->page_pool) {
		ti->error = "Cannot allocate page pool";
		goto bad;
	}
	qc->vote_pool = mempool_create_kmalloc_pool(1, sizeof(struct quorum_vote_state));
	if (!qc->vote_pool) {
		ti->error = "Cannot allocate vote pool";
		goto bad;
	}
	qc->env = kzalloc(sizeof(*qc->env), GFP_KERNEL);
	if (!qc->env) {
		ti->error = "Cannot allocate uevent buffer";
		goto bad;
	}
	qc->tfm = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(qc->tfm)) {
		r = PTR_ERR(qc->tfm);
		ti->error = "Cannot allocate sha256";
		goto bad;
	}
	qc->wq = alloc_workqueue("kquorumd", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	qc->io_wq = alloc_workqueue("kquorumd_io", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!qc->wq || !qc->io_wq) {
		ti->error = "Cannot allocate workqueue";
		goto bad;
	}
	qc->scrub = quorum_scrub_alloc(qc);
	if (!qc->scrub) {
		ti->error = "Cannot allocate scrub buffer";
		goto bad;
	}
	quorum_init_event_limits(qc);

	ti->num_flush_bios = 1;
	ti->num_discard_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->per_io_data_size = sizeof(struct quorum_io);
	quorum_compat_ctr_stable_writes(ti);
	return 0;

bad:
	quorum_dtr(ti);
	return r;
}

static void quorum_presuspend(struct dm_target *ti)
{
	quorum_scrub_pause(ti->private);
}

static void quorum_resume(struct dm_target *ti)
{
	quorum_scrub_resume(ti->private);
}

static void quorum_postsuspend(struct dm_target *ti)
{
	struct quorum_c *qc = ti->private;

	/*
	 * The bios are done; repairs, which dm core does not see, may not
	 * be, and no uevent of this table may be sent once it is suspended.
	 */
	quorum_wait_repairs(qc);
	flush_workqueue(qc->io_wq);
	flush_workqueue(qc->wq);
}

/*
 * Status, table and the queue limits.
 */

static void quorum_status_scrub(struct quorum_c *qc, char *result,
				unsigned int maxlen, unsigned int *szp)
{
	struct quorum_scrub *sc = qc->scrub;
	enum quorum_scrub_mode mode;
	unsigned int sz = *szp;
	sector_t position;

	spin_lock_irq(&sc->lock);
	mode = sc->mode;
	position = sc->position;
	spin_unlock_irq(&sc->lock);
	DMEMIT(" %s %llu/%llu %lld %lld %lld", quorum_scrub_mode_names[mode],
	       (unsigned long long)position, (unsigned long long)qc->ti->len,
	       atomic64_read(&sc->bad), atomic64_read(&sc->repaired),
	       atomic64_read(&sc->unrecoverable));
	*szp = sz;
}

static void quorum_status(struct dm_target *ti, status_type_t type,
			  unsigned int status_flags, char *result,
			  unsigned int maxlen)
{
	struct quorum_c *qc = ti->private;
	unsigned int sz = 0, i, j, stale, features;
	char sep;

	switch (type) {
	case STATUSTYPE_INFO:
		DMEMIT("%u", qc->nr_legs);
		for (i = 0; i < qc->nr_legs; i++)
			DMEMIT(" %s", qc->legs[i].dev->name);
		DMEMIT(" ");
		for (i = 0; i < qc->nr_legs; i++)
			DMEMIT("%c", quorum_leg_health(qc, i));
		for (i = 0; i < qc->nr_legs; i++) {
			struct quorum_leg *leg = &qc->legs[i];

			DMEMIT(" %u:%u:%u:%u:%u", atomic_read(&leg->read_errors),
			       atomic_read(&leg->write_errors),
			       atomic_read(&leg->flush_errors),
			       atomic_read(&leg->outvoted),
			       atomic_read(&leg->repaired));
		}
		DMEMIT(" %u %u", atomic_read(&qc->quorum_failures),
		       atomic_read(&qc->events_dropped));
		quorum_status_scrub(qc, result, maxlen, &sz);
		break;

	case STATUSTYPE_TABLE:
		/* out_of_sync: the legs out of sync now, as a reload needs it. */
		stale = quorum_stale_legs(qc);
		features = qc->features & ~QUORUM_FEATURE_OUT_OF_SYNC;
		if (stale)
			features |= QUORUM_FEATURE_OUT_OF_SYNC;
		DMEMIT("%u", qc->threshold);
		for (i = 0; i < qc->nr_legs; i++)
			DMEMIT(" %s", qc->legs[i].dev->name);
		if (!features)
			break;
		for (i = 0, j = 0; j < QUORUM_NR_FEATURES; j++)
			if (features & (1u << j))
				i += 1 + quorum_features[j].has_value;
		DMEMIT(" %u", i);
		if (qc->features & QUORUM_FEATURE_REWRITE_CORRUPTED)
			DMEMIT(" rewrite_corrupted");
		if (qc->features & QUORUM_FEATURE_READ_PATTERN)
			DMEMIT(" read_pattern %s",
			       quorum_read_pattern_names[qc->read_pattern]);
		if (qc->features & QUORUM_FEATURE_ERROR_LIMIT)
			DMEMIT(" error_limit %u", qc->error_limit);
		if (qc->features & QUORUM_FEATURE_SCRUB_RATE)
			DMEMIT(" scrub_rate %u", qc->scrub_rate);
		if (!stale)
			break;
		DMEMIT(" out_of_sync");
		for (i = 0, sep = ' '; i < qc->nr_legs; i++) {
			if (!(stale & (1u << i)))
				continue;
			DMEMIT("%c%u", sep, i);
			sep = ',';
		}
		break;

	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",threshold=%u,legs=%u", qc->threshold, qc->nr_legs);
		for (i = 0; i < qc->nr_legs; i++)
			DMEMIT(",leg_%u=%s", i, qc->legs[i].dev->name);
		DMEMIT(",rewrite_corrupted=%c,read_pattern=%s,error_limit=%u,scrub_rate=%u;",
		       qc->features & QUORUM_FEATURE_REWRITE_CORRUPTED ? 'y' : 'n',
		       quorum_read_pattern_names[qc->read_pattern],
		       qc->error_limit, qc->scrub_rate);
		break;
	}
}

static int quorum_iterate_devices(struct dm_target *ti,
				  iterate_devices_callout_fn fn, void *data)
{
	struct quorum_c *qc = ti->private;
	unsigned int i;
	int r = 0;

	for (i = 0; !r && i < qc->nr_legs; i++)
		r = fn(ti, qc->legs[i].dev, 0, ti->len, data);
	return r;
}

static void quorum_io_hints(struct dm_target *ti, struct queue_limits *limits)
{
	quorum_compat_io_hints_stable_writes(limits);
}

static struct target_type quorum_target = {
	.name = "quorum",
	.version = {1, 0, 0},
	.module = THIS_MODULE,
	.ctr = quorum_ctr,
	.dtr = quorum_dtr,
	.map = quorum_map,
	.end_io = quorum_end_io,
	.message = quorum_message,
	.presuspend = quorum_presuspend,
	/* A suspend that fails after presuspend gets no resume. */
	.presuspend_undo = quorum_resume,
	.postsuspend = quorum_postsuspend,
	.resume = quorum_resume,
	.status = quorum_status,
	.iterate_devices = quorum_iterate_devices,
	.io_hints = quorum_io_hints,
};

static int __init dm_quorum_init(void)
{
	int r = dm_register_target(&quorum_target);

	if (r < 0)
		DMERR("register failed %d", r);
	return r;
}

static void __exit dm_quorum_exit(void)
{
	dm_unregister_target(&quorum_target);
}

module_init(dm_quorum_init);
module_exit(dm_quorum_exit);

MODULE_DESCRIPTION(DM_NAME " target that keeps N copies and votes on reads");
MODULE_AUTHOR("dm-quorum developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0.0");
MODULE_ALIAS("dm-quorum");
MODULE_SOFTDEP("pre: sha256");
