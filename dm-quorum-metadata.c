// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: the metadata on the legs (the "metadata" feature), which lets
 * a volume survive power cuts and reboots.  Its share of ctr/dtr is the
 * superblocks and bitmaps; of the table line, "metadata"; of the status,
 * its three last fields.  The format (dm-quorum-super.h) is checked and
 * decided on by dm-quorum-super.c.
 *
 * Every alive leg holds the same metadata: a superblock (the legs' state,
 * clean or not, a generation bumped at each superblock update), the
 * write-intent bitmap and, per leg, the regions it is out of sync in.
 *
 * - A write goes out only once its regions are set in the write-intent
 *   bitmap on disk (FUA), and once the legs it misses (failed) are out of
 *   sync there on disk too: quorum_meta_ready() lets it through, or queues
 *   it for the update work, which batches every waiting write in one
 *   metadata write per page.
 * - A write that a leg failed is acknowledged only once that leg's new
 *   out-of-sync regions are on disk (quorum_meta_finish()).
 * - Every QUORUM_META_CLEAR_INTERVAL, regions of the write-intent bitmap
 *   with no write since the last pass and none in flight are cleared (after
 *   a flush of the legs, carried by the superblock update that bumps the
 *   "cleared" generation first), and regions legs were resynced in are
 *   cleared from their out-of-sync bitmaps.
 * - Suspend clears the write-intent bitmap and marks the superblocks clean.
 *
 * At the first resume of a table, the metadata is read again (a table
 * loaded before the previous one was suspended saw an older state) and
 * applied: failed legs stay failed, legs are out of sync where their
 * bitmaps say, lagging legs over the write-intent bitmap or whole, and
 * after an unclean shutdown the regions of the write-intent bitmap are
 * crash regions: the resync makes the legs in sync there identical, by
 * the rule of quorum_elect_pick(), which reads there follow too.
 *
 * Locks: lock (irq-safe) protects the bitmaps as on disk (dirty, oos),
 * written and the waiting lists; update_lock (a mutex) lets one update of
 * the metadata at a time run, so that while it is held the bitmaps as on
 * disk only change under it.  Neither is taken under another lock.
 */
#include <linux/crc32c.h>
#include <linux/dm-io.h>
#include <linux/ioprio.h>
#include <linux/ktime.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uuid.h>
#include <linux/vmalloc.h>

#include "dm-quorum.h"
#include "dm-quorum-super.h"

/* How often idle regions leave the write-intent bitmap. */
#define QUORUM_META_CLEAR_INTERVAL	(5 * HZ)
#define QUORUM_BITMAP_PAGE_BITS		(QUORUM_SUPER_SIZE * 8)
#define QUORUM_PAGE_WORDS		(QUORUM_BITMAP_PAGE_BITS / BITS_PER_LONG)

struct quorum_meta {
	struct quorum_c *qc;
	struct dm_io_client *io_client;
	/* The volume's superblock (leg and meta_offset: leg 0's). */
	struct quorum_super sb;
	u64 meta_offset[QUORUM_MAX_LEGS];
	unsigned int nr_pages;		/* of one bitmap, for nr_regions */
	bool activated;			/* the first resume read the metadata */
	bool clean;			/* the superblocks on disk say clean */
	bool suspended;
	struct quorum_table table;	/* as the ctr saw it */

	spinlock_t lock;		/* see "Locks" above */
	unsigned long *dirty;		/* the write-intent bitmap on disk */
	unsigned long *written;		/* regions written since the last pass */
	unsigned long *oos[QUORUM_MAX_LEGS];	/* out of sync, on disk */
	unsigned long persisted_failed;	/* failed legs, on disk */
	unsigned long persisted_absent;	/* and those of them absent */
	/*
	 * Legs whose copy of the metadata missed updates (they were failed,
	 * or a write of it failed): they get no superblock until every
	 * bitmap is written to them again, so that they lag till then.
	 */
	unsigned long stale;
	unsigned long super_legs;	/* those the last superblock reached */
	unsigned long refresh_after;	/* jiffies: retry stale legs then */
	unsigned long failed;		/* failed legs, as the update saw them */
	unsigned long absent;		/* and those of them that were missing */
	u64 confirmed[QUORUM_MAX_LEGS];	/* the last superblock each took */
	bool lost;			/* an update reached no leg */
	unsigned long *clearing;	/* the bits a clearing pass takes out */
	struct list_head waiting;	/* writes waiting for their marks */
	struct list_head finishing;	/* writes waiting for a leg's marks */
	unsigned long crash;		/* crash regions left, for the status */
	unsigned long *crash_regions;	/* read by the vote and the resync */

	struct mutex update_lock;	/* one update at a time */
	unsigned int marks[QUORUM_MAX_LEGS];	/* legs' marks persisted */
	unsigned long *busy;		/* scratch bitmap of the updates */
	unsigned long *snap;		/* scratch page of a leg's bitmap */
	void *page;			/* a bitmap page being written */
	void *sb_buf[QUORUM_MAX_LEGS];	/* superblocks being written */
	struct work_struct work;
	struct delayed_work clear_work;
};

u32 quorum_super_crc32c(u32 crc, const void *buf, size_t len)
{
	return crc32c(crc, buf, len);
}

/* Synchronous I/O of @sectors at @sector of the legs @legs, from @buf. */
static unsigned long quorum_meta_io(struct quorum_meta *meta, blk_opf_t opf,
				    unsigned long legs, const u64 *sector,
				    sector_t sectors, void *buf)
{
	struct quorum_c *qc = meta->qc;
	struct dm_io_region where[QUORUM_MAX_LEGS];
	unsigned int idx[QUORUM_MAX_LEGS], n = 0, i;
	struct dm_io_request req = {
		.bi_opf = opf,
		.mem.type = is_vmalloc_addr(buf) ? DM_IO_VMA : DM_IO_KMEM,
		.client = meta->io_client,
	};
	unsigned long error_bits = 0, failed = 0;
	int r;

	if (is_vmalloc_addr(buf))
		req.mem.ptr.vma = buf;
	else
		req.mem.ptr.addr = buf;
	for_each_set_bit(i, &legs, qc->nr_legs) {
		where[n].bdev = qc->legs[i].dev->bdev;
		where[n].sector = sector[i];
		where[n].count = sectors;
		idx[n++] = i;
	}
	if (!n)
		return 0;
	r = dm_io(&req, n, where, &error_bits, IOPRIO_DEFAULT);
	if (r && !error_bits)
		error_bits = ~0UL;
	for (i = 0; i < n; i++)
		if (error_bits & BIT(i))
			failed |= BIT(idx[i]);
	return failed;
}

/*
 * Legs @failed could not write (or read) their metadata: their copy of it
 * is stale, so they are out of sync everywhere (an error counted, the
 * limit applies), which the next update persists on the others.
 */
static void quorum_meta_failed(struct quorum_meta *meta, unsigned long failed,
			       const char *what)
{
	struct quorum_c *qc = meta->qc;
	unsigned int i;

	meta->stale |= failed;
	/* Not again before the next clearing pass. */
	meta->refresh_after = jiffies + QUORUM_META_CLEAR_INTERVAL;
	for_each_set_bit(i, &failed, qc->nr_legs) {
		DMERR_LIMIT("%s: leg %s: %s failed",
			    dm_device_name(qc->md), qc->legs[i].dev->name, what);
		atomic_inc(&qc->legs[i].write_errors);
		/*
		 * Quietly (no kick of the update that is running): the
		 * next superblock says it.  In the ctr there is no bitmap.
		 */
		if (qc->legs[i].out_of_sync_regions)
			quorum_mark_all(qc, i);
	}
}

/* The words of the bitmaps that page @page holds: [@first, @last). */
static void quorum_meta_page_words(struct quorum_meta *meta, unsigned int page,
				   unsigned long *first, unsigned long *last)
{
	unsigned long words = BITS_TO_LONGS(meta->qc->nr_regions);

	*first = (unsigned long)page * QUORUM_PAGE_WORDS;
	*last = min(words, *first + QUORUM_PAGE_WORDS);
}

/* The sector of bitmap @b (0: write-intent, 1 + j: leg j's) on every leg. */
static void quorum_meta_bitmap_sectors(struct quorum_meta *meta, unsigned int b,
				       unsigned int page, u64 *sector)
{
	unsigned int i;

	for (i = 0; i < meta->qc->nr_legs; i++)
		sector[i] = meta->meta_offset[i] +
			    (u64)b * meta->sb.bitmap_sectors +
			    (u64)page * QUORUM_SUPER_SECTORS;
}

/*
 * Copy page @page of @bits (nr_regions bits), with @extra or'ed in if not
 * NULL, to meta->page, little-endian (bit r is bit r % 8 of byte r / 8).
 * @extra is indexed from the page's first word.
 */
static void quorum_meta_fill_page(struct quorum_meta *meta,
				  const unsigned long *bits,
				  const unsigned long *extra, unsigned int page)
{
	unsigned long first, last, w, v;
	u8 *p = meta->page;
	unsigned int k;

	quorum_meta_page_words(meta, page, &first, &last);
	memset(p, 0, QUORUM_SUPER_SIZE);
	for (w = first; w < last; w++) {
		v = bits[w] | (extra ? extra[w - first] : 0);
		for (k = 0; k < sizeof(v); k++)
			*p++ = v >> (8 * k);
	}
}

/* Write page @page of bitmap @b, as meta->page holds it, to @legs. */
static unsigned long quorum_meta_write_page(struct quorum_meta *meta,
					    unsigned long legs, unsigned int b,
					    unsigned int page, blk_opf_t flags)
{
	u64 sector[QUORUM_MAX_LEGS];

	unsigned long bad;

	quorum_meta_bitmap_sectors(meta, b, page, sector);
	bad = quorum_meta_io(meta, REQ_OP_WRITE | REQ_SYNC | flags, legs,
			     sector, QUORUM_SUPER_SECTORS, meta->page);
	/* Lost only when it was for every leg alive, and none took it. */
	if (legs && legs == quorum_alive_mask(meta->qc) && (bad & legs) == legs)
		meta->lost = true;
	return bad;
}

/*
 * Under update_lock: the legs whose metadata is up to date, to get the
 * next superblock: alive, and not stale.
 */
static unsigned long quorum_meta_current(struct quorum_meta *meta)
{
	struct quorum_c *qc = meta->qc;
	unsigned long failed;
	unsigned int i;

	/*
	 * Read once, under the lock that marks regions: what the next
	 * superblock says is what was marked (a leg reinstated out of sync
	 * everywhere is marked before it is not failed).
	 */
	spin_lock_irq(&qc->leg_lock);
	meta->failed = qc->failed_mask;
	meta->absent = qc->absent_mask & qc->failed_mask;
	spin_unlock_irq(&qc->leg_lock);
	failed = meta->failed & ~meta->stale;
	/*
	 * A leg that fails may have lost, at a power cut, any write it
	 * acknowledged since its last flush: those are all in the
	 * write-intent bitmap (bits go only after a flush of the legs up to
	 * date), so it is out of sync there too, before anything is cleared.
	 */
	for_each_set_bit(i, &failed, qc->nr_legs) {
		quorum_mark_regions(qc, i, meta->dirty);
		if (meta->clearing)
			quorum_mark_regions(qc, i, meta->clearing);
	}
	meta->stale |= failed;
	return quorum_alive_mask(qc) & ~meta->stale;
}

/*
 * Under update_lock: bring the out-of-sync bitmaps on disk up to what the
 * legs missed (the legs' marks moved).  What is written is a snapshot of
 * the legs' bitmaps, and only what was written counts as on disk.
 * Returns true if a page was written.
 */
static bool quorum_meta_sync_oos(struct quorum_meta *meta)
{
	struct quorum_c *qc = meta->qc;
	unsigned long first, last, w, bad = 0, *snap = meta->snap;
	unsigned int i, page, marks;
	bool wrote = false, changed;

	for (i = 0; i < qc->nr_legs; i++) {
		unsigned long *mem = qc->legs[i].out_of_sync_regions;

		/* Pairs with the marking's release: the count, then the bits. */
		marks = smp_load_acquire(&qc->legs[i].marks);
		if (marks == meta->marks[i])
			continue;
		meta->marks[i] = marks;
		for (page = 0; page < meta->nr_pages; page++) {
			quorum_meta_page_words(meta, page, &first, &last);
			changed = false;
			for (w = first; w < last; w++) {
				/* data_race: bits set later move the marks again */
				snap[w - first] = data_race(READ_ONCE(mem[w]));
				changed |= (snap[w - first] & ~meta->oos[i][w]) != 0;
			}
			if (!changed)
				continue;
			quorum_meta_fill_page(meta, meta->oos[i], snap, page);
			bad |= quorum_meta_write_page(meta, quorum_alive_mask(qc),
						      1 + i, page, REQ_FUA);
			wrote = true;
			if (meta->lost) {
				/* Not on disk: the next update tries again. */
				meta->marks[i] = marks - 1;
				continue;
			}
			spin_lock_irq(&meta->lock);
			for (w = first; w < last; w++)
				meta->oos[i][w] |= snap[w - first];
			spin_unlock_irq(&meta->lock);
		}
	}
	if (bad)
		quorum_meta_failed(meta, bad, "bitmap write");
	return wrote;
}

/*
 * Write the superblock, one generation on, to every alive leg (@flags:
 * REQ_PREFLUSH to make the legs' data durable first).  What it says of
 * each leg is taken now: failed, out of sync on disk.
 */
static unsigned long quorum_meta_write_super(struct quorum_meta *meta,
					     bool clean, bool cleared,
					     blk_opf_t flags)
{
	struct quorum_c *qc = meta->qc;
	unsigned long legs, failed, oos = 0, bad = 0;
	unsigned int i;

	legs = quorum_meta_current(meta);
	failed = meta->failed;
	/* Where the legs it says are not failed are out of sync, on disk. */
	quorum_meta_sync_oos(meta);
	/* A leg that did not take that gets no superblock either. */
	legs &= ~meta->stale;
	for (i = 0; i < qc->nr_legs; i++)
		if (meta->oos[i] && !bitmap_empty(meta->oos[i], qc->nr_regions))
			oos |= BIT(i);
	meta->sb.generation++;
	/* Version 2 only where it is needed: older readers take the rest. */
	meta->sb.version = failed & meta->absent ? 2 : 1;
	if (cleared)
		meta->sb.cleared = meta->sb.generation;
	meta->sb.flags = clean ? QUORUM_SUPER_CLEAN : 0;
	for (i = 0; i < qc->nr_legs; i++) {
		meta->sb.legs[i].state =
			(failed & BIT(i) ? QUORUM_LEG_FAILED : 0) |
			(failed & meta->absent & BIT(i) ? QUORUM_LEG_ABSENT : 0) |
			(oos & BIT(i) ? QUORUM_LEG_OUT_OF_SYNC : 0);
		meta->sb.legs[i].generation = meta->confirmed[i];
	}
	for_each_set_bit(i, &legs, qc->nr_legs) {
		struct quorum_super sb = meta->sb;
		u64 one[QUORUM_MAX_LEGS];

		sb.leg = i;
		sb.meta_offset = meta->meta_offset[i];
		quorum_super_encode(&sb, meta->sb_buf[i]);
		one[i] = meta->meta_offset[i] + meta->sb.meta_sectors -
			 QUORUM_SUPER_AREA_SECTORS +
			 quorum_super_slot(sb.generation) * QUORUM_SUPER_SECTORS;
		/* Each leg's own: one I/O per leg, in turn. */
		bad |= quorum_meta_io(meta, REQ_OP_WRITE | REQ_SYNC | REQ_FUA | flags,
				      BIT(i), one, QUORUM_SUPER_SECTORS,
				      meta->sb_buf[i]);
	}
	meta->super_legs = legs & ~bad;
	if (!meta->super_legs && quorum_alive_mask(qc))
		meta->lost = true;
	for_each_set_bit(i, &meta->super_legs, qc->nr_legs)
		meta->confirmed[i] = meta->sb.generation;
	spin_lock_irq(&meta->lock);
	meta->clean = clean;
	/* Said on some leg: writes that miss those legs may go. */
	if (meta->super_legs) {
		meta->persisted_failed = failed;
		meta->persisted_absent = failed & meta->absent;
	}
	spin_unlock_irq(&meta->lock);
	if (bad)
		quorum_meta_failed(meta, bad, "superblock write");
	return bad;
}

/*
 * Read bitmap @b of leg @leg into @bits (nr_regions bits, or'ed in).
 * Returns 0 or -EIO.
 */
static int quorum_meta_read_bitmap(struct quorum_meta *meta, unsigned int leg,
				   unsigned int b, unsigned long *bits)
{
	struct quorum_c *qc = meta->qc;
	unsigned long first, last, w, v;
	u64 sector[QUORUM_MAX_LEGS];
	unsigned int page, k;
	u8 *p;

	for (page = 0; page < meta->nr_pages; page++) {
		quorum_meta_bitmap_sectors(meta, b, page, sector);
		if (quorum_meta_io(meta, REQ_OP_READ, BIT(leg), sector,
				   QUORUM_SUPER_SECTORS, meta->page))
			return -EIO;
		quorum_meta_page_words(meta, page, &first, &last);
		p = meta->page;
		for (w = first; w < last; w++) {
			for (v = 0, k = 0; k < sizeof(v); k++)
				v |= (unsigned long)*p++ << (8 * k);
			bits[w] |= v;
		}
	}
	if (qc->nr_regions % BITS_PER_LONG)
		bits[BITS_TO_LONGS(qc->nr_regions) - 1] &=
			BITMAP_LAST_WORD_MASK(qc->nr_regions);
	return 0;
}

/*
 * Under update_lock: write every bitmap to legs @legs, then the
 * superblock to every leg up to date, them included if they took it all.
 */
static void quorum_meta_write_all(struct quorum_meta *meta, unsigned long legs)
{
	struct quorum_c *qc = meta->qc;
	unsigned long bad = 0;
	unsigned int b, page;

	for (b = 0; b <= qc->nr_legs; b++) {
		for (page = 0; page < meta->nr_pages; page++) {
			quorum_meta_fill_page(meta, b ? meta->oos[b - 1] : meta->dirty,
					      NULL, page);
			bad |= quorum_meta_write_page(meta, legs, b, page, REQ_FUA);
		}
	}
	meta->stale &= ~(legs & ~bad);
	if (bad)
		quorum_meta_failed(meta, bad, "bitmap write");
	quorum_meta_write_super(meta, meta->clean, false, REQ_PREFLUSH);
}

/* Under update_lock: legs stale but alive again get the whole metadata. */
static void quorum_meta_refresh(struct quorum_meta *meta)
{
	unsigned long legs = quorum_alive_mask(meta->qc) & meta->stale;

	if (!legs || time_before(jiffies, meta->refresh_after))
		return;
	/* What legs missed, on disk first: the bitmaps written are those. */
	quorum_meta_sync_oos(meta);
	quorum_meta_write_all(meta, legs);
}

/* The regions of a write. */
static void quorum_meta_regions(struct quorum_c *qc, struct quorum_io *io,
				unsigned long *first, unsigned long *last)
{
	quorum_regions(qc, dm_target_offset(qc->ti, io->iter.bi_sector),
		       io->iter.bi_size >> SECTOR_SHIFT, first, last);
}

static bool quorum_meta_all_set(const unsigned long *bits, unsigned long first,
				unsigned long last)
{
	return find_next_zero_bit(bits, last + 1, first) > last;
}

/*
 * May write @io go out?  Only once its regions are in the write-intent
 * bitmap on disk, and out of sync on disk for the legs @missed (failed)
 * that it does not go to.  Else it waits for the update work, which
 * issues it again.  From any context.
 */
bool quorum_meta_ready(struct quorum_c *qc, struct quorum_io *io,
		       unsigned long missed)
{
	struct quorum_meta *meta = qc->meta;
	unsigned long first, last, flags;
	unsigned int i;
	bool ready;

	/* A read-only table writes no metadata (nor legs, normally). */
	if (!meta || qc->read_only)
		return true;
	spin_lock_irqsave(&meta->lock, flags);
	/*
	 * A leg failed, and the superblocks do not say so yet: nothing may
	 * be acknowledged without it (a flush neither), or after a power cut
	 * it would come back in sync with what it lost.
	 */
	ready = !(missed & ~meta->persisted_failed);
	if (io->iter.bi_size) {
		quorum_meta_regions(qc, io, &first, &last);
		ready = ready && !meta->clean &&
			quorum_meta_all_set(meta->dirty, first, last);
		for_each_set_bit(i, &missed, qc->nr_legs)
			ready = ready && quorum_meta_all_set(meta->oos[i], first, last);
		if (ready)
			bitmap_set(meta->written, first, last - first + 1);
	}
	if (!ready)
		list_add_tail(&io->dispatch, &meta->waiting);
	spin_unlock_irqrestore(&meta->lock, flags);
	if (!ready)
		queue_work(qc->wq, &meta->work);
	return ready;
}

/*
 * May a write that legs failed be acknowledged?  Only once what they
 * missed is on disk: else it waits for the update work, which finishes
 * it.  From any context.
 */
bool quorum_meta_finish(struct quorum_c *qc, struct quorum_io *io)
{
	struct quorum_meta *meta = qc->meta;
	unsigned long flags;

	if (!meta || qc->read_only)
		return true;
	spin_lock_irqsave(&meta->lock, flags);
	list_add_tail(&io->dispatch, &meta->finishing);
	spin_unlock_irqrestore(&meta->lock, flags);
	queue_work(qc->wq, &meta->work);
	return false;
}

/* Under update_lock: write the write-intent pages @ios need, then mark. */
static void quorum_meta_mark(struct quorum_meta *meta, struct list_head *ios)
{
	struct quorum_c *qc = meta->qc;
	unsigned long first, last, w, bad = 0, *want = meta->busy;
	struct quorum_io *io;
	unsigned int page;
	bool needed;

	bitmap_zero(want, qc->nr_regions);
	list_for_each_entry(io, ios, dispatch) {
		/* Flushes wait for a failed leg's state only. */
		if (!io->iter.bi_size)
			continue;
		quorum_meta_regions(qc, io, &first, &last);
		bitmap_set(want, first, last - first + 1);
	}
	for (page = 0; page < meta->nr_pages; page++) {
		quorum_meta_page_words(meta, page, &first, &last);
		needed = false;
		for (w = first; w < last && !needed; w++)
			needed = want[w] & ~meta->dirty[w];
		if (!needed)
			continue;
		quorum_meta_fill_page(meta, meta->dirty, want + first, page);
		bad |= quorum_meta_write_page(meta, quorum_alive_mask(qc), 0,
					      page, REQ_FUA);
	}
	if (bad)
		quorum_meta_failed(meta, bad, "write-intent bitmap write");
	if (meta->lost)
		return;
	spin_lock_irq(&meta->lock);
	bitmap_or(meta->dirty, meta->dirty, want, qc->nr_regions);
	spin_unlock_irq(&meta->lock);
}

/*
 * Under update_lock: what legs missed, and which legs failed, on disk.
 * Errors on the metadata mark more legs: a few rounds settle it.
 */
static void quorum_meta_settle(struct quorum_meta *meta)
{
	int round;

	for (round = 0; round < 4; round++) {
		if (!quorum_meta_sync_oos(meta) &&
		    READ_ONCE(meta->qc->failed_mask) == meta->persisted_failed &&
		    (READ_ONCE(meta->qc->absent_mask) & meta->persisted_failed) ==
		    meta->persisted_absent)
			break;
		quorum_meta_write_super(meta, meta->clean, false, 0);
	}
}

/*
 * The update work: writes waiting for their marks, and writes waiting for
 * a failed leg's, once the metadata says so on every alive leg.
 */
static void quorum_meta_work(struct work_struct *work)
{
	struct quorum_meta *meta = container_of(work, struct quorum_meta, work);
	struct quorum_c *qc = meta->qc;
	struct quorum_io *io, *next;
	LIST_HEAD(ios);
	LIST_HEAD(done);
	bool lost;

	mutex_lock(&meta->update_lock);
	spin_lock_irq(&meta->lock);
	list_splice_init(&meta->waiting, &ios);
	list_splice_init(&meta->finishing, &done);
	spin_unlock_irq(&meta->lock);
	meta->lost = false;
	/*
	 * Suspended, the metadata is left as the suspend wrote it (a table
	 * loaded meanwhile reads it); no I/O can be waiting then.
	 */
	if (meta->suspended) {
		mutex_unlock(&meta->update_lock);
		WARN_ON_ONCE(!list_empty(&ios) || !list_empty(&done));
		list_for_each_entry_safe(io, next, &ios, dispatch)
			quorum_write_abort(io);
		list_for_each_entry_safe(io, next, &done, dispatch)
			quorum_write_abort(io);
		return;
	}

	quorum_meta_refresh(meta);
	if (meta->clean && !list_empty(&ios))
		quorum_meta_write_super(meta, false, false, 0);
	if (!list_empty(&ios))
		quorum_meta_mark(meta, &ios);
	quorum_meta_settle(meta);
	lost = meta->lost;
	mutex_unlock(&meta->update_lock);

	/* No leg took what they wait for: they fail. */
	if (lost)
		DMERR("%s: the metadata could not be written to any leg: writes fail",
		      dm_device_name(qc->md));
	list_for_each_entry_safe(io, next, &ios, dispatch)
		lost ? quorum_write_abort(io) : quorum_issue(io);
	list_for_each_entry_safe(io, next, &done, dispatch)
		lost ? quorum_write_abort(io) : quorum_write_finish(io);
}

/*
 * Under update_lock: clear the regions of the write-intent bitmap that no
 * write touched since the last pass, none is in flight in, and no crash
 * resync needs, or all of them (@all: suspended); and the regions legs
 * are in sync again in from their bitmaps on disk.
 */
static void quorum_meta_clear(struct quorum_meta *meta, bool all)
{
	struct quorum_c *qc = meta->qc;
	unsigned long words = BITS_TO_LONGS(qc->nr_regions), w, bad = 0;
	unsigned long *clear = meta->busy, first, last, clear_oos = 0, legs;
	struct quorum_range *r;
	unsigned int i, page;
	bool any = false;

	/* A leg failed since the last update: out of sync there, on disk. */
	quorum_meta_current(meta);
	quorum_meta_sync_oos(meta);
	bitmap_zero(clear, qc->nr_regions);
	if (!all) {
		/* Ranges in flight: their writes passed their marks. */
		spin_lock_irq(&qc->range_lock);
		list_for_each_entry(r, &qc->active, list) {
			if (!r->exclusive || r->start == r->end)
				continue;
			quorum_regions(qc, dm_target_offset(qc->ti, r->start),
				       r->end - r->start, &first, &last);
			bitmap_set(clear, first, last - first + 1);
		}
		spin_unlock_irq(&qc->range_lock);
	}
	spin_lock_irq(&meta->lock);
	for (w = 0; w < words; w++) {
		unsigned long keep = all ? 0 : clear[w] | meta->written[w];

		/* data_race: crash regions only clear, under meta->lock */
		keep |= data_race(READ_ONCE(meta->crash_regions[w]));
		clear[w] = meta->dirty[w] & ~keep;
		any |= clear[w] != 0;
		meta->dirty[w] &= ~clear[w];
		meta->written[w] = 0;
		for (i = 0; i < qc->nr_legs; i++) {
			unsigned long mem, *leg = qc->legs[i].out_of_sync_regions;

			/*
			 * data_race: a bit set after this read belongs to a
			 * write whose check comes after this pass (under
			 * meta->lock), which finds the bit on disk cleared.
			 */
			mem = data_race(READ_ONCE(leg[w]));
			if (meta->oos[i][w] & ~mem) {
				meta->oos[i][w] &= mem;
				clear_oos |= BIT(i);
			}
		}
	}
	spin_unlock_irq(&meta->lock);
	if (!any && !clear_oos)
		return;

	/*
	 * First the superblock that says bits were cleared (a copy of a leg
	 * older than it is not covered by the bitmap), with a flush of the
	 * legs' data, which must be durable before its bits go; on every leg
	 * in sync, or no bit goes (dm-quorum-super.c counts on it).
	 */
	meta->clearing = clear;
	if (!quorum_meta_current(meta) ||
	    quorum_meta_write_super(meta, false, true, REQ_PREFLUSH)) {
		spin_lock_irq(&meta->lock);
		bitmap_or(meta->dirty, meta->dirty, clear, qc->nr_regions);
		spin_unlock_irq(&meta->lock);
		bitmap_zero(clear, qc->nr_regions);
	}
	meta->clearing = NULL;
	/* A leg that failed meanwhile: its marks before the bits go. */
	quorum_meta_sync_oos(meta);
	if (bitmap_empty(clear, qc->nr_regions) && !clear_oos)
		return;
	/* Only the legs the superblock (and its flush) reached. */
	legs = meta->super_legs;
	for (page = 0; page < meta->nr_pages; page++) {
		quorum_meta_page_words(meta, page, &first, &last);
		for (w = first; w < last && !clear[w]; w++)
			;
		if (w < last) {
			quorum_meta_fill_page(meta, meta->dirty, NULL, page);
			bad |= quorum_meta_write_page(meta, legs, 0, page, REQ_FUA);
		}
		for_each_set_bit(i, &clear_oos, qc->nr_legs) {
			quorum_meta_fill_page(meta, meta->oos[i], NULL, page);
			bad |= quorum_meta_write_page(meta, legs, 1 + i, page,
						      REQ_FUA);
		}
	}
	if (bad)
		quorum_meta_failed(meta, bad, "bitmap write");
}

static void quorum_meta_clear_work(struct work_struct *work)
{
	struct quorum_meta *meta = container_of(to_delayed_work(work),
						struct quorum_meta, clear_work);

	mutex_lock(&meta->update_lock);
	meta->lost = false;
	if (!meta->suspended && !meta->clean) {
		quorum_meta_refresh(meta);
		quorum_meta_clear(meta, false);
	}
	mutex_unlock(&meta->update_lock);
	if (!READ_ONCE(meta->suspended))
		queue_delayed_work(meta->qc->wq, &meta->clear_work,
				   QUORUM_META_CLEAR_INTERVAL);
}

/* The crash regions a read of @sectors at target @sector touches. */
bool quorum_meta_crash_range(struct quorum_c *qc, sector_t sector,
			     sector_t sectors)
{
	struct quorum_meta *meta = qc->meta;
	unsigned long first, last;

	if (!meta || !READ_ONCE(meta->crash))
		return false;
	quorum_regions(qc, sector, sectors, &first, &last);
	/* data_race: crash regions only clear, once resynced */
	return data_race(find_next_bit(meta->crash_regions, last + 1, first)) <= last;
}

/* The next crash region from @from, or nr_regions. */
unsigned long quorum_meta_next_crash(struct quorum_c *qc, unsigned long from)
{
	struct quorum_meta *meta = qc->meta;

	if (!meta || !READ_ONCE(meta->crash))
		return qc->nr_regions;
	return find_next_bit(meta->crash_regions, qc->nr_regions, from);
}

/* The resync made the legs in sync identical in crash region @region. */
void quorum_meta_crash_done(struct quorum_c *qc, unsigned long region)
{
	struct quorum_meta *meta = qc->meta;

	spin_lock_irq(&meta->lock);
	if (__test_and_clear_bit(region, meta->crash_regions))
		meta->crash--;
	spin_unlock_irq(&meta->lock);
}

/*
 * Reading the metadata.
 */

/* Read the two superblock slots of every leg into @slots (8 KiB each). */
static void quorum_meta_read_supers(struct quorum_meta *meta, u8 *slots,
				    struct quorum_assemble_in *in, bool quiet)
{
	struct quorum_c *qc = meta->qc;
	unsigned int i, slot;

	for (i = 0; i < qc->nr_legs; i++) {
		u64 end = bdev_nr_sectors(qc->legs[i].dev->bdev) &
			  ~(u64)(QUORUM_SUPER_SECTORS - 1);
		u64 sector[QUORUM_MAX_LEGS];
		u8 *buf = slots + i * 2 * QUORUM_SUPER_SIZE;
		const char *why;

		in->leg_sectors[i] = bdev_nr_sectors(qc->legs[i].dev->bdev);
		if (end < QUORUM_SUPER_AREA_SECTORS) {
			in->state[i] = QUORUM_SUPER_FOREIGN;
			continue;
		}
		/* Slot by slot: a bad sector in one leaves the other. */
		for (slot = 0; slot < 2; slot++) {
			sector[i] = end - QUORUM_SUPER_AREA_SECTORS +
				    slot * QUORUM_SUPER_SECTORS;
			if (!quorum_meta_io(meta, REQ_OP_READ, BIT(i), sector,
					    QUORUM_SUPER_SECTORS,
					    buf + slot * QUORUM_SUPER_SIZE))
				continue;
			DMERR("Leg %s: cannot read its superblock slot %u",
			      qc->legs[i].dev->name, slot);
			in->unreadable |= BIT(i);
			/* Neither blank nor ours: damaged, if the other is. */
			memset(buf + slot * QUORUM_SUPER_SIZE, 0xff,
			       QUORUM_SUPER_SIZE);
			memcpy(buf + slot * QUORUM_SUPER_SIZE, "QORM", 4);
		}
		in->state[i] = quorum_super_read(buf, &in->sb[i], &why);
		if (why && in->state[i] != QUORUM_SUPER_BLANK && !quiet)
			DMWARN("Leg %s: %s", qc->legs[i].dev->name, why);
	}
}

/* Decide on the legs' superblocks; NULL or the error for ti->error. */
static const char *quorum_meta_assemble(struct quorum_meta *meta,
					const struct quorum_table *table,
					struct quorum_assemble_in *in,
					struct quorum_assembly *out)
{
	struct quorum_c *qc = meta->qc;
	u8 *slots;

	slots = kvmalloc_array(qc->nr_legs, 2 * QUORUM_SUPER_SIZE, GFP_KERNEL);
	if (!slots)
		return "Cannot allocate metadata buffer";
	memset(in, 0, sizeof(*in));
	in->nr_legs = qc->nr_legs;
	in->threshold = qc->threshold;
	if (table->features & QUORUM_FEATURE_REGION_SIZE)
		in->region_size = table->region_size;
	in->len = qc->ti->len;
	in->out_of_sync = table->out_of_sync;
	in->failed = table->failed;
	/* Said once, at ctr: the first resume reads them again. */
	quorum_meta_read_supers(meta, slots, in, meta->sb.version);
	kvfree(slots);
	quorum_assemble(in, out);
	if (out->error) {
		if (out->bad_leg >= 0)
			DMERR("Leg %s: %s", qc->legs[out->bad_leg].dev->name,
			      out->error);
		else
			DMERR("%s", out->error);
		return out->error;
	}
	return NULL;
}

/* A new volume: zero the bitmaps, write the first superblocks. */
static const char *quorum_meta_format(struct quorum_meta *meta,
				      const struct quorum_table *table)
{
	struct quorum_c *qc = meta->qc;
	struct quorum_super *sb = &meta->sb;
	u64 sector[QUORUM_MAX_LEGS];
	const char *error;
	unsigned int i, shift;
	int r;

	if (qc->read_only)
		return "Blank legs cannot be formatted by a read-only table";
	memset(sb, 0, sizeof(*sb));
	sb->version = 1;	/* 2 only once a leg is absent */
	sb->nr_legs = qc->nr_legs;
	sb->threshold = qc->threshold;
	/* As without metadata: 4 MiB, grown to keep to 2^21 regions. */
	shift = ilog2(table->region_size);
	if (!(table->features & QUORUM_FEATURE_REGION_SIZE))
		while ((qc->ti->len - 1) >> shift >= QUORUM_MAX_DEFAULT_REGIONS &&
		       BIT(shift) < QUORUM_MAX_REGION_SIZE)
			shift++;
	sb->region_size = 1u << shift;
	/* The data area: the table's length, in whole 4 KiB blocks. */
	sb->data_sectors = round_up(qc->ti->len, QUORUM_SUPER_SECTORS);
	for (i = 0; i < qc->nr_legs; i++) {
		struct quorum_super leg = *sb;

		error = quorum_super_layout(&leg, bdev_nr_sectors(qc->legs[i].dev->bdev));
		if (error) {
			DMERR("Leg %s: %s: %llu sectors of data and %u of metadata",
			      qc->legs[i].dev->name, error,
			      (unsigned long long)sb->data_sectors, leg.meta_sectors);
			return error;
		}
	}
	for (i = 0; i < qc->nr_legs; i++) {
		struct quorum_super leg = *sb;

		error = quorum_super_layout(&leg, bdev_nr_sectors(qc->legs[i].dev->bdev));
		if (error)
			return error;
		meta->meta_offset[i] = leg.meta_offset;
		sector[i] = leg.meta_offset;
		*sb = leg;
		uuid_gen((uuid_t *)sb->legs[i].uuid);
	}
	uuid_gen((uuid_t *)sb->uuid);
	sb->ctime = ktime_get_real_seconds();
	sb->flags = QUORUM_SUPER_CLEAN;
	for (i = 0; i < qc->nr_legs; i++) {
		r = blkdev_issue_zeroout(qc->legs[i].dev->bdev, sector[i],
					 sb->meta_sectors - QUORUM_SUPER_AREA_SECTORS,
					 GFP_KERNEL, 0);
		if (r) {
			DMERR("Leg %s: cannot zero its bitmaps: error %d",
			      qc->legs[i].dev->name, r);
			return "Cannot format the legs' metadata";
		}
	}
	/* Generation 1, in slot 1; slot 0 stays blank until the next. */
	if (quorum_meta_write_super(meta, true, false, REQ_PREFLUSH))
		return "Cannot write the legs' superblocks";
	DMINFO("%s: formatted %u legs: volume %pUb, %llu data sectors, region_size %u",
	       dm_device_name(qc->md), qc->nr_legs, sb->uuid,
	       (unsigned long long)sb->data_sectors, sb->region_size);
	return NULL;
}

/*
 * At the first resume: read the metadata again (another table may have
 * written it since this one was loaded), and take the legs' state from
 * it.  Returns 0 or an error for the resume.
 */
static int quorum_meta_activate(struct quorum_meta *meta)
{
	struct quorum_c *qc = meta->qc;
	const char *name = dm_device_name(qc->md);
	struct quorum_assemble_in *in;
	struct quorum_assembly out;
	unsigned long *bits = meta->busy, whole, stale, readable;
	unsigned int i, j, b;
	int r = -EINVAL;

	in = kvzalloc(sizeof(*in), GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	if (quorum_meta_assemble(meta, &meta->table, in, &out) || out.format) {
		if (out.format)
			DMERR("%s: the legs' metadata is gone since the table was loaded",
			      name);
		goto out;
	}
	meta->sb = in->sb[out.newest];
	for (i = 0, j = 0; i < qc->nr_legs; i++) {
		struct quorum_super leg = meta->sb;
		const char *error;

		error = quorum_super_layout(&leg, bdev_nr_sectors(qc->legs[i].dev->bdev));
		if (error) {
			DMERR("%s: leg %s: %s", name, qc->legs[i].dev->name, error);
			goto out;
		}
		meta->meta_offset[i] = leg.meta_offset;
		j += in->state[i] == QUORUM_SUPER_VALID;
	}
	/*
	 * Writes need threshold legs: with fewer legs with a superblock than
	 * that many short of all, the missing ones may have gone on without
	 * these.
	 */
	if (out.standin && j + qc->threshold <= qc->nr_legs)
		DMWARN("%s: %u of %u legs with metadata: a missing one may hold newer data",
		       name, j, qc->nr_legs);

	/*
	 * The bitmaps: every current leg holds the same; taken together, so
	 * that one bad copy cannot hide a region.  A leg whose bitmaps cannot
	 * be read is out of sync everywhere; with none readable, no resume.
	 */
	r = -EIO;
	bitmap_zero(meta->dirty, qc->nr_regions);
	stale = out.stale | out.whole;
	readable = GENMASK(qc->nr_legs - 1, 0) & ~stale;
	for (b = 0; b <= qc->nr_legs; b++) {
		bitmap_zero(bits, qc->nr_regions);
		for_each_set_bit(i, &readable, qc->nr_legs) {
			if (!quorum_meta_read_bitmap(meta, i, b, b ? bits : meta->dirty))
				continue;
			DMERR("%s: leg %s: cannot read its bitmaps", name,
			      qc->legs[i].dev->name);
			readable &= ~BIT(i);
			out.whole |= BIT(i);
			out.reason[i] = "its bitmaps cannot be read";
		}
		if (!readable)
			goto out;
		if (!b)
			continue;
		j = b - 1;
		/*
		 * A lagging leg missed what the write-intent bitmap says; a
		 * failed one may have lost, in its cache, what it took there.
		 */
		if ((out.lagging | out.failed) & BIT(j))
			bitmap_or(bits, bits, meta->dirty, qc->nr_regions);
		quorum_mark_regions(qc, j, bits);
	}
	whole = out.whole;
	for_each_set_bit(i, &whole, qc->nr_legs) {
		DMWARN("%s: leg %s is out of sync everywhere: %s", name,
		       qc->legs[i].dev->name, out.reason[i] ?: "its metadata says so");
		quorum_mark_all(qc, i);
	}
	for (i = 0; i < qc->nr_legs; i++) {
		if (out.lagging & BIT(i))
			DMWARN("%s: leg %s lags (generation %llu of %llu): %s",
			       name, qc->legs[i].dev->name,
			       (unsigned long long)in->sb[i].generation,
			       (unsigned long long)out.generation,
			       "out of sync where the volume was written since");
		if (out.standin & BIT(i))
			DMWARN("%s: leg %s stands in for a missing leg (failed)",
			       name, qc->legs[i].dev->name);
		else if (out.failed & BIT(i) && !test_bit(i, &qc->failed_mask))
			DMWARN("%s: leg %s is failed, as its metadata says",
			       name, qc->legs[i].dev->name);
	}
	spin_lock_irq(&qc->leg_lock);
	qc->failed_mask |= out.failed;
	qc->absent_mask = out.absent;
	qc->sticky_mask = out.failed & ~out.absent;
	for (i = 0; i < qc->nr_legs; i++)
		qc->legs[i].standin = out.standin & BIT(i);
	spin_unlock_irq(&qc->leg_lock);

	/* After an unclean shutdown, the legs in sync may differ there. */
	bitmap_zero(meta->crash_regions, qc->nr_regions);
	meta->crash = 0;
	if (out.unclean) {
		bitmap_copy(meta->crash_regions, meta->dirty, qc->nr_regions);
		meta->crash = bitmap_weight(meta->crash_regions, qc->nr_regions);
		DMWARN("%s: unclean shutdown: %lu regions to resync", name,
		       meta->crash);
	}
	for (i = 0; i < qc->nr_legs; i++) {
		bitmap_copy(meta->oos[i], qc->legs[i].out_of_sync_regions,
			    qc->nr_regions);
		meta->marks[i] = qc->legs[i].marks;
	}
	meta->clean = !(meta->crash || !bitmap_empty(meta->dirty, qc->nr_regions));
	/*
	 * What each leg took: its own superblock's generation if current,
	 * else the volume's last word on it (the failed legs get no more).
	 */
	for (i = 0; i < qc->nr_legs; i++) {
		meta->confirmed[i] = in->sb[i].generation;
		/* Its own, if it is of the volume and took more (a split). */
		if (stale & BIT(i) && (in->state[i] != QUORUM_SUPER_VALID ||
				       meta->confirmed[i] < meta->sb.legs[i].generation))
			meta->confirmed[i] = meta->sb.legs[i].generation;
	}
	meta->stale = READ_ONCE(qc->failed_mask);
	meta->persisted_failed = meta->stale;
	if (!qc->read_only)
		quorum_meta_write_all(meta, quorum_alive_mask(qc));
	meta->activated = true;
	r = 0;
out:
	kvfree(in);
	return r;
}

int quorum_meta_preresume(struct quorum_c *qc)
{
	struct quorum_meta *meta = qc->meta;
	unsigned int noio;
	int r = 0;

	if (!meta)
		return 0;
	/* The device is suspended: reclaim must not write to it. */
	noio = memalloc_noio_save();
	mutex_lock(&meta->update_lock);
	if (!meta->activated)
		r = quorum_meta_activate(meta);
	mutex_unlock(&meta->update_lock);
	memalloc_noio_restore(noio);
	return r;
}

void quorum_meta_resume(struct quorum_c *qc)
{
	struct quorum_meta *meta = qc->meta;

	if (!meta || qc->read_only)
		return;
	WRITE_ONCE(meta->suspended, false);
	queue_delayed_work(qc->wq, &meta->clear_work, QUORUM_META_CLEAR_INTERVAL);
}

/*
 * Suspended, no I/O in flight: every leg's marks on disk, the write-intent
 * bitmap cleared (but for crash regions not resynced yet), the superblocks
 * clean.
 */
void quorum_meta_postsuspend(struct quorum_c *qc)
{
	struct quorum_meta *meta = qc->meta;

	if (!meta || qc->read_only || !meta->activated)
		return;
	WRITE_ONCE(meta->suspended, true);
	cancel_delayed_work_sync(&meta->clear_work);
	flush_work(&meta->work);
	mutex_lock(&meta->update_lock);
	meta->lost = false;
	quorum_meta_refresh(meta);
	quorum_meta_sync_oos(meta);
	quorum_meta_clear(meta, true);
	quorum_meta_write_super(meta, bitmap_empty(meta->dirty, qc->nr_regions),
				false, REQ_PREFLUSH);
	mutex_unlock(&meta->update_lock);
}

/*
 * The status fields: none|clean|dirty (the superblocks' shutdown state),
 * the generation, the regions in the write-intent bitmap, and the crash
 * regions left to resync.
 */
void quorum_meta_status(struct quorum_c *qc, char *result, unsigned int maxlen,
			unsigned int *szp)
{
	struct quorum_meta *meta = qc->meta;
	unsigned long dirty = 0;
	unsigned int sz = *szp;

	if (!meta) {
		DMEMIT(" none 0 0 0");
	} else {
		spin_lock_irq(&meta->lock);
		if (meta->dirty)
			dirty = bitmap_weight(meta->dirty, qc->nr_regions);
		spin_unlock_irq(&meta->lock);
		DMEMIT(" %s %llu %lu %lu",
		       READ_ONCE(meta->clean) ? "clean" : "dirty",
		       (unsigned long long)READ_ONCE(meta->sb.generation),
		       dirty, READ_ONCE(meta->crash));
	}
	*szp = sz;
}

/*
 * Before the sync state: read the legs' superblocks, refuse what does not
 * make a volume, format a new one, and give the region size to @table.
 */
int quorum_meta_ctr(struct quorum_c *qc, struct quorum_table *table)
{
	struct quorum_assemble_in *in;
	struct quorum_assembly out;
	struct quorum_meta *meta;
	const char *error;
	unsigned int i;

	if (!(table->features & QUORUM_FEATURE_METADATA))
		return 0;
	meta = kzalloc(sizeof(*meta), GFP_KERNEL);
	in = kvzalloc(sizeof(*in), GFP_KERNEL);
	if (!meta || !in) {
		kfree(meta);
		kvfree(in);
		qc->ti->error = "Cannot allocate metadata";
		return -ENOMEM;
	}
	qc->meta = meta;
	meta->qc = qc;
	meta->table = *table;
	spin_lock_init(&meta->lock);
	mutex_init(&meta->update_lock);
	INIT_LIST_HEAD(&meta->waiting);
	INIT_LIST_HEAD(&meta->finishing);
	INIT_WORK(&meta->work, quorum_meta_work);
	INIT_DELAYED_WORK(&meta->clear_work, quorum_meta_clear_work);
	meta->suspended = true;
	meta->page = (void *)__get_free_page(GFP_KERNEL);
	meta->io_client = dm_io_client_create();
	error = "Cannot allocate metadata";
	if (!meta->page || IS_ERR(meta->io_client)) {
		if (IS_ERR(meta->io_client))
			meta->io_client = NULL;
		goto bad;
	}
	for (i = 0; i < qc->nr_legs; i++) {
		meta->sb_buf[i] = kmalloc(QUORUM_SUPER_SIZE, GFP_KERNEL);
		if (!meta->sb_buf[i])
			goto bad;
	}

	error = quorum_meta_assemble(meta, table, in, &out);
	if (error)
		goto bad;
	if (out.format) {
		error = quorum_meta_format(meta, table);
		if (error)
			goto bad;
	} else {
		meta->sb = in->sb[out.newest];
	}
	/* The bitmaps on disk are the ones in memory: one size. */
	if (DIV_ROUND_UP_ULL(qc->ti->len, meta->sb.region_size) != meta->sb.nr_regions) {
		DMERR("Target length %llu: give one from %llu to %llu (%s)",
		      (unsigned long long)qc->ti->len,
		      (unsigned long long)(meta->sb.nr_regions - 1) *
		      meta->sb.region_size + 1,
		      (unsigned long long)meta->sb.data_sectors,
		      "the volume's data area, to its last region");
		error = "Target length does not cover the volume's last region";
		goto bad;
	}
	table->region_size = meta->sb.region_size;
	table->features |= QUORUM_FEATURE_REGION_SIZE;
	kvfree(in);
	return 0;

bad:
	kvfree(in);
	qc->ti->error = (char *)error;
	return -EINVAL;
}

/* After the sync state: the bitmaps as on disk, and scratch space. */
int quorum_meta_alloc(struct quorum_c *qc)
{
	struct quorum_meta *meta = qc->meta;
	unsigned long words = BITS_TO_LONGS(qc->nr_regions);
	unsigned int i;

	if (!meta)
		return 0;
	meta->nr_pages = DIV_ROUND_UP(qc->nr_regions, QUORUM_BITMAP_PAGE_BITS);
	meta->dirty = kvcalloc(words, sizeof(long), GFP_KERNEL);
	meta->written = kvcalloc(words, sizeof(long), GFP_KERNEL);
	meta->busy = kvcalloc(words, sizeof(long), GFP_KERNEL);
	meta->crash_regions = kvcalloc(words, sizeof(long), GFP_KERNEL);
	meta->snap = kcalloc(QUORUM_PAGE_WORDS, sizeof(long), GFP_KERNEL);
	if (!meta->dirty || !meta->written || !meta->busy ||
	    !meta->crash_regions || !meta->snap)
		goto nomem;
	for (i = 0; i < qc->nr_legs; i++) {
		meta->oos[i] = kvcalloc(words, sizeof(long), GFP_KERNEL);
		if (!meta->oos[i])
			goto nomem;
	}
	return 0;
nomem:
	qc->ti->error = "Cannot allocate metadata bitmaps";
	return -ENOMEM;
}

/* Once the workqueues are gone. */
void quorum_meta_dtr(struct quorum_c *qc)
{
	struct quorum_meta *meta = qc->meta;
	unsigned int i;

	if (!meta)
		return;
	for (i = 0; i < QUORUM_MAX_LEGS; i++) {
		kvfree(meta->oos[i]);
		kfree(meta->sb_buf[i]);
	}
	kfree(meta->snap);
	kvfree(meta->crash_regions);
	kvfree(meta->busy);
	kvfree(meta->written);
	kvfree(meta->dirty);
	if (meta->io_client)
		dm_io_client_destroy(meta->io_client);
	free_page((unsigned long)meta->page);
	kfree(meta);
}

/* Before the workqueues go. */
void quorum_meta_stop(struct quorum_c *qc)
{
	if (qc->meta) {
		cancel_delayed_work_sync(&qc->meta->clear_work);
		cancel_work_sync(&qc->meta->work);
	}
}

/*
 * Hold the metadata still while the legs' state changes (fail_leg,
 * reinstate_leg): -EBUSY if the table is suspended, since it wrote its
 * last word then (a table loaded meanwhile reads it).
 */
int quorum_meta_hold(struct quorum_c *qc)
{
	struct quorum_meta *meta = qc->meta;

	if (!meta || qc->read_only)
		return 0;
	mutex_lock(&meta->update_lock);
	if (meta->suspended) {
		mutex_unlock(&meta->update_lock);
		return -EBUSY;
	}
	return 0;
}

void quorum_meta_release(struct quorum_c *qc)
{
	if (qc->meta && !qc->read_only)
		mutex_unlock(&qc->meta->update_lock);
}

/* The legs' state changed: the update work writes it. */
void quorum_meta_kick(struct quorum_c *qc)
{
	if (qc->meta && !qc->read_only)
		queue_work(qc->wq, &qc->meta->work);
}

/*
 * From process context: what legs missed is on disk when this returns
 * true (the caller then acknowledges what they missed); false if no leg
 * took it.
 */
bool quorum_meta_persist(struct quorum_c *qc)
{
	struct quorum_meta *meta = qc->meta;
	bool lost;

	if (!meta || qc->read_only)
		return true;
	mutex_lock(&meta->update_lock);
	meta->lost = false;
	if (!meta->suspended)
		quorum_meta_settle(meta);
	lost = meta->lost;
	mutex_unlock(&meta->update_lock);
	return !lost;
}
