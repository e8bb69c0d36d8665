// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: parsing of the table line and of the leg references of
 * messages (declared and described in dm-quorum-table.h).  No kernel state
 * and no locks: the unit tests and the fuzzer compile this file unchanged.
 */
#include "dm-quorum-table.h"

const struct quorum_feature quorum_features[QUORUM_NR_FEATURES] = {
	{ "rewrite_corrupted", false },
	{ "read_pattern", true },
	{ "error_limit", true },
	{ "scrub_rate", true },
	{ "out_of_sync", true },
	{ "region_size", true },
	{ "failed", true },
	{ "metadata", false },
};

const char * const quorum_read_pattern_names[] = { "quorum", "fifo" };

/* ti->error must be a static string: one per possible number of legs. */
#define QUORUM_THRESHOLD_ERROR(n) \
	[n] = "Invalid threshold: must be between 1 and " #n
static char * const quorum_threshold_errors[QUORUM_MAX_LEGS + 1] = {
	QUORUM_THRESHOLD_ERROR(2), QUORUM_THRESHOLD_ERROR(3),
	QUORUM_THRESHOLD_ERROR(4), QUORUM_THRESHOLD_ERROR(5),
	QUORUM_THRESHOLD_ERROR(6), QUORUM_THRESHOLD_ERROR(7),
	QUORUM_THRESHOLD_ERROR(8), QUORUM_THRESHOLD_ERROR(9),
	QUORUM_THRESHOLD_ERROR(10), QUORUM_THRESHOLD_ERROR(11),
	QUORUM_THRESHOLD_ERROR(12), QUORUM_THRESHOLD_ERROR(13),
	QUORUM_THRESHOLD_ERROR(14), QUORUM_THRESHOLD_ERROR(15),
	QUORUM_THRESHOLD_ERROR(16),
};

bool quorum_parse_uint(const char *s, unsigned int max,
		       unsigned int *value)
{
	unsigned int v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned int digit;

		if (*s < '0' || *s > '9')
			return false;
		digit = *s - '0';
		if (digit > max || v > (max - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	*value = v;
	return true;
}

bool quorum_is_number(const char *s)
{
	unsigned int v;

	return quorum_parse_uint(s, ~0u, &v);
}

bool quorum_parse_legs(const char *s, unsigned int nr_legs,
		       unsigned int *legs)
{
	unsigned int leg;
	char buf[4];

	*legs = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);

		if (n >= sizeof(buf))
			return false;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (!quorum_parse_uint(buf, nr_legs - 1, &leg) ||
		    *legs & (1u << leg))
			return false;
		*legs |= 1u << leg;
		if (!comma)
			return true;
		s = comma + 1;
	}
}

char *quorum_parse_table(unsigned int argc, char **argv, struct quorum_table *t)
{
	unsigned int i, j, nr_features;

	memset(t, 0, sizeof(*t));
	t->error_limit = QUORUM_DEFAULT_ERROR_LIMIT;
	t->region_size = QUORUM_DEFAULT_REGION_SIZE;
	if (argc < 1)
		return "Missing arguments: <threshold> <dev_1> ... <dev_N>";

	for (i = 1; i < argc && !quorum_is_number(argv[i]); i++)
		;
	t->legs = argv + 1;
	t->nr_legs = i - 1;
	if (t->nr_legs < QUORUM_MIN_LEGS)
		return "Too few legs: need at least 2";
	if (t->nr_legs > QUORUM_MAX_LEGS)
		return "Too many legs: at most 16";

	if (!quorum_parse_uint(argv[0], QUORUM_MAX_LEGS, &t->threshold) ||
	    t->threshold < 1 || t->threshold > t->nr_legs) {
		t->bad_arg = argv[0];
		return quorum_threshold_errors[t->nr_legs];
	}

	if (i == argc)
		return NULL;
	if (!quorum_parse_uint(argv[i], argc, &nr_features) ||
	    nr_features != argc - i - 1) {
		t->bad_arg = argv[i];
		return "Invalid number of feature arguments";
	}
	for (i++; i < argc; i++) {
		const struct quorum_feature *f = NULL;
		const char *value;

		t->bad_arg = argv[i];
		for (j = 0; j < QUORUM_NR_FEATURES; j++)
			if (!strcmp(argv[i], quorum_features[j].name))
				f = &quorum_features[j];
		if (!f)
			return "Unknown feature argument";
		j = f - quorum_features;
		if (t->features & (1u << j))
			return "Feature argument given twice";
		t->features |= 1u << j;
		if (!f->has_value)
			continue;
		if (++i == argc)
			return "Feature argument needs a value";
		value = argv[i];
		t->bad_arg = value;
		switch (1u << j) {
		case QUORUM_FEATURE_READ_PATTERN:
			if (!strcmp(value, "quorum"))
				t->read_pattern = QUORUM_READ_QUORUM;
			else if (!strcmp(value, "fifo"))
				t->read_pattern = QUORUM_READ_FIFO;
			else
				return "Invalid read_pattern: must be quorum or fifo";
			break;
		case QUORUM_FEATURE_ERROR_LIMIT:
			if (!quorum_parse_uint(value, QUORUM_MAX_ERROR_LIMIT,
					       &t->error_limit))
				return "Invalid error_limit: must be between 0 and 1000000";
			break;
		case QUORUM_FEATURE_SCRUB_RATE:
			if (!quorum_parse_uint(value, QUORUM_MAX_SCRUB_RATE,
					       &t->scrub_rate))
				return "Invalid scrub_rate: must be KiB/s between 0 and 1073741824";
			break;
		case QUORUM_FEATURE_OUT_OF_SYNC:
			if (!quorum_parse_legs(value, t->nr_legs,
					       &t->out_of_sync))
				return "Invalid out_of_sync: must be distinct leg indexes, as 0,2";
			break;
		case QUORUM_FEATURE_REGION_SIZE:
			if (!quorum_parse_uint(value, QUORUM_MAX_REGION_SIZE,
					       &t->region_size) ||
			    t->region_size < QUORUM_MIN_REGION_SIZE ||
			    (t->region_size & (t->region_size - 1)))
				return "Invalid region_size: a power of two from 8 to 2097152";
			break;
		case QUORUM_FEATURE_FAILED:
			if (!quorum_parse_legs(value, t->nr_legs, &t->failed))
				return "Invalid failed: must be distinct leg indexes, as 0,2";
			break;
		}
	}
	t->bad_arg = NULL;
	return NULL;
}

bool quorum_parse_leg_ref(const char *s, bool *is_index,
			  unsigned int *index,
			  unsigned int *major,
			  unsigned int *minor)
{
	char buf[24];
	const char *colon = s ? strchr(s, ':') : NULL;
	size_t n;

	if (!s)
		return false;
	if (!colon) {
		*is_index = true;
		return quorum_parse_uint(s, QUORUM_MAX_LEGS - 1, index);
	}
	n = colon - s;
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*is_index = false;
	return quorum_parse_uint(buf, 4095, major) &&
	       quorum_parse_uint(colon + 1, 1048575, minor);
}
