// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: the background scrub.  Owns the scrub's state, its chunks and
 * their pacing, its result, and its share of ctr/dtr (the chunk's pages),
 * of status (the scrub fields), of messages ("scrub check|repair|stop")
 * and of suspend (pause, resume).
 *
 * "scrub check" reads the whole device through the read path and counts
 * the blocks each leg has wrong; "scrub repair" also rewrites them from
 * the winner.  One chunk is in flight at a time, so user I/O keeps its
 * share; scrub_rate bounds the pace.  The scrub pauses across suspend.
 *
 * Locks: scrub->lock (irq-safe) protects the scrub's state; leg_lock is
 * taken after it is dropped, never under it.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>

#include "dm-quorum.h"

const char * const quorum_scrub_mode_names[] = {
	"idle", "check", "repair",
};

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
	legs = qc->resync_mask & qc->out_of_sync_mask;
	qc->out_of_sync_mask &= ~legs;
	qc->resync_mask = 0;
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
	else if (hweight_long(quorum_alive_mask(qc)) < qc->threshold)
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
	qc->resync_mask = mode == QUORUM_SCRUB_REPAIR ?
			  qc->out_of_sync_mask & ~qc->failed_mask : 0;
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
void quorum_scrub_pause(struct quorum_c *qc)
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

void quorum_scrub_resume(struct quorum_c *qc)
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

/*
 * Status, table and the queue limits.
 */

/* The status fields: mode, position/total, bad, repaired, unrecoverable. */
void quorum_scrub_status(struct quorum_c *qc, char *result,
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

int quorum_scrub_ctr(struct quorum_c *qc)
{
	qc->scrub = quorum_scrub_alloc(qc);
	if (!qc->scrub) {
		qc->ti->error = "Cannot allocate scrub buffer";
		return -ENOMEM;
	}
	return 0;
}

/* Before the workqueues go: the scrub's work is stopped. */
void quorum_scrub_dtr(struct quorum_c *qc)
{
	struct quorum_scrub *sc = qc->scrub;

	if (!sc)
		return;
	cancel_delayed_work_sync(&sc->work);
	if (sc->mode != QUORUM_SCRUB_IDLE)
		DMINFO("%s: scrub %s stopped by the table's unload at %llu/%llu",
		       dm_device_name(qc->md), quorum_scrub_mode_names[sc->mode],
		       (unsigned long long)sc->position,
		       (unsigned long long)qc->ti->len);
}

void quorum_scrub_free(struct quorum_c *qc)
{
	struct quorum_scrub *sc = qc->scrub;
	unsigned int i;

	if (!sc)
		return;
	for (i = 0; i < QUORUM_MAX_READ_PAGES; i++)
		__free_page(sc->pages[i]);
	kfree(sc);
}

/* "scrub <arg>": false if @arg is not the scrub's, else its result in @r. */
bool quorum_scrub_message(struct quorum_c *qc, const char *arg, int *r)
{
	*r = 0;
	if (!strcasecmp(arg, "check"))
		*r = quorum_scrub_start(qc, QUORUM_SCRUB_CHECK);
	else if (!strcasecmp(arg, "repair"))
		*r = quorum_scrub_start(qc, QUORUM_SCRUB_REPAIR);
	else if (!strcasecmp(arg, "stop"))
		quorum_scrub_stop(qc);
	else
		return false;
	return true;
}
