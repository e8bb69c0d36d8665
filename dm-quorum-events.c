// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: reports.  Owns the log lines of faults, the queue of reports
 * on their way to the event worker, their rate limits, and the uevents and
 * dm events the worker sends; its share of ctr/dtr is the queue and the
 * uevent buffer.
 *
 * Log lines are printed where the fault is seen (rate-limited); uevents and
 * dm_table_event() need process context, so reports are queued for
 * quorum_event_work().  At most one uevent per leg, action and operation is
 * sent per second; the rest are counted in events_dropped, and raise one
 * dm event per second between them.
 *
 * Locks: event_lock (irq-safe) protects the queue; the rate limits are
 * updated with cmpxchg.  No other lock is taken under it.
 */
#include <linux/dm-ioctl.h>
#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/slab.h>

#include "dm-quorum.h"

const char * const quorum_op_names[QUORUM_NR_OPS] = {
	"read", "write", "flush",
};

static const char * const quorum_action_names[QUORUM_NR_ACTIONS] = {
	"QUORUM_REPORT_BAD", "QUORUM_FAILURE", "QUORUM_REPAIRED",
	"QUORUM_LEG_FAILED", "QUORUM_LEG_REINSTATED", "QUORUM_SCRUB_DONE",
	"QUORUM_RESYNC_DONE",
};

/* Room for the variables of one uevent, reused by the event worker. */
struct quorum_uevent_env {
	char vars[13][DM_UUID_LEN + 16];
	char *envp[14];
};

static bool quorum_event_allowed(unsigned long *next)
{
	unsigned long now = jiffies, old = READ_ONCE(*next);

	if (time_before(now, old))
		return false;
	return cmpxchg(next, old, now + HZ) == old;
}

void quorum_queue_event(struct quorum_c *qc, const struct quorum_event *ev,
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

void quorum_report_leg(struct quorum_c *qc, unsigned int leg,
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

void quorum_report_failure(struct quorum_c *qc, enum quorum_op op,
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

void quorum_report_repaired(struct quorum_c *qc, unsigned int leg,
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
	case QUORUM_ACTION_RESYNC_DONE:
		quorum_env_add(env, &n, "DM_QUORUM_RESYNC_RESULT=%s", ev->reason);
		quorum_env_add(env, &n, "DM_QUORUM_RESYNC_REGIONS=%lu",
			       ev->regions);
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

void quorum_report_leg_state(struct quorum_c *qc, unsigned int leg,
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

/*
 * Fewer than <threshold> legs are alive, and an I/O is failed at once:
 * count it, and say so once until enough legs are back.
 */
void quorum_report_degraded(struct quorum_c *qc, enum quorum_op op,
			    unsigned int alive, sector_t sector,
			    sector_t sectors)
{
	struct quorum_event ev = {
		.action = QUORUM_ACTION_FAILURE,
		.op = op,
		.leg = -1,
		.votes = alive,
		.sector = sector,
		.sectors = sectors,
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
}

/* Once the legs are set up: the queue, its worker and the uevent buffer. */
int quorum_events_ctr(struct quorum_c *qc)
{
	spin_lock_init(&qc->event_lock);
	INIT_WORK(&qc->event_work, quorum_event_work);
	quorum_init_event_limits(qc);
	qc->env = kzalloc(sizeof(*qc->env), GFP_KERNEL);
	if (!qc->env) {
		qc->ti->error = "Cannot allocate uevent buffer";
		return -ENOMEM;
	}
	return 0;
}

/* The workqueue that runs quorum_event_work() is gone by now. */
void quorum_events_dtr(struct quorum_c *qc)
{
	kfree(qc->env);
}
