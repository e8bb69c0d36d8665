/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quorumsetup: format, open and watch dm-quorum volumes.
 *
 * What the tool's files share.  The pure parts (arguments, geometry,
 * parsing of the target's lines, output) have no system dependency, so
 * that the unit tests compile them as they are:
 *
 *   qs-args.c      the command line
 *   qs-layout.c    uuids, a new volume's geometry and superblocks, tables
 *   qs-output.c    the target's status and table lines, and every output
 *                  (plain, JSON, Prometheus, udev export, dump, events)
 *
 * and the parts that talk to the system:
 *
 *   qs-dev.c       block devices: superblocks, libblkid, sysfs, the scan
 *   qs-dm.c        libdevmapper, and the kernel log of a refused table
 *   qs-monitor.c   the kernel's uevents
 *   quorumsetup.c  the commands
 *
 * Exit codes (docs/quorumsetup.8.rst): every refusal leaves the devices
 * and their metadata as they were.
 */
#ifndef QUORUMSETUP_H
#define QUORUMSETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../dm-quorum-super.h"
#include "../dm-quorum-table.h"

#define QS_OK		0	/* done */
#define QS_USAGE	1	/* bad command line or argument */
#define QS_REFUSED	2	/* refused: the devices or the metadata say no */
#define QS_NOT_FOUND	3	/* no such device, volume or leg */
#define QS_ERROR	4	/* the kernel, device-mapper or an I/O failed */

#define QS_VERSION	"1.0.0"
#define QS_UUID_LEN	36	/* 8-4-4-4-12 hex digits */
#define QS_DM_PREFIX	"QUORUM-"	/* the dm uuid of a volume: + its uuid */
#define QS_MISSING	"-missing"	/* a stand-in: <volume's dm uuid>-missing<i> */
#define QS_NAME_MAX	127	/* a dm device's name */
#define QS_DEVNUM_MAX	24	/* "major:minor" */

enum qs_command {
	QS_CMD_NONE,
	QS_CMD_FORMAT,
	QS_CMD_OPEN,
	QS_CMD_CLOSE,
	QS_CMD_STATUS,
	QS_CMD_LIST,
	QS_CMD_DUMP,
	QS_CMD_PROBE,
	QS_CMD_FAIL,
	QS_CMD_REINSTATE,
	QS_CMD_REPLACE,
	QS_CMD_SCRUB,
	QS_CMD_MONITOR,
	QS_CMD_REJOIN,
	QS_CMD_HELP,
	QS_CMD_VERSION,
	QS_NR_COMMANDS,
};

/* What the command line says, checked (qs_parse_args). */
struct qs_args {
	enum qs_command cmd;
	enum qs_command help_cmd;	/* help <command>, <command> --help */
	const char *name;		/* the volume's dm name */
	const char *devs[QUORUM_MAX_LEGS];	/* format, open */
	unsigned int nr_devs;
	const char *dev;		/* dump, probe, rejoin; replace's new */
	const char *leg;		/* fail, reinstate; replace's old */
	const char *scrub_op;		/* check, repair, stop */
	const char *device;		/* monitor --device */
	const char *label;
	unsigned int threshold;		/* 0: not given */
	unsigned int region_size;	/* 0: not given */
	u8 uuid[QUORUM_UUID_SIZE];
	bool has_uuid;
	bool force, no_degraded, read_only, json, prometheus, export, wait;
	bool verbose;
	/* open: the table's feature arguments */
	bool rewrite_corrupted;
	const char *read_pattern;	/* NULL: the target's default */
	long error_limit;		/* -1: not given */
	long scrub_rate;		/* -1: not given */
};

int qs_parse_args(int argc, char **argv, struct qs_args *a, char *err,
		  size_t errlen);
const char *qs_command_name(enum qs_command cmd);
void qs_usage(FILE *f, enum qs_command cmd);

/* qs-layout.c */
void qs_uuid_format(const u8 *uuid, char *out);	/* out: 37 bytes */
bool qs_uuid_parse(const char *s, u8 *uuid);
bool qs_label_valid(const char *label);
const char *qs_geometry(unsigned int nr_legs, const u64 *leg_sectors,
			unsigned int region_size, struct quorum_super *sb,
			int *bad_leg);
void qs_new_super(struct quorum_super *sb, unsigned int threshold,
		  const u8 *uuid, const u8 (*ids)[QUORUM_UUID_SIZE],
		  const char *label, u64 ctime);
const char *qs_replace_super(const struct quorum_super *ref, unsigned int leg,
			     const u8 *id, u64 sectors, struct quorum_super *sb);
bool qs_split_history(const struct quorum_super *ref,
		      const struct quorum_super *sb, unsigned int i);
u64 qs_standin_sectors(const struct quorum_super *sb);

/* A table line's parameters (after "quorum") taken apart. */
struct qs_table {
	char buf[4096];			/* the words, NUL-separated */
	char *words[64];
	struct quorum_table t;
};

int qs_parse_table(const char *params, struct qs_table *tab);
int qs_table_params(char *buf, size_t len, unsigned int threshold,
		    unsigned int nr_legs, char (*legs)[QS_DEVNUM_MAX],
		    unsigned int failed, unsigned int out_of_sync,
		    const struct quorum_table *keep);

/* qs-output.c: the status line of the target, parsed */
struct qs_leg_status {
	char devnum[QS_DEVNUM_MAX];
	char health;			/* A R W O D */
	unsigned long long read_errors, write_errors, flush_errors;
	unsigned long long outvoted, repaired;
};

struct qs_status {
	unsigned int nr_legs;
	struct qs_leg_status legs[QUORUM_MAX_LEGS];
	unsigned long long quorum_failures, events_dropped;
	char scrub_state[16];
	unsigned long long scrub_position, scrub_total, scrub_bad;
	unsigned long long scrub_repaired, scrub_unrecoverable;
	char resync_state[16];
	unsigned long long resync_region, regions, regions_out_of_sync;
	char meta_state[16];		/* none, clean, dirty */
	unsigned long long generation, write_intent, crash;
};

int qs_parse_status(const char *params, struct qs_status *st);

/* What the "stats" message adds per leg; -1 when unknown. */
struct qs_leg_stats {
	long long reads, writes, scrub_bad;
};

int qs_parse_stats(const char *response, unsigned int nr_legs,
		   struct qs_leg_stats *stats);

/* One leg as status shows it. */
struct qs_leg_view {
	unsigned int index;
	char devnum[QS_DEVNUM_MAX];
	char path[256];			/* /dev/..., "" unknown */
	char stable[512];		/* a /dev/disk/by-id link, "" none */
	char identity[QS_UUID_LEN + 1];	/* "" unknown */
	bool missing;			/* a stand-in holds its slot */
	struct qs_leg_status st;
	struct qs_leg_stats stats;
};

/* One volume as status shows it. */
struct qs_volume_view {
	char name[QS_NAME_MAX + 1];
	char dm_uuid[130];
	char uuid[QS_UUID_LEN + 1];	/* "" unknown */
	char label[QUORUM_LABEL_SIZE + 1];
	bool has_label;
	char devnum[QS_DEVNUM_MAX];
	unsigned long long sectors;
	unsigned int threshold, nr_legs, region_size;
	bool read_only, suspended, metadata;
	int open_count;
	char features[256];		/* the table's, as given, but legs */
	struct qs_status st;
	struct qs_leg_view legs[QUORUM_MAX_LEGS];
};

const char *qs_health_name(char health, bool missing);
bool qs_volume_degraded(const struct qs_volume_view *v);
void qs_print_status_plain(FILE *f, const struct qs_volume_view *v,
			   unsigned int n);
void qs_print_status_json(FILE *f, const struct qs_volume_view *v,
			  unsigned int n);
void qs_print_status_prometheus(FILE *f, const struct qs_volume_view *v,
				unsigned int n);
void qs_print_export(FILE *f, const struct quorum_super *sb);
void qs_print_super(FILE *f, const struct quorum_super *sb);
const char *qs_super_state_name(enum quorum_super_state s);
void qs_json_string(FILE *f, const char *s);
void qs_label_string(const struct quorum_super *sb, char *out);
unsigned int qs_percent(unsigned long long pos, unsigned long long total);
void qs_progress_bar(char *buf, size_t len, const char *what,
		     unsigned long long pos, unsigned long long total,
		     unsigned int width);
void qs_size_string(unsigned long long sectors, char *buf, size_t len);

/* A kernel uevent: its variables, pointing into the message. */
struct qs_uevent {
	unsigned int n;
	const char *key[64];
	const char *value[64];
	size_t key_len[64];
};

int qs_uevent_parse(char *buf, size_t len, struct qs_uevent *ev);
const char *qs_uevent_get(const struct qs_uevent *ev, const char *key);
bool qs_uevent_print(FILE *f, const struct qs_uevent *ev, bool json,
		     const char *only, long long now);

/* qs-dev.c: a block device, opened */
struct qs_dev {
	char path[4096];		/* as given */
	char kname[64];			/* the kernel's name: sdb1, dm-3 */
	char devnum[QS_DEVNUM_MAX];	/* major:minor */
	unsigned int major, minor;
	u64 sectors;
	bool read_only;
	int fd;
};

/* A leg's superblock, as read from its two slots. */
struct qs_leg {
	struct qs_dev dev;
	enum quorum_super_state state;
	const char *why;		/* when not valid */
	struct quorum_super sb;		/* when valid */
};

/*
 * The media a device lies on, through partitions and stacking: whole
 * disks, by their kernel name, and the backing files of loop devices, by
 * their inode.  One file is one medium under any path, and on tmpfs,
 * btrfs, NFS or overlayfs its st_dev names no disk.
 */
struct qs_disk {
	char name[256];			/* "sdb", or "file <path>" */
	bool file;
	unsigned long long dev, ino;	/* a file's st_dev and st_ino */
};

struct qs_disks {
	unsigned int n;
	struct qs_disk d[32];
};

static inline bool qs_same_disk(const struct qs_disk *a,
				const struct qs_disk *b)
{
	if (a->file != b->file)
		return false;
	if (a->file)
		return a->dev == b->dev && a->ino == b->ino;
	return !strcmp(a->name, b->name);
}

/* Add @disk to @out once; a full list stays as it is. */
static inline void qs_disks_add(struct qs_disks *out,
				const struct qs_disk *disk)
{
	unsigned int i;

	for (i = 0; i < out->n; i++)
		if (qs_same_disk(&out->d[i], disk))
			return;
	if (out->n < sizeof(out->d) / sizeof(out->d[0]))
		out->d[out->n++] = *disk;
}

/* A medium both lie on (its name, for messages), or NULL. */
static inline const char *qs_shared_disk(const struct qs_disks *a,
					 const struct qs_disks *b)
{
	unsigned int i, j;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (qs_same_disk(&a->d[i], &b->d[j]))
				return a->d[i].name;
	return NULL;
}

#define QS_OPEN_READ	0	/* read-only */
#define QS_OPEN_CHECK	1	/* read-only, exclusive */
#define QS_OPEN_WRITE	2	/* read-write, exclusive */

int qs_dev_open(const char *path, int how, struct qs_dev *d);
void qs_dev_close(struct qs_dev *d);
void *qs_alloc(size_t len);
int qs_read_slots(struct qs_dev *d, void *slots);
int qs_read_leg(const char *path, struct qs_leg *leg);
int qs_write_metadata(struct qs_dev *d, const struct quorum_super *sb);
int qs_read_area(struct qs_dev *d, u64 sector, void *buf, size_t len);
int qs_write_area(struct qs_dev *d, u64 sector, const void *buf, size_t len);
int qs_signature(const char *path, char *desc, size_t len);
int qs_wipe_signatures(struct qs_dev *d);
void qs_disks_of(const char *kname, struct qs_disks *out);
bool qs_kname(unsigned int major, unsigned int minor, char *kname, size_t len);
void qs_dev_path(unsigned int major, unsigned int minor, char *path,
		 size_t len);
void qs_stable_path(unsigned int major, unsigned int minor, char *path,
		    size_t len);
bool qs_sysfs_dm_uuid(unsigned int major, unsigned int minor, char *uuid,
		      size_t len);
int qs_scan(int (*found)(const char *path, void *ctx), void *ctx);
bool qs_parse_devnum(const char *s, unsigned int *major,
		     unsigned int *minor);

/* qs-dm.c: libdevmapper */
struct qs_dm_info {
	char name[QS_NAME_MAX + 1];
	char uuid[130];
	unsigned int major, minor;
	int open_count;
	bool suspended, read_only, live_table, inactive_table;
};

void qs_dm_setup(void);
int qs_dm_info(const char *name, const char *uuid, struct qs_dm_info *info);
int qs_dm_create(const char *name, const char *uuid, u64 len,
		 const char *target, const char *params, bool read_only,
		 bool hidden);
int qs_dm_reload(const char *name, u64 len, const char *target,
		 const char *params, bool read_only);
int qs_dm_resume(const char *name);
int qs_dm_remove(const char *name);
int qs_dm_message(const char *name, const char *message, char **response);
int qs_dm_get_table(const char *name, bool status, u64 *len,
		    char *target, size_t tlen, char **params);
int qs_dm_list(char (**names)[QS_NAME_MAX + 1], unsigned int *n);
int qs_dm_last_errno(void);
void qs_kmsg_mark(void);
void qs_kmsg_explain(void);

/* qs-monitor.c */
int qs_monitor(bool json, const char *only);

/* Messages: "quorumsetup: ..." on stderr; qs_error() returns @code. */
int qs_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void qs_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool qs_verbose, qs_quiet;

#endif /* QUORUMSETUP_H */
