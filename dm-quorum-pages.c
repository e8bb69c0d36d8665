// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: the private pages of reads.  Owns the page mempool, the cache
 * of pages beside it and the cache's shrinker and trim; its share of
 * ctr/dtr is all three.
 *
 * Locks: cache->lock (irq-safe) protects the cached pages and their
 * counts.  No other lock is taken under it.
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>

#include "dm-quorum.h"

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
unsigned int quorum_cache_take(struct quorum_page_cache *cache,
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
void quorum_cache_give(struct quorum_page_cache *cache,
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
unsigned int quorum_read_reserve(unsigned int nr_legs)
{
	return (nr_legs - 1) * QUORUM_MAX_READ_PAGES;
}

/* First in ctr: the cache's dtr runs whatever happens next. */
int quorum_pages_ctr(struct quorum_c *qc, unsigned int nr_legs)
{
	quorum_cache_init(&qc->cache);
	if (quorum_cache_start(&qc->cache, dm_device_name(qc->md))) {
		qc->ti->error = "Cannot allocate page cache shrinker";
		return -ENOMEM;
	}
	qc->page_pool = mempool_create(quorum_read_reserve(nr_legs),
				       quorum_page_alloc, quorum_page_free, qc);
	if (!qc->page_pool) {
		qc->ti->error = "Cannot allocate page pool";
		return -ENOMEM;
	}
	return 0;
}

void quorum_pages_dtr(struct quorum_c *qc)
{
	quorum_cache_destroy(&qc->cache);
	mempool_destroy(qc->page_pool);
}
