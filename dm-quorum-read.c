// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: sending reads.  Owns a read's bios (the direct leg's clone
 * into the bio's pages, private copies for the other legs), their fan-out
 * to the workqueue, and read_pattern fifo (its map, retries and repairs).
 * What happens once a voted read's legs complete is dm-quorum-vote.c's.
 *
 * Locks: reserve_lock (a mutex, through quorum_alloc_all()) while a read
 * waits for the reserves.  No other lock is held while a read is sent.
 */
#include "dm-quorum.h"

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
	struct bio *clone = quorum_alloc_bio(qc, io, io->direct, io->bio,
					     0, 0, gfp);

	if (!clone)
		return NULL;
	quorum_leg_read_flags(clone);
	clone->bi_end_io = quorum_read_endio;
	return clone;
}

/*
 * A read's bios, for quorum_alloc_all(): private pages for every leg but
 * the direct one, and the direct leg's clone; all of them or none.
 */
static bool quorum_alloc_buffers(void *data, gfp_t gfp)
{
	struct quorum_io *io = data;
	struct quorum_c *qc = io->qc;
	struct bio *bio = io->bio;
	unsigned int nr_pages = DIV_ROUND_UP(io->iter.bi_size, PAGE_SIZE);
	unsigned long buf_mask = io->leg_mask & ~BIT(io->direct);
	blk_opf_t opf = REQ_OP_READ | (bio->bi_opf & (REQ_SYNC | REQ_META | REQ_PRIO));
	unsigned int i, p, nr_cached;
	LIST_HEAD(cached);

	nr_cached = quorum_cache_take(&qc->cache, &cached,
				      hweight_long(buf_mask) * nr_pages);
	for_each_set_bit(i, &buf_mask, qc->nr_legs) {
		unsigned int left = io->iter.bi_size;
		struct bio *buf;

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
	if (io->direct_clone)
		return true;

fail:
	quorum_cache_give(&qc->cache, &cached, nr_cached);
	quorum_free_buffers(qc, io);
	return false;
}

/*
 * Give a read's private pages back: to the mempool while its reserve is
 * short, the others to the cache, in one go.
 */
void quorum_free_buffers(struct quorum_c *qc, struct quorum_io *io)
{
	LIST_HEAD(pages);
	unsigned int i, p, nr = 0;

	for (i = 0; i < qc->nr_legs; i++) {
		struct bio *buf = io->buf[i];

		if (!buf)
			continue;
		for (p = 0; p < buf->bi_vcnt; p++) {
			struct page *page = buf->bi_io_vec[p].bv_page;

			if (mempool_is_saturated(qc->page_pool)) {
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
static unsigned long quorum_fan_out_mask(struct quorum_c *qc,
					 struct quorum_io *io, bool busy)
{
	bool large = io->iter.bi_size > QUORUM_INLINE_CHECK_BYTES;
	unsigned long mask = 0;
	unsigned int i;

	if (!busy && !large)
		return 0;
	for_each_set_bit(i, &io->leg_mask, qc->nr_legs) {
		if (!READ_ONCE(qc->legs[i].reads_inline))
			continue;
		if (i != io->direct || (busy && large))
			mask |= BIT(i);
	}
	return mask;
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
	for_each_set_bit(i, &io->fan_out_mask, io->qc->nr_legs)
		quorum_submit_read(quorum_read_clone(io, i));
	blk_finish_plug(&plug);
	if (atomic_dec_and_test(&io->pending))
		quorum_read_legs_done(io, true);
}

void quorum_issue_read(struct quorum_c *qc, struct quorum_io *io,
		       unsigned long alive)
{
	struct bio *clones[QUORUM_MAX_LEGS];
	unsigned int i, n = 0;

	io->leg_mask = alive;
	io->out_of_sync_mask =
		quorum_out_of_sync_range(qc, dm_target_offset(qc->ti, io->iter.bi_sector),
					 io->iter.bi_size >> SECTOR_SHIFT);
	/* The bio's pages take a copy that votes, where one can. */
	io->direct = alive & ~io->out_of_sync_mask ?
		     __ffs(alive & ~io->out_of_sync_mask) : __ffs(alive);
	memset(io->buf, 0, sizeof(io->buf));
	atomic_set(&io->pending, hweight_long(alive));

	quorum_alloc_all(qc, quorum_alloc_buffers, io);

	io->fan_out_mask = quorum_fan_out_mask(qc, io,
					       atomic_inc_return(&qc->reads_in_flight) > 1);
	for_each_set_bit(i, &alive, qc->nr_legs) {
		atomic64_inc(&qc->legs[i].reads);
		if (!(io->fan_out_mask & BIT(i)))
			clones[n++] = quorum_read_clone(io, i);
	}
	if (io->fan_out_mask) {
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
void quorum_fifo_submit(struct quorum_c *qc, struct quorum_io *io)
{
	/* Alive first: a leg seen alive is seen out of sync where it is. */
	unsigned long next = quorum_alive_mask(qc) & ~io->fifo_failed_mask;
	struct bio *clone;

	next &= ~quorum_out_of_sync_range(qc, dm_target_offset(qc->ti, io->iter.bi_sector),
					  io->iter.bi_size >> SECTOR_SHIFT);

	if (!next) {
		/* No leg left: EIO, whatever the legs that failed said. */
		quorum_report_failure(qc, QUORUM_OP_READ, 0, io->iter.bi_sector,
				      io->iter.bi_size >> SECTOR_SHIFT);
		quorum_read_finish(io, BLK_STS_IOERR, NULL);
		return;
	}
	io->direct = __ffs(next);
	atomic_set(&io->pending, 1);
	io->leg_mask = BIT(io->direct);
	clone = quorum_clone_direct(qc, io, GFP_NOIO);
	atomic64_inc(&qc->legs[io->direct].reads);
	quorum_submit_read(clone);
}

static void quorum_fifo_retry_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);

	quorum_fifo_submit(io->qc, io);
}

/*
 * With rewrite_corrupted, the legs that failed a fifo read are rewritten,
 * but not from the bio's pages, which the caller may change while its read
 * is in flight: they are out of sync over the read's range, and the resync
 * copies the winner of a vote among the legs in sync there.
 */
static void quorum_fifo_repair_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);
	struct quorum_c *qc = io->qc;
	unsigned int i;

	for_each_set_bit(i, &io->fifo_failed_mask, qc->nr_legs)
		quorum_mark_out_of_sync(qc, i,
					dm_target_offset(qc->ti, io->iter.bi_sector),
					io->iter.bi_size >> SECTOR_SHIFT,
					"a read of it failed");
	quorum_resync_start(qc);
	quorum_read_finish(io, BLK_STS_OK, NULL);
}

/* A leg failed a fifo read: count it, and try the next one. */
void quorum_fifo_leg_failed(struct quorum_io *io, blk_status_t status)
{
	unsigned int leg = io->direct;

	io->status[leg] = status;
	io->fifo_failed_mask |= BIT(leg);
	quorum_leg_error(io->qc, leg, QUORUM_OP_READ, blk_status_to_errno(status),
			 io->iter.bi_sector, io->iter.bi_size >> SECTOR_SHIFT);
}

void quorum_fifo_done(struct quorum_io *io)
{
	struct quorum_c *qc = io->qc;
	blk_status_t status = io->status[io->direct];

	if (!status) {
		quorum_leg_success(&qc->legs[io->direct]);
		if (io->fifo_failed_mask && quorum_io_repairs(io)) {
			INIT_WORK(&io->work, quorum_fifo_repair_work);
			queue_work(qc->io_wq, &io->work);
			return;
		}
		quorum_read_finish(io, BLK_STS_OK, NULL);
		return;
	}
	quorum_fifo_leg_failed(io, status);
	INIT_WORK(&io->work, quorum_fifo_retry_work);
	queue_work(qc->wq, &io->work);
}

/* The first try: the bio itself goes to the first alive leg in sync. */
int quorum_fifo_map(struct quorum_c *qc, struct quorum_io *io,
		    struct bio *bio, unsigned long readable)
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
void quorum_fifo_failover_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);

	if (quorum_lock_range(io->qc, &io->range))
		quorum_issue(io);
}
