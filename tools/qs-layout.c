// SPDX-License-Identifier: GPL-2.0-only
/*
 * quorumsetup: uuids, the geometry and superblocks of a new volume, and
 * table lines.  Pure: the on-disk format itself is dm-quorum-super.c's,
 * compiled unchanged, so that what the tool writes is what the target
 * would have written (dm-quorum-metadata.c, quorum_meta_format()).
 */
#include <string.h>

#include "quorumsetup.h"

void qs_uuid_format(const u8 *uuid, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;
	char *p = out;

	for (i = 0; i < QUORUM_UUID_SIZE; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[uuid[i] >> 4];
		*p++ = hex[uuid[i] & 15];
	}
	*p = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 8-4-4-4-12 hex digits, either case (as the target logs it, %pUb). */
bool qs_uuid_parse(const char *s, u8 *uuid)
{
	unsigned int i, pos = 0;

	if (strlen(s) != QS_UUID_LEN)
		return false;
	for (i = 0; i < QUORUM_UUID_SIZE; i++) {
		int hi, lo;

		if (i == 4 || i == 6 || i == 8 || i == 10) {
			if (s[pos++] != '-')
				return false;
		}
		hi = hex_digit(s[pos++]);
		lo = hex_digit(s[pos++]);
		if (hi < 0 || lo < 0)
			return false;
		uuid[i] = hi << 4 | lo;
	}
	return true;
}

/*
 * A label fits the superblock (32 bytes, NUL-padded) and a udev
 * environment line (QUORUM_LABEL=<label>) as it is: no quoting needed.
 */
bool qs_label_valid(const char *label)
{
	const char *p;

	if (strlen(label) > QUORUM_LABEL_SIZE)
		return false;
	for (p = label; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._+:@-", *p)))
			return false;
	return true;
}

static unsigned int ilog2(unsigned int v)
{
	unsigned int r = 0;

	while (v >>= 1)
		r++;
	return r;
}

/*
 * qs_geometry - the geometry of a new volume on legs of these sizes
 * @region_size: sectors, 0 for the target's default
 * @sb: out: nr_legs, region_size, data_sectors (the largest data area
 *	every leg holds with its metadata), and the layout of the smallest
 * @bad_leg: out: the leg an error is about, or -1
 *
 * The default region size is the target's: 4 MiB, doubled as often as it
 * takes to keep the bitmaps to 2^21 regions (quorum_meta_format()).
 * Returns NULL, or why the legs cannot hold a volume.
 */
const char *qs_geometry(unsigned int nr_legs, const u64 *leg_sectors,
			unsigned int region_size, struct quorum_super *sb,
			int *bad_leg)
{
	unsigned int i, shift;
	const char *error;

	*bad_leg = -1;
	shift = ilog2(region_size ? region_size : QUORUM_DEFAULT_REGION_SIZE);
	for (;;) {
		u64 data = 0;

		for (i = 0; i < nr_legs; i++) {
			struct quorum_super leg;

			memset(&leg, 0, sizeof(leg));
			leg.nr_legs = nr_legs;
			leg.region_size = 1u << shift;
			error = quorum_super_layout(&leg, leg_sectors[i]);
			if (error) {
				*bad_leg = i;
				return error;
			}
			if (!i || leg.data_sectors < data)
				data = leg.data_sectors;
		}
		if (region_size || (data - 1) >> shift < QUORUM_MAX_DEFAULT_REGIONS ||
		    (1u << shift) >= QUORUM_MAX_REGION_SIZE) {
			memset(sb, 0, sizeof(*sb));
			sb->nr_legs = nr_legs;
			sb->region_size = 1u << shift;
			sb->data_sectors = data;
			break;
		}
		shift++;
	}
	/* Every leg holds that data area and its metadata. */
	for (i = 0; i < nr_legs; i++) {
		struct quorum_super leg = *sb;

		error = quorum_super_layout(&leg, leg_sectors[i]);
		if (error) {
			*bad_leg = i;
			return error;
		}
		if (!i)
			*sb = leg;
	}
	return NULL;
}

/*
 * qs_new_super - the superblock a format writes, as the target writes it:
 * generation 1 (in slot 1), clean, nothing cleared, every leg in sync;
 * @sb holds the geometry (qs_geometry()).  Each leg's copy then gets its
 * index and metadata offset.
 */
void qs_new_super(struct quorum_super *sb, unsigned int threshold,
		  const u8 *uuid, const u8 (*ids)[QUORUM_UUID_SIZE],
		  const char *label, u64 ctime)
{
	unsigned int i;

	sb->version = 1;	/* as the target formats: 2 once a leg is absent */
	sb->flags = QUORUM_SUPER_CLEAN;
	sb->compat = 0;
	sb->incompat = 0;
	sb->generation = 1;
	sb->cleared = 0;
	memcpy(sb->uuid, uuid, QUORUM_UUID_SIZE);
	sb->threshold = threshold;
	sb->ctime = ctime;
	memset(sb->label, 0, sizeof(sb->label));
	if (label)
		memcpy(sb->label, label, strnlen(label, QUORUM_LABEL_SIZE));
	memset(sb->legs, 0, sizeof(sb->legs));
	for (i = 0; i < sb->nr_legs; i++)
		memcpy(sb->legs[i].uuid, ids[i], QUORUM_UUID_SIZE);
}

/*
 * qs_replace_super - the superblock a replacement leg @leg gets: the
 * volume's (@ref), generation 1 (older than any the volume has, so that
 * it is never taken for the volume's word), a new identity @id in its
 * slot, every leg in sync; laid out for the new leg's @sectors.  The
 * target takes such a leg as one replaced in the volume (out of sync
 * everywhere), resyncs it and writes its own superblock on it.
 * Returns NULL, or why the leg cannot hold the volume.
 */
const char *qs_replace_super(const struct quorum_super *ref, unsigned int leg,
			     const u8 *id, u64 sectors, struct quorum_super *sb)
{
	unsigned int i;

	*sb = *ref;
	sb->leg = leg;
	sb->generation = 1;
	sb->cleared = 0;
	sb->flags = QUORUM_SUPER_CLEAN;
	for (i = 0; i < sb->nr_legs; i++) {
		sb->legs[i].state = 0;
		sb->legs[i].generation = 0;
	}
	memcpy(sb->legs[leg].uuid, id, QUORUM_UUID_SIZE);
	return quorum_super_layout(sb, sectors);
}

/*
 * qs_split_history - did leg @i (its superblock @sb) go on without the
 * volume whose current superblock is @ref?  As quorum_assemble() decides:
 * the leg, still the volume's (its identity), took superblocks more than
 * two past the last one the volume saw it take.  The target refuses such
 * a leg unless the table names it out_of_sync or failed.
 */
bool qs_split_history(const struct quorum_super *ref,
		      const struct quorum_super *sb, unsigned int i)
{
	return sb->generation != ref->generation &&
	       !memcmp(sb->legs[i].uuid, ref->legs[i].uuid, QUORUM_UUID_SIZE) &&
	       sb->generation > ref->legs[i].generation + 2;
}

/*
 * The size of a stand-in for a missing leg: the smallest leg that holds
 * the volume's data and metadata, as the target checks every leg.
 */
u64 qs_standin_sectors(const struct quorum_super *sb)
{
	return sb->data_sectors + sb->meta_sectors;
}

int qs_parse_table(const char *params, struct qs_table *tab)
{
	unsigned int n = 0;
	char *p;
	size_t len = strlen(params);

	if (len >= sizeof(tab->buf))
		return -1;
	memcpy(tab->buf, params, len + 1);
	for (p = strtok(tab->buf, " \t\n"); p; p = strtok(NULL, " \t\n")) {
		if (n == sizeof(tab->words) / sizeof(tab->words[0]))
			return -1;
		tab->words[n++] = p;
	}
	return quorum_parse_table(n, tab->words, &tab->t) ? -1 : 0;
}

static int put_s(char *buf, size_t len, size_t *at, const char *fmt,
		 const char *s)
{
	int n = snprintf(buf + *at, len - *at, fmt, s);

	if (n < 0 || (size_t)n >= len - *at)
		return -1;
	*at += n;
	return 0;
}

static int put_u(char *buf, size_t len, size_t *at, const char *fmt,
		 unsigned int v)
{
	int n = snprintf(buf + *at, len - *at, fmt, v);

	if (n < 0 || (size_t)n >= len - *at)
		return -1;
	*at += n;
	return 0;
}

static int put_legs(char *buf, size_t len, size_t *at, const char *name,
		    unsigned int mask)
{
	unsigned int i;
	bool first = true;

	if (put_s(buf, len, at, " %s", name))
		return -1;
	for (i = 0; i < QUORUM_MAX_LEGS; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (put_u(buf, len, at, first ? " %u" : ",%u", i))
			return -1;
		first = false;
	}
	return 0;
}

/*
 * qs_table_params - a table line's parameters for the target
 * @legs: as major:minor
 * @failed, @out_of_sync: the legs to name so
 * @keep: the features of a table to keep (rewrite_corrupted, read_pattern,
 *	error_limit, scrub_rate, region_size), or NULL; metadata is always
 *	given
 *
 * In the order "dmsetup table" prints them.  Returns 0, or -1 when @buf
 * is too small.
 */
int qs_table_params(char *buf, size_t len, unsigned int threshold,
		    unsigned int nr_legs, char (*legs)[QS_DEVNUM_MAX],
		    unsigned int failed, unsigned int out_of_sync,
		    const struct quorum_table *keep)
{
	unsigned int i, words = 1, features = keep ? keep->features : 0;
	size_t at = 0;

	features &= QUORUM_FEATURE_REWRITE_CORRUPTED | QUORUM_FEATURE_READ_PATTERN |
		    QUORUM_FEATURE_ERROR_LIMIT | QUORUM_FEATURE_SCRUB_RATE |
		    QUORUM_FEATURE_REGION_SIZE;
	if (failed)
		features |= QUORUM_FEATURE_FAILED;
	if (out_of_sync)
		features |= QUORUM_FEATURE_OUT_OF_SYNC;
	for (i = 0; i < QUORUM_NR_FEATURES; i++)
		if (features & (1u << i))
			words += 1 + quorum_features[i].has_value;
	if (put_u(buf, len, &at, "%u", threshold))
		return -1;
	for (i = 0; i < nr_legs; i++)
		if (put_s(buf, len, &at, " %s", legs[i]))
			return -1;
	if (put_u(buf, len, &at, " %u", words))
		return -1;
	if ((features & QUORUM_FEATURE_REWRITE_CORRUPTED) &&
	    put_s(buf, len, &at, " %s", "rewrite_corrupted"))
		return -1;
	if ((features & QUORUM_FEATURE_READ_PATTERN) &&
	    put_s(buf, len, &at, " read_pattern %s",
		  quorum_read_pattern_names[keep->read_pattern]))
		return -1;
	if ((features & QUORUM_FEATURE_ERROR_LIMIT) &&
	    put_u(buf, len, &at, " error_limit %u", keep->error_limit))
		return -1;
	if ((features & QUORUM_FEATURE_SCRUB_RATE) &&
	    put_u(buf, len, &at, " scrub_rate %u", keep->scrub_rate))
		return -1;
	if (out_of_sync && put_legs(buf, len, &at, "out_of_sync", out_of_sync))
		return -1;
	if ((features & QUORUM_FEATURE_REGION_SIZE) &&
	    put_u(buf, len, &at, " region_size %u", keep->region_size))
		return -1;
	if (failed && put_legs(buf, len, &at, "failed", failed))
		return -1;
	return put_s(buf, len, &at, " %s", "metadata");
}
