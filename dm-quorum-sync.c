// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: which legs hold the data.  Owns every leg's sync state: the
 * regions of the device a leg is out of sync in, because it missed a
 * write, discard, write-zeroes or repair there, was failed while writes
 * reached them, or the table said so.  Its share of ctr/dtr is the
 * bitmaps; of the table line, region_size.
 *
 * A copy from a leg out of sync for a block never counts as a vote, fifo
 * reads do not read it, and flushes do not count it.  A leg is in sync
 * again region by region, as a resync copies them, or whole, when a scrub
 * repair has covered it.
 *
 * Locks: leg_lock (irq-safe) protects every change of a leg's regions, of
 * their count and of out_of_sync_mask; readers test bits without it, since
 * a region is marked before the range of the write that missed it is
 * released, and read under a range taken after that.
 */
#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "dm-quorum.h"

/* The regions that target sectors [@sector, @sector + @sectors) touch. */
void quorum_regions(struct quorum_c *qc, sector_t sector, sector_t sectors,
		    unsigned long *first, unsigned long *last)
{
	*first = sector >> qc->region_shift;
	*last = (sector + sectors - 1) >> qc->region_shift;
}

/*
 * Under leg_lock: leg @i missed a write to target sectors [@sector,
 * @sector + @sectors), or everything if @sectors is 0.  True if the leg
 * was in sync before.
 */
static bool __quorum_mark_regions(struct quorum_c *qc, unsigned int i,
				  sector_t sector, sector_t sectors)
{
	struct quorum_leg *leg = &qc->legs[i];
	unsigned long first, last, r;
	bool was_in_sync = !leg->nr_out_of_sync;

	if (!sectors) {
		bitmap_fill(leg->out_of_sync_regions, qc->nr_regions);
		leg->nr_out_of_sync = qc->nr_regions;
	} else {
		quorum_regions(qc, sector, sectors, &first, &last);
		if (last - first < BITS_PER_LONG) {
			for (r = first; r <= last; r++)
				if (!__test_and_set_bit(r, leg->out_of_sync_regions))
					leg->nr_out_of_sync++;
		} else {
			/* A large discard: word at a time, irqs are off. */
			bitmap_set(leg->out_of_sync_regions, first,
				   last - first + 1);
			leg->nr_out_of_sync = bitmap_weight(leg->out_of_sync_regions,
							    qc->nr_regions);
		}
	}
	/* Pairs with quorum_meta_sync_oos(): the bits, then the count. */
	smp_store_release(&leg->marks, leg->marks + 1);
	__clear_bit(i, &qc->resync_mask);
	__set_bit(i, &qc->out_of_sync_mask);
	return was_in_sync;
}

/*
 * Leg @i missed a write to target sectors [@sector, @sector + @sectors),
 * or may have missed any (a flush failed) if @sectors is 0; @why says so
 * in the log when the leg was in sync.
 */
void quorum_mark_out_of_sync(struct quorum_c *qc, unsigned int i,
			     sector_t sector, sector_t sectors, const char *why)
{
	unsigned long flags;
	bool was_in_sync;

	spin_lock_irqsave(&qc->leg_lock, flags);
	was_in_sync = __quorum_mark_regions(qc, i, sector, sectors);
	spin_unlock_irqrestore(&qc->leg_lock, flags);
	/* On disk soon (at once where a write waits for it). */
	quorum_meta_kick(qc);
	if (was_in_sync)
		DMWARN("%s: leg %s is out of sync: %s",
		       dm_device_name(qc->md), qc->legs[i].dev->name, why);
}

/*
 * The failed legs in @mask miss a write to target sectors [@sector,
 * @sector + @sectors): they are out of sync there.  Said once per leg,
 * when it fails.
 */
void quorum_mark_missed(struct quorum_c *qc, unsigned long mask,
			sector_t sector, sector_t sectors)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&qc->leg_lock, flags);
	for_each_set_bit(i, &mask, qc->nr_legs)
		__quorum_mark_regions(qc, i, sector, sectors);
	spin_unlock_irqrestore(&qc->leg_lock, flags);
}

/*
 * The legs out of sync in any region that target sectors [@sector,
 * @sector + @sectors) touch.
 */
unsigned long quorum_out_of_sync_range(struct quorum_c *qc, sector_t sector,
				       sector_t sectors)
{
	unsigned long mask = quorum_out_of_sync_mask(qc), result = 0;
	unsigned long first, last;
	unsigned int i;

	if (!mask || !sectors)
		return mask;
	quorum_regions(qc, sector, sectors, &first, &last);
	for_each_set_bit(i, &mask, qc->nr_legs)
		/*
		 * data_race: the bits of this range were changed before the
		 * range locks let this I/O in; other words may be changing.
		 */
		if (data_race(find_next_bit(qc->legs[i].out_of_sync_regions,
					    last + 1, first)) <= last)
			result |= BIT(i);
	return result;
}

/*
 * Is every region out of sync on at most @allowed of the legs @legs?  A
 * word of regions at a time: the legs' words are added up bit-sliced
 * (QUORUM_MAX_LEGS fits 5 bits), and compared with @allowed.  Bits set
 * meanwhile only make the answer stricter.
 */
static bool quorum_regions_covered(struct quorum_c *qc, unsigned long legs,
				   unsigned int allowed)
{
	unsigned long words = BITS_TO_LONGS(qc->nr_regions), w;
	unsigned long plane[5], carry, t, gt, eq;
	unsigned int i, k;

	BUILD_BUG_ON(QUORUM_MAX_LEGS >= 1 << ARRAY_SIZE(plane));
	for (w = 0; w < words; w++) {
		memset(plane, 0, sizeof(plane));
		for_each_set_bit(i, &legs, qc->nr_legs) {
			/* data_race: bits set meanwhile make it stricter */
			carry = data_race(READ_ONCE(qc->legs[i].out_of_sync_regions[w]));
			for (k = 0; k < ARRAY_SIZE(plane) && carry; k++) {
				t = plane[k] & carry;
				plane[k] ^= carry;
				carry = t;
			}
		}
		/* The regions where more than @allowed legs are out of sync. */
		gt = 0;
		eq = ~0UL;
		for (k = ARRAY_SIZE(plane); k-- > 0;) {
			if (allowed & BIT(k)) {
				eq &= plane[k];
			} else {
				gt |= eq & plane[k];
				eq &= ~plane[k];
			}
		}
		if (w == words - 1)
			gt &= BITMAP_LAST_WORD_MASK(qc->nr_regions);
		if (gt)
			return false;
		if (!(w % 4096))
			cond_resched();
	}
	return true;
}

/*
 * Did a flush reach, in every region, at least <threshold> legs in sync
 * there?  @full are legs it reached that were in sync everywhere, @partial
 * those it reached that were out of sync in some region when it was sent
 * or now.  The bitmaps as they are now will do: a region comes back in
 * sync only after a flush of the leg that completed after its copy (see
 * quorum_flush_legs()), and a write the leg missed meanwhile keeps it out
 * of sync; so a leg in sync in a region now holds, on stable storage or
 * under this flush, every write acknowledged before the flush was sent.
 * Bits set meanwhile only make the answer stricter.  May sleep.
 */
bool quorum_flush_covered(struct quorum_c *qc, unsigned long full,
			  unsigned long partial)
{
	unsigned int have = hweight_long(full), need;

	if (have >= qc->threshold)
		return true;
	need = qc->threshold - have;
	if (hweight_long(partial) < need)
		return false;
	return quorum_regions_covered(qc, partial, hweight_long(partial) - need);
}

/*
 * Before legs @legs are declared in sync: what they were copied, and what
 * they held already, must be on stable storage, or a power cut would leave
 * a leg said to be in sync with older data.  A leg whose flush fails is
 * out of sync everywhere (its marks move: it is not declared).
 */
void quorum_flush_legs(struct quorum_c *qc, unsigned long legs)
{
	unsigned int i;
	int r;

	for_each_set_bit(i, &legs, qc->nr_legs) {
		/* A failed leg gets no I/O, and is not declared anyway. */
		if (test_bit(i, &qc->failed_mask))
			continue;
		r = blkdev_issue_flush(qc->legs[i].dev->bdev);
		if (r)
			quorum_leg_error(qc, i, QUORUM_OP_FLUSH, r, 0, 0);
	}
}

/*
 * Leg @i is out of sync in @regions too (as its metadata says, at
 * activation); quietly: the caller says why.
 */
void quorum_mark_regions(struct quorum_c *qc, unsigned int i,
			 const unsigned long *regions)
{
	struct quorum_leg *leg = &qc->legs[i];

	if (bitmap_empty(regions, qc->nr_regions))
		return;
	spin_lock_irq(&qc->leg_lock);
	bitmap_or(leg->out_of_sync_regions, leg->out_of_sync_regions, regions,
		  qc->nr_regions);
	leg->nr_out_of_sync = bitmap_weight(leg->out_of_sync_regions,
					    qc->nr_regions);
	/* Pairs with quorum_meta_sync_oos(): the bits, then the count. */
	smp_store_release(&leg->marks, leg->marks + 1);
	__clear_bit(i, &qc->resync_mask);
	__set_bit(i, &qc->out_of_sync_mask);
	spin_unlock_irq(&qc->leg_lock);
}

/*
 * Leg @i is out of sync everywhere, quietly (the caller says why, and the
 * metadata's update, which calls it, is not kicked again).
 */
void quorum_mark_all(struct quorum_c *qc, unsigned int i)
{
	unsigned long flags;

	spin_lock_irqsave(&qc->leg_lock, flags);
	__quorum_mark_all(qc, i);
	spin_unlock_irqrestore(&qc->leg_lock, flags);
}

/* Under leg_lock: leg @i is out of sync everywhere, quietly. */
void __quorum_mark_all(struct quorum_c *qc, unsigned int i)
{
	__quorum_mark_regions(qc, i, 0, 0);
}

/* Under leg_lock: leg @i holds every region again. */
void __quorum_mark_in_sync(struct quorum_c *qc, unsigned int i)
{
	struct quorum_leg *leg = &qc->legs[i];

	bitmap_zero(leg->out_of_sync_regions, qc->nr_regions);
	leg->nr_out_of_sync = 0;
	__clear_bit(i, &qc->out_of_sync_mask);
}

/* The regions leg @i is out of sync in, for the status. */
unsigned long quorum_out_of_sync_regions(struct quorum_c *qc, unsigned int i)
{
	return READ_ONCE(qc->legs[i].nr_out_of_sync);
}

/*
 * After the legs are open: their bitmaps, with the legs named out_of_sync
 * or failed out of sync everywhere.
 */
int quorum_sync_ctr(struct quorum_c *qc, const struct quorum_table *table)
{
	unsigned long failed = table->failed;
	sector_t regions;
	unsigned int i;

	if (table->features & QUORUM_FEATURE_METADATA)
		failed = 0;
	qc->region_shift = ilog2(table->region_size);
	/* By default, regions grow so that a leg has at most 2^21 of them. */
	if (!(table->features & QUORUM_FEATURE_REGION_SIZE))
		while ((qc->ti->len - 1) >> qc->region_shift >= QUORUM_MAX_DEFAULT_REGIONS &&
		       BIT(qc->region_shift) < QUORUM_MAX_REGION_SIZE)
			qc->region_shift++;
	regions = DIV_ROUND_UP_SECTOR_T(qc->ti->len,
					(sector_t)1 << qc->region_shift);
	if (regions > QUORUM_MAX_REGIONS) {
		DMERR("region_size %u makes %llu regions, at most %u: give a larger one",
		      1u << qc->region_shift, (unsigned long long)regions,
		      QUORUM_MAX_REGIONS);
		qc->ti->error = "Too many regions";
		return -EINVAL;
	}
	qc->nr_regions = regions;
	for (i = 0; i < qc->nr_legs; i++) {
		qc->legs[i].out_of_sync_regions =
			kvcalloc(BITS_TO_LONGS(qc->nr_regions),
				 sizeof(unsigned long), GFP_KERNEL);
		if (!qc->legs[i].out_of_sync_regions) {
			qc->ti->error = "Cannot allocate sync state bitmaps";
			return -ENOMEM;
		}
		/*
		 * What a leg failed already had missed is not known, but
		 * to the metadata (which makes a stand-in for a missing leg
		 * a new copy once reinstated).
		 */
		if ((table->out_of_sync | failed) & BIT(i))
			__quorum_mark_regions(qc, i, 0, 0);
	}
	return 0;
}

/*
 * Resync: a returning leg (reinstate_leg, or a table that names it out of
 * sync) is copied, in the background, over the regions it is out of sync
 * in, and only those.  A region is read through the read path with
 * QUORUM_IO_RESYNC: the legs in sync vote, and the winner is written to
 * the legs out of sync there, under the region's range, so that no write
 * comes between.  Once every chunk of a region is read and repaired
 * whole, and no write missed the leg meanwhile (its marks did not move),
 * the region is in sync on that leg.  Writes that reach a region under
 * resync go to the returning leg too: the resync never goes backwards.
 *
 * A pass walks the regions in order; a pass that brought some region in
 * sync, or was asked for while it ran, is followed by another while legs
 * alive are out of sync.  The resync pauses across suspend, shares
 * scrub_rate with the scrub, and ends with a QUORUM_RESYNC_DONE uevent.
 */
struct quorum_resync {
	struct quorum_walk walk;	/* its lock protects the fields below */
	bool running;
	bool again;			/* asked for while running */
	unsigned long region;		/* the region being copied */
	unsigned long leg_mask;		/* legs out of sync in it, alive */
	bool crash;			/* a crash region: legs in sync may differ */
	/* When it began: the legs failed, and those out of sync in it. */
	unsigned long crash_failed;
	unsigned long crash_out_of_sync;
	unsigned int marks[QUORUM_MAX_LEGS];	/* theirs when it began */
	bool incomplete;		/* a chunk of it was not copied whole */
	unsigned long copied;		/* regions brought in sync, this pass */
	unsigned long total;		/* and since the resync started */
};

/*
 * Under leg_lock: the legs out of sync in region @r.  A leg that missed a
 * write or a repair there (they hold its range) is among them.
 */
static unsigned long quorum_region_out_of_sync(struct quorum_c *qc,
					       unsigned long r)
{
	unsigned long mask = 0;
	unsigned int i;

	for (i = 0; i < qc->nr_legs; i++)
		if (test_bit(r, qc->legs[i].out_of_sync_regions))
			mask |= BIT(i);
	return mask;
}

static sector_t quorum_region_start(struct quorum_c *qc, unsigned long r)
{
	return (sector_t)r << qc->region_shift;
}

/*
 * The first region from @from that an alive leg is out of sync in, and
 * those legs, with their marks, in @rs; false if there is none.
 */
static bool quorum_resync_next(struct quorum_c *qc, struct quorum_resync *rs,
			       unsigned long from)
{
	unsigned long legs, next = quorum_meta_next_crash(qc, from);
	unsigned int i;

	rs->crash = next < qc->nr_regions;
	spin_lock_irq(&qc->leg_lock);
	legs = qc->out_of_sync_mask & ~qc->failed_mask;
	for_each_set_bit(i, &legs, qc->nr_legs)
		next = min(next, find_next_bit(qc->legs[i].out_of_sync_regions,
					       qc->nr_regions, from));
	rs->leg_mask = 0;
	if (next < qc->nr_regions) {
		for_each_set_bit(i, &legs, qc->nr_legs) {
			if (!test_bit(next, qc->legs[i].out_of_sync_regions))
				continue;
			rs->leg_mask |= BIT(i);
			rs->marks[i] = qc->legs[i].marks;
		}
	}
	if (next < qc->nr_regions) {
		rs->crash_failed = qc->failed_mask;
		rs->crash_out_of_sync = quorum_region_out_of_sync(qc, next);
	}
	spin_unlock_irq(&qc->leg_lock);
	rs->crash = rs->crash && quorum_meta_next_crash(qc, next) == next;
	rs->region = next;
	rs->incomplete = false;
	return rs->leg_mask || rs->crash;
}

/*
 * Every chunk of the region was read, and its repairs are written (the
 * walk waits for them) and flushed: it is in sync on the legs that missed
 * no write meanwhile.  Returns the legs now in sync everywhere.
 */
/* Under leg_lock: may leg @i be declared in sync in the region? */
static bool quorum_resync_copied(struct quorum_c *qc,
				 struct quorum_resync *rs, unsigned int i)
{
	struct quorum_leg *leg = &qc->legs[i];

	return !rs->incomplete && leg->marks == rs->marks[i] &&
	       !test_bit(i, &qc->failed_mask) &&
	       test_bit(rs->region, leg->out_of_sync_regions);
}

static unsigned long quorum_resync_region_done(struct quorum_c *qc,
					       struct quorum_resync *rs)
{
	unsigned long copied = 0, in_sync = 0;
	unsigned int i;

	spin_lock_irq(&qc->leg_lock);
	for_each_set_bit(i, &rs->leg_mask, qc->nr_legs)
		if (quorum_resync_copied(qc, rs, i))
			copied |= BIT(i);
	spin_unlock_irq(&qc->leg_lock);
	if (!copied)
		return 0;
	/* A write missed meanwhile moves the marks: checked again after. */
	quorum_flush_legs(qc, copied);
	spin_lock_irq(&qc->leg_lock);
	for_each_set_bit(i, &copied, qc->nr_legs) {
		struct quorum_leg *leg = &qc->legs[i];

		if (!quorum_resync_copied(qc, rs, i))
			continue;
		__clear_bit(rs->region, leg->out_of_sync_regions);
		rs->copied++;
		if (!--leg->nr_out_of_sync) {
			__clear_bit(i, &qc->out_of_sync_mask);
			in_sync |= BIT(i);
		}
	}
	spin_unlock_irq(&qc->leg_lock);
	return in_sync;
}

/* Returns false if a resync was asked for meanwhile: then it goes on. */
static bool quorum_resync_finish(struct quorum_c *qc, struct quorum_resync *rs)
{
	const char *result = quorum_resync_needed(qc) ? "incomplete" : "done";
	struct quorum_event ev = {
		.action = QUORUM_ACTION_RESYNC_DONE,
		.leg = -1,
		.reason = result,
	};

	spin_lock_irq(&rs->walk.lock);
	if (rs->again) {
		spin_unlock_irq(&rs->walk.lock);
		return false;
	}
	ev.regions = rs->total;
	rs->running = false;
	spin_unlock_irq(&rs->walk.lock);
	DMINFO("%s: resync %s: %lu regions copied",
	       dm_device_name(qc->md), result, ev.regions);
	quorum_queue_event(qc, &ev, NULL);
	return true;
}

static void quorum_resync_work(struct work_struct *work)
{
	struct quorum_resync *rs = container_of(to_delayed_work(work),
						struct quorum_resync, walk.work);
	struct quorum_walk *walk = &rs->walk;
	struct quorum_c *qc = walk->io.qc;
	unsigned long in_sync, from;
	sector_t end, len = 0;
	unsigned int i;
	bool again, done;

	spin_lock_irq(&walk->lock);
	if (!rs->running || quorum_walk_busy(walk)) {
		spin_unlock_irq(&walk->lock);
		return;
	}
	if (walk->io.flags & QUORUM_IO_INCOMPLETE) {
		walk->io.flags &= ~QUORUM_IO_INCOMPLETE;
		rs->incomplete = true;
	}
	end = min(quorum_region_start(qc, rs->region + 1), qc->ti->len);
	if ((rs->leg_mask || rs->crash) && walk->position < end) {
		len = min_t(sector_t, end - walk->position,
			    QUORUM_MAX_READ_SECTORS);
		walk->in_flight = true;
	}
	spin_unlock_irq(&walk->lock);
	if (len) {
		quorum_walk_read(walk, len, QUORUM_IO_RESYNC);
		return;
	}

	/* The region is copied (or there was none): the next one. */
	from = 0;
	if (rs->crash && !rs->incomplete) {
		/*
		 * Its repairs durable, before the region leaves the bitmap;
		 * and none failed (no leg went out of sync there), nor did a
		 * leg fail: else the next pass takes the region again.
		 */
		quorum_flush_legs(qc, quorum_alive_mask(qc));
		spin_lock_irq(&qc->leg_lock);
		done = rs->crash_failed == qc->failed_mask &&
		       !(quorum_region_out_of_sync(qc, rs->region) &
			 ~rs->crash_out_of_sync);
		spin_unlock_irq(&qc->leg_lock);
		if (done) {
			quorum_meta_crash_done(qc, rs->region);
			/* Counted once: below, if legs out of sync came back. */
			if (!rs->leg_mask)
				rs->copied++;
		}
	}
	if (rs->leg_mask || rs->crash) {
		in_sync = quorum_resync_region_done(qc, rs);
		for_each_set_bit(i, &in_sync, qc->nr_legs)
			DMINFO("%s: leg %s is in sync again",
			       dm_device_name(qc->md), qc->legs[i].dev->name);
		from = rs->region + 1;
	}
	if (!quorum_resync_next(qc, rs, from)) {
		spin_lock_irq(&walk->lock);
		again = rs->again || rs->copied;
		rs->again = false;
		rs->total += rs->copied;
		rs->copied = 0;
		spin_unlock_irq(&walk->lock);
		if ((!again || !quorum_resync_next(qc, rs, 0)) &&
		    quorum_resync_finish(qc, rs))
			return;
	}
	spin_lock_irq(&walk->lock);
	walk->position = quorum_region_start(qc, rs->region);
	spin_unlock_irq(&walk->lock);
	mod_delayed_work(qc->wq, &walk->work, 0);
}

/* Are legs alive out of sync, or crash regions left? */
bool quorum_resync_needed(struct quorum_c *qc)
{
	return quorum_out_of_sync_mask(qc) & ~READ_ONCE(qc->failed_mask) ||
	       quorum_meta_next_crash(qc, 0) < qc->nr_regions;
}

/*
 * Resync the legs alive that are out of sync, if there are any and the
 * table may write them; if a resync runs, it looks again once done.  From
 * process context: reinstate_leg, resume, the "resync" message, and the
 * work of fifo repairs.
 */
void quorum_resync_start(struct quorum_c *qc)
{
	struct quorum_resync *rs = qc->resync;
	bool start;

	if (qc->read_only || !quorum_resync_needed(qc))
		return;
	spin_lock_irq(&rs->walk.lock);
	start = !rs->running;
	if (start) {
		rs->running = true;
		rs->leg_mask = 0;
		rs->copied = 0;
		rs->total = 0;
		quorum_walk_start(&rs->walk, 0);
	} else {
		rs->again = true;
	}
	spin_unlock_irq(&rs->walk.lock);
	if (start) {
		DMINFO("%s: resync started", dm_device_name(qc->md));
		mod_delayed_work(qc->wq, &rs->walk.work, 0);
	}
}

/*
 * "resync": resync the legs alive out of sync now (those that missed a
 * write while alive are not resynced by themselves).
 */
int quorum_resync_message(struct quorum_c *qc)
{
	if (qc->read_only) {
		DMERR("%s: resync refused: the table is read-only",
		      dm_device_name(qc->md));
		return -EROFS;
	}
	quorum_resync_start(qc);
	return 0;
}

void quorum_resync_pause(struct quorum_c *qc)
{
	quorum_walk_pause(&qc->resync->walk);
}

static bool quorum_resync_running(struct quorum_walk *walk)
{
	return container_of(walk, struct quorum_resync, walk)->running;
}

/* Resume a resync under way, or start one for legs out of sync. */
void quorum_resync_resume(struct quorum_c *qc)
{
	quorum_walk_resume(&qc->resync->walk, quorum_resync_running);
	quorum_resync_start(qc);
}

/* The status fields: state, the region it copies/regions, out of sync. */
void quorum_resync_status(struct quorum_c *qc, char *result,
			  unsigned int maxlen, unsigned int *szp)
{
	struct quorum_resync *rs = qc->resync;
	unsigned long region, out_of_sync = 0;
	unsigned int sz = *szp, i;
	bool running;

	spin_lock_irq(&rs->walk.lock);
	running = rs->running;
	region = rs->leg_mask || rs->crash ? rs->region : 0;
	spin_unlock_irq(&rs->walk.lock);
	for (i = 0; i < qc->nr_legs; i++)
		out_of_sync += quorum_out_of_sync_regions(qc, i);
	DMEMIT(" %s %lu/%lu %lu", running ? "resync" : "idle", region,
	       qc->nr_regions, out_of_sync);
	*szp = sz;
}

/* Once the workqueues exist: the resync's walk. */
int quorum_resync_ctr(struct quorum_c *qc)
{
	qc->resync = kzalloc(sizeof(*qc->resync), GFP_KERNEL);
	if (!qc->resync ||
	    quorum_walk_init(qc, &qc->resync->walk, quorum_resync_work)) {
		qc->ti->error = "Cannot allocate resync buffer";
		return -ENOMEM;
	}
	return 0;
}

/* Before the workqueues go: the resync's work is stopped. */
void quorum_resync_dtr(struct quorum_c *qc)
{
	if (qc->resync)
		cancel_delayed_work_sync(&qc->resync->walk.work);
}

void quorum_sync_dtr(struct quorum_c *qc)
{
	unsigned int i;

	if (qc->resync) {
		quorum_walk_free(&qc->resync->walk);
		kfree(qc->resync);
	}
	for (i = 0; i < qc->nr_legs; i++)
		kvfree(qc->legs[i].out_of_sync_regions);
}
