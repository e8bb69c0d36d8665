// SPDX-License-Identifier: GPL-2.0-only
/*
 * quorumsetup: the command line.  Pure: no system call, so that the unit
 * tests run it on argument vectors and compare the messages.
 *
 *   quorumsetup [-v] <command> <arguments and options, in any order>
 *
 * Options are long (--threshold 2 or --threshold=2), some also short
 * (-t 2); "--" ends them.  Each command takes its own options only.
 */
#include <string.h>

#include "quorumsetup.h"

enum {
	OPT_THRESHOLD,
	OPT_REGION_SIZE,
	OPT_LABEL,
	OPT_FORCE,
	OPT_UUID,
	OPT_NO_DEGRADED,
	OPT_READ_ONLY,
	OPT_JSON,
	OPT_PROMETHEUS,
	OPT_EXPORT,
	OPT_WAIT,
	OPT_VERBOSE,
	OPT_DEVICE,
	OPT_REWRITE,
	OPT_READ_PATTERN,
	OPT_ERROR_LIMIT,
	OPT_SCRUB_RATE,
	OPT_HELP,
	OPT_VERSION,
	QS_NR_OPTIONS,
};

#define O(opt)	(1u << (opt))
/* Every command takes these. */
#define COMMON	(O(OPT_VERBOSE) | O(OPT_HELP))

struct qs_option {
	const char *name;
	char short_name;
	bool has_value;
};

static const struct qs_option options[QS_NR_OPTIONS] = {
	[OPT_THRESHOLD] = { "threshold", 't', true },
	[OPT_REGION_SIZE] = { "region-size", 'r', true },
	[OPT_LABEL] = { "label", 'l', true },
	[OPT_FORCE] = { "force", 'f', false },
	[OPT_UUID] = { "uuid", 'u', true },
	[OPT_NO_DEGRADED] = { "no-degraded", 0, false },
	[OPT_READ_ONLY] = { "read-only", 0, false },
	[OPT_JSON] = { "json", 'j', false },
	[OPT_PROMETHEUS] = { "prometheus", 0, false },
	[OPT_EXPORT] = { "export", 0, false },
	[OPT_WAIT] = { "wait", 'w', false },
	[OPT_VERBOSE] = { "verbose", 'v', false },
	[OPT_DEVICE] = { "device", 0, true },
	[OPT_REWRITE] = { "rewrite-corrupted", 0, false },
	[OPT_READ_PATTERN] = { "read-pattern", 0, true },
	[OPT_ERROR_LIMIT] = { "error-limit", 0, true },
	[OPT_SCRUB_RATE] = { "scrub-rate", 0, true },
	[OPT_HELP] = { "help", 'h', false },
	[OPT_VERSION] = { "version", 'V', false },
};

struct qs_command_spec {
	const char *name;
	unsigned int options;
	unsigned int min_args, max_args;	/* positional */
	const char *synopsis;
};

static const struct qs_command_spec commands[QS_NR_COMMANDS] = {
	[QS_CMD_FORMAT] = { "format",
		COMMON | O(OPT_THRESHOLD) | O(OPT_REGION_SIZE) | O(OPT_LABEL) |
		O(OPT_FORCE), QUORUM_MIN_LEGS, QUORUM_MAX_LEGS,
		"format <dev> <dev>... [--threshold N] [--region-size SECTORS]\n"
		"                   [--label TEXT] [--force]" },
	[QS_CMD_OPEN] = { "open",
		COMMON | O(OPT_UUID) | O(OPT_NO_DEGRADED) | O(OPT_READ_ONLY) |
		O(OPT_REWRITE) | O(OPT_READ_PATTERN) | O(OPT_ERROR_LIMIT) |
		O(OPT_SCRUB_RATE) | O(OPT_FORCE), 1, 1 + QUORUM_MAX_LEGS,
		"open <name> [<dev>...] [--uuid UUID] [--no-degraded] [--force]\n"
		"                   [--read-only] [--rewrite-corrupted]\n"
		"                   [--read-pattern quorum|fifo] [--error-limit N]\n"
		"                   [--scrub-rate KIB/S]" },
	[QS_CMD_CLOSE] = { "close", COMMON, 1, 1, "close <name>" },
	[QS_CMD_STATUS] = { "status", COMMON | O(OPT_JSON) | O(OPT_PROMETHEUS),
		0, 1, "status [<name>] [--json | --prometheus]" },
	[QS_CMD_LIST] = { "list", COMMON, 0, 0, "list" },
	[QS_CMD_DUMP] = { "dump", COMMON, 1, 1, "dump <dev>" },
	[QS_CMD_PROBE] = { "probe", COMMON | O(OPT_EXPORT), 1, 1,
		"probe [--export] <dev>" },
	[QS_CMD_FAIL] = { "fail", COMMON, 2, 2, "fail <name> <leg>" },
	[QS_CMD_REINSTATE] = { "reinstate", COMMON, 2, 2,
		"reinstate <name> <leg>" },
	[QS_CMD_REPLACE] = { "replace", COMMON | O(OPT_FORCE), 3, 3,
		"replace <name> <leg> <new dev> [--force]" },
	[QS_CMD_SCRUB] = { "scrub", COMMON | O(OPT_WAIT), 2, 2,
		"scrub <name> check|repair|stop [--wait]" },
	[QS_CMD_MONITOR] = { "monitor", COMMON | O(OPT_JSON) | O(OPT_DEVICE),
		0, 0, "monitor [--json] [--device NAME]" },
	[QS_CMD_REJOIN] = { "rejoin", COMMON, 1, 1, "rejoin <dev> [--verbose]" },
	[QS_CMD_HELP] = { "help", COMMON, 0, 1, "help [<command>]" },
	[QS_CMD_VERSION] = { "version", COMMON, 0, 0, "version" },
};

const char *qs_command_name(enum qs_command cmd)
{
	if (cmd <= QS_CMD_NONE || cmd >= QS_NR_COMMANDS)
		return "";
	return commands[cmd].name;
}

void qs_usage(FILE *f, enum qs_command cmd)
{
	unsigned int i;

	if (cmd > QS_CMD_NONE && cmd < QS_NR_COMMANDS) {
		fprintf(f, "usage: quorumsetup %s\n", commands[cmd].synopsis);
		return;
	}
	fprintf(f, "usage: quorumsetup [--verbose] <command> ...\n\n");
	for (i = QS_CMD_NONE + 1; i < QS_NR_COMMANDS; i++)
		fprintf(f, "  quorumsetup %s\n", commands[i].synopsis);
	fprintf(f, "\n<leg>: an index from 0, a device path or major:minor.\n"
		"Exit status: 0 done, 1 bad usage, 2 refused, 3 not found,\n"
		"4 kernel or I/O error.  See quorumsetup(8).\n");
}

static int fail(char *err, size_t errlen, const char *what, const char *detail)
{
	snprintf(err, errlen, "%s%s", what, detail);
	return QS_USAGE;
}

/* The option a word names, or -1; *@value set when "--name=value". */
static int find_option(const char *word, const char **value)
{
	unsigned int i;

	*value = NULL;
	if (word[1] != '-') {
		for (i = 0; i < QS_NR_OPTIONS; i++)
			if (options[i].short_name && word[1] == options[i].short_name &&
			    !word[2])
				return i;
		return -1;
	}
	for (i = 0; i < QS_NR_OPTIONS; i++) {
		size_t n = strlen(options[i].name);

		if (strncmp(word + 2, options[i].name, n))
			continue;
		if (!word[2 + n])
			return i;
		if (word[2 + n] == '=' && options[i].has_value) {
			*value = word + 3 + n;
			return i;
		}
	}
	return -1;
}

static bool name_valid(const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (!n || n > QS_NAME_MAX || name[0] == '-' || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (p = name; *p; p++)
		if (*p == '/' || *p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

/* A value of an option, checked; QS_OK or QS_USAGE with @err set. */
static int take_value(struct qs_args *a, int opt, const char *value,
		      char *err, size_t errlen)
{
	unsigned int v;

	switch (opt) {
	case OPT_THRESHOLD:
		if (!quorum_parse_uint(value, QUORUM_MAX_LEGS, &v) || !v)
			return fail(err, errlen, "--threshold: give a number of legs from 1 to 16, not ",
				    value);
		a->threshold = v;
		break;
	case OPT_REGION_SIZE:
		if (!quorum_parse_uint(value, QUORUM_MAX_REGION_SIZE, &v) ||
		    v < QUORUM_MIN_REGION_SIZE || (v & (v - 1)))
			return fail(err, errlen,
				    "--region-size: give sectors, a power of two from 8 to 2097152, not ",
				    value);
		a->region_size = v;
		break;
	case OPT_LABEL:
		if (!qs_label_valid(value))
			return fail(err, errlen,
				    "--label: at most 32 characters of A-Z a-z 0-9 . _ + : @ -, not ",
				    value);
		a->label = value;
		break;
	case OPT_UUID:
		if (!qs_uuid_parse(value, a->uuid))
			return fail(err, errlen,
				    "--uuid: give a volume's uuid as 8-4-4-4-12 hex digits, not ",
				    value);
		a->has_uuid = true;
		break;
	case OPT_DEVICE:
		if (!name_valid(value))
			return fail(err, errlen, "--device: not a device-mapper name: ", value);
		a->device = value;
		break;
	case OPT_READ_PATTERN:
		if (strcmp(value, "quorum") && strcmp(value, "fifo"))
			return fail(err, errlen, "--read-pattern: give quorum or fifo, not ",
				    value);
		a->read_pattern = value;
		break;
	case OPT_ERROR_LIMIT:
		if (!quorum_parse_uint(value, QUORUM_MAX_ERROR_LIMIT, &v))
			return fail(err, errlen,
				    "--error-limit: give a number of errors from 0 to 1000000, not ",
				    value);
		a->error_limit = v;
		break;
	case OPT_SCRUB_RATE:
		if (!quorum_parse_uint(value, QUORUM_MAX_SCRUB_RATE, &v))
			return fail(err, errlen,
				    "--scrub-rate: give KiB/s from 0 (no bound) to 1073741824, not ",
				    value);
		a->scrub_rate = v;
		break;
	}
	return QS_OK;
}

static void set_flag(struct qs_args *a, int opt)
{
	switch (opt) {
	case OPT_FORCE:
		a->force = true;
		break;
	case OPT_NO_DEGRADED:
		a->no_degraded = true;
		break;
	case OPT_READ_ONLY:
		a->read_only = true;
		break;
	case OPT_JSON:
		a->json = true;
		break;
	case OPT_PROMETHEUS:
		a->prometheus = true;
		break;
	case OPT_EXPORT:
		a->export = true;
		break;
	case OPT_WAIT:
		a->wait = true;
		break;
	case OPT_VERBOSE:
		a->verbose = true;
		break;
	case OPT_REWRITE:
		a->rewrite_corrupted = true;
		break;
	}
}

static enum qs_command find_command(const char *word)
{
	unsigned int i;

	for (i = QS_CMD_NONE + 1; i < QS_NR_COMMANDS; i++)
		if (!strcmp(word, commands[i].name))
			return i;
	/* Aliases: fail_leg and reinstate_leg, as the target's messages. */
	if (!strcmp(word, "fail_leg"))
		return QS_CMD_FAIL;
	if (!strcmp(word, "reinstate_leg"))
		return QS_CMD_REINSTATE;
	return QS_CMD_NONE;
}

/* The positional arguments, in their places. */
static int take_positional(struct qs_args *a, const char **pos,
			   unsigned int n, char *err, size_t errlen)
{
	const struct qs_command_spec *c = &commands[a->cmd];
	unsigned int i;

	if (n < c->min_args || n > c->max_args) {
		snprintf(err, errlen, "%s: %s arguments; see quorumsetup help %s",
			 c->name, n < c->min_args ? "missing" : "too many", c->name);
		return QS_USAGE;
	}
	switch (a->cmd) {
	case QS_CMD_FORMAT:
		for (i = 0; i < n; i++)
			a->devs[i] = pos[i];
		a->nr_devs = n;
		break;
	case QS_CMD_OPEN:
		a->name = pos[0];
		for (i = 1; i < n; i++)
			a->devs[i - 1] = pos[i];
		a->nr_devs = n - 1;
		break;
	case QS_CMD_CLOSE:
	case QS_CMD_STATUS:
		a->name = n ? pos[0] : NULL;
		break;
	case QS_CMD_DUMP:
	case QS_CMD_PROBE:
	case QS_CMD_REJOIN:
		a->dev = pos[0];
		break;
	case QS_CMD_FAIL:
	case QS_CMD_REINSTATE:
		a->name = pos[0];
		a->leg = pos[1];
		break;
	case QS_CMD_REPLACE:
		a->name = pos[0];
		a->leg = pos[1];
		a->dev = pos[2];
		break;
	case QS_CMD_SCRUB:
		a->name = pos[0];
		a->scrub_op = pos[1];
		break;
	case QS_CMD_HELP:
		if (!n)
			break;
		a->help_cmd = find_command(pos[0]);
		if (a->help_cmd == QS_CMD_NONE)
			return fail(err, errlen, "help: no such command: ", pos[0]);
		break;
	default:
		break;
	}
	if (a->name && !name_valid(a->name))
		return fail(err, errlen, "not a device-mapper name (1 to 127 characters, no / or space): ",
			    a->name);
	return QS_OK;
}

/* What the options and arguments say together. */
static int check_together(struct qs_args *a, char *err, size_t errlen)
{
	switch (a->cmd) {
	case QS_CMD_FORMAT:
		if (a->threshold > a->nr_devs) {
			snprintf(err, errlen,
				 "--threshold %u: must be between 1 and %u for %u legs",
				 a->threshold, a->nr_devs, a->nr_devs);
			return QS_USAGE;
		}
		break;
	case QS_CMD_OPEN:
		if (!a->nr_devs && !a->has_uuid)
			return fail(err, errlen, "open: give the legs, or --uuid to find them", "");
		break;
	case QS_CMD_STATUS:
		if (a->json && a->prometheus)
			return fail(err, errlen, "status: --json or --prometheus, not both", "");
		break;
	case QS_CMD_SCRUB:
		if (strcmp(a->scrub_op, "check") && strcmp(a->scrub_op, "repair") &&
		    strcmp(a->scrub_op, "stop"))
			return fail(err, errlen, "scrub: give check, repair or stop, not ",
				    a->scrub_op);
		break;
	default:
		break;
	}
	return QS_OK;
}

int qs_parse_args(int argc, char **argv, struct qs_args *a, char *err,
		  size_t errlen)
{
	const char *pos[2 + QUORUM_MAX_LEGS] = { NULL };
	unsigned int npos = 0, given = 0;
	bool dashes = false;
	int i, r;

	memset(a, 0, sizeof(*a));
	a->error_limit = -1;
	a->scrub_rate = -1;
	err[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char *word = argv[i], *value;
		int opt;

		if (dashes || word[0] != '-' || !word[1]) {
			if (a->cmd == QS_CMD_NONE) {
				a->cmd = find_command(word);
				if (a->cmd == QS_CMD_NONE)
					return fail(err, errlen, "no such command: ", word);
				continue;
			}
			if (npos == sizeof(pos) / sizeof(pos[0]))
				return fail(err, errlen, "too many arguments at ", word);
			pos[npos++] = word;
			continue;
		}
		if (!strcmp(word, "--")) {
			dashes = true;
			continue;
		}
		opt = find_option(word, &value);
		if (opt < 0)
			return fail(err, errlen, "unknown option: ", word);
		/* Before the command: --verbose, --help, --version only. */
		if (a->cmd == QS_CMD_NONE) {
			if (opt == OPT_HELP) {
				a->cmd = QS_CMD_HELP;
				return QS_OK;
			}
			if (opt == OPT_VERSION) {
				a->cmd = QS_CMD_VERSION;
				return QS_OK;
			}
			if (opt != OPT_VERBOSE)
				return fail(err, errlen, "give the command before the option ",
					    word);
		} else if (opt == OPT_HELP) {
			a->help_cmd = a->cmd;
			a->cmd = QS_CMD_HELP;
			return QS_OK;
		} else if (!(commands[a->cmd].options & O(opt))) {
			snprintf(err, errlen, "%s: no option %s; see quorumsetup help %s",
				 commands[a->cmd].name, word, commands[a->cmd].name);
			return QS_USAGE;
		}
		if (given & O(opt) && opt != OPT_VERBOSE)
			return fail(err, errlen, "option given twice: ", word);
		given |= O(opt);
		if (!options[opt].has_value) {
			set_flag(a, opt);
			continue;
		}
		if (!value) {
			if (i + 1 == argc)
				return fail(err, errlen, "option needs a value: ", word);
			value = argv[++i];
		}
		r = take_value(a, opt, value, err, errlen);
		if (r)
			return r;
	}
	if (a->cmd == QS_CMD_NONE)
		return fail(err, errlen, "no command given; see quorumsetup --help", "");
	r = take_positional(a, pos, npos, err, errlen);
	if (r)
		return r;
	return check_together(a, err, errlen);
}
