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
 * Locks: the walk's lock (irq-safe) protects the scrub's state; leg_lock
 * is taken after it is dropped, never under it.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>

#include "dm-quorum.h"

const char * const quorum_scrub_mode_names[] = {
	"idle", "check", "repair",
};

/*
 * A scrub repair voted every block and no vote was left without a winner,
 * and its repairs are written (the walk waits for them): once flushed, the
 * legs out of sync that it covered from its start are in sync again (a
 * leg whose flush fails drops out of resync_mask).
 */
static unsigned long quorum_scrub_resync(struct quorum_c *qc)
{
	unsigned long legs;
	unsigned int i;

	quorum_flush_legs(qc, READ_ONCE(qc->resync_mask));
	spin_lock_irq(&qc->leg_lock);
	legs = qc->resync_mask & qc->out_of_sync_mask;
	for_each_set_bit(i, &legs, qc->nr_legs)
		__quorum_mark_in_sync(qc, i);
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

	u64 skipped = atomic64_read(&sc->skipped);

	spin_lock_irq(&sc->walk.lock);
	ev.scrub_mode = sc->mode;
	ev.sector = sc->walk.position;
	spin_unlock_irq(&sc->walk.lock);

	ev.sectors = qc->ti->len;
	ev.scrub_counts[0] = atomic64_read(&sc->bad);
	ev.scrub_counts[1] = atomic64_read(&sc->repaired);
	ev.scrub_counts[2] = atomic64_read(&sc->unrecoverable);
	/* Skipped repairs leave legs as they were: none is in sync then. */
	if (done && ev.scrub_mode == QUORUM_SCRUB_REPAIR && !ev.scrub_counts[2] &&
	    !skipped)
		resynced = quorum_scrub_resync(qc);
	if (skipped)
		DMWARN("%s: scrub %s skipped %llu blocks it could not repair (out of memory)",
		       dm_device_name(qc->md),
		       quorum_scrub_mode_names[ev.scrub_mode], skipped);

	DMINFO("%s: scrub %s %s at %llu/%llu: bad %llu repaired %llu unrecoverable %llu",
	       dm_device_name(qc->md), quorum_scrub_mode_names[ev.scrub_mode],
	       result, (unsigned long long)ev.sector,
	       (unsigned long long)ev.sectors, ev.scrub_counts[0],
	       ev.scrub_counts[1], ev.scrub_counts[2]);
	for_each_set_bit(i, &resynced, qc->nr_legs)
		DMINFO("%s: leg %s is in sync again", dm_device_name(qc->md),
		       qc->legs[i].dev->name);
	/* Idle in the status once the result is in the log. */
	spin_lock_irq(&sc->walk.lock);
	sc->mode = QUORUM_SCRUB_IDLE;
	spin_unlock_irq(&sc->walk.lock);
	quorum_queue_event(qc, &ev, NULL);
}

static void quorum_scrub_work(struct work_struct *work)
{
	struct quorum_scrub *sc = container_of(to_delayed_work(work),
					       struct quorum_scrub, walk.work);
	struct quorum_walk *walk = &sc->walk;
	struct quorum_c *qc = walk->io.qc;
	const char *end = NULL;
	unsigned int flags;
	sector_t len;
	bool done, begin;

	spin_lock_irq(&walk->lock);
	if (sc->mode == QUORUM_SCRUB_IDLE || quorum_walk_busy(walk)) {
		spin_unlock_irq(&walk->lock);
		return;
	}
	begin = sc->begin;
	sc->begin = false;
	done = !sc->stop && walk->position >= qc->ti->len;
	if (sc->stop)
		end = "stopped";
	else if (done)
		end = "done";
	else if (hweight_long(quorum_alive_mask(qc)) < qc->threshold)
		end = "failed";
	/* Within one region, as every voted read. */
	len = min_t(sector_t, qc->ti->len - walk->position,
		    QUORUM_MAX_READ_SECTORS);
	len = min_t(sector_t, len, BIT(qc->region_shift) -
		    (walk->position & (BIT(qc->region_shift) - 1)));
	flags = sc->mode == QUORUM_SCRUB_REPAIR ? QUORUM_IO_SCRUB_REPAIR :
		QUORUM_IO_SCRUB_CHECK;
	walk->in_flight = !end;
	spin_unlock_irq(&walk->lock);

	/*
	 * Before the first chunk, in the only context that reads: a scrub
	 * repair brings back in sync the legs out of sync now; one that goes
	 * out of sync from now on drops out of it.
	 */
	if (begin) {
		spin_lock_irq(&qc->leg_lock);
		qc->resync_mask = flags & QUORUM_IO_SCRUB_REPAIR ?
				  qc->out_of_sync_mask & ~qc->failed_mask : 0;
		spin_unlock_irq(&qc->leg_lock);
	}
	if (end)
		quorum_scrub_finish(qc, end, done);
	else
		quorum_walk_read(walk, len, flags);
}

static int quorum_scrub_start(struct quorum_c *qc, enum quorum_scrub_mode mode)
{
	struct quorum_scrub *sc = qc->scrub;
	unsigned int i;

	if (mode == QUORUM_SCRUB_REPAIR && qc->read_only) {
		DMERR("%s: scrub repair refused: the table is read-only",
		      dm_device_name(qc->md));
		return -EROFS;
	}
	spin_lock_irq(&sc->walk.lock);
	if (sc->mode != QUORUM_SCRUB_IDLE || sc->walk.in_flight) {
		spin_unlock_irq(&sc->walk.lock);
		DMERR("%s: a scrub is already running; \"scrub stop\" first",
		      dm_device_name(qc->md));
		return -EBUSY;
	}
	sc->mode = mode;
	sc->stop = false;
	quorum_walk_start(&sc->walk, 0);
	atomic64_set(&sc->bad, 0);
	atomic64_set(&sc->repaired, 0);
	atomic64_set(&sc->unrecoverable, 0);
	atomic64_set(&sc->skipped, 0);
	for (i = 0; i < qc->nr_legs; i++)
		atomic_set(&qc->legs[i].scrub_bad, 0);
	/* The work takes the legs it brings back in sync before it reads. */
	sc->begin = true;
	spin_unlock_irq(&sc->walk.lock);
	DMINFO("%s: scrub %s started", dm_device_name(qc->md),
	       quorum_scrub_mode_names[mode]);
	mod_delayed_work(qc->wq, &sc->walk.work, 0);
	return 0;
}

static void quorum_scrub_stop(struct quorum_c *qc)
{
	struct quorum_scrub *sc = qc->scrub;

	spin_lock_irq(&sc->walk.lock);
	sc->stop = true;
	spin_unlock_irq(&sc->walk.lock);
	mod_delayed_work(qc->wq, &sc->walk.work, 0);
}

void quorum_scrub_pause(struct quorum_c *qc)
{
	quorum_walk_pause(&qc->scrub->walk);
}

static bool quorum_scrub_running(struct quorum_walk *walk)
{
	return container_of(walk, struct quorum_scrub, walk)->mode !=
	       QUORUM_SCRUB_IDLE;
}

void quorum_scrub_resume(struct quorum_c *qc)
{
	quorum_walk_resume(&qc->scrub->walk, quorum_scrub_running);
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

	spin_lock_irq(&sc->walk.lock);
	mode = sc->mode;
	position = sc->walk.position;
	spin_unlock_irq(&sc->walk.lock);
	DMEMIT(" %s %llu/%llu %lld %lld %lld", quorum_scrub_mode_names[mode],
	       (unsigned long long)position, (unsigned long long)qc->ti->len,
	       atomic64_read(&sc->bad), atomic64_read(&sc->repaired),
	       atomic64_read(&sc->unrecoverable));
	*szp = sz;
}

int quorum_scrub_ctr(struct quorum_c *qc)
{
	qc->scrub = kzalloc(sizeof(*qc->scrub), GFP_KERNEL);
	if (!qc->scrub ||
	    quorum_walk_init(qc, &qc->scrub->walk, quorum_scrub_work)) {
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
	cancel_delayed_work_sync(&sc->walk.work);
	if (sc->mode != QUORUM_SCRUB_IDLE)
		DMINFO("%s: scrub %s stopped by the table's unload at %llu/%llu",
		       dm_device_name(qc->md), quorum_scrub_mode_names[sc->mode],
		       (unsigned long long)sc->walk.position,
		       (unsigned long long)qc->ti->len);
}

void quorum_scrub_free(struct quorum_c *qc)
{
	struct quorum_scrub *sc = qc->scrub;

	if (!sc)
		return;
	quorum_walk_free(&sc->walk);
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
