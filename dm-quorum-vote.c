// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: a voted read once its legs have completed.  Owns the
 * comparison of the copies, the vote over blocks, the repairs it sends,
 * and the end of every read (fifo ones too); its share of ctr/dtr is the
 * vote states' mempool, the SHA-256 transform and the repairs' count.
 *
 * A read's completion runs, in this order:
 *   quorum_read_endio()       a leg's read completed;
 *   quorum_read_legs_done()   the last one: in this context, or a worker;
 *   quorum_read_compare()     the fast path: every copy the same?
 *   quorum_read_vote()        no: elect every block (quorum_vote_begin(),
 *                             quorum_elect_blocks(), quorum_vote_end());
 *   quorum_read_finish()      the bio completes, its repairs are sent.
 *
 * Locks: repairs_lock (irq-safe) only to wake the waiter for repairs, and
 * range_lock through quorum_unlock_range().  Neither is held while the
 * other is taken.  The vote itself takes none.
 */
#include <linux/highmem.h>
#include <linux/slab.h>
#include <crypto/hash.h>
#include <crypto/sha2.h>

#include "dm-quorum.h"
void quorum_read_endio(struct bio *clone)
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
		quorum_read_legs_done(io, false);
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
		copy->bvecs = io->bio->bi_io_vec;
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

	if (rep->skipped) {
		/* It missed the repair, as a failed leg misses writes. */
		quorum_mark_out_of_sync(qc, rep->leg,
					dm_target_offset(qc->ti, rep->range.start),
					sectors, "it missed a repair");
		DMERR_LIMIT("%s: leg %s not repaired at sectors %llu+%llu: it failed",
			    dm_device_name(qc->md), qc->legs[rep->leg].dev->name,
			    (unsigned long long)rep->range.start,
			    (unsigned long long)sectors);
		if (rep->scrub)
			atomic64_add(rep->blocks, &qc->scrub->skipped);
	} else if (error) {
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
	if (rep->walk)
		quorum_walk_repaired(rep->walk);
	quorum_free_repair(rep);
	/* Once the waiter sees none in flight, it may free @qc. */
	spin_lock_irqsave(&qc->repairs_lock, flags);
	if (atomic_dec_and_test(&qc->repairs_in_flight))
		wake_up(&qc->repairs_wait);
	spin_unlock_irqrestore(&qc->repairs_lock, flags);
}

void quorum_wait_repairs(struct quorum_c *qc)
{
	spin_lock_irq(&qc->repairs_lock);
	wait_event_lock_irq(qc->repairs_wait,
			    !atomic_read(&qc->repairs_in_flight),
			    qc->repairs_lock);
	spin_unlock_irq(&qc->repairs_lock);
}

/*
 * Prepare the repair of @leg over the byte range @offset+@len of the read
 * from @winner, a copy that holds the winning bytes (never the caller's
 * pages: see quorum_repair_source()).  Repairs are best effort: when
 * memory is short the leg is left for a later read, the scrub or the
 * resync to repair.
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
	rep->range.repair = true;

	/* Without waiting: a vote must never wait for a bio. */
	rep->bio = bio_alloc_bioset(qc->legs[leg].dev->bdev, nr_pages,
				    REQ_OP_WRITE, GFP_NOWAIT | __GFP_NOWARN,
				    &qc->background_bs);
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
	if (io->flags & QUORUM_IO_BACKGROUND) {
		rep->walk = container_of(io, struct quorum_walk, io);
		atomic_inc(&rep->walk->repairs);
	}
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
	unsigned int source;	/* repairs: the leg whose copy they write */
};

/* The outcome of one block's election. */
struct quorum_ballot {
	u16 winner_mask;	/* legs, 0: no version has enough votes */
	u8 votes;		/* the largest group of equal copies */
};

struct quorum_vote_state {
	unsigned long voter_mask;	/* legs that read their copy */
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

static void quorum_emit_outvoted(struct quorum_io *io, unsigned int leg,
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

/* Blocks left unrepaired: a walk's chunk is not whole, the scrub says so. */
static void quorum_skip_repair(struct quorum_io *io, unsigned int blocks)
{
	io->flags |= QUORUM_IO_INCOMPLETE;
	if (io->flags & QUORUM_IO_SCRUB)
		atomic64_add(blocks, &io->qc->scrub->skipped);
}

/*
 * Where a repair takes the winning bytes from: a private copy that won.
 * Never the caller's pages, which the caller may change while its read is
 * in flight (O_DIRECT, io_uring, a guest's memory); a walk's chunk pages
 * are its own.  -1 if only the caller's pages hold the winner.
 */
static int quorum_repair_source(struct quorum_io *io,
				unsigned long winner_mask)
{
	unsigned long private = winner_mask & ~BIT(io->direct);

	if (private)
		return __ffs(private);
	if (io->flags & QUORUM_IO_BACKGROUND)
		return io->direct;
	return -1;
}

static void quorum_emit_repair(struct quorum_io *io,
			       struct quorum_vote_state *vs, unsigned int leg)
{
	struct quorum_run *run = &vs->repair[leg];
	struct quorum_repair *rep;

	if (!run->len)
		return;
	rep = quorum_prepare_repair(io, &vs->copies[run->source], leg,
				    run->offset, run->len, run->blocks);
	if (rep) {
		rep->next = vs->repairs;
		vs->repairs = rep;
	} else {
		quorum_skip_repair(io, run->blocks);
	}
	memset(run, 0, sizeof(*run));
}

static void quorum_emit_failed(struct quorum_io *io, struct quorum_run *run)
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
	struct quorum_election res;
	quorum_same_fn same = quorum_same_bytes;
	void *ctx = &blk;
	unsigned int i;

	if (!quorum_elect_majority(qc->nr_legs, vs->voter_mask,
				   quorum_same_bytes, &blk, qc->threshold,
				   &res)) {
		if (!may_hash)
			return false;
		for_each_set_bit(i, &vs->voter_mask, qc->nr_legs) {
			if (quorum_range_digest(qc->tfm, &vs->copies[i], offset,
						len, vs->digests[i])) {
				/* No digest, no vote: never guess. */
				ballot->winner_mask = 0;
				ballot->votes = 0;
				return true;
			}
		}
		quorum_elect(qc->nr_legs, vs->voter_mask, quorum_same_digest,
			     vs, qc->threshold, &res);
		same = quorum_same_digest;
		ctx = vs;
	}
	/*
	 * In a crash region, the legs in sync may hold different versions of
	 * a write never acknowledged: one is picked, by a fixed rule.
	 */
	if (!res.winner_mask && io->flags & QUORUM_IO_CRASH)
		quorum_elect_pick(qc->nr_legs, vs->voter_mask, same, ctx, &res);
	ballot->winner_mask = res.winner_mask;
	ballot->votes = res.votes;
	return true;
}

/*
 * Does this read write the winner back to the legs that lost it?  Never
 * on a table that may not write its legs.
 */
bool quorum_io_repairs(struct quorum_io *io)
{
	if (io->qc->read_only)
		return false;
	if (io->flags & QUORUM_IO_RESYNC)
		return true;
	if (io->flags & QUORUM_IO_SCRUB)
		return io->flags & QUORUM_IO_SCRUB_REPAIR;
	return io->qc->features & QUORUM_FEATURE_REWRITE_CORRUPTED;
}

/* Repair the block at @offset of @leg from @source, in runs of blocks. */
static void quorum_repair_block(struct quorum_io *io,
				struct quorum_vote_state *vs, unsigned int leg,
				unsigned int offset, unsigned int len,
				int source)
{
	struct quorum_run *run = &vs->repair[leg];

	if (source < 0) {
		quorum_emit_repair(io, vs, leg);
		quorum_skip_repair(io, 1);
		return;
	}
	if (!quorum_run_extends(run, offset) || (run->len && run->source != source))
		quorum_emit_repair(io, vs, leg);
	if (!run->len)
		run->source = source;
	quorum_run_add(run, offset, len, 0);
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

/* The legs that read their copy and were in sync in the read's range. */
static unsigned long quorum_voter_mask(struct quorum_io *io)
{
	unsigned long mask = 0;
	unsigned int i;

	for_each_set_bit(i, &io->leg_mask, io->qc->nr_legs)
		if (!io->status[i])
			mask |= BIT(i);
	return mask & ~io->out_of_sync_mask;
}

static void quorum_vote_begin(struct quorum_io *io, struct quorum_vote_state *vs)
{
	unsigned int i;

	memset(vs, 0, sizeof(*vs));
	vs->voter_mask = quorum_voter_mask(io);
	/* Every copy that was read: those of legs out of sync too. */
	for (i = 0; i < io->qc->nr_legs; i++)
		if ((io->leg_mask & BIT(i) && !io->status[i]) || i == io->direct)
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
	unsigned int offset, len, i, votes, b = 0;
	unsigned long winner_mask, loser_mask;
	struct quorum_block blk = { .vs = vs };
	int source;
	bool failed = false;

	for (offset = 0; offset < io->iter.bi_size; offset += len, b++) {
		len = quorum_block_len(io, offset);
		winner_mask = vs->ballots[b].winner_mask;
		votes = vs->ballots[b].votes;
		blk.offset = offset;
		blk.len = len;

		if (!winner_mask) {
			failed = true;
			if (scrub)
				atomic64_inc(&qc->scrub->unrecoverable);
			if (!quorum_run_extends(&vs->failed, offset))
				quorum_emit_failed(io, &vs->failed);
			quorum_run_add(&vs->failed, offset, len, votes);
			continue;
		}
		if (!(winner_mask & BIT(io->direct)))
			quorum_copy_bytes(&vs->copies[__ffs(winner_mask)], offset,
					  &vs->copies[io->direct], offset, len);
		loser_mask = io->leg_mask & ~winner_mask;
		source = quorum_repair_source(io, winner_mask);
		for_each_set_bit(i, &loser_mask, qc->nr_legs) {
			/*
			 * A leg out of sync here is expected to differ: not
			 * bad, and rewritten only where it does.
			 */
			if (io->out_of_sync_mask & BIT(i)) {
				if (!io->status[i] &&
				    quorum_same_bytes(&blk, i, __ffs(winner_mask)))
					continue;
			} else if (scrub) {
				atomic_inc(&qc->legs[i].scrub_bad);
				atomic64_inc(&qc->scrub->bad);
			}
			if (vs->voter_mask & BIT(i)) {
				if (!quorum_run_extends(&vs->outvoted[i], offset))
					quorum_emit_outvoted(io, i, &vs->outvoted[i]);
				quorum_run_add(&vs->outvoted[i], offset, len, 0);
			}
			if (rewrite)
				quorum_repair_block(io, vs, i, offset, len,
						    source);
		}
	}

	for (i = 0; i < qc->nr_legs; i++) {
		quorum_emit_outvoted(io, i, &vs->outvoted[i]);
		quorum_emit_repair(io, vs, i);
	}
	quorum_emit_failed(io, &vs->failed);
	return failed ? BLK_STS_IOERR : BLK_STS_OK;
}

/* Send repairs whose ranges are held: those of quorum_unlock_range(). */
void quorum_send_repairs(struct quorum_repair *repairs)
{
	struct quorum_repair *next;

	for (; repairs; repairs = next) {
		next = repairs->next;
		/* Its leg failed while it waited for readers: no I/O to it. */
		if (test_bit(repairs->leg, &repairs->qc->failed_mask)) {
			repairs->skipped = true;
			bio_io_error(repairs->bio);
			continue;
		}
		submit_bio_noacct(repairs->bio);
	}
}

void quorum_read_finish(struct quorum_io *io, blk_status_t status,
			struct quorum_repair *repairs)
{
	struct quorum_c *qc = io->qc;
	struct bio *bio = io->bio;

	quorum_free_buffers(qc, io);
	if (!(io->flags & QUORUM_IO_FIFO))
		atomic_dec(&qc->reads_in_flight);
	quorum_unlock_range(qc, &io->range, &repairs);
	quorum_send_repairs(repairs);
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
	quorum_read_finish(io, status, repairs);
}

static void quorum_read_vote_work(struct work_struct *work)
{
	struct quorum_io *io = container_of(work, struct quorum_io, work);

	quorum_vote_end(io, NULL);
}

/*
 * Vote on a read where its last leg completed (quorum_read_legs_done() checks
 * only small reads there): only with nothing to repair and a vote state
 * at hand, and only if majorities decide every block.  Else the vote is
 * left to the workqueue, from the start.
 */
static void quorum_read_vote(struct quorum_io *io)
{
	struct quorum_c *qc = io->qc;
	struct quorum_vote_state *vs = NULL;

	if (!quorum_io_repairs(io) && !(io->flags & QUORUM_IO_BACKGROUND))
		vs = mempool_alloc(qc->vote_pool, GFP_NOWAIT | __GFP_NOWARN);
	if (vs) {
		quorum_vote_begin(io, vs);
		if (quorum_elect_blocks(io, vs, false)) {
			quorum_vote_end(io, vs);
			return;
		}
		mempool_free(vs, qc->vote_pool);
	}
	INIT_WORK(&io->work, quorum_read_vote_work);
	queue_work(qc->io_wq, &io->work);
}

/*
 * A read's legs have all completed.  Runs in completion context for small
 * reads, unless that is hard interrupt context, else in a worker
 * (@in_worker): one queued for the check, or the one that read the
 * fanned-out legs.  Hashing and repairs are left to a worker.
 */
static void quorum_read_compare(struct quorum_io *io, bool in_worker)
{
	struct quorum_c *qc = io->qc;
	struct quorum_copy copies[3], copy;
	int errors[QUORUM_MAX_LEGS];
	unsigned long succeeded, voters, others;
	unsigned int votes, ref, nr;
	bool vote = false;
	int error;

	quorum_collect_errors(io, errors, &succeeded, NULL);
	voters = succeeded & ~io->out_of_sync_mask;
	votes = hweight_long(voters);
	if (votes < qc->threshold) {
		if (io->flags & QUORUM_IO_SCRUB)
			atomic64_add(quorum_nr_blocks(io),
				     &qc->scrub->unrecoverable);
		quorum_report_failure(qc, QUORUM_OP_READ, votes,
				      io->iter.bi_sector, io->iter.bi_size >> SECTOR_SHIFT);
		/* Too few legs in sync fail the read, however many read it. */
		error = quorum_common_error(errors, qc->nr_legs) ?: -EIO;
		quorum_read_finish(io, errno_to_blk_status(error), NULL);
		return;
	}

	/*
	 * The fast path: every copy that votes is the same.  The first is
	 * compared with two others at a time: with three legs, each copy is
	 * read once.  Copies of legs out of sync are not looked at.
	 */
	ref = __ffs(voters);
	quorum_get_copy(io, ref, &copies[0]);
	others = voters & ~BIT(ref);
	while (!vote && others) {
		for (nr = 1; nr < 3 && others; nr++) {
			quorum_get_copy(io, __ffs(others), &copies[nr]);
			others &= others - 1;
		}
		vote = !quorum_copies_equal(copies, nr, 0, io->iter.bi_size);
	}
	/*
	 * A leg failed: repair it, or count its blocks for the scrub.  The
	 * scrub and the resync also rewrite (or count) the copies of legs
	 * out of sync, which no comparison looked at.
	 */
	if (succeeded != io->leg_mask &&
	    (quorum_io_repairs(io) || io->flags & QUORUM_IO_SCRUB))
		vote = true;
	if (voters != succeeded && io->flags & QUORUM_IO_BACKGROUND)
		vote = true;
	if (vote) {
		if (in_worker)
			quorum_vote_end(io, NULL);
		else
			quorum_read_vote(io);
		return;
	}
	if (ref != io->direct) {
		quorum_get_copy(io, io->direct, &copy);
		quorum_copy_bytes(&copies[0], 0, &copy, 0, io->iter.bi_size);
	}
	quorum_read_finish(io, BLK_STS_OK, NULL);
}

static void quorum_read_compare_work(struct work_struct *work)
{
	quorum_read_compare(container_of(work, struct quorum_io, work), true);
}

/*
 * A read's legs have all completed; @in_worker: quorum_fan_out_work() found
 * them done once it had sent its own, and the check runs there.
 */
void quorum_read_legs_done(struct quorum_io *io, bool in_worker)
{
	if (io->flags & QUORUM_IO_FIFO) {
		quorum_fifo_done(io);
		return;
	}
	if (in_worker) {
		quorum_read_compare(io, true);
		return;
	}
	if (in_hardirq() || irqs_disabled() ||
	    io->iter.bi_size > QUORUM_INLINE_CHECK_BYTES) {
		INIT_WORK(&io->work, quorum_read_compare_work);
		queue_work(io->qc->io_wq, &io->work);
		return;
	}
	quorum_read_compare(io, false);
}

int quorum_vote_ctr(struct quorum_c *qc)
{
	spin_lock_init(&qc->repairs_lock);
	init_waitqueue_head(&qc->repairs_wait);
	qc->vote_pool = mempool_create_kmalloc_pool(1, sizeof(struct quorum_vote_state));
	if (!qc->vote_pool) {
		qc->ti->error = "Cannot allocate vote pool";
		return -ENOMEM;
	}
	qc->tfm = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(qc->tfm)) {
		int r = PTR_ERR(qc->tfm);

		qc->tfm = NULL;
		qc->ti->error = "Cannot allocate sha256";
		return r;
	}
	return 0;
}

void quorum_vote_dtr(struct quorum_c *qc)
{
	if (qc->tfm)
		crypto_free_shash(qc->tfm);
	mempool_destroy(qc->vote_pool);
}
