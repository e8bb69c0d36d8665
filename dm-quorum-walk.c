// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: walks of the device in the background, a chunk at a time,
 * through the read path (ordering, vote, repairs), as the scrub and the
 * resync do.  Owns a walk's chunk pages, its one chunk in flight, its pace
 * (scrub_rate) and its pause across suspend; the owner's work function
 * decides where the next chunk is, and when the walk ends.
 *
 * Locks: walk->lock (irq-safe) protects the walk and the state its owner
 * keeps beside it.  No other lock is taken under it.
 */
#include <linux/jiffies.h>

#include "dm-quorum.h"

/* Start-up: the walk is paused, since a table is loaded suspended. */
int quorum_walk_init(struct quorum_c *qc, struct quorum_walk *walk,
		     work_func_t fn)
{
	unsigned int i;

	spin_lock_init(&walk->lock);
	init_waitqueue_head(&walk->wait);
	INIT_DELAYED_WORK(&walk->work, fn);
	walk->io.qc = qc;
	walk->paused = true;
	atomic_set(&walk->repairs, 0);
	for (i = 0; i < QUORUM_MAX_READ_PAGES; i++) {
		walk->pages[i] = alloc_page(GFP_KERNEL);
		if (!walk->pages[i])
			return -ENOMEM;
	}
	return 0;
}

void quorum_walk_free(struct quorum_walk *walk)
{
	unsigned int i;

	for (i = 0; i < QUORUM_MAX_READ_PAGES && walk->pages[i]; i++)
		__free_page(walk->pages[i]);
}

/* (Re)start at target sector @position, with the rate counted anew. */
void quorum_walk_start(struct quorum_walk *walk, sector_t position)
{
	walk->position = position;
	walk->started = jiffies;
	walk->done_kib = 0;
}

/*
 * Under the lock: can the owner not take the next step now?  Its chunk is
 * in flight, or the repairs of its last one are (a region or a scrub is
 * whole only once they are written), or the device is suspended.  What
 * ends last queues the next step.
 */
bool quorum_walk_busy(struct quorum_walk *walk)
{
	return walk->paused || walk->in_flight || atomic_read(&walk->repairs);
}

/* Under the lock: the next step, when the rate limit lets it go. */
static void quorum_walk_next(struct quorum_walk *walk)
{
	struct quorum_c *qc = walk->io.qc;
	unsigned long delay = 0;

	if (quorum_walk_busy(walk))
		return;
	if (qc->scrub_rate) {
		unsigned long due = walk->started +
				    div_u64((u64)walk->done_kib * HZ, qc->scrub_rate);

		if (time_before(jiffies, due))
			delay = due - jiffies;
	}
	queue_delayed_work(qc->wq, &walk->work, delay);
}

static void quorum_walk_endio(struct bio *bio)
{
	struct quorum_walk *walk = bio->bi_private;
	unsigned int sectors = bio_sectors(bio);
	unsigned long flags;

	if (bio->bi_status)
		walk->io.flags |= QUORUM_IO_INCOMPLETE;
	/* Once in_flight is clear, a suspend and a table unload may follow. */
	bio_put(bio);
	spin_lock_irqsave(&walk->lock, flags);
	walk->position += sectors;
	walk->done_kib += sectors / 2;
	walk->in_flight = false;
	quorum_walk_next(walk);
	wake_up(&walk->wait);
	spin_unlock_irqrestore(&walk->lock, flags);
}

/*
 * A repair of the walk's chunk was written (or failed, and its leg is out
 * of sync again).  The suspend that pauses the walk waits for it.
 */
void quorum_walk_repaired(struct quorum_walk *walk)
{
	unsigned long flags;

	spin_lock_irqsave(&walk->lock, flags);
	if (atomic_dec_and_test(&walk->repairs))
		quorum_walk_next(walk);
	spin_unlock_irqrestore(&walk->lock, flags);
}

/*
 * Read @len sectors from the walk's position with the I/O @flags.  The
 * owner set in_flight under the lock, and dropped it.
 */
void quorum_walk_read(struct quorum_walk *walk, sector_t len,
		      unsigned int flags)
{
	struct quorum_c *qc = walk->io.qc;
	unsigned int nr_pages = DIV_ROUND_UP(len << SECTOR_SHIFT, PAGE_SIZE);
	struct bio *bio;
	unsigned int i;

	bio = bio_alloc_bioset(NULL, nr_pages, REQ_OP_READ, GFP_NOIO,
			       &qc->background_bs);
	bio->bi_iter.bi_sector = qc->ti->begin + walk->position;
	for (i = 0; i < nr_pages; i++)
		__bio_add_page(bio, walk->pages[i],
			       min_t(unsigned int, PAGE_SIZE,
				     (len << SECTOR_SHIFT) - i * PAGE_SIZE), 0);
	bio->bi_end_io = quorum_walk_endio;
	bio->bi_private = walk;
	quorum_start_io(qc, &walk->io, bio, flags);
}

/* Suspend: no chunk may be in flight, none may start until resume. */
void quorum_walk_pause(struct quorum_walk *walk)
{
	spin_lock_irq(&walk->lock);
	walk->paused = true;
	spin_unlock_irq(&walk->lock);
	cancel_delayed_work_sync(&walk->work);
	spin_lock_irq(&walk->lock);
	wait_event_lock_irq(walk->wait, !walk->in_flight, walk->lock);
	spin_unlock_irq(&walk->lock);
}

/* Resume, and go on if @running says the owner has a walk under way. */
void quorum_walk_resume(struct quorum_walk *walk,
			bool (*running)(struct quorum_walk *walk))
{
	struct quorum_c *qc = walk->io.qc;
	bool go_on;

	spin_lock_irq(&walk->lock);
	walk->paused = false;
	go_on = running(walk);
	/* The pause does not count against the rate. */
	walk->started = jiffies;
	walk->done_kib = 0;
	spin_unlock_irq(&walk->lock);
	if (go_on)
		mod_delayed_work(qc->wq, &walk->work, 0);
}
