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
 * This file owns the target: ctr/dtr, map/end_io, the ordering of
 * overlapping I/O (range locks), the write path, the legs' state (failed,
 * out of sync), suspend/resume, status and messages.  Reads are sent by
 * dm-quorum-read.c and voted by dm-quorum-vote.c.
 *
 * Locks, none nested in another: leg_lock (irq-safe) protects changes of
 * the legs' masks; range_lock (irq-safe) the active and deferred ranges;
 * reserve_lock (a mutex) lets one I/O at a time wait on the reserves.
 *
 * The idea comes from QEMU's quorum block driver.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "dm-quorum.h"

/*
 * Leg failure.  A failed leg (health D) gets no I/O and casts no vote.  The
 * operator fails and reinstates legs by message; a leg also fails by itself
 * after error_limit consecutive I/O errors, even if that leaves fewer than
 * <threshold> legs alive: then every I/O fails at once.
 *
 * A leg that missed a write (a write, discard, write-zeroes or repair to
 * it failed, or it was failed when the write came) is out of sync (health
 * O) in the regions the write touched, and everywhere if a flush to it
 * failed: it may hold older data there than the device acknowledged (see
 * dm-quorum-sync.c).
 */

/*
 * Under leg_lock: fail leg @i, which misses writes from now on.  A resync
 * or a scrub repair that was copying to it may have skipped it since: it
 * must not count it as copied.
 */
static bool __quorum_fail_leg(struct quorum_c *qc, unsigned int i)
{
	qc->legs[i].marks++;
	__clear_bit(i, &qc->resync_mask);
	if (test_bit(i, &qc->failed_mask))
		return false;
	/* Failed by its errors or an operator: not absent (until it goes). */
	__clear_bit(i, &qc->absent_mask);
	__set_bit(i, &qc->failed_mask);
	return true;
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
	quorum_meta_kick(qc);
}

/* Count and report an I/O error of leg @i. */
void quorum_leg_error(struct quorum_c *qc, unsigned int i,
		      enum quorum_op op, int error,
		      sector_t sector, sector_t sectors)
{
	struct quorum_leg *leg = &qc->legs[i];

	atomic_inc(op == QUORUM_OP_READ ? &leg->read_errors :
		   op == QUORUM_OP_FLUSH ? &leg->flush_errors :
		   &leg->write_errors);
	quorum_report_leg(qc, i, op, error, sector, sectors);
	if (op != QUORUM_OP_READ)
		quorum_mark_out_of_sync(qc, i, dm_target_offset(qc->ti, sector),
					op == QUORUM_OP_FLUSH ? 0 : sectors,
					"it missed a write");
	if (qc->error_limit &&
	    atomic_inc_return(&leg->consecutive_errors) == qc->error_limit)
		quorum_fail_leg_on_errors(qc, i, error);
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
	return (a->exclusive || b->exclusive) && !(a->repair && b->repair) &&
	       a->start < b->end && b->start < a->end;
}

/* Does @r conflict with I/O in flight? */
static bool quorum_range_active(struct quorum_c *qc,
				const struct quorum_range *r)
{
	struct quorum_range *other;

	list_for_each_entry(other, &qc->active, list)
		if (quorum_ranges_conflict(r, other))
			return true;
	return false;
}

/* Is @r held back by I/O in flight or by deferred I/O queued before @r? */
static bool quorum_range_busy(struct quorum_c *qc, const struct quorum_range *r)
{
	struct quorum_range *other;

	if (quorum_range_active(qc, r))
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
bool quorum_lock_range(struct quorum_c *qc, struct quorum_range *r)
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

/*
 * Release @r, and hand its range over to the repairs of *@repairs (a read's
 * repairs, which write what the read voted): no write can come in between,
 * as they go before any I/O that waits.  A repair whose range readers
 * still use (they started with the read) waits for them, first in the
 * deferred list; *@repairs is left with those to send now.
 */
void quorum_unlock_range(struct quorum_c *qc, struct quorum_range *r,
			 struct quorum_repair **repairs)
{
	struct list_head *waiting = &qc->deferred;
	struct quorum_repair *rep, *next, *ready = NULL, **tail = &ready;
	unsigned long flags;
	bool kick;

	if (r->start == r->end && !(repairs && *repairs))
		return;
	spin_lock_irqsave(&qc->range_lock, flags);
	if (r->start != r->end) {
		list_del(&r->list);
		if (r->exclusive)
			qc->nr_exclusive--;
	}
	for (rep = repairs ? *repairs : NULL; rep; rep = next) {
		next = rep->next;
		qc->nr_exclusive++;
		if (quorum_range_active(qc, &rep->range)) {
			list_add(&rep->range.list, waiting);
			waiting = &rep->range.list;
			continue;
		}
		list_add_tail(&rep->range.list, &qc->active);
		*tail = rep;
		tail = &rep->next;
	}
	*tail = NULL;
	if (repairs)
		*repairs = ready;
	kick = !list_empty(&qc->deferred);
	spin_unlock_irqrestore(&qc->range_lock, flags);
	if (kick)
		queue_work(qc->wq, &qc->deferred_work);
}

static void quorum_deferred_work(struct work_struct *work)
{
	struct quorum_c *qc = container_of(work, struct quorum_c, deferred_work);
	struct quorum_range *r, *tmp;
	struct quorum_repair *rep, *repairs = NULL, **tail = &repairs;
	struct quorum_io *io, *next;
	LIST_HEAD(ready);

	spin_lock_irq(&qc->range_lock);
	list_for_each_entry_safe(r, tmp, &qc->deferred, list) {
		if (quorum_range_busy(qc, r))
			continue;
		list_move_tail(&r->list, &qc->active);
		if (r->repair) {
			rep = container_of(r, struct quorum_repair, range);
			*tail = rep;
			tail = &rep->next;
			continue;
		}
		io = container_of(r, struct quorum_io, range);
		list_add_tail(&io->dispatch, &ready);
	}
	*tail = NULL;
	spin_unlock_irq(&qc->range_lock);

	/* Repairs first: their reads were voted before any of @ready came. */
	quorum_send_repairs(repairs);
	list_for_each_entry_safe(io, next, &ready, dispatch)
		quorum_issue(io);
}

/*
 * Legs' completions, and the rule for writes and flushes: success when at
 * least <threshold> legs succeed, else the error most legs returned.  A
 * flush makes the writes acknowledged before it durable, so it counts only
 * the legs that hold them: those in sync.
 */

/*
 * A discard or write-zeroes that leg @i turned down as not supported: a
 * capability, not a failure.  BLK_STS_TARGET says so only if the leg no
 * longer advertises the operation (as SCSI's sd does when it learns it),
 * as dm core decides for its own targets; else it is an error like any.
 */
static bool quorum_unsupported(struct quorum_io *io, unsigned int i)
{
	struct block_device *bdev = io->qc->legs[i].dev->bdev;

	switch (bio_op(io->bio)) {
	case REQ_OP_DISCARD:
		return io->status[i] == BLK_STS_NOTSUPP ||
		       (io->status[i] == BLK_STS_TARGET &&
			!bdev_max_discard_sectors(bdev));
	case REQ_OP_WRITE_ZEROES:
		return io->status[i] == BLK_STS_NOTSUPP ||
		       (io->status[i] == BLK_STS_TARGET &&
			!bdev_write_zeroes_sectors(bdev));
	default:
		return false;
	}
}

/*
 * The legs' results: @succeeded the legs that did it, @refused (if not
 * NULL) those that turned down a discard or write-zeroes; every other
 * error is counted and reported against its leg.
 */
void quorum_collect_errors(struct quorum_io *io, int *errors,
			   unsigned long *succeeded, unsigned long *refused)
{
	struct quorum_c *qc = io->qc;
	enum quorum_op op = quorum_io_op(io);
	unsigned int i;

	*succeeded = 0;
	if (refused)
		*refused = 0;
	for (i = 0; i < qc->nr_legs; i++) {
		errors[i] = 0;
		if (!(io->leg_mask & BIT(i)))
			continue;
		errors[i] = blk_status_to_errno(io->status[i]);
		if (!errors[i]) {
			*succeeded |= BIT(i);
			quorum_leg_success(&qc->legs[i]);
			continue;
		}
		if (refused && quorum_unsupported(io, i)) {
			*refused |= BIT(i);
			continue;
		}
		quorum_leg_error(qc, i, op, errors[i], io->iter.bi_sector,
				 io->iter.bi_size >> SECTOR_SHIFT);
	}
}

/*
 * The legs' results again, in a work item that finishes a write: @errors,
 * and the legs that did it, leaving out those of @skip.  Nothing is counted
 * or reported: quorum_collect_errors() did that.
 */
static unsigned long quorum_write_results(struct quorum_io *io, int *errors,
					  unsigned long skip)
{
	unsigned long done = 0;
	unsigned int i;

	memset(errors, 0, sizeof(int) * QUORUM_MAX_LEGS);
	for_each_set_bit(i, &io->leg_mask, io->qc->nr_legs) {
		if (skip & BIT(i))
			continue;
		errors[i] = blk_status_to_errno(io->status[i]);
		if (!errors[i])
			done |= BIT(i);
	}
	return done;
}

/*
 * Legs turned down a discard or write-zeroes they advertised.  The device
 * stops advertising it, as dm core does for its targets (racy by design:
 * a table reload stacks the legs' limits again).  Where legs differ now,
 * the ones that must be copied are out of sync there (no error is counted
 * against them): with <threshold> legs that did it, the bio succeeds and
 * the legs that refused it are resynced; with fewer, it fails with
 * EOPNOTSUPP, so that the caller may fall back (blkdev_issue_zeroout()
 * writes zeroes), and the legs that did it are resynced back, if enough
 * legs stay in sync for that.  In process context, under the bio's range:
 * the marks are made before any read of the range can see the legs.
 */
static void quorum_write_refused_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);
	struct quorum_c *qc = io->qc;
	struct queue_limits *limits = &dm_disk(qc->md)->queue->limits;
	sector_t sector = dm_target_offset(qc->ti, io->iter.bi_sector);
	sector_t sectors = io->iter.bi_size >> SECTOR_SHIFT;
	bool discard = bio_op(io->bio) == REQ_OP_DISCARD;
	const char *op = discard ? "discard" : "write-zeroes";
	unsigned long refused = io->refused_mask, done, missed, in_sync, out_of_sync;
	/* Alive first: a leg seen alive is seen out of sync where it is. */
	unsigned long alive = quorum_alive_mask(qc);
	blk_status_t status = BLK_STS_OK;
	int errors[QUORUM_MAX_LEGS];
	unsigned int i;

	out_of_sync = quorum_out_of_sync_range(qc, sector, sectors);
	done = quorum_write_results(io, errors, refused);
	i = __ffs(refused);
	if (discard ? READ_ONCE(limits->max_discard_sectors) :
	    READ_ONCE(limits->max_write_zeroes_sectors))
		DMWARN("%s: leg %s does not support %s: no longer advertised",
		       dm_device_name(qc->md), qc->legs[i].dev->name, op);
	if (discard) {
		WRITE_ONCE(limits->max_hw_discard_sectors, 0);
		WRITE_ONCE(limits->max_discard_sectors, 0);
	} else {
		WRITE_ONCE(limits->max_write_zeroes_sectors, 0);
	}

	/* Success needs <threshold> legs that did it and hold the range. */
	missed = refused;
	if (hweight_long(done & ~out_of_sync) < qc->threshold) {
		status = BLK_STS_NOTSUPP;
		in_sync = alive & ~done & ~out_of_sync;
		missed = hweight_long(in_sync) >= qc->threshold ? done : 0;
	}
	/* Not for want of support alone: the error most legs returned. */
	if (status && hweight_long(done | refused) < qc->threshold) {
		int error = quorum_common_error(errors, qc->nr_legs) ?: -EIO;

		status = errno_to_blk_status(error);
		quorum_report_failure(qc, quorum_io_op(io), hweight_long(done),
				      io->iter.bi_sector, sectors);
	}
	for_each_set_bit(i, &missed, qc->nr_legs)
		quorum_mark_out_of_sync(qc, i, sector, sectors,
					status ? "it did what the others refused" :
					"it refused what the others did");
	if (missed) {
		/* On disk before the bio completes, or it fails. */
		if (!quorum_meta_persist(qc))
			status = BLK_STS_IOERR;
		quorum_resync_start(qc);
	}
	quorum_unlock_range(qc, &io->range, NULL);
	io->bio->bi_status = status;
	bio_endio(io->bio);
}

static void quorum_write_end(struct quorum_io *io, const int *errors,
			     unsigned long succeeded)
{
	struct quorum_c *qc = io->qc;
	struct bio *bio = io->bio;
	unsigned int votes = hweight_long(succeeded);

	if (votes < qc->threshold) {
		int error = quorum_common_error(errors, qc->nr_legs) ?: -EIO;

		bio->bi_status = errno_to_blk_status(error);
		quorum_report_failure(qc, quorum_io_op(io), votes,
				      io->iter.bi_sector, bio_sectors(bio));
	}
	quorum_unlock_range(qc, &io->range, NULL);
	bio_endio(bio);
}

/*
 * A flush that too few legs in sync everywhere completed: it still
 * succeeds if, region by region, <threshold> legs in sync there completed
 * it (legs out of sync in different regions).  Where it may sleep: it
 * reads the bitmaps.
 */
static void quorum_flush_regions_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);
	struct quorum_c *qc = io->qc;
	int errors[QUORUM_MAX_LEGS];
	unsigned long succeeded = quorum_write_results(io, errors, 0), partial;

	partial = succeeded & (io->out_of_sync_mask | quorum_out_of_sync_mask(qc));
	if (!quorum_flush_covered(qc, succeeded & ~partial, partial))
		succeeded &= ~partial;
	quorum_write_end(io, errors, succeeded);
}

/*
 * The write's legs' results, once what the legs that failed it missed is
 * on disk (with metadata): from quorum_write_done(), or the metadata's
 * work.  Nothing is counted or reported here.
 */
void quorum_write_finish(struct quorum_io *io)
{
	struct quorum_c *qc = io->qc;
	int errors[QUORUM_MAX_LEGS];
	unsigned long succeeded, refused = 0, partial;
	unsigned int i;

	succeeded = quorum_write_results(io, errors, 0);
	for_each_set_bit(i, &io->leg_mask, qc->nr_legs)
		if (errors[i] && quorum_unsupported(io, i))
			refused |= BIT(i);
	if (unlikely(refused)) {
		io->refused_mask = refused;
		INIT_WORK(&io->work, quorum_write_refused_work);
		queue_work(qc->wq, &io->work);
		return;
	}
	/*
	 * A flush counts the legs in sync when it was sent, and still now:
	 * those in sync everywhere, else region by region.
	 */
	if (quorum_is_flush(io)) {
		partial = succeeded & (io->out_of_sync_mask |
				       quorum_out_of_sync_mask(qc));
		if (unlikely(partial &&
			     hweight_long(succeeded & ~partial) < qc->threshold &&
			     hweight_long(succeeded) >= qc->threshold)) {
			INIT_WORK(&io->work, quorum_flush_regions_work);
			queue_work(qc->wq, &io->work);
			return;
		}
		succeeded &= ~partial;
	}
	quorum_write_end(io, errors, succeeded);
}

/* A write whose metadata no leg could take: it fails. */
void quorum_write_abort(struct quorum_io *io)
{
	struct quorum_c *qc = io->qc;

	quorum_report_failure(qc, quorum_io_op(io), 0, io->iter.bi_sector,
			      io->iter.bi_size >> SECTOR_SHIFT);
	quorum_unlock_range(qc, &io->range, NULL);
	io->bio->bi_status = BLK_STS_IOERR;
	bio_endio(io->bio);
}

static void quorum_write_done(struct quorum_io *io)
{
	int errors[QUORUM_MAX_LEGS];
	unsigned long succeeded, refused;

	quorum_collect_errors(io, errors, &succeeded, &refused);
	/* Legs that failed it are out of sync: on disk before it completes. */
	if (unlikely(io->leg_mask & ~succeeded & ~refused) &&
	    !quorum_meta_finish(io->qc, io))
		return;
	quorum_write_finish(io);
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

/*
 * Mapping.
 */

struct bio *quorum_alloc_bio(struct quorum_c *qc, struct quorum_io *io,
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

/* Fill in @io for @bio, with the range it holds once it is locked. */
void quorum_init_io(struct quorum_c *qc, struct quorum_io *io,
		    struct bio *bio, unsigned int flags)
{
	io->qc = qc;
	io->bio = bio;
	io->iter = bio->bi_iter;
	io->flags = flags;
	io->fifo_failed_mask = 0;
	io->range.start = bio->bi_iter.bi_sector;
	io->range.end = bio_end_sector(bio);
	io->range.exclusive = bio_op(bio) != REQ_OP_READ;
	io->range.repair = false;
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
 * Take all the bios an I/O needs at once: first without waiting; if
 * memory is short, @alloc keeps none, and takes all again under
 * reserve_lock, waiting on the reserves, so that a single I/O at a time
 * waits while holding part of them (the bioset holds the bios of two
 * I/Os, the page mempool one whole read).  With GFP_NOIO, @alloc cannot
 * fail.
 */
void quorum_alloc_all(struct quorum_c *qc, bool (*alloc)(void *data, gfp_t gfp),
		      void *data)
{
	if (alloc(data, GFP_NOWAIT | __GFP_NOWARN))
		return;
	mutex_lock(&qc->reserve_lock);
	/* The reserves wait for what they lent: this never loops. */
	while (WARN_ON_ONCE(!alloc(data, GFP_NOIO)))
		;
	mutex_unlock(&qc->reserve_lock);
}

/* A write's clones, one per leg it goes to. */
struct quorum_write {
	struct quorum_io *io;
	struct bio *clones[QUORUM_MAX_LEGS];
};

/* For quorum_alloc_all(): every clone of a write, or none. */
static bool quorum_alloc_write(void *data, gfp_t gfp)
{
	struct quorum_write *w = data;
	struct quorum_io *io = w->io;
	struct quorum_c *qc = io->qc;
	unsigned int i;

	for_each_set_bit(i, &io->leg_mask, qc->nr_legs) {
		w->clones[i] = quorum_alloc_bio(qc, io, i, io->bio, 0, 0, gfp);
		if (!w->clones[i])
			goto fail;
		w->clones[i]->bi_end_io = quorum_write_endio;
	}
	return true;

fail:
	for_each_set_bit(i, &io->leg_mask, qc->nr_legs) {
		if (w->clones[i])
			bio_put(w->clones[i]);
		w->clones[i] = NULL;
	}
	return false;
}

/*
 * Writes, flushes, discards and write-zeroes: the same bio to every leg.
 * Failed legs miss it, and are out of sync where it writes.
 */
static void quorum_issue_write(struct quorum_c *qc, struct quorum_io *io,
			       unsigned long alive)
{
	unsigned long missed = GENMASK(qc->nr_legs - 1, 0) & ~alive;
	struct quorum_write w = { .io = io };
	unsigned int i;

	if (missed && io->iter.bi_size)
		quorum_mark_missed(qc, missed,
				   dm_target_offset(qc->ti, io->iter.bi_sector),
				   io->iter.bi_size >> SECTOR_SHIFT);
	/* With metadata: its marks on disk first, or it waits for them. */
	if (!quorum_meta_ready(qc, io, missed))
		return;
	io->out_of_sync_mask = quorum_out_of_sync_mask(qc);
	io->leg_mask = alive;
	atomic_set(&io->pending, hweight_long(alive));
	quorum_alloc_all(qc, quorum_alloc_write, &w);
	for_each_set_bit(i, &alive, qc->nr_legs) {
		atomic64_inc(&qc->legs[i].writes);
		submit_bio_noacct(w.clones[i]);
	}
}

/* Fewer than <threshold> legs are alive: fail at once, say so once. */
static void quorum_fail_fast(struct quorum_c *qc, struct quorum_io *io,
			     unsigned long alive)
{
	if (io->flags & QUORUM_IO_SCRUB)
		atomic64_add(quorum_nr_blocks(io), &qc->scrub->unrecoverable);
	quorum_report_degraded(qc, quorum_io_op(io), hweight_long(alive),
			       io->iter.bi_sector,
			       io->iter.bi_size >> SECTOR_SHIFT);
	quorum_unlock_range(qc, &io->range, NULL);
	io->bio->bi_status = BLK_STS_IOERR;
	bio_endio(io->bio);
}

void quorum_issue(struct quorum_io *io)
{
	struct quorum_c *qc = io->qc;
	unsigned long alive = quorum_alive_mask(qc);

	if (hweight_long(alive) < qc->threshold) {
		quorum_fail_fast(qc, io, alive);
	} else if (io->range.exclusive) {
		quorum_issue_write(qc, io, alive);
	} else if (io->flags & QUORUM_IO_FIFO) {
		/* fifo reads are mapped to one leg: no pick. */
		/* No private copies, but completion frees whatever is there. */
		memset(io->buf, 0, sizeof(io->buf));
		quorum_fifo_submit(qc, io);
	} else {
		io->flags &= ~QUORUM_IO_CRASH;
		if (quorum_meta_crash_range(qc, dm_target_offset(qc->ti, io->iter.bi_sector),
					    io->iter.bi_size >> SECTOR_SHIFT))
			io->flags |= QUORUM_IO_CRASH;
		quorum_issue_read(qc, io, alive);
	}
}

/* Fill in @io for @bio, hold its range, and send it when the range is free. */
void quorum_start_io(struct quorum_c *qc, struct quorum_io *io,
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
		sector_t region_mask = (1 << qc->region_shift) - 1;
		/*
		 * A voted read ends on a block boundary, and within one
		 * region, so that the same legs are in sync for all of it.
		 */
		unsigned int max = min(QUORUM_MAX_READ_SECTORS -
				       (leg_sector & (QUORUM_BLOCK_SECTORS - 1)),
				       (unsigned int)(region_mask + 1 -
						      (leg_sector & region_mask)));

		/* fifo reads go to one leg, into the bio's pages: no split. */
		if (qc->read_pattern == QUORUM_READ_FIFO) {
			unsigned long alive = quorum_alive_mask(qc);
			unsigned long readable = alive &
				~quorum_out_of_sync_range(qc, leg_sector,
							  bio_sectors(bio));

			if (hweight_long(alive) < qc->threshold || !readable) {
				flags |= QUORUM_IO_FIFO;	/* to fail it */
			} else if (!quorum_meta_crash_range(qc, leg_sector,
							    bio_sectors(bio))) {
				return quorum_fifo_map(qc, io, bio, readable);
			}
		}
		/* Voted (in a crash region, fifo reads too: the rule applies). */
		if (!(flags & QUORUM_IO_FIFO) && bio_sectors(bio) > max)
			dm_accept_partial_bio(bio, max);
	}
	quorum_start_io(qc, io, bio, flags);
	return DM_MAPIO_SUBMITTED;
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

/*
 * fail_leg <leg> [missing], reinstate_leg <leg>.  "missing": the leg's
 * device went away (udev's remove event): it may rejoin by itself when it
 * is back (QUORUM_LEG_ABSENT), where one failed by an operator stays failed.
 */
static int quorum_message_leg(struct quorum_c *qc, bool fail, const char *arg,
			      bool missing)
{
	const char *name = qc->md ? dm_device_name(qc->md) : "";
	int i = quorum_find_leg(qc, arg);
	unsigned long regions = 0;
	unsigned int alive, in_sync;
	bool was_failed, sticky, absent = false;
	int r = 0;

	if (i < 0) {
		DMERR("%s: %s: no leg %s: give an index from 0 to %u or a leg's major:minor",
		      name, fail ? "fail_leg" : "reinstate_leg", arg,
		      qc->nr_legs - 1);
		return -EINVAL;
	}
	/*
	 * With metadata, a suspended table has written its last word (a
	 * table loaded meanwhile reads it): the change would be lost.
	 */
	if (quorum_meta_hold(qc)) {
		DMERR("%s: %s %s refused: the device is suspended",
		      name, fail ? "fail_leg" : "reinstate_leg", arg);
		return -EBUSY;
	}

	spin_lock_irq(&qc->leg_lock);
	alive = hweight_long(quorum_alive_mask(qc));
	in_sync = hweight_long(quorum_alive_mask(qc) & ~qc->out_of_sync_mask &
			       ~BIT(i));
	was_failed = test_bit(i, &qc->failed_mask);
	sticky = test_bit(i, &qc->sticky_mask);
	if (fail && missing && was_failed && sticky) {
		/* An operator's fail: missing or not, it stays failed. */
		r = -EPERM;
	} else if (fail && missing && was_failed) {
		/* Failed by its errors as it went: now it is gone too. */
		absent = !__test_and_set_bit(i, &qc->absent_mask);
	} else if (fail && was_failed && !sticky) {
		/* Failed by its errors, or missing: now by the operator too. */
		__clear_bit(i, &qc->absent_mask);
		__set_bit(i, &qc->sticky_mask);
	} else if (fail && was_failed) {
		r = -EINVAL;
	} else if (fail && alive - 1 < qc->threshold) {
		r = -EBUSY;
	} else if (fail && in_sync < qc->threshold) {
		r = -EAGAIN;
	} else if (!fail && !test_bit(i, &qc->failed_mask)) {
		r = -EINVAL;
	} else if (fail) {
		__quorum_fail_leg(qc, i);
		if (missing)
			__set_bit(i, &qc->absent_mask);
		else
			__set_bit(i, &qc->sticky_mask);
	} else {
		/* Not the volume's leg, or not known to be: a new copy. */
		if (qc->legs[i].standin) {
			__quorum_mark_all(qc, i);
			qc->legs[i].standin = false;
			/* Out of sync before alive (quorum_alive_mask()). */
			smp_wmb();
		}
		__clear_bit(i, &qc->failed_mask);
		__clear_bit(i, &qc->absent_mask);
		__clear_bit(i, &qc->sticky_mask);
		atomic_set(&qc->legs[i].consecutive_errors, 0);
		if (alive + 1 >= qc->threshold)
			qc->degraded_reported = false;
		regions = qc->legs[i].nr_out_of_sync;
	}
	spin_unlock_irq(&qc->leg_lock);
	quorum_meta_release(qc);

	if (r == -EBUSY) {
		DMERR("%s: fail_leg %s refused: only %u of %u legs would stay alive, threshold %u",
		      name, qc->legs[i].dev->name, alive - 1, qc->nr_legs,
		      qc->threshold);
	} else if (r == -EAGAIN) {
		DMERR("%s: fail_leg %s refused: %u of %u legs would stay in sync, threshold %u",
		      name, qc->legs[i].dev->name, in_sync, qc->nr_legs,
		      qc->threshold);
		r = -EBUSY;
	} else if (r == -EPERM) {
		DMINFO("%s: leg %s is missing; %s", name, qc->legs[i].dev->name,
		       "failed by the operator, it stays failed until reinstate_leg");
	} else if (r) {
		DMERR("%s: %s %s: the leg is %s", name,
		      fail ? "fail_leg" : "reinstate_leg",
		      qc->legs[i].dev->name, fail ? "already failed" : "not failed");
	} else if (fail && missing && was_failed) {
		if (absent) {
			quorum_meta_kick(qc);
			DMINFO("%s: leg %s, failed, is missing too", name,
			       qc->legs[i].dev->name);
			quorum_report_leg_state(qc, i, QUORUM_ACTION_LEG_FAILED,
						"missing", 0);
		}
	} else if (fail && was_failed) {
		quorum_meta_kick(qc);
		DMINFO("%s: leg %s, failed, now by the operator: %s", name,
		       qc->legs[i].dev->name, "it stays failed until reinstate_leg");
	} else if (fail) {
		quorum_meta_kick(qc);
		DMWARN("%s: leg %s failed by the operator%s; %u of %u legs alive",
		       name, qc->legs[i].dev->name,
		       missing ? " (its device is missing)" : "", alive - 1,
		       qc->nr_legs);
		quorum_report_leg_state(qc, i, QUORUM_ACTION_LEG_FAILED,
					missing ? "missing" : "operator", 0);
	} else {
		if (regions)
			DMINFO("%s: leg %s reinstated, out of sync in %lu of %lu regions",
			       name, qc->legs[i].dev->name, regions,
			       qc->nr_regions);
		else
			DMINFO("%s: leg %s reinstated, in sync",
			       name, qc->legs[i].dev->name);
		quorum_report_leg_state(qc, i, QUORUM_ACTION_LEG_REINSTATED,
					"operator", 0);
		quorum_meta_kick(qc);
		quorum_resync_start(qc);
	}
	return r;
}

static char quorum_leg_health(struct quorum_c *qc, unsigned int i)
{
	struct quorum_leg *leg = &qc->legs[i];

	if (test_bit(i, &qc->failed_mask))
		return 'D';
	if (test_bit(i, &qc->out_of_sync_mask))
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
		return quorum_message_leg(qc, true, argv[1], false);
	if (argc == 3 && !strcasecmp(argv[0], "fail_leg") &&
	    !strcasecmp(argv[2], "missing"))
		return quorum_message_leg(qc, true, argv[1], true);
	if (argc == 2 && !strcasecmp(argv[0], "reinstate_leg"))
		return quorum_message_leg(qc, false, argv[1], false);
	if (argc == 2 && !strcasecmp(argv[0], "scrub")) {
		int r;

		if (quorum_scrub_message(qc, argv[1], &r))
			return r;
	}
	if (argc == 1 && !strcasecmp(argv[0], "resync"))
		return quorum_resync_message(qc);
	DMERR("%s: invalid message \"%s\"%s; see: stats, clear_stats, %s",
	      name, argc ? argv[0] : "", argc > 1 ? " with these arguments" : "",
	      "fail_leg <leg> [missing], reinstate_leg <leg>, scrub check|repair|stop, resync");
	return -EINVAL;
}

/*
 * Construction and destruction.
 */

static void quorum_dtr(struct dm_target *ti)
{
	struct quorum_c *qc = ti->private;
	unsigned int i;

	quorum_scrub_dtr(qc);
	quorum_resync_dtr(qc);
	quorum_meta_stop(qc);
	if (qc->io_wq)
		destroy_workqueue(qc->io_wq);
	if (qc->wq)
		destroy_workqueue(qc->wq);
	quorum_scrub_free(qc);
	quorum_vote_dtr(qc);
	quorum_sync_dtr(qc);
	quorum_meta_dtr(qc);
	quorum_pages_dtr(qc);
	bioset_exit(&qc->background_bs);
	bioset_exit(&qc->bs);
	for (i = 0; i < qc->nr_legs; i++)
		if (qc->legs[i].dev)
			dm_put_device(ti, qc->legs[i].dev);
	quorum_events_dtr(qc);
	kfree(qc);
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
		/* One medium, one vote: partitions of a disk are one leg. */
		if (bdev_whole(qc->legs[j].dev->bdev) == bdev_whole(leg->dev->bdev)) {
			DMERR("Legs %s and %s are on the same disk %pg",
			      qc->legs[j].dev->name, leg->dev->name,
			      bdev_whole(leg->dev->bdev));
			ti->error = "Legs share a disk";
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
	qc->threshold = table.threshold;
	qc->features = table.features;
	qc->read_pattern = table.read_pattern;
	qc->error_limit = table.error_limit;
	qc->scrub_rate = table.scrub_rate;
	qc->failed_mask = table.failed;
	qc->read_only = !(dm_table_get_mode(ti->table) & BLK_OPEN_WRITE);
	spin_lock_init(&qc->leg_lock);
	mutex_init(&qc->reserve_lock);
	spin_lock_init(&qc->range_lock);
	INIT_LIST_HEAD(&qc->active);
	INIT_LIST_HEAD(&qc->deferred);
	INIT_WORK(&qc->deferred_work, quorum_deferred_work);
	/* First: its dtr runs whatever fails next. */
	r = quorum_pages_ctr(qc, table.nr_legs);
	if (r)
		goto bad;

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
	if (!r)
		r = bioset_init(&qc->background_bs, 2, 0, BIOSET_NEED_BVECS);
	if (r) {
		ti->error = "Cannot allocate bio set";
		goto bad;
	}
	/* The metadata gives the region size, or takes the table's. */
	r = quorum_meta_ctr(qc, &table);
	if (r)
		goto bad;
	r = quorum_sync_ctr(qc, &table);
	if (r)
		goto bad;
	r = quorum_meta_alloc(qc);
	if (r)
		goto bad;
	r = quorum_vote_ctr(qc);
	if (r)
		goto bad;
	r = quorum_events_ctr(qc);
	if (r)
		goto bad;
	r = -ENOMEM;
	qc->wq = alloc_workqueue("kquorumd", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	qc->io_wq = alloc_workqueue("kquorumd_io", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!qc->wq || !qc->io_wq) {
		ti->error = "Cannot allocate workqueue";
		goto bad;
	}
	r = quorum_scrub_ctr(qc);
	if (r)
		goto bad;
	r = quorum_resync_ctr(qc);
	if (r)
		goto bad;

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
	quorum_resync_pause(ti->private);
}

static int quorum_preresume(struct dm_target *ti)
{
	return quorum_meta_preresume(ti->private);
}

static void quorum_resume(struct dm_target *ti)
{
	quorum_meta_resume(ti->private);
	quorum_scrub_resume(ti->private);
	quorum_resync_resume(ti->private);
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
	quorum_meta_postsuspend(qc);
}

/* A feature with a list of legs, as "out_of_sync 0,2". */
static void quorum_status_legs(struct quorum_c *qc, const char *feature,
			       unsigned long mask, char *result,
			       unsigned int maxlen, unsigned int *szp)
{
	unsigned int sz = *szp, i;
	char sep = ' ';

	DMEMIT("%s", feature);
	for_each_set_bit(i, &mask, qc->nr_legs) {
		DMEMIT("%c%u", sep, i);
		sep = ',';
	}
	*szp = sz;
}

static void quorum_status(struct dm_target *ti, status_type_t type,
			  unsigned int status_flags, char *result,
			  unsigned int maxlen)
{
	struct quorum_c *qc = ti->private;
	unsigned int sz = 0, i, j, features;
	unsigned long out_of_sync, failed;

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
		quorum_scrub_status(qc, result, maxlen, &sz);
		quorum_resync_status(qc, result, maxlen, &sz);
		quorum_meta_status(qc, result, maxlen, &sz);
		break;

	case STATUSTYPE_TABLE:
		/*
		 * What a reload needs to keep: the legs out of sync now
		 * (whole: the regions are not in the table line) and the
		 * failed ones.
		 */
		out_of_sync = quorum_out_of_sync_mask(qc);
		failed = READ_ONCE(qc->failed_mask);
		/*
		 * With metadata, the legs' state is on the legs.  Not a
		 * stand-in's: the line names none, since the device in its
		 * slot may be the leg by the time the line is loaded again.
		 */
		if (qc->meta) {
			out_of_sync = 0;
			failed = 0;
		}
		features = qc->features &
			   ~(QUORUM_FEATURE_OUT_OF_SYNC | QUORUM_FEATURE_FAILED);
		features |= QUORUM_FEATURE_REGION_SIZE;
		if (out_of_sync)
			features |= QUORUM_FEATURE_OUT_OF_SYNC;
		if (failed)
			features |= QUORUM_FEATURE_FAILED;
		DMEMIT("%u", qc->threshold);
		for (i = 0; i < qc->nr_legs; i++)
			DMEMIT(" %s", qc->legs[i].dev->name);
		for (i = 0, j = 0; j < QUORUM_NR_FEATURES; j++)
			if (features & BIT(j))
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
		if (out_of_sync)
			quorum_status_legs(qc, " out_of_sync", out_of_sync,
					   result, maxlen, &sz);
		DMEMIT(" region_size %u", 1u << qc->region_shift);
		if (failed)
			quorum_status_legs(qc, " failed", failed, result,
					   maxlen, &sz);
		if (qc->meta)
			DMEMIT(" metadata");
		break;

	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",threshold=%u,legs=%u", qc->threshold, qc->nr_legs);
		for (i = 0; i < qc->nr_legs; i++)
			DMEMIT(",leg_%u=%s", i, qc->legs[i].dev->name);
		DMEMIT(",rewrite_corrupted=%c,read_pattern=%s,error_limit=%u,scrub_rate=%u",
		       qc->features & QUORUM_FEATURE_REWRITE_CORRUPTED ? 'y' : 'n',
		       quorum_read_pattern_names[qc->read_pattern],
		       qc->error_limit, qc->scrub_rate);
		DMEMIT(",region_size=%u,metadata=%c;", 1u << qc->region_shift,
		       qc->meta ? 'y' : 'n');
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
	.preresume = quorum_preresume,
	/* A suspend that fails after presuspend gets no resume. */
	.presuspend_undo = quorum_resume,
	.postsuspend = quorum_postsuspend,
	.resume = quorum_resume,
	.status = quorum_status,
	.iterate_devices = quorum_iterate_devices,
	.io_hints = quorum_io_hints,
};

module_dm(quorum);

MODULE_DESCRIPTION(DM_NAME " target that keeps N copies and votes on reads");
MODULE_AUTHOR("dm-quorum developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0.0");
MODULE_ALIAS("dm-quorum");
MODULE_SOFTDEP("pre: sha256");
