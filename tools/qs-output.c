// SPDX-License-Identifier: GPL-2.0-only
/*
 * quorumsetup: the target's status line and "stats" message parsed, and
 * everything the tool prints: status in plain columns, JSON (the schema is
 * docs/quorumsetup-status.schema.json) and the Prometheus text format,
 * the udev export of a leg, a superblock decoded, events.  Pure, but for
 * the messages on stderr.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quorumsetup.h"

bool qs_verbose;
/* probe --export: no word on stderr either */
bool qs_quiet;

int qs_error(int code, const char *fmt, ...)
{
	va_list ap;

	if (qs_quiet)
		return code;
	fputs("quorumsetup: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* With --verbose only. */
void qs_info(const char *fmt, ...)
{
	va_list ap;

	if (!qs_verbose)
		return;
	fputs("quorumsetup: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The next word of @s from *@at, NUL-terminated in @word. */
static bool next_word(const char *s, size_t *at, char *word, size_t len)
{
	size_t n = 0;

	while (s[*at] == ' ' || s[*at] == '\t' || s[*at] == '\n')
		(*at)++;
	if (!s[*at])
		return false;
	while (s[*at] && s[*at] != ' ' && s[*at] != '\t' && s[*at] != '\n') {
		if (n + 1 >= len)
			return false;
		word[n++] = s[(*at)++];
	}
	word[n] = '\0';
	return true;
}

static bool parse_ull(const char *s, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	*v = strtoull(s, &end, 10);
	return !*end;
}

/* "<a>/<b>" */
static bool parse_pair(const char *s, unsigned long long *a,
		       unsigned long long *b)
{
	char left[32];
	const char *slash = strchr(s, '/');

	if (!slash || (size_t)(slash - s) >= sizeof(left))
		return false;
	memcpy(left, s, slash - s);
	left[slash - s] = '\0';
	return parse_ull(left, a) && parse_ull(slash + 1, b);
}

static bool parse_state(const char *word, char *state, size_t len,
			const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(word, *allowed)) {
			snprintf(state, len, "%s", word);
			return true;
		}
	return false;
}

/*
 * qs_parse_status - the target's status line (docs/dm-quorum.rst,
 * "Status"), after "quorum"; fields beyond those known are ignored, as
 * they are only ever appended.  Returns 0 or -1.
 */
int qs_parse_status(const char *params, struct qs_status *st)
{
	static const char *const scrub[] = { "idle", "check", "repair", NULL };
	static const char *const resync[] = { "idle", "resync", NULL };
	static const char *const meta[] = { "none", "clean", "dirty", NULL };
	unsigned long long v;
	unsigned int i;
	char w[64];
	size_t at = 0;

	memset(st, 0, sizeof(*st));
	if (!next_word(params, &at, w, sizeof(w)) || !parse_ull(w, &v) ||
	    v < QUORUM_MIN_LEGS || v > QUORUM_MAX_LEGS)
		return -1;
	st->nr_legs = v;
	for (i = 0; i < st->nr_legs; i++)
		if (!next_word(params, &at, st->legs[i].devnum,
			       sizeof(st->legs[i].devnum)))
			return -1;
	if (!next_word(params, &at, w, sizeof(w)) || strlen(w) != st->nr_legs)
		return -1;
	for (i = 0; i < st->nr_legs; i++) {
		if (!strchr("ARWOD", w[i]))
			return -1;
		st->legs[i].health = w[i];
	}
	for (i = 0; i < st->nr_legs; i++) {
		struct qs_leg_status *l = &st->legs[i];
		char extra;

		if (!next_word(params, &at, w, sizeof(w)) ||
		    sscanf(w, "%llu:%llu:%llu:%llu:%llu%c", &l->read_errors,
			   &l->write_errors, &l->flush_errors, &l->outvoted,
			   &l->repaired, &extra) != 5)
			return -1;
	}
	if (!next_word(params, &at, w, sizeof(w)) || !parse_ull(w, &st->quorum_failures) ||
	    !next_word(params, &at, w, sizeof(w)) || !parse_ull(w, &st->events_dropped))
		return -1;
	if (!next_word(params, &at, w, sizeof(w)) ||
	    !parse_state(w, st->scrub_state, sizeof(st->scrub_state), scrub) ||
	    !next_word(params, &at, w, sizeof(w)) ||
	    !parse_pair(w, &st->scrub_position, &st->scrub_total) ||
	    !next_word(params, &at, w, sizeof(w)) || !parse_ull(w, &st->scrub_bad) ||
	    !next_word(params, &at, w, sizeof(w)) || !parse_ull(w, &st->scrub_repaired) ||
	    !next_word(params, &at, w, sizeof(w)) || !parse_ull(w, &st->scrub_unrecoverable))
		return -1;
	if (!next_word(params, &at, w, sizeof(w)) ||
	    !parse_state(w, st->resync_state, sizeof(st->resync_state), resync) ||
	    !next_word(params, &at, w, sizeof(w)) ||
	    !parse_pair(w, &st->resync_region, &st->regions) ||
	    !next_word(params, &at, w, sizeof(w)) || !parse_ull(w, &st->regions_out_of_sync))
		return -1;
	if (!next_word(params, &at, w, sizeof(w)) ||
	    !parse_state(w, st->meta_state, sizeof(st->meta_state), meta) ||
	    !next_word(params, &at, w, sizeof(w)) || !parse_ull(w, &st->generation) ||
	    !next_word(params, &at, w, sizeof(w)) || !parse_ull(w, &st->write_intent) ||
	    !next_word(params, &at, w, sizeof(w)) || !parse_ull(w, &st->crash))
		return -1;
	return 0;
}

/* The value of " <key>=<n>" in a line of words. */
static bool stats_value(const char *line, size_t len, const char *key,
			long long *v)
{
	size_t klen = strlen(key), i;

	for (i = 0; i + klen + 1 < len; i++) {
		if ((i && line[i - 1] != ' ') || strncmp(line + i, key, klen) ||
		    line[i + klen] != '=')
			continue;
		*v = strtoll(line + i + klen + 1, NULL, 10);
		return true;
	}
	return false;
}

/*
 * qs_parse_stats - what the "stats" message adds per leg: reads, writes,
 * scrub_bad_blocks.  Lines "leg=<i> ..." (docs/dm-quorum.rst, Messages).
 */
int qs_parse_stats(const char *response, unsigned int nr_legs,
		   struct qs_leg_stats *stats)
{
	const char *line = response;
	unsigned int i;
	int found = 0;

	for (i = 0; i < nr_legs; i++)
		stats[i].reads = stats[i].writes = stats[i].scrub_bad = -1;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		long long leg;

		if (stats_value(line, len, "leg", &leg) && leg >= 0 &&
		    leg < (long long)nr_legs) {
			stats_value(line, len, "reads", &stats[leg].reads);
			stats_value(line, len, "writes", &stats[leg].writes);
			stats_value(line, len, "scrub_bad_blocks",
				    &stats[leg].scrub_bad);
			found++;
		}
		line = end ? end + 1 : NULL;
	}
	return found == (int)nr_legs ? 0 : -1;
}

const char *qs_health_name(char health, bool missing)
{
	if (missing)
		return "missing";
	switch (health) {
	case 'A':
		return "alive";
	case 'R':
		return "read_errors";
	case 'W':
		return "write_errors";
	case 'O':
		return "out_of_sync";
	case 'D':
		return "failed";
	}
	return "unknown";
}

/* A leg failed, missing or out of sync: not every copy is there. */
bool qs_volume_degraded(const struct qs_volume_view *v)
{
	unsigned int i;

	for (i = 0; i < v->nr_legs; i++)
		if (v->legs[i].missing || v->legs[i].st.health == 'D' ||
		    v->legs[i].st.health == 'O')
			return true;
	return false;
}

unsigned int qs_percent(unsigned long long pos, unsigned long long total)
{
	if (!total)
		return 0;
	if (pos >= total)
		return 100;
	return pos * 100 / total;
}

void qs_size_string(unsigned long long sectors, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = sectors / 2.0;
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

/* "check [#######.............]  35% 1234/5678 sectors" */
void qs_progress_bar(char *buf, size_t len, const char *what,
		     unsigned long long pos, unsigned long long total,
		     unsigned int width)
{
	unsigned int pct = qs_percent(pos, total), fill, i;
	size_t at;

	if (width > 200)
		width = 200;
	fill = total ? (pos >= total ? width : pos * width / total) : 0;
	at = snprintf(buf, len, "%s [", what);
	for (i = 0; i < width && at + 1 < len; i++)
		buf[at++] = i < fill ? '#' : '.';
	if (at < len)
		snprintf(buf + at, len - at, "] %3u%% %llu/%llu sectors", pct,
			 pos, total);
}

void qs_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The label of a superblock, NUL-terminated in @out (33 bytes). */
void qs_label_string(const struct quorum_super *sb, char *out)
{
	memcpy(out, sb->label, QUORUM_LABEL_SIZE);
	out[QUORUM_LABEL_SIZE] = '\0';
}

/*
 * Plain columns, for people.
 */
static void plain_volume(FILE *f, const struct qs_volume_view *v)
{
	const struct qs_status *st = &v->st;
	unsigned int i, failed = 0, missing = 0, oos = 0;
	char size[32];

	qs_size_string(v->sectors, size, sizeof(size));
	fprintf(f, "%s: ", v->name);
	if (v->uuid[0])
		fprintf(f, "volume %s", v->uuid);
	else
		fprintf(f, "quorum device");
	if (v->has_label && v->label[0])
		fprintf(f, " \"%s\"", v->label);
	fprintf(f, ", %u legs, threshold %u, %s (%llu sectors)%s%s\n",
		v->nr_legs, v->threshold, size, v->sectors,
		v->read_only ? ", read-only" : "",
		v->suspended ? ", suspended" : "");
	for (i = 0; i < v->nr_legs; i++) {
		if (v->legs[i].missing)
			missing++;
		else if (v->legs[i].st.health == 'D')
			failed++;
		else if (v->legs[i].st.health == 'O')
			oos++;
	}
	fprintf(f, "  state: %s", qs_volume_degraded(v) ? "degraded" : "healthy");
	if (missing)
		fprintf(f, ", %u missing", missing);
	if (failed)
		fprintf(f, ", %u failed", failed);
	if (oos)
		fprintf(f, ", %u out of sync", oos);
	if (v->metadata)
		fprintf(f, "; metadata %s, generation %llu, %llu write-intent regions, %llu crash regions\n",
			st->meta_state, st->generation, st->write_intent, st->crash);
	else
		fprintf(f, "; no metadata\n");
	if (strcmp(st->scrub_state, "idle"))
		fprintf(f, "  scrub: %s %u%% (%llu/%llu sectors), ", st->scrub_state,
			qs_percent(st->scrub_position, st->scrub_total),
			st->scrub_position, st->scrub_total);
	else
		fprintf(f, "  scrub: idle, last run at %llu/%llu sectors: ",
			st->scrub_position, st->scrub_total);
	fprintf(f, "%llu bad, %llu repaired, %llu unrecoverable\n",
		st->scrub_bad, st->scrub_repaired, st->scrub_unrecoverable);
	if (strcmp(st->resync_state, "idle"))
		fprintf(f, "  resync: running %u%% (region %llu of %llu)",
			qs_percent(st->resync_region, st->regions),
			st->resync_region, st->regions);
	else
		fprintf(f, "  resync: idle");
	fprintf(f, ", %llu regions out of sync (of %llu per leg)\n",
		st->regions_out_of_sync, st->regions);
	fprintf(f, "  quorum failures: %llu, events dropped: %llu\n",
		st->quorum_failures, st->events_dropped);
	fprintf(f, "  %-3s %-12s %-24s %-36s %8s %8s %8s %8s %8s\n", "LEG",
		"HEALTH", "DEVICE", "IDENTITY", "RD_ERR", "WR_ERR", "FL_ERR",
		"OUTVOTED", "REPAIRED");
	for (i = 0; i < v->nr_legs; i++) {
		const struct qs_leg_view *l = &v->legs[i];

		fprintf(f, "  %-3u %-12s %-24s %-36s %8llu %8llu %8llu %8llu %8llu\n",
			l->index, qs_health_name(l->st.health, l->missing),
			l->path[0] ? l->path : l->devnum,
			l->identity[0] ? l->identity : "-", l->st.read_errors,
			l->st.write_errors, l->st.flush_errors, l->st.outvoted,
			l->st.repaired);
	}
}

void qs_print_status_plain(FILE *f, const struct qs_volume_view *v,
			   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i)
			fputc('\n', f);
		plain_volume(f, &v[i]);
	}
}

/*
 * JSON, for scripts: docs/quorumsetup-status.schema.json says what each
 * member is.  One object, keys in a fixed order.
 */
static void json_key(FILE *f, const char *key, bool *first)
{
	fputs(*first ? "" : ",", f);
	*first = false;
	qs_json_string(f, key);
	fputc(':', f);
}

static void json_str(FILE *f, const char *key, const char *value, bool *first)
{
	json_key(f, key, first);
	qs_json_string(f, value);
}

/* A string, or null when empty. */
static void json_str_or_null(FILE *f, const char *key, const char *value,
			     bool *first)
{
	json_key(f, key, first);
	if (value && value[0])
		qs_json_string(f, value);
	else
		fputs("null", f);
}

static void json_num(FILE *f, const char *key, unsigned long long v,
		     bool *first)
{
	json_key(f, key, first);
	fprintf(f, "%llu", v);
}

static void json_num_or_null(FILE *f, const char *key, long long v,
			     bool *first)
{
	json_key(f, key, first);
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%lld", v);
}

static void json_bool(FILE *f, const char *key, bool v, bool *first)
{
	json_key(f, key, first);
	fputs(v ? "true" : "false", f);
}

static void json_leg(FILE *f, const struct qs_leg_view *l)
{
	bool first = true, c = true;
	char code[2] = { l->st.health, '\0' };

	fputc('{', f);
	json_num(f, "index", l->index, &first);
	json_str(f, "devnum", l->devnum, &first);
	json_str_or_null(f, "path", l->path, &first);
	json_str_or_null(f, "stable_path", l->stable, &first);
	json_str_or_null(f, "identity", l->identity, &first);
	json_str(f, "health", qs_health_name(l->st.health, l->missing), &first);
	json_str(f, "health_code", code, &first);
	json_bool(f, "missing", l->missing, &first);
	json_bool(f, "in_sync", !l->missing && l->st.health != 'O' &&
		  l->st.health != 'D', &first);
	json_key(f, "counters", &first);
	fputc('{', f);
	json_num(f, "read_errors", l->st.read_errors, &c);
	json_num(f, "write_errors", l->st.write_errors, &c);
	json_num(f, "flush_errors", l->st.flush_errors, &c);
	json_num(f, "outvoted_blocks", l->st.outvoted, &c);
	json_num(f, "repaired_blocks", l->st.repaired, &c);
	json_num_or_null(f, "reads", l->stats.reads, &c);
	json_num_or_null(f, "writes", l->stats.writes, &c);
	json_num_or_null(f, "scrub_bad_blocks", l->stats.scrub_bad, &c);
	fputs("}}", f);
}

static void json_volume(FILE *f, const struct qs_volume_view *v)
{
	const struct qs_status *st = &v->st;
	char device[QS_NAME_MAX + 16];
	bool first = true, s;
	unsigned int i;

	fputc('{', f);
	json_str(f, "name", v->name, &first);
	json_str_or_null(f, "uuid", v->uuid, &first);
	json_str_or_null(f, "dm_uuid", v->dm_uuid, &first);
	json_str_or_null(f, "label", v->has_label ? v->label : NULL, &first);
	snprintf(device, sizeof(device), "/dev/mapper/%s", v->name);
	json_str(f, "device", device, &first);
	json_str(f, "devnum", v->devnum, &first);
	json_num(f, "size_sectors", v->sectors, &first);
	json_num(f, "nr_legs", v->nr_legs, &first);
	json_num(f, "threshold", v->threshold, &first);
	json_num(f, "region_size_sectors", v->region_size, &first);
	json_str(f, "features", v->features, &first);
	json_bool(f, "read_only", v->read_only, &first);
	json_bool(f, "suspended", v->suspended, &first);
	json_num_or_null(f, "open_count", v->open_count, &first);
	json_bool(f, "degraded", qs_volume_degraded(v), &first);
	json_num(f, "quorum_failures", st->quorum_failures, &first);
	json_num(f, "events_dropped", st->events_dropped, &first);
	json_key(f, "scrub", &first);
	s = true;
	fputc('{', f);
	json_str(f, "state", st->scrub_state, &s);
	json_num(f, "position_sectors", st->scrub_position, &s);
	json_num(f, "total_sectors", st->scrub_total, &s);
	json_num(f, "progress_percent",
		 qs_percent(st->scrub_position, st->scrub_total), &s);
	json_num(f, "bad_blocks", st->scrub_bad, &s);
	json_num(f, "repaired_blocks", st->scrub_repaired, &s);
	json_num(f, "unrecoverable_blocks", st->scrub_unrecoverable, &s);
	fputc('}', f);
	json_key(f, "resync", &first);
	s = true;
	fputc('{', f);
	json_str(f, "state", st->resync_state, &s);
	json_num(f, "region", st->resync_region, &s);
	json_num(f, "regions", st->regions, &s);
	json_num(f, "progress_percent",
		 strcmp(st->resync_state, "idle") ?
		 qs_percent(st->resync_region, st->regions) : 100, &s);
	json_num(f, "regions_out_of_sync", st->regions_out_of_sync, &s);
	fputc('}', f);
	json_key(f, "metadata", &first);
	s = true;
	fputc('{', f);
	json_bool(f, "enabled", v->metadata, &s);
	json_str(f, "state", st->meta_state, &s);
	json_num(f, "generation", st->generation, &s);
	json_num(f, "write_intent_regions", st->write_intent, &s);
	json_num(f, "crash_regions", st->crash, &s);
	fputc('}', f);
	json_key(f, "legs", &first);
	fputc('[', f);
	for (i = 0; i < v->nr_legs; i++) {
		if (i)
			fputc(',', f);
		json_leg(f, &v->legs[i]);
	}
	fputs("]}", f);
}

void qs_print_status_json(FILE *f, const struct qs_volume_view *v,
			  unsigned int n)
{
	unsigned int i;

	fputs("{\"version\":1,\"volumes\":[", f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_volume(f, &v[i]);
	}
	fputs("]}\n", f);
}

/*
 * The Prometheus text format, for node-exporter's textfile collector:
 * each family once, with its HELP and TYPE, its samples for every volume.
 */
static void prom_label(FILE *f, const char *name, const char *value,
		       bool first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fprintf(f, "\\%c", *value);
		else if (*value == '\n')
			fputs("\\n", f);
		else
			fputc(*value, f);
	}
	fputc('"', f);
}

enum {
	VM_INFO, VM_LEGS, VM_THRESHOLD, VM_SIZE, VM_DEGRADED, VM_READ_ONLY,
	VM_SUSPENDED, VM_QUORUM_FAILURES, VM_EVENTS_DROPPED, VM_SCRUB_RUNNING,
	VM_SCRUB_REPAIR, VM_SCRUB_POSITION, VM_SCRUB_TOTAL, VM_SCRUB_BAD,
	VM_SCRUB_REPAIRED, VM_SCRUB_UNRECOVERABLE, VM_RESYNC_RUNNING,
	VM_RESYNC_REGION, VM_REGIONS, VM_OUT_OF_SYNC, VM_META_DIRTY,
	VM_GENERATION, VM_WRITE_INTENT, VM_CRASH, VM_NR,
};

struct prom_family {
	const char *name, *type, *help;
};

static const struct prom_family volume_families[VM_NR] = {
	[VM_INFO] = { "volume_info", "gauge", "An open quorum volume (always 1), with its identity." },
	[VM_LEGS] = { "volume_legs", "gauge", "Legs of the volume." },
	[VM_THRESHOLD] = { "volume_threshold", "gauge", "Legs that must agree on a read or take a write." },
	[VM_SIZE] = { "volume_size_bytes", "gauge", "Size of the volume." },
	[VM_DEGRADED] = { "volume_degraded", "gauge", "1 when a leg is missing, failed or out of sync." },
	[VM_READ_ONLY] = { "volume_read_only", "gauge", "1 when the table was loaded read-only." },
	[VM_SUSPENDED] = { "volume_suspended", "gauge", "1 when the device is suspended." },
	[VM_QUORUM_FAILURES] = { "quorum_failures_total", "counter", "I/Os or runs of blocks that failed for want of a quorum." },
	[VM_EVENTS_DROPPED] = { "events_dropped_total", "counter", "Uevents not sent because of the rate limit." },
	[VM_SCRUB_RUNNING] = { "scrub_running", "gauge", "1 while a scrub runs." },
	[VM_SCRUB_REPAIR] = { "scrub_repair", "gauge", "1 while a scrub repair runs." },
	[VM_SCRUB_POSITION] = { "scrub_position_sectors", "gauge", "Sectors scrubbed by the current or last scrub." },
	[VM_SCRUB_TOTAL] = { "scrub_total_sectors", "gauge", "Sectors a scrub covers." },
	[VM_SCRUB_BAD] = { "scrub_bad_blocks", "gauge", "Blocks found bad by the current or last scrub." },
	[VM_SCRUB_REPAIRED] = { "scrub_repaired_blocks", "gauge", "Blocks rewritten by the current or last scrub." },
	[VM_SCRUB_UNRECOVERABLE] = { "scrub_unrecoverable_blocks", "gauge", "Blocks without a winner in the current or last scrub." },
	[VM_RESYNC_RUNNING] = { "resync_running", "gauge", "1 while a resync runs." },
	[VM_RESYNC_REGION] = { "resync_region", "gauge", "The region the resync copies." },
	[VM_REGIONS] = { "regions", "gauge", "Regions of the volume." },
	[VM_OUT_OF_SYNC] = { "regions_out_of_sync", "gauge", "Regions out of sync, added up over the legs." },
	[VM_META_DIRTY] = { "metadata_dirty", "gauge", "1 while the superblocks say writes may be in flight." },
	[VM_GENERATION] = { "metadata_generation", "gauge", "The superblocks' generation." },
	[VM_WRITE_INTENT] = { "write_intent_regions", "gauge", "Regions in the write-intent bitmap." },
	[VM_CRASH] = { "crash_regions", "gauge", "Crash regions left to resync after an unclean shutdown." },
};

static unsigned long long volume_value(const struct qs_volume_view *v, int m)
{
	const struct qs_status *st = &v->st;

	switch (m) {
	case VM_INFO:
		return 1;
	case VM_LEGS:
		return v->nr_legs;
	case VM_THRESHOLD:
		return v->threshold;
	case VM_SIZE:
		return v->sectors * 512;
	case VM_DEGRADED:
		return qs_volume_degraded(v);
	case VM_READ_ONLY:
		return v->read_only;
	case VM_SUSPENDED:
		return v->suspended;
	case VM_QUORUM_FAILURES:
		return st->quorum_failures;
	case VM_EVENTS_DROPPED:
		return st->events_dropped;
	case VM_SCRUB_RUNNING:
		return strcmp(st->scrub_state, "idle") != 0;
	case VM_SCRUB_REPAIR:
		return !strcmp(st->scrub_state, "repair");
	case VM_SCRUB_POSITION:
		return st->scrub_position;
	case VM_SCRUB_TOTAL:
		return st->scrub_total;
	case VM_SCRUB_BAD:
		return st->scrub_bad;
	case VM_SCRUB_REPAIRED:
		return st->scrub_repaired;
	case VM_SCRUB_UNRECOVERABLE:
		return st->scrub_unrecoverable;
	case VM_RESYNC_RUNNING:
		return strcmp(st->resync_state, "idle") != 0;
	case VM_RESYNC_REGION:
		return st->resync_region;
	case VM_REGIONS:
		return st->regions;
	case VM_OUT_OF_SYNC:
		return st->regions_out_of_sync;
	case VM_META_DIRTY:
		return !strcmp(st->meta_state, "dirty");
	case VM_GENERATION:
		return st->generation;
	case VM_WRITE_INTENT:
		return st->write_intent;
	case VM_CRASH:
		return st->crash;
	}
	return 0;
}

enum {
	LM_INFO, LM_HEALTH, LM_UP, LM_IN_SYNC, LM_READ_ERRORS, LM_WRITE_ERRORS,
	LM_FLUSH_ERRORS, LM_OUTVOTED, LM_REPAIRED, LM_READS, LM_WRITES,
	LM_SCRUB_BAD, LM_NR,
};

static const struct prom_family leg_families[LM_NR] = {
	[LM_INFO] = { "leg_info", "gauge", "A leg of a volume (always 1), with its identity." },
	[LM_HEALTH] = { "leg_health", "gauge", "1 for the leg's health: alive, read_errors, write_errors, out_of_sync, failed or missing." },
	[LM_UP] = { "leg_up", "gauge", "1 when the leg is there and not failed." },
	[LM_IN_SYNC] = { "leg_in_sync", "gauge", "1 when the leg is alive and in sync everywhere." },
	[LM_READ_ERRORS] = { "leg_read_errors_total", "counter", "Failed read bios of the leg." },
	[LM_WRITE_ERRORS] = { "leg_write_errors_total", "counter", "Failed write bios of the leg, repairs included." },
	[LM_FLUSH_ERRORS] = { "leg_flush_errors_total", "counter", "Failed flushes of the leg." },
	[LM_OUTVOTED] = { "leg_outvoted_blocks_total", "counter", "Blocks of the leg outvoted by the others." },
	[LM_REPAIRED] = { "leg_repaired_blocks_total", "counter", "Blocks of the leg rewritten from the winner." },
	[LM_READS] = { "leg_reads_total", "counter", "Bios read from the leg." },
	[LM_WRITES] = { "leg_writes_total", "counter", "Bios written to the leg, repairs included." },
	[LM_SCRUB_BAD] = { "leg_scrub_bad_blocks", "gauge", "Blocks of the leg the last scrub found bad." },
};

static const char *const healths[] = {
	"alive", "read_errors", "write_errors", "out_of_sync", "failed", "missing",
};

static void prom_leg_labels(FILE *f, const struct qs_volume_view *v,
			    const struct qs_leg_view *l)
{
	char index[16];

	snprintf(index, sizeof(index), "%u", l->index);
	prom_label(f, "volume", v->name, true);
	prom_label(f, "leg", index, false);
	prom_label(f, "device", l->path[0] ? l->path : l->devnum, false);
}

static void prom_leg_family(FILE *f, const struct qs_volume_view *v,
			    unsigned int n, int m)
{
	unsigned int i, j, h;

	for (i = 0; i < n; i++) {
		for (j = 0; j < v[i].nr_legs; j++) {
			const struct qs_leg_view *l = &v[i].legs[j];
			const char *health = qs_health_name(l->st.health, l->missing);
			long long value = 0;

			if (m == LM_HEALTH) {
				for (h = 0; h < sizeof(healths) / sizeof(healths[0]); h++) {
					fprintf(f, "dm_quorum_%s{", leg_families[m].name);
					prom_leg_labels(f, &v[i], l);
					prom_label(f, "health", healths[h], false);
					fprintf(f, "} %d\n", !strcmp(health, healths[h]));
				}
				continue;
			}
			switch (m) {
			case LM_INFO:
				value = 1;
				break;
			case LM_UP:
				value = !l->missing && l->st.health != 'D';
				break;
			case LM_IN_SYNC:
				value = !l->missing && l->st.health != 'D' &&
					l->st.health != 'O';
				break;
			case LM_READ_ERRORS:
				value = l->st.read_errors;
				break;
			case LM_WRITE_ERRORS:
				value = l->st.write_errors;
				break;
			case LM_FLUSH_ERRORS:
				value = l->st.flush_errors;
				break;
			case LM_OUTVOTED:
				value = l->st.outvoted;
				break;
			case LM_REPAIRED:
				value = l->st.repaired;
				break;
			case LM_READS:
				value = l->stats.reads;
				break;
			case LM_WRITES:
				value = l->stats.writes;
				break;
			case LM_SCRUB_BAD:
				value = l->stats.scrub_bad;
				break;
			}
			if (value < 0)
				continue;
			fprintf(f, "dm_quorum_%s{", leg_families[m].name);
			prom_leg_labels(f, &v[i], l);
			if (m == LM_INFO) {
				prom_label(f, "devnum", l->devnum, false);
				prom_label(f, "identity", l->identity, false);
			}
			fprintf(f, "} %lld\n", value);
		}
	}
}

void qs_print_status_prometheus(FILE *f, const struct qs_volume_view *v,
				unsigned int n)
{
	unsigned int i;
	int m;

	for (m = 0; m < VM_NR; m++) {
		const struct prom_family *fam = &volume_families[m];

		fprintf(f, "# HELP dm_quorum_%s %s\n", fam->name, fam->help);
		fprintf(f, "# TYPE dm_quorum_%s %s\n", fam->name, fam->type);
		for (i = 0; i < n; i++) {
			fprintf(f, "dm_quorum_%s{", fam->name);
			prom_label(f, "volume", v[i].name, true);
			if (m == VM_INFO) {
				prom_label(f, "uuid", v[i].uuid, false);
				prom_label(f, "label", v[i].has_label ? v[i].label : "",
					   false);
				prom_label(f, "dm_uuid", v[i].dm_uuid, false);
			}
			fprintf(f, "} %llu\n", volume_value(&v[i], m));
		}
	}
	for (m = 0; m < LM_NR; m++) {
		const struct prom_family *fam = &leg_families[m];

		fprintf(f, "# HELP dm_quorum_%s %s\n", fam->name, fam->help);
		fprintf(f, "# TYPE dm_quorum_%s %s\n", fam->name, fam->type);
		prom_leg_family(f, v, n, m);
	}
}

/*
 * "probe --export": udev's IMPORT{program} format, the contract of the
 * boot path (quorumtab, its generator and udev rule).
 */
void qs_print_export(FILE *f, const struct quorum_super *sb)
{
	char uuid[QS_UUID_LEN + 1], label[QUORUM_LABEL_SIZE + 1];

	qs_uuid_format(sb->uuid, uuid);
	qs_label_string(sb, label);
	fprintf(f, "QUORUM_VOLUME_UUID=%s\n", uuid);
	fprintf(f, "QUORUM_LEG_INDEX=%u\n", sb->leg);
	fprintf(f, "QUORUM_LEGS=%u\n", sb->nr_legs);
	fprintf(f, "QUORUM_THRESHOLD=%u\n", sb->threshold);
	fprintf(f, "QUORUM_LABEL=%s\n", qs_label_valid(label) ? label : "");
}

const char *qs_super_state_name(enum quorum_super_state s)
{
	switch (s) {
	case QUORUM_SUPER_VALID:
		return "valid";
	case QUORUM_SUPER_BLANK:
		return "blank";
	case QUORUM_SUPER_FOREIGN:
		return "foreign";
	case QUORUM_SUPER_CORRUPT:
		return "damaged";
	case QUORUM_SUPER_NEWER:
		return "newer format";
	}
	return "unknown";
}

static void leg_state_string(u32 state, char *buf, size_t len)
{
	if (!state)
		snprintf(buf, len, "in sync");
	else
		snprintf(buf, len, "%s%s%s%s",
			 state & QUORUM_LEG_FAILED ? "failed" : "",
			 state & QUORUM_LEG_ABSENT ? " (missing)" : "",
			 (state & QUORUM_LEG_FAILED) &&
			 (state & QUORUM_LEG_OUT_OF_SYNC) ? ", " : "",
			 state & QUORUM_LEG_OUT_OF_SYNC ? "out of sync" : "");
}

/* A decoded superblock, field by field (docs: "On-disk format"). */
void qs_print_super(FILE *f, const struct quorum_super *sb)
{
	char uuid[QS_UUID_LEN + 1], label[QUORUM_LABEL_SIZE + 1], when[64];
	char size[32], state[32];
	time_t t = sb->ctime;
	struct tm tm;
	unsigned int i;

	qs_uuid_format(sb->uuid, uuid);
	qs_label_string(sb, label);
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(when, sizeof(when), "?");
	fprintf(f, "  version         %u\n", sb->version);
	fprintf(f, "  compat          0x%x\n", sb->compat);
	fprintf(f, "  incompat        0x%x\n", sb->incompat);
	fprintf(f, "  flags           0x%x (%s)\n", sb->flags,
		sb->flags & QUORUM_SUPER_CLEAN ? "clean" : "dirty");
	fprintf(f, "  generation      %llu\n", sb->generation);
	fprintf(f, "  cleared         %llu\n", sb->cleared);
	fprintf(f, "  uuid            %s\n", uuid);
	fprintf(f, "  label           %s\n", label);
	fprintf(f, "  ctime           %llu (%s)\n", sb->ctime, when);
	fprintf(f, "  leg             %u\n", sb->leg);
	fprintf(f, "  nr_legs         %u\n", sb->nr_legs);
	fprintf(f, "  threshold       %u\n", sb->threshold);
	qs_size_string(sb->region_size, size, sizeof(size));
	fprintf(f, "  region_size     %u sectors (%s)\n", sb->region_size, size);
	qs_size_string(sb->data_sectors, size, sizeof(size));
	fprintf(f, "  data_sectors    %llu (%s)\n", sb->data_sectors, size);
	fprintf(f, "  meta_offset     %llu\n", sb->meta_offset);
	fprintf(f, "  meta_sectors    %u\n", sb->meta_sectors);
	fprintf(f, "  bitmap_sectors  %u\n", sb->bitmap_sectors);
	fprintf(f, "  nr_regions      %llu\n", sb->nr_regions);
	fprintf(f, "  legs:\n");
	for (i = 0; i < sb->nr_legs && i < QUORUM_MAX_LEGS; i++) {
		qs_uuid_format(sb->legs[i].uuid, uuid);
		leg_state_string(sb->legs[i].state, state, sizeof(state));
		fprintf(f, "    %-2u %s  generation %-6llu %s%s\n", i, uuid,
			sb->legs[i].generation, state,
			i == sb->leg ? "  (this leg)" : "");
	}
}

/*
 * Events: a kernel uevent, "<action>@<devpath>" then KEY=VALUE strings,
 * each NUL-terminated.  Returns 0, or -1 when it is not one.
 */
int qs_uevent_parse(char *buf, size_t len, struct qs_uevent *ev)
{
	size_t at;

	ev->n = 0;
	if (!len || !memchr(buf, '@', strnlen(buf, len)))
		return -1;
	at = strnlen(buf, len) + 1;
	while (at < len && ev->n < sizeof(ev->key) / sizeof(ev->key[0])) {
		char *s = buf + at, *eq;
		size_t n = strnlen(s, len - at);

		if (at + n >= len)
			break;		/* not terminated: drop it */
		eq = memchr(s, '=', n);
		if (eq && eq != s) {
			ev->key[ev->n] = s;
			ev->key_len[ev->n] = eq - s;
			ev->value[ev->n] = eq + 1;
			ev->n++;
		}
		at += n + 1;
	}
	return 0;
}

const char *qs_uevent_get(const struct qs_uevent *ev, const char *key)
{
	size_t len = strlen(key);
	unsigned int i;

	for (i = 0; i < ev->n; i++)
		if (ev->key_len[i] == len && !strncmp(ev->key[i], key, len))
			return ev->value[i];
	return NULL;
}

/* A variable, or @dflt when absent or empty. */
static const char *var(const struct qs_uevent *ev, const char *key,
		       const char *dflt)
{
	const char *v = qs_uevent_get(ev, key);

	return v && *v ? v : dflt;
}

/* The event's DM_QUORUM_* variables, in the order they are printed. */
static const char *const event_keys[] = {
	"TYPE", "LEG", "SECTOR", "SECTORS", "REASON", "ERROR", "VOTES",
	"THRESHOLD", "SCRUB_MODE", "SCRUB_RESULT", "SCRUB_POSITION",
	"SCRUB_TOTAL", "SCRUB_BAD", "SCRUB_REPAIRED", "SCRUB_UNRECOVERABLE",
	"RESYNC_RESULT", "RESYNC_REGIONS",
};

static const char *qvar(const struct qs_uevent *ev, const char *key,
			const char *dflt)
{
	char name[64];

	snprintf(name, sizeof(name), "DM_QUORUM_%s", key);
	return var(ev, name, dflt);
}

/*
 * qs_uevent_print - one line for a dm-quorum event, as dm-quorum-monitor
 * printed them: "<date> <device> <action> ..." or one JSON object
 * @only: a dm name, or NULL for every device
 * @now: the time to print, in seconds since the epoch (local time)
 *
 * Returns whether it printed (a quorum event of the device).
 */
bool qs_uevent_print(FILE *f, const struct qs_uevent *ev, bool json,
		     const char *only, long long now)
{
	time_t t = now;
	struct tm tm;
	char when[64], lower[64];
	unsigned int i, k;

	if (strcmp(var(ev, "DM_TARGET", ""), "quorum"))
		return false;
	if (only && strcmp(var(ev, "DM_NAME", ""), only))
		return false;
	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	if (json) {
		size_t n = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);

		/* date -Iseconds: +hh:mm */
		if (n >= 5 && n + 1 < sizeof(when)) {
			memmove(when + n - 1, when + n - 2, 3);
			when[n - 2] = ':';
		}
		fputs("{\"time\":", f);
		qs_json_string(f, when);
		fputs(",\"device\":", f);
		qs_json_string(f, var(ev, "DM_NAME", ""));
		fputs(",\"uuid\":", f);
		qs_json_string(f, var(ev, "DM_UUID", ""));
		fputs(",\"devname\":", f);
		qs_json_string(f, var(ev, "DEVNAME", ""));
		fputs(",\"action\":", f);
		qs_json_string(f, var(ev, "DM_ACTION", ""));
		for (i = 0; i < sizeof(event_keys) / sizeof(event_keys[0]); i++) {
			const char *v = qvar(ev, event_keys[i], NULL);

			if (!v)
				continue;
			for (k = 0; event_keys[i][k] && k + 1 < sizeof(lower); k++)
				lower[k] = tolower((unsigned char)event_keys[i][k]);
			lower[k] = '\0';
			fputc(',', f);
			qs_json_string(f, lower);
			fputc(':', f);
			qs_json_string(f, v);
		}
		fputs("}\n", f);
		return true;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(f, "%s %s %s", when, var(ev, "DM_NAME", var(ev, "DEVNAME", "?")),
		var(ev, "DM_ACTION", "?"));
	if (qvar(ev, "TYPE", NULL))
		fprintf(f, " %s", qvar(ev, "TYPE", ""));
	if (qvar(ev, "LEG", NULL))
		fprintf(f, " leg %s", qvar(ev, "LEG", ""));
	if (qvar(ev, "SECTOR", NULL))
		fprintf(f, " sectors %s+%s", qvar(ev, "SECTOR", ""),
			qvar(ev, "SECTORS", "0"));
	if (qvar(ev, "REASON", NULL))
		fprintf(f, " %s", qvar(ev, "REASON", ""));
	if (qvar(ev, "ERROR", NULL))
		fprintf(f, " error %s", qvar(ev, "ERROR", ""));
	if (qvar(ev, "VOTES", NULL))
		fprintf(f, " votes %s/%s", qvar(ev, "VOTES", ""),
			qvar(ev, "THRESHOLD", "?"));
	if (qvar(ev, "SCRUB_MODE", NULL))
		fprintf(f, " scrub %s %s at %s/%s bad %s repaired %s unrecoverable %s",
			qvar(ev, "SCRUB_MODE", ""), qvar(ev, "SCRUB_RESULT", ""),
			qvar(ev, "SCRUB_POSITION", "?"), qvar(ev, "SCRUB_TOTAL", "?"),
			qvar(ev, "SCRUB_BAD", "0"), qvar(ev, "SCRUB_REPAIRED", "0"),
			qvar(ev, "SCRUB_UNRECOVERABLE", "0"));
	if (qvar(ev, "RESYNC_RESULT", NULL))
		fprintf(f, " resync %s regions %s", qvar(ev, "RESYNC_RESULT", ""),
			qvar(ev, "RESYNC_REGIONS", "0"));
	fputc('\n', f);
	return true;
}
