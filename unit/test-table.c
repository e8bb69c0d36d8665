// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the table parser (dm-quorum-table.h), compiled unchanged in
 * user space, and replay of the fuzzer's regression inputs.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check-table.h"
#include "unit.h"
#include "words.h"

static const char *parse(const char *line, struct quorum_table *t)
{
	static struct words w;
	const char *error;

	words_free(&w);
	words_split(&w, (const unsigned char *)line, strlen(line));
	error = quorum_parse_table(w.argc, w.argv, t);
	table_invariants(w.argc, w.argv, error, t);
	return error;
}

static bool refused(const char *line, const char *message, const char *bad)
{
	struct quorum_table t;
	const char *error = parse(line, &t);

	if (!error || strcmp(error, message)) {
		fprintf(stderr, "\"%s\": got \"%s\", want \"%s\"\n", line,
			error ? error : "(accepted)", message);
		return false;
	}
	if (bad && (!t.bad_arg || strcmp(t.bad_arg, bad))) {
		fprintf(stderr, "\"%s\": bad_arg %s, want %s\n", line,
			t.bad_arg ? t.bad_arg : "(none)", bad);
		return false;
	}
	return true;
}

static void accepted(void)
{
	struct quorum_table t;

	CHECK(!parse("2 /dev/sdb /dev/sdc /dev/sdd", &t));
	CHECK(t.threshold == 2 && t.nr_legs == 3 && !t.features);
	CHECK(!strcmp(t.legs[0], "/dev/sdb") && !strcmp(t.legs[2], "/dev/sdd"));
	CHECK(t.error_limit == QUORUM_DEFAULT_ERROR_LIMIT);
	CHECK(t.read_pattern == QUORUM_READ_QUORUM && t.scrub_rate == 0);

	CHECK(!parse("1 8:16 8:32", &t));
	CHECK(t.threshold == 1 && t.nr_legs == 2);

	CHECK(!parse("2 a b c 1 rewrite_corrupted", &t));
	CHECK(t.features == QUORUM_FEATURE_REWRITE_CORRUPTED);

	CHECK(!parse("2 a b c 7 read_pattern fifo error_limit 0 scrub_rate 1024 rewrite_corrupted",
		     &t));
	CHECK(t.features == 15 && t.read_pattern == QUORUM_READ_FIFO &&
	      t.error_limit == 0 && t.scrub_rate == 1024);

	CHECK(!parse("2 a b 0", &t));	/* an empty feature block */
	CHECK(!parse("16 a b c d e f g h i j k l m n o p", &t));
	CHECK(t.nr_legs == 16 && t.threshold == 16);
	CHECK(!parse("2 a b 2 read_pattern quorum", &t));
	CHECK(t.read_pattern == QUORUM_READ_QUORUM);
	CHECK(!t.out_of_sync);

	CHECK(t.region_size == QUORUM_DEFAULT_REGION_SIZE && !t.failed);
	CHECK(!parse("2 a b c 4 region_size 8 failed 2,1", &t));
	CHECK(t.region_size == 8 && t.failed == 6 &&
	      t.features == (QUORUM_FEATURE_REGION_SIZE | QUORUM_FEATURE_FAILED));
	CHECK(!parse("2 a b c 2 region_size 2097152", &t));
	CHECK(t.region_size == 2097152);
	CHECK(!parse("2 a b c 2 out_of_sync 1", &t));
	CHECK(t.features == QUORUM_FEATURE_OUT_OF_SYNC && t.out_of_sync == 2);
	CHECK(!parse("2 a b c 4 out_of_sync 2,0 read_pattern fifo", &t));
	CHECK(t.out_of_sync == 5 && t.read_pattern == QUORUM_READ_FIFO);
	CHECK(!parse("1 a b c d e f g h i j k l m n o p 2 out_of_sync 15,9,10",
		     &t));
	CHECK(t.out_of_sync == (1u << 15 | 1u << 9 | 1u << 10));
}

static void refusals(void)
{
	CHECK(refused("", "Missing arguments: <threshold> <dev_1> ... <dev_N>",
		      NULL));
	CHECK(refused("2", "Too few legs: need at least 2", NULL));
	CHECK(refused("2 a", "Too few legs: need at least 2", NULL));
	CHECK(refused("1 a 1 rewrite_corrupted", "Too few legs: need at least 2",
		      NULL));
	CHECK(refused("2 a b c d e f g h i j k l m n o p q",
		      "Too many legs: at most 16", NULL));
	CHECK(refused("0 a b c", "Invalid threshold: must be between 1 and 3",
		      "0"));
	CHECK(refused("4 a b c", "Invalid threshold: must be between 1 and 3",
		      "4"));
	CHECK(refused("x a b", "Invalid threshold: must be between 1 and 2",
		      "x"));
	CHECK(refused("-1 a b", "Invalid threshold: must be between 1 and 2",
		      "-1"));
	CHECK(refused("99999999999999999999 a b",
		      "Invalid threshold: must be between 1 and 2", NULL));
	CHECK(refused("2 a b 2 rewrite_corrupted",
		      "Invalid number of feature arguments", "2"));
	CHECK(refused("2 a b 1 frobnicate", "Unknown feature argument",
		      "frobnicate"));
	CHECK(refused("2 a b 2 rewrite_corrupted rewrite_corrupted",
		      "Feature argument given twice", "rewrite_corrupted"));
	CHECK(refused("2 a b 1 read_pattern", "Feature argument needs a value",
		      "read_pattern"));
	CHECK(refused("2 a b 2 read_pattern lifo",
		      "Invalid read_pattern: must be quorum or fifo", "lifo"));
	CHECK(refused("2 a b 2 error_limit 1000001",
		      "Invalid error_limit: must be between 0 and 1000000",
		      "1000001"));
	CHECK(refused("2 a b 2 scrub_rate fast",
		      "Invalid scrub_rate: must be KiB/s between 0 and 1073741824",
		      "fast"));
	CHECK(refused("2 a b c 2 region_size 12",
		      "Invalid region_size: a power of two from 8 to 2097152",
		      "12"));
	CHECK(refused("2 a b c 2 region_size 4",
		      "Invalid region_size: a power of two from 8 to 2097152",
		      "4"));
	CHECK(refused("2 a b c 2 region_size 4194304",
		      "Invalid region_size: a power of two from 8 to 2097152",
		      "4194304"));
	CHECK(refused("2 a b c 2 region_size 0",
		      "Invalid region_size: a power of two from 8 to 2097152",
		      "0"));
	CHECK(refused("2 a b c 2 failed 3",
		      "Invalid failed: must be distinct leg indexes, as 0,2",
		      "3"));
	CHECK(refused("2 a b c 2 failed 0,0",
		      "Invalid failed: must be distinct leg indexes, as 0,2",
		      "0,0"));
	CHECK(refused("2 a b c 2 out_of_sync 3",
		      "Invalid out_of_sync: must be distinct leg indexes, as 0,2",
		      "3"));
	CHECK(refused("2 a b c 2 out_of_sync 5",
		      "Invalid out_of_sync: must be distinct leg indexes, as 0,2",
		      "5"));
	CHECK(refused("2 a b c 2 out_of_sync 1,1",
		      "Invalid out_of_sync: must be distinct leg indexes, as 0,2",
		      "1,1"));
	CHECK(refused("2 a b c 2 out_of_sync 1,",
		      "Invalid out_of_sync: must be distinct leg indexes, as 0,2",
		      "1,"));
	CHECK(refused("2 a b c 2 out_of_sync ,",
		      "Invalid out_of_sync: must be distinct leg indexes, as 0,2",
		      ","));
	CHECK(refused("2 a b c 2 out_of_sync 0001",
		      "Invalid out_of_sync: must be distinct leg indexes, as 0,2",
		      "0001"));
	/* a value is not taken for a feature word */
	CHECK(refused("2 a b 2 error_limit error_limit",
		      "Invalid error_limit: must be between 0 and 1000000",
		      "error_limit"));
}

static void leg_refs(void)
{
	unsigned int index = 99, major = 0, minor = 0;
	bool is_index = false;

	/* a single digit above a small maximum */
	CHECK(!quorum_parse_uint("5", 2, &index));
	CHECK(quorum_parse_uint("2", 2, &index) && index == 2);
	CHECK(quorum_parse_leg_ref("3", &is_index, &index, &major, &minor));
	CHECK(is_index && index == 3);
	CHECK(quorum_parse_leg_ref("8:16", &is_index, &index, &major, &minor));
	CHECK(!is_index && major == 8 && minor == 16);
	CHECK(!quorum_parse_leg_ref("16", &is_index, &index, &major, &minor));
	CHECK(!quorum_parse_leg_ref("8:", &is_index, &index, &major, &minor));
	CHECK(!quorum_parse_leg_ref(":1", &is_index, &index, &major, &minor));
	CHECK(!quorum_parse_leg_ref("8:1:2", &is_index, &index, &major, &minor));
	CHECK(!quorum_parse_leg_ref("/dev/sda", &is_index, &index, &major,
				    &minor));
	CHECK(!quorum_parse_leg_ref("", &is_index, &index, &major, &minor));
	CHECK(!quorum_parse_leg_ref(NULL, &is_index, &index, &major, &minor));
	CHECK(!quorum_parse_leg_ref("123456789012345678901234567890:1",
				    &is_index, &index, &major, &minor));
}

/* Inputs that once crashed the fuzzer must parse without a crash. */
static void regressions(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	unsigned int n = 0;

	if (!d)
		return;
	while ((e = readdir(d))) {
		unsigned char data[4096];
		struct quorum_table t;
		struct words w;
		char path[1024];
		size_t size;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		size = fread(data, 1, sizeof(data), f);
		fclose(f);
		words_split(&w, data, size);
		table_invariants(w.argc, w.argv,
				 quorum_parse_table(w.argc, w.argv, &t), &t);
		words_free(&w);
		n++;
	}
	closedir(d);
	printf("test-table: %u regression inputs replayed\n", n);
}

int main(int argc, char **argv)
{
	accepted();
	refusals();
	leg_refs();
	regressions(argc > 1 ? argv[1] : "unit/regressions");
	return unit_report("test-table");
}
