// SPDX-License-Identifier: GPL-2.0-only
/*
 * quorumsetup: format, open and watch dm-quorum volumes (quorumsetup(8)).
 *
 * The commands.  Each one checks everything it can before it changes
 * anything: a refusal (exit 2) leaves the devices, their metadata and the
 * device-mapper tables as they were.  Commands that change a volume take
 * its lock, /run/quorumsetup/<uuid>.lock, so that two of them (the udev
 * rule's rejoin of two legs that come back at once) run one at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "crc32c.h"
#include "quorumsetup.h"

/* An open volume: its dm device, table and legs. */
struct qs_volume {
	struct qs_dm_info info;
	u64 len;
	char *params;			/* the table's, as the kernel prints it */
	struct qs_table tab;
	bool metadata;
	unsigned int nr_legs;
	char devnum[QUORUM_MAX_LEGS][QS_DEVNUM_MAX];
	unsigned int major[QUORUM_MAX_LEGS], minor[QUORUM_MAX_LEGS];
	unsigned int standins;		/* legs whose slot holds a stand-in */
	char uuid[QS_UUID_LEN + 1];	/* from the dm uuid, "" if none */
};

static void free_volume(struct qs_volume *v)
{
	free(v->params);
	v->params = NULL;
}

static bool is_standin(unsigned int major, unsigned int minor)
{
	char uuid[160];

	return qs_sysfs_dm_uuid(major, minor, uuid, sizeof(uuid)) &&
	       !strncmp(uuid, QS_DM_PREFIX, strlen(QS_DM_PREFIX)) &&
	       strstr(uuid, QS_MISSING);
}

/*
 * load_volume - the open quorum volume @name
 * Returns QS_OK, QS_NOT_FOUND or QS_REFUSED (not a quorum device), said.
 */
static int load_volume(const char *name, struct qs_volume *v)
{
	char target[64];
	unsigned int i;
	size_t plen = strlen(QS_DM_PREFIX);
	int r;

	memset(v, 0, sizeof(*v));
	r = qs_dm_info(name, NULL, &v->info);
	if (r == QS_NOT_FOUND)
		return qs_error(r, "%s: no such device-mapper device", name);
	if (r)
		return r;
	r = qs_dm_get_table(name, false, &v->len, target, sizeof(target),
			    &v->params);
	if (r == QS_NOT_FOUND)
		return qs_error(r, "%s: no such device-mapper device", name);
	if (r == QS_REFUSED || (!r && strcmp(target, "quorum"))) {
		free_volume(v);
		return qs_error(QS_REFUSED, "%s: not a quorum volume%s%s", name,
				target[0] ? " but a device of target " : "", target);
	}
	if (r)
		return r;
	if (qs_parse_table(v->params, &v->tab)) {
		r = qs_error(QS_ERROR, "%s: cannot read its table: %s", name,
			     v->params);
		free_volume(v);
		return r;
	}
	v->nr_legs = v->tab.t.nr_legs;
	v->metadata = v->tab.t.features & QUORUM_FEATURE_METADATA;
	for (i = 0; i < v->nr_legs; i++) {
		snprintf(v->devnum[i], sizeof(v->devnum[i]), "%s", v->tab.t.legs[i]);
		if (!qs_parse_devnum(v->devnum[i], &v->major[i], &v->minor[i])) {
			free_volume(v);
			return qs_error(QS_ERROR, "%s: leg %u is not major:minor: %s",
					name, i, v->devnum[i]);
		}
		if (is_standin(v->major[i], v->minor[i]))
			v->standins |= 1u << i;
	}
	if (!strncmp(v->info.uuid, QS_DM_PREFIX, plen) &&
	    strlen(v->info.uuid) == plen + QS_UUID_LEN)
		snprintf(v->uuid, sizeof(v->uuid), "%s", v->info.uuid + plen);
	return QS_OK;
}

static int volume_status(const char *name, struct qs_status *st)
{
	char target[64], *params;
	u64 len;
	int r;

	r = qs_dm_get_table(name, true, &len, target, sizeof(target), &params);
	if (r)
		return r == QS_NOT_FOUND ?
		       qs_error(r, "%s: no such device-mapper device", name) :
		       qs_error(QS_ERROR, "%s: cannot read its status", name);
	if (strcmp(target, "quorum") || qs_parse_status(params, st)) {
		r = qs_error(QS_ERROR, "%s: cannot read its status line: %s",
			     name, params);
		free(params);
		return r;
	}
	free(params);
	return QS_OK;
}

/* A path to a device: /dev/block/<major:minor> from udev, or its name. */
static void leg_path(unsigned int major, unsigned int minor, char *path,
		     size_t len)
{
	struct stat st;

	snprintf(path, len, "/dev/block/%u:%u", major, minor);
	if (!stat(path, &st) && S_ISBLK(st.st_mode) &&
	    major(st.st_rdev) == major && minor(st.st_rdev) == minor)
		return;
	qs_dev_path(major, minor, path, len);
}

/*
 * The volume's current superblock, as its legs hold it: the valid one of
 * the highest generation (of the volume's uuid, when known).
 */
static int volume_super(const struct qs_volume *v, struct quorum_super *ref)
{
	bool found = false;
	unsigned int i;

	for (i = 0; i < v->nr_legs; i++) {
		char path[256], uuid[QS_UUID_LEN + 1];
		struct qs_leg leg;

		if (v->standins & (1u << i))
			continue;
		leg_path(v->major[i], v->minor[i], path, sizeof(path));
		if (qs_read_leg(path, &leg) || leg.state != QUORUM_SUPER_VALID ||
		    leg.sb.leg != i)
			continue;
		qs_uuid_format(leg.sb.uuid, uuid);
		if (v->uuid[0] && strcmp(uuid, v->uuid))
			continue;
		if (!found || leg.sb.generation > ref->generation)
			*ref = leg.sb;
		found = true;
	}
	return found ? QS_OK : QS_NOT_FOUND;
}

/* Take the volume's lock (held until exit; taking it again is a no-op). */
static int lock_volume(const char *uuid)
{
	static char held[QS_UUID_LEN + 1];
	char path[128];
	int fd;

	if (held[0])
		return strcmp(held, uuid) ?
		       qs_error(QS_ERROR, "cannot lock volume %s: the lock of %s is held",
				uuid, held) : QS_OK;

	mkdir("/run/quorumsetup", 0700);
	snprintf(path, sizeof(path), "/run/quorumsetup/%s.lock", uuid);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return qs_error(QS_ERROR, "cannot open the lock %s: %s", path,
				strerror(errno));
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR)
			return qs_error(QS_ERROR, "cannot take the lock %s: %s",
					path, strerror(errno));
	}
	snprintf(held, sizeof(held), "%s", uuid);
	return QS_OK;
}

/*
 * load_volume() under the volume's lock: what a command acts on is read
 * after the lock is taken, so that what another quorumsetup did (a
 * rejoin from udev, a replace) is seen.
 */
static int load_volume_locked(const char *name, struct qs_volume *v)
{
	char uuid[QS_UUID_LEN + 1];
	int r;

	r = load_volume(name, v);
	if (r || !v->uuid[0])
		return r;
	snprintf(uuid, sizeof(uuid), "%s", v->uuid);
	free_volume(v);
	r = lock_volume(uuid);
	if (!r)
		r = load_volume(name, v);
	if (!r && strcmp(v->uuid, uuid)) {
		free_volume(v);
		r = qs_error(QS_REFUSED, "%s changed while this waited for its lock", name);
	}
	return r;
}

static int random_bytes(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return qs_error(QS_ERROR, "no random bytes: %s", strerror(errno));
		done += n;
	}
	return QS_OK;
}

/* A random (version 4) uuid, as the kernel's uuid_gen() makes them. */
static int new_uuid(u8 *uuid)
{
	int r = random_bytes(uuid, QUORUM_UUID_SIZE);

	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	return r;
}

/*
 * What must not be overwritten without --force: a signature libblkid
 * knows, or a quorum superblock (@this_volume: the uuid of the volume a
 * replacement goes into, to say so).  With --force, what will be
 * overwritten goes to @note (said once every check passed), and
 * *@wipe says whether libblkid's signatures are to be wiped.
 */
static int check_contents(struct qs_dev *d, bool force, const char *this_volume,
			  char *note, size_t len, bool *wipe)
{
	char desc[256], uuid[QS_UUID_LEN + 1];
	struct quorum_super sb;
	const char *why;
	void *slots;
	size_t at;
	int r;

	note[0] = '\0';
	*wipe = false;
	r = qs_signature(d->path, desc, sizeof(desc));
	if (r < 0)
		return qs_error(QS_ERROR, "%s: libblkid cannot probe it", d->path);
	if (r > 0) {
		if (!force)
			return qs_error(QS_REFUSED,
					"%s holds %s (found by libblkid): use --force to overwrite it",
					d->path, desc);
		snprintf(note, len, "%s", desc);
		*wipe = true;
	}
	slots = qs_alloc(2 * QUORUM_SUPER_SIZE);
	if (!slots)
		return qs_error(QS_ERROR, "out of memory");
	r = qs_read_slots(d, slots);
	if (r && r != -ENOSPC) {
		free(slots);
		return qs_error(QS_ERROR, "%s: cannot read its end: %s", d->path,
				strerror(-r));
	}
	switch (r ? QUORUM_SUPER_BLANK : quorum_super_read(slots, &sb, &why)) {
	case QUORUM_SUPER_VALID:
		qs_uuid_format(sb.uuid, uuid);
		snprintf(desc, sizeof(desc), "leg %u of %u of %squorum volume %s",
			 sb.leg, sb.nr_legs,
			 this_volume && !strcmp(uuid, this_volume) ? "this " : "",
			 uuid);
		break;
	case QUORUM_SUPER_CORRUPT:
		snprintf(desc, sizeof(desc), "a damaged quorum superblock (%s)", why);
		break;
	case QUORUM_SUPER_NEWER:
		snprintf(desc, sizeof(desc), "a quorum superblock of a newer format");
		break;
	default:
		desc[0] = '\0';
		break;
	}
	free(slots);
	if (!desc[0])
		return QS_OK;
	if (!force)
		return qs_error(QS_REFUSED, "%s holds %s: use --force to overwrite it",
				d->path, desc);
	at = strlen(note);
	snprintf(note + at, len - at, "%s%s", at ? " and " : "", desc);
	return QS_OK;
}

/* With --force: say what goes, and wipe libblkid's signatures. */
static int overwrite(struct qs_dev *d, const char *note, bool wipe)
{
	if (!note[0])
		return QS_OK;
	qs_error(0, "%s holds %s: overwriting it (--force)", d->path, note);
	if (wipe && qs_wipe_signatures(d))
		return qs_error(QS_ERROR, "%s: cannot wipe its signatures", d->path);
	return QS_OK;
}

/* No two legs on one disk (through partitions, dm, md, loop files). */
static int check_disks(const struct qs_dev *a, const struct qs_dev *b)
{
	struct qs_disks da, db;
	const char *disk;

	if (a->major == b->major && a->minor == b->minor)
		return qs_error(QS_USAGE, "%s and %s are the same device (%s)",
				a->path, b->path, a->devnum);
	qs_disks_of(a->kname, &da);
	qs_disks_of(b->kname, &db);
	disk = qs_shared_disk(&da, &db);
	if (disk)
		return qs_error(QS_REFUSED,
				"%s and %s share the disk %s: one medium would cast two votes",
				a->path, b->path, disk);
	return QS_OK;
}

/*
 * One device given twice, under any names: said before any exclusive
 * open, which would find the first one's "in use".
 */
static int check_twice(const char *const *paths, unsigned int n)
{
	struct stat st[QUORUM_MAX_LEGS];
	bool ok[QUORUM_MAX_LEGS];
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		ok[i] = !stat(paths[i], &st[i]) && S_ISBLK(st[i].st_mode);
		for (j = 0; ok[i] && j < i; j++)
			if (ok[j] && st[j].st_rdev == st[i].st_rdev)
				return qs_error(QS_USAGE, "%s and %s are the same device (%u:%u)",
						paths[j], paths[i], major(st[i].st_rdev),
						minor(st[i].st_rdev));
	}
	return QS_OK;
}

static int cmd_format(const struct qs_args *a)
{
	struct qs_dev devs[QUORUM_MAX_LEGS];
	char notes[QUORUM_MAX_LEGS][512];
	bool wipe[QUORUM_MAX_LEGS] = { false };
	u8 uuid[QUORUM_UUID_SIZE], ids[QUORUM_MAX_LEGS][QUORUM_UUID_SIZE];
	char text[QS_UUID_LEN + 1];
	u64 sizes[QUORUM_MAX_LEGS] = { 0 };
	struct quorum_super sb;
	unsigned int i, j, n = a->nr_devs;
	const char *error;
	int r = QS_OK, bad;

	for (i = 0; i < n; i++)
		devs[i].fd = -1;
	r = check_twice(a->devs, n);
	if (r)
		return r;
	/* Every check, on every device, before any write. */
	for (i = 0; i < n; i++) {
		int e = qs_dev_open(a->devs[i], QS_OPEN_CHECK, &devs[i]);

		notes[i][0] = '\0';
		if (!e)
			e = check_contents(&devs[i], a->force, NULL, notes[i],
					   sizeof(notes[i]), &wipe[i]);
		if (e && !r)
			r = e;
	}
	for (i = 0; i < n && !r; i++)
		for (j = i + 1; j < n && !r; j++)
			r = check_disks(&devs[i], &devs[j]);
	if (r)
		goto out;
	for (i = 0; i < n; i++)
		sizes[i] = devs[i].sectors;
	error = qs_geometry(n, sizes, a->region_size, &sb, &bad);
	if (error) {
		r = qs_error(QS_REFUSED, "%s: %s (%llu sectors)",
			     bad >= 0 ? devs[bad].path : "legs", error,
			     bad >= 0 ? (unsigned long long)sizes[bad] : 0ULL);
		goto out;
	}
	r = new_uuid(uuid);
	for (i = 0; i < n && !r; i++)
		r = new_uuid(ids[i]);
	if (r)
		goto out;
	qs_new_super(&sb, a->threshold ? a->threshold : n / 2 + 1, uuid,
		     (const u8 (*)[QUORUM_UUID_SIZE])ids, a->label, time(NULL));
	qs_uuid_format(uuid, text);
	qs_info("volume %s: %u legs, %llu data sectors, region_size %u, %u metadata sectors",
		text, n, sb.data_sectors, sb.region_size, sb.meta_sectors);
	/*
	 * Every check passed: now for writing (still exclusive), once every
	 * device is open for it, so that one that cannot be opened leaves
	 * them all untouched.
	 */
	for (i = 0; i < n; i++) {
		qs_dev_close(&devs[i]);
		r = qs_dev_open(a->devs[i], QS_OPEN_WRITE, &devs[i]);
		if (r)
			goto out;
	}
	for (i = 0; i < n; i++) {
		r = overwrite(&devs[i], notes[i], wipe[i]);
		if (r)
			goto out;
	}
	for (i = 0; i < n; i++) {
		struct quorum_super leg = sb;

		leg.leg = i;
		error = quorum_super_layout(&leg, devs[i].sectors);
		r = error ? -EINVAL : qs_write_metadata(&devs[i], &leg);
		if (r) {
			r = qs_error(QS_ERROR,
				     "%s: cannot write its metadata: %s (legs before it are formatted: format them all again)",
				     devs[i].path, error ? error : strerror(-r));
			goto out;
		}
		qs_info("%s: leg %u, metadata at sector %llu", devs[i].path, i,
			leg.meta_offset);
	}
	printf("%s\n", text);
out:
	for (i = 0; i < n; i++)
		qs_dev_close(&devs[i]);
	return r;
}

/* Is @path a dm device whose table is of the target quorum? */
static bool is_quorum_volume(const char *path)
{
	char sys[64], name[QS_NAME_MAX + 1], target[64] = "", *params = NULL;
	struct stat st;
	FILE *f;
	u64 len;
	bool yes;

	if (stat(path, &st) || !S_ISBLK(st.st_mode))
		return false;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/dm/name",
		 major(st.st_rdev), minor(st.st_rdev));
	f = fopen(sys, "re");
	if (!f)
		return false;
	yes = fgets(name, sizeof(name), f) != NULL;
	fclose(f);
	if (!yes)
		return false;
	name[strcspn(name, "\n")] = '\0';
	yes = !qs_dm_get_table(name, false, &len, target, sizeof(target), &params) &&
	      !strcmp(target, "quorum");
	free(params);
	return yes;
}

static int cmd_probe(const struct qs_args *a)
{
	char uuid[QS_UUID_LEN + 1], id[QS_UUID_LEN + 1];
	char label[QUORUM_LABEL_SIZE + 1];
	struct qs_leg leg;
	int r;

	if (a->export)
		qs_quiet = true;
	/*
	 * A quorum volume is not read: udev probes every device that
	 * changes, and a read of a volume that has lost its quorum fails and
	 * is reported (a volume stacked as a leg is not found this way).
	 */
	if (is_quorum_volume(a->dev))
		return qs_error(QS_NOT_FOUND, "%s is a quorum volume, not a leg", a->dev);
	r = qs_read_leg(a->dev, &leg);
	if (r)
		return a->export ? QS_NOT_FOUND : r;
	if (leg.state != QUORUM_SUPER_VALID)
		return qs_error(QS_NOT_FOUND, "%s: not a leg of a quorum volume: %s",
				a->dev, leg.why);
	if (a->export) {
		qs_print_export(stdout, &leg.sb);
		return QS_OK;
	}
	qs_uuid_format(leg.sb.uuid, uuid);
	qs_uuid_format(leg.sb.legs[leg.sb.leg].uuid, id);
	qs_label_string(&leg.sb, label);
	printf("%s: leg %u of %u of quorum volume %s%s%s%s, threshold %u, generation %llu, identity %s\n",
	       a->dev, leg.sb.leg, leg.sb.nr_legs, uuid, label[0] ? " \"" : "",
	       label, label[0] ? "\"" : "", leg.sb.threshold, leg.sb.generation, id);
	return QS_OK;
}

static int cmd_dump(const struct qs_args *a)
{
	static const char out_of_range[] = "superblock fields out of range";
	struct quorum_super sb;
	struct qs_dev d;
	unsigned int slot;
	const char *why;
	void *slots;
	int r;

	r = qs_dev_open(a->dev, QS_OPEN_READ, &d);
	if (r)
		return r;
	slots = qs_alloc(2 * QUORUM_SUPER_SIZE);
	if (!slots) {
		qs_dev_close(&d);
		return qs_error(QS_ERROR, "out of memory");
	}
	r = qs_read_slots(&d, slots);
	qs_dev_close(&d);
	if (r) {
		free(slots);
		return r == -ENOSPC ?
		       qs_error(QS_NOT_FOUND, "%s: too small to hold a superblock", a->dev) :
		       qs_error(QS_ERROR, "%s: cannot read its superblocks: %s",
				a->dev, strerror(-r));
	}
	printf("%s: %llu sectors, superblock slots at sectors %llu and %llu\n",
	       a->dev, (unsigned long long)d.sectors,
	       (unsigned long long)((d.sectors & ~7ULL) - QUORUM_SUPER_AREA_SECTORS),
	       (unsigned long long)((d.sectors & ~7ULL) - QUORUM_SUPER_SECTORS));
	for (slot = 0; slot < 2; slot++) {
		enum quorum_super_state s;

		s = quorum_super_decode((char *)slots + slot * QUORUM_SUPER_SIZE,
					&sb, &why);
		printf("slot %u: %s%s%s\n", slot, qs_super_state_name(s),
		       why ? ": " : "", why ? why : "");
		if (s == QUORUM_SUPER_VALID || (why && !strcmp(why, out_of_range)))
			qs_print_super(stdout, &sb);
	}
	r = quorum_super_read(slots, &sb, &why);
	free(slots);
	if (r != QUORUM_SUPER_VALID) {
		printf("current: none (%s)\n", why);
		return QS_NOT_FOUND;
	}
	printf("current: slot %u, generation %llu\n",
	       quorum_super_slot(sb.generation), sb.generation);
	return QS_OK;
}

/* What open found for each leg of the volume. */
struct qs_found {
	u8 uuid[QUORUM_UUID_SIZE];
	bool has_uuid;
	unsigned int scanned;
	struct qs_leg legs[QUORUM_MAX_LEGS];
	bool present[QUORUM_MAX_LEGS];
	char twin[QUORUM_MAX_LEGS][4096];	/* a second copy of the leg */
	u64 twin_generation[QUORUM_MAX_LEGS];
	unsigned int absent;		/* legs given that do not exist */
};

/*
 * Put a leg in its slot.  A second device that holds the same leg (a
 * cloned disk, a restored image, an old copy attached again) makes the
 * slot ambiguous, whatever the generations: the newer one is not always
 * the volume's (a clone may have gone on elsewhere), and the older one
 * would be resynced over.  The user names the legs then.
 */
static void place_leg(struct qs_found *f, const struct qs_leg *leg)
{
	unsigned int i = leg->sb.leg;

	if (i >= QUORUM_MAX_LEGS)
		return;
	if (f->present[i]) {
		const struct qs_leg *o = &f->legs[i];

		if (o->dev.major == leg->dev.major && o->dev.minor == leg->dev.minor)
			return;
		if (!f->twin[i][0]) {
			snprintf(f->twin[i], sizeof(f->twin[i]), "%s", leg->dev.path);
			f->twin_generation[i] = leg->sb.generation;
		}
		return;
	}
	f->legs[i] = *leg;
	f->present[i] = true;
}

static int scan_one(const char *path, void *ctx)
{
	struct qs_found *f = ctx;
	struct qs_leg leg;
	bool quiet = qs_quiet;

	f->scanned++;
	qs_quiet = true;
	if (!qs_read_leg(path, &leg) && leg.state == QUORUM_SUPER_VALID &&
	    !memcmp(leg.sb.uuid, f->uuid, QUORUM_UUID_SIZE)) {
		qs_quiet = quiet;
		qs_info("found leg %u of the volume: %s (generation %llu)",
			leg.sb.leg, path, leg.sb.generation);
		place_leg(f, &leg);
	}
	qs_quiet = quiet;
	return 0;
}

/* The legs named on the command line. */
static int given_legs(const struct qs_args *a, struct qs_found *f)
{
	char uuid[QS_UUID_LEN + 1], other[QS_UUID_LEN + 1];
	unsigned int i;
	int r;

	for (i = 0; i < a->nr_devs; i++) {
		struct qs_leg leg;
		struct stat st;
		unsigned int k;

		/* Not there (a disk that did not come up): a missing leg. */
		if (stat(a->devs[i], &st) && errno == ENOENT) {
			qs_error(0, "%s: no such device: its leg is missing", a->devs[i]);
			f->absent++;
			continue;
		}
		r = qs_read_leg(a->devs[i], &leg);
		if (r)
			return r;
		if (leg.state != QUORUM_SUPER_VALID)
			return qs_error(QS_REFUSED, "%s: not a leg of a quorum volume: %s",
					a->devs[i], leg.why);
		qs_uuid_format(leg.sb.uuid, other);
		if (f->has_uuid && memcmp(leg.sb.uuid, f->uuid, QUORUM_UUID_SIZE)) {
			qs_uuid_format(f->uuid, uuid);
			return qs_error(QS_REFUSED, "%s is a leg of volume %s, not of %s",
					a->devs[i], other, uuid);
		}
		memcpy(f->uuid, leg.sb.uuid, QUORUM_UUID_SIZE);
		f->has_uuid = true;
		k = leg.sb.leg;
		if (f->present[k]) {
			if (f->legs[k].dev.major == leg.dev.major &&
			    f->legs[k].dev.minor == leg.dev.minor)
				return qs_error(QS_USAGE, "%s is given twice (as %s too)",
						a->devs[i], f->legs[k].dev.path);
			return qs_error(QS_REFUSED, "%s and %s both hold leg %u of volume %s",
					f->legs[k].dev.path, a->devs[i], k, other);
		}
		f->legs[k] = leg;
		f->present[k] = true;
	}
	return QS_OK;
}

/* Is leg @i, as found, in sync by the volume's current superblock? */
static bool leg_in_sync(const struct qs_found *f, const struct quorum_super *ref,
			unsigned int i)
{
	const struct quorum_super *sb = &f->legs[i].sb;

	return f->present[i] && !ref->legs[i].state &&
	       !memcmp(sb->legs[i].uuid, ref->legs[i].uuid, QUORUM_UUID_SIZE) &&
	       sb->generation >= ref->legs[i].generation;
}

/*
 * The legs of @missing that the volume's newest superblock found saw
 * alive (in sync, or out of sync: those take every write too): they may
 * have been opened without the legs found, and gone on.  A leg it knows
 * failed stopped before it.
 */
static unsigned int missing_alive(const struct quorum_super *ref,
				  unsigned int missing)
{
	unsigned int i, mask = 0;

	for (i = 0; i < ref->nr_legs; i++)
		if ((missing & (1u << i)) && !(ref->legs[i].state & QUORUM_LEG_FAILED))
			mask |= 1u << i;
	return mask;
}

static void standin_name(char *buf, size_t len, const char *name, unsigned int i)
{
	snprintf(buf, len, "%s%s%u", name, QS_MISSING, i);
}

/* Remove the stand-ins of the legs @mask of volume @name. */
static void remove_standins(const char *name, unsigned int mask)
{
	char standin[QS_NAME_MAX + 16];
	unsigned int i;

	for (i = 0; i < QUORUM_MAX_LEGS; i++) {
		if (!(mask & (1u << i)))
			continue;
		standin_name(standin, sizeof(standin), name, i);
		qs_dm_remove(standin);
	}
}

/*
 * A stand-in for missing leg @i: a dm "error" device of the smallest size
 * a leg may have, failed in the table, which gets no I/O (and would fail
 * any it got).  Its devnum in @devnum.
 */
static int make_standin(const char *name, const char *uuid, unsigned int i,
			const struct quorum_super *ref, char *devnum)
{
	char standin[QS_NAME_MAX + 16], dm_uuid[128];
	struct qs_dm_info info;
	int r;

	standin_name(standin, sizeof(standin), name, i);
	snprintf(dm_uuid, sizeof(dm_uuid), "%s%s%s%u", QS_DM_PREFIX, uuid,
		 QS_MISSING, i);
	if (strlen(standin) > QS_NAME_MAX)
		return qs_error(QS_USAGE, "%s: the name is too long for a stand-in", name);
	r = qs_dm_info(standin, NULL, &info);
	if (r == QS_OK) {
		/* Left over by an earlier open: ours, unused, away with it. */
		if (strcmp(info.uuid, dm_uuid) || info.open_count)
			return qs_error(QS_REFUSED,
					"a device named %s exists: it is not a free stand-in of this volume",
					standin);
		r = qs_dm_remove(standin);
		if (r)
			return r;
	} else if (r != QS_NOT_FOUND) {
		return r;
	}
	r = qs_dm_create(standin, dm_uuid, qs_standin_sectors(ref), "error", "",
			 false, true);
	if (r)
		return r;
	r = qs_dm_info(standin, NULL, &info);
	if (r)
		return qs_error(QS_ERROR, "%s: the stand-in vanished", standin);
	snprintf(devnum, QS_DEVNUM_MAX, "%u:%u", info.major, info.minor);
	return QS_OK;
}

/* Refused when the volume is open already (a dm device of its uuid). */
static int check_not_open(const u8 *uuid)
{
	char text[QS_UUID_LEN + 1], dm_uuid[64];
	struct qs_dm_info info;
	int r;

	qs_uuid_format(uuid, text);
	snprintf(dm_uuid, sizeof(dm_uuid), "%s%s", QS_DM_PREFIX, text);
	r = qs_dm_info(NULL, dm_uuid, &info);
	if (r == QS_OK)
		return qs_error(QS_REFUSED, "volume %s is open already, as %s", text,
				info.name);
	return r == QS_NOT_FOUND ? QS_OK : r;
}

/* The features an open asks for. */
static void open_features(const struct qs_args *a, struct quorum_table *keep)
{
	memset(keep, 0, sizeof(*keep));
	if (a->rewrite_corrupted)
		keep->features |= QUORUM_FEATURE_REWRITE_CORRUPTED;
	if (a->read_pattern) {
		keep->features |= QUORUM_FEATURE_READ_PATTERN;
		keep->read_pattern = strcmp(a->read_pattern, "fifo") ?
				     QUORUM_READ_QUORUM : QUORUM_READ_FIFO;
	}
	if (a->error_limit >= 0) {
		keep->features |= QUORUM_FEATURE_ERROR_LIMIT;
		keep->error_limit = a->error_limit;
	}
	if (a->scrub_rate >= 0) {
		keep->features |= QUORUM_FEATURE_SCRUB_RATE;
		keep->scrub_rate = a->scrub_rate;
	}
}

/* The legs of a volume as the status says they are, one line each. */
static void print_legs(const char *name)
{
	struct qs_volume v;
	struct qs_status st;
	unsigned int i;

	if (load_volume(name, &v))
		return;
	if (volume_status(name, &st) || st.nr_legs != v.nr_legs) {
		free_volume(&v);
		return;
	}
	for (i = 0; i < v.nr_legs; i++) {
		char path[256];

		qs_dev_path(v.major[i], v.minor[i], path, sizeof(path));
		if (v.standins & (1u << i))
			printf("  leg %u: missing, stand-in %s (%s), failed\n", i,
			       path, v.devnum[i]);
		else
			printf("  leg %u: %s (%s), %s\n", i, path, v.devnum[i],
			       qs_health_name(st.legs[i].health, false));
	}
	free_volume(&v);
}

static int cmd_open(const struct qs_args *a)
{
	char uuid[QS_UUID_LEN + 1], dm_uuid[64], params[1024], size[32];
	char legs[QUORUM_MAX_LEGS][QS_DEVNUM_MAX];
	char label[QUORUM_LABEL_SIZE + 1];
	struct qs_found *f = calloc(1, sizeof(*f));
	const struct quorum_super *ref = NULL;
	struct quorum_table keep;
	struct qs_dm_info info;
	unsigned int i, j, nr, missing = 0, unknown, in_sync = 0, made = 0;
	int r;

	if (!f)
		return qs_error(QS_ERROR, "out of memory");
	memcpy(f->uuid, a->uuid, QUORUM_UUID_SIZE);
	f->has_uuid = a->has_uuid;
	/* Open already: its legs are held, a scan would not find them. */
	if (a->has_uuid) {
		char text[QS_UUID_LEN + 1];

		/*
		 * Before the scan: a leg that appears meanwhile has its
		 * rejoin wait for the open, and then join.
		 */
		qs_uuid_format(a->uuid, text);
		r = lock_volume(text);
		if (!r)
			r = check_not_open(a->uuid);
		if (r)
			goto out;
	}
	if (a->nr_devs) {
		r = given_legs(a, f);
	} else {
		r = qs_scan(scan_one, f);
		qs_info("scanned %u block devices", f->scanned);
	}
	if (r)
		goto out;
	qs_uuid_format(f->uuid, uuid);
	/* Before the checks that another open or a rejoin would change. */
	if (f->has_uuid) {
		r = lock_volume(uuid);
		if (r)
			goto out;
	}
	for (i = 0; i < QUORUM_MAX_LEGS; i++)
		if (f->present[i] && (!ref || f->legs[i].sb.generation > ref->generation))
			ref = &f->legs[i].sb;
	if (!ref) {
		if (a->nr_devs)
			r = qs_error(QS_NOT_FOUND, "none of the devices given is there");
		else
			r = qs_error(QS_NOT_FOUND, "no leg of volume %s found (%u block devices scanned)",
				     uuid, f->scanned);
		goto out;
	}
	nr = ref->nr_legs;
	for (i = 0; i < QUORUM_MAX_LEGS; i++) {
		const struct quorum_super *sb = &f->legs[i].sb;

		if (!f->present[i])
			continue;
		if (f->twin[i][0]) {
			r = qs_error(QS_REFUSED,
				     "%s (generation %llu) and %s (generation %llu) both hold leg %u of volume %s: give the legs to open",
				     f->legs[i].dev.path, sb->generation, f->twin[i],
				     f->twin_generation[i], i, uuid);
			goto out;
		}
		if (sb->nr_legs != nr || i >= nr || sb->data_sectors != ref->data_sectors ||
		    sb->region_size != ref->region_size) {
			r = qs_error(QS_REFUSED,
				     "%s: leg %u of %u legs, not formatted like the volume's newest superblock (%u legs)",
				     f->legs[i].dev.path, i, sb->nr_legs, nr);
			goto out;
		}
		/* The target would refuse it: say why, and what to do. */
		if (qs_split_history(ref, sb, i)) {
			r = qs_error(QS_REFUSED,
				     "%s: leg %u went on without the volume (split history: generation %llu, the volume saw it take %llu): open the volume with the other legs, then replace this leg by itself (--force) to resync it from them, which drops what it holds on its own",
				     f->legs[i].dev.path, i, sb->generation,
				     ref->legs[i].generation);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (f->present[j]) {
				r = check_disks(&f->legs[j].dev, &f->legs[i].dev);
				if (r)
					goto out;
			}
		if (leg_in_sync(f, ref, i))
			in_sync++;
	}
	for (i = 0; i < nr; i++)
		if (!f->present[i])
			missing |= 1u << i;
	snprintf(dm_uuid, sizeof(dm_uuid), "%s%s", QS_DM_PREFIX, uuid);
	r = check_not_open(f->uuid);
	if (r)
		goto out;
	r = qs_dm_info(a->name, NULL, &info);
	if (r == QS_OK) {
		r = qs_error(QS_REFUSED, "a device-mapper device named %s exists already",
			     a->name);
		goto out;
	}
	if (r != QS_NOT_FOUND)
		goto out;
	if (missing) {
		char list[128] = "";

		for (i = 0; i < nr; i++)
			if (missing & (1u << i))
				snprintf(list + strlen(list), sizeof(list) - strlen(list),
					 "%s%u", list[0] ? "," : "", i);
		if (a->no_degraded) {
			r = qs_error(QS_REFUSED,
				     "volume %s: leg(s) %s missing, and --no-degraded: not opened",
				     uuid, list);
			goto out;
		}
		if (in_sync < ref->threshold) {
			r = qs_error(QS_REFUSED,
				     "volume %s: leg(s) %s missing, only %u of %u legs in sync found, threshold %u: not opened",
				     uuid, list, in_sync, nr, ref->threshold);
			goto out;
		}
		unknown = missing_alive(ref, missing);
		if (__builtin_popcount(unknown) >= (int)ref->threshold) {
			if (!a->force) {
				r = qs_error(QS_REFUSED,
					     "volume %s: leg(s) %s missing, last seen alive by the legs found: with %u such legs, threshold %u, they may have been opened without these and hold newer data: not opened (give the missing legs, or --force to open with these)",
					     uuid, list, (unsigned int)__builtin_popcount(unknown),
					     ref->threshold);
				goto out;
			}
			qs_error(0, "volume %s: opened without leg(s) %s, which may hold newer data (--force): if they went on, they are refused when they come back",
				 uuid, list);
		}
	} else if (in_sync < ref->threshold) {
		qs_error(0, "volume %s: only %u of %u legs are in sync, threshold %u: reads need the resync",
			 uuid, in_sync, nr, ref->threshold);
	}
	r = lock_volume(uuid);
	if (r)
		goto out;
	for (i = 0; i < nr; i++) {
		if (f->present[i]) {
			snprintf(legs[i], sizeof(legs[i]), "%s", f->legs[i].dev.devnum);
			continue;
		}
		r = make_standin(a->name, uuid, i, ref, legs[i]);
		if (r)
			goto undo;
		made |= 1u << i;
	}
	open_features(a, &keep);
	if (qs_table_params(params, sizeof(params), ref->threshold, nr, legs,
			    missing, 0, &keep)) {
		r = qs_error(QS_ERROR, "the table line is too long");
		goto undo;
	}
	qs_kmsg_mark();
	r = qs_dm_create(a->name, dm_uuid, ref->data_sectors, "quorum", params,
			 a->read_only, false);
	if (r) {
		qs_kmsg_explain();
		goto undo;
	}
	qs_label_string(ref, label);
	qs_size_string(ref->data_sectors, size, sizeof(size));
	printf("opened %s (/dev/mapper/%s): volume %s%s%s%s, %u legs, threshold %u, %s%s\n",
	       a->name, a->name, uuid, label[0] ? " \"" : "", label,
	       label[0] ? "\"" : "", nr, ref->threshold, size,
	       a->read_only ? ", read-only" : "");
	print_legs(a->name);
	if (missing)
		printf("degraded: %u of %u legs missing; give them back with quorumsetup rejoin <dev>, or replace them\n",
		       (unsigned int)__builtin_popcount(missing), nr);
	r = QS_OK;
	goto out;
undo:
	remove_standins(a->name, made);
out:
	free(f);
	return r;
}

static int cmd_close(const struct qs_args *a)
{
	struct qs_volume v;
	int r;

	r = load_volume_locked(a->name, &v);
	if (r)
		return r;
	r = qs_dm_remove(a->name);
	if (!r) {
		remove_standins(a->name, v.standins);
		qs_info("closed %s", a->name);
	}
	free_volume(&v);
	return r;
}

/* Fill in what status shows of volume @name. */
static int view_volume(const char *name, struct qs_volume_view *view)
{
	struct qs_leg_stats stats[QUORUM_MAX_LEGS];
	struct qs_volume v;
	char *response = NULL;
	unsigned int i, w;
	int r;

	memset(view, 0, sizeof(*view));
	r = load_volume(name, &v);
	if (r)
		return r;
	r = volume_status(name, &view->st);
	if (r)
		goto out;
	if (view->st.nr_legs != v.nr_legs) {
		r = qs_error(QS_ERROR, "%s: its status and table disagree", name);
		goto out;
	}
	snprintf(view->name, sizeof(view->name), "%s", name);
	snprintf(view->dm_uuid, sizeof(view->dm_uuid), "%s", v.info.uuid);
	snprintf(view->uuid, sizeof(view->uuid), "%s", v.uuid);
	snprintf(view->devnum, sizeof(view->devnum), "%u:%u", v.info.major,
		 v.info.minor);
	view->sectors = v.len;
	view->threshold = v.tab.t.threshold;
	view->nr_legs = v.nr_legs;
	view->region_size = v.tab.t.region_size;
	view->read_only = v.info.read_only;
	view->suspended = v.info.suspended;
	view->metadata = v.metadata;
	view->open_count = v.info.open_count;
	/* The feature words, after the legs and their count. */
	for (w = 2 + v.nr_legs; w < sizeof(v.tab.words) / sizeof(v.tab.words[0]) &&
	     v.tab.words[w]; w++) {
		size_t at = strlen(view->features);

		snprintf(view->features + at, sizeof(view->features) - at, "%s%s",
			 at ? " " : "", v.tab.words[w]);
	}
	if (qs_dm_message(name, "stats", &response) ||
	    qs_parse_stats(response, v.nr_legs, stats))
		for (i = 0; i < v.nr_legs; i++)
			stats[i].reads = stats[i].writes = stats[i].scrub_bad = -1;
	free(response);
	for (i = 0; i < v.nr_legs; i++) {
		struct qs_leg_view *l = &view->legs[i];
		struct qs_leg leg;
		char path[256];
		bool quiet = qs_quiet;

		l->index = i;
		snprintf(l->devnum, sizeof(l->devnum), "%s", v.devnum[i]);
		l->st = view->st.legs[i];
		l->stats = stats[i];
		l->missing = v.standins & (1u << i);
		qs_dev_path(v.major[i], v.minor[i], l->path, sizeof(l->path));
		if (l->missing)
			continue;
		qs_stable_path(v.major[i], v.minor[i], l->stable, sizeof(l->stable));
		leg_path(v.major[i], v.minor[i], path, sizeof(path));
		qs_quiet = true;
		if (qs_read_leg(path, &leg))
			leg.state = QUORUM_SUPER_BLANK;
		qs_quiet = quiet;
		if (leg.state != QUORUM_SUPER_VALID)
			continue;
		qs_uuid_format(leg.sb.legs[leg.sb.leg].uuid, l->identity);
		if (!view->uuid[0])
			qs_uuid_format(leg.sb.uuid, view->uuid);
		if (!view->has_label) {
			qs_label_string(&leg.sb, view->label);
			view->has_label = true;
		}
	}
	r = QS_OK;
out:
	free_volume(&v);
	return r;
}

/* The names of the open quorum volumes. */
static int quorum_names(char (**names)[QS_NAME_MAX + 1], unsigned int *n)
{
	unsigned int i, k = 0;
	int r;

	r = qs_dm_list(names, n);
	if (r)
		return r;
	for (i = 0; i < *n; i++) {
		char target[64], *params;
		u64 len;

		if (qs_dm_get_table((*names)[i], false, &len, target, sizeof(target),
				    &params))
			continue;
		free(params);
		if (strcmp(target, "quorum"))
			continue;
		memmove((*names)[k++], (*names)[i], sizeof((*names)[i]));
	}
	*n = k;
	return QS_OK;
}

static int cmd_status(const struct qs_args *a)
{
	char (*names)[QS_NAME_MAX + 1] = NULL;
	struct qs_volume_view *views;
	unsigned int i, n = 0, k = 0;
	int r;

	if (a->name) {
		names = calloc(1, sizeof(*names));
		if (!names)
			return qs_error(QS_ERROR, "out of memory");
		snprintf(names[0], sizeof(names[0]), "%s", a->name);
		n = 1;
	} else {
		r = quorum_names(&names, &n);
		if (r)
			return r;
	}
	views = calloc(n ? n : 1, sizeof(*views));
	if (!views) {
		free(names);
		return qs_error(QS_ERROR, "out of memory");
	}
	for (i = 0; i < n; i++) {
		r = view_volume(names[i], &views[k]);
		if (!r)
			k++;
		else if (a->name)
			goto out;
	}
	if (a->json)
		qs_print_status_json(stdout, views, k);
	else if (a->prometheus)
		qs_print_status_prometheus(stdout, views, k);
	else if (k)
		qs_print_status_plain(stdout, views, k);
	else
		printf("no quorum volume is open\n");
	r = QS_OK;
out:
	free(views);
	free(names);
	return r;
}

static int cmd_list(void)
{
	char (*names)[QS_NAME_MAX + 1];
	unsigned int i, n;
	int r;

	r = quorum_names(&names, &n);
	if (r)
		return r;
	for (i = 0; i < n; i++)
		printf("%s\n", names[i]);
	free(names);
	return QS_OK;
}

/* A leg of @v named by index, major:minor or path; -1 when none, said. */
static int find_leg(const struct qs_volume *v, const char *ref)
{
	unsigned int i, major, minor;
	struct stat st;

	if (quorum_is_number(ref)) {
		if (!quorum_parse_uint(ref, QUORUM_MAX_LEGS - 1, &i) || i >= v->nr_legs) {
			qs_error(QS_NOT_FOUND, "%s has no leg %s: give 0 to %u", v->info.name,
				 ref, v->nr_legs - 1);
			return -1;
		}
		return i;
	}
	if (!qs_parse_devnum(ref, &major, &minor)) {
		if (stat(ref, &st) || !S_ISBLK(st.st_mode)) {
			qs_error(QS_NOT_FOUND, "%s: not a leg index, major:minor or block device",
				 ref);
			return -1;
		}
		major = major(st.st_rdev);
		minor = minor(st.st_rdev);
	}
	for (i = 0; i < v->nr_legs; i++)
		if (v->major[i] == major && v->minor[i] == minor)
			return i;
	qs_error(QS_NOT_FOUND, "%s (%u:%u) is not a leg of %s", ref, major, minor,
		 v->info.name);
	return -1;
}

/* Exit code of a message the target refused, with its reason. */
static int message_failed(const char *name, const char *message)
{
	int e = qs_dm_last_errno();

	qs_error(0, "%s: the target refused \"%s\": %s", name, message, strerror(e));
	qs_kmsg_explain();
	return e == EBUSY || e == EINVAL || e == EROFS || e == EAGAIN ?
	       QS_REFUSED : QS_ERROR;
}

static int send_message(const char *name, const char *message)
{
	qs_kmsg_mark();
	if (qs_dm_message(name, message, NULL))
		return message_failed(name, message);
	return QS_OK;
}

static int cmd_fail(const struct qs_args *a, bool fail)
{
	struct qs_status st;
	struct qs_volume v;
	char message[64], path[256];
	int i, r;

	r = load_volume_locked(a->name, &v);
	if (r)
		return r;
	i = find_leg(&v, a->leg);
	if (i < 0) {
		r = QS_NOT_FOUND;
		goto out;
	}
	r = volume_status(a->name, &st);
	if (r)
		goto out;
	qs_dev_path(v.major[i], v.minor[i], path, sizeof(path));
	if (v.standins & (1u << i)) {
		r = qs_error(QS_REFUSED,
			     "leg %d of %s is missing (%s stands in): %s", i, a->name, path,
			     fail ? "it is failed already" :
			     "give it back with quorumsetup rejoin <dev>, or replace it");
		goto out;
	}
	if (fail && st.legs[i].health == 'D') {
		r = qs_error(QS_REFUSED, "leg %d of %s (%s) is failed already", i,
			     a->name, path);
		goto out;
	}
	if (!fail && st.legs[i].health != 'D') {
		r = qs_error(QS_REFUSED, "leg %d of %s (%s) is not failed: it is %s", i,
			     a->name, path, qs_health_name(st.legs[i].health, false));
		goto out;
	}
	/* By its device number: the leg this command looked at, no other. */
	snprintf(message, sizeof(message), "%s %s", fail ? "fail_leg" : "reinstate_leg",
		 v.devnum[i]);
	r = send_message(a->name, message);
	if (r)
		goto out;
	if (fail)
		printf("leg %d of %s (%s) failed\n", i, a->name, path);
	else
		printf("leg %d of %s (%s) reinstated: the resync copies what it missed\n",
		       i, a->name, path);
out:
	free_volume(&v);
	return r;
}

static int cmd_scrub(const struct qs_args *a)
{
	bool tty = isatty(STDOUT_FILENO), start = strcmp(a->scrub_op, "stop");
	char message[32], line[160];
	int shown = 0;
	unsigned int last = ~0u;
	struct qs_status st;
	struct qs_volume v;
	int r;

	r = load_volume(a->name, &v);
	if (r)
		return r;
	r = volume_status(a->name, &st);
	if (r)
		goto out;
	if (start && strcmp(st.scrub_state, "idle")) {
		r = qs_error(QS_REFUSED, "%s: a scrub %s runs already, at %u%%: stop it first",
			     a->name, st.scrub_state,
			     qs_percent(st.scrub_position, st.scrub_total));
		goto out;
	}
	if (!strcmp(a->scrub_op, "repair") && v.info.read_only) {
		r = qs_error(QS_REFUSED, "%s is read-only: a scrub repair would write", a->name);
		goto out;
	}
	snprintf(message, sizeof(message), "scrub %s", a->scrub_op);
	r = send_message(a->name, message);
	if (r)
		goto out;
	if (!a->wait) {
		if (start)
			printf("scrub %s of %s started: quorumsetup status %s shows it\n",
			       a->scrub_op, a->name, a->name);
		goto out;
	}
	for (;;) {
		unsigned int pct;

		r = volume_status(a->name, &st);
		if (r)
			goto out;
		if (!strcmp(st.scrub_state, "idle"))
			break;
		pct = qs_percent(st.scrub_position, st.scrub_total);
		if (tty) {
			qs_progress_bar(line, sizeof(line), st.scrub_state,
					st.scrub_position, st.scrub_total, 40);
			shown = printf("\r%s, %llu bad", line, st.scrub_bad);
			fflush(stdout);
		} else if (pct / 10 != last) {
			printf("scrub %s of %s: %u%% (%llu/%llu sectors), %llu bad\n",
			       st.scrub_state, a->name, pct, st.scrub_position,
			       st.scrub_total, st.scrub_bad);
			fflush(stdout);
			last = pct / 10;
		}
		usleep(tty ? 250000 : 500000);
	}
	if (shown > 0)
		printf("\r%*s\r", shown, "");
	printf("scrub of %s %s at %llu/%llu sectors: %llu bad, %llu repaired, %llu unrecoverable\n",
	       a->name, st.scrub_position >= st.scrub_total ? "done" : "stopped",
	       st.scrub_position, st.scrub_total, st.scrub_bad, st.scrub_repaired,
	       st.scrub_unrecoverable);
	if (start && st.scrub_position < st.scrub_total)
		r = QS_ERROR;
out:
	free_volume(&v);
	return r;
}

/*
 * Swap in a table with leg @i's slot changed (reload, resume), and put
 * the old one back if the new one does not resume.
 */
static int swap_table(struct qs_volume *v, char (*legs)[QS_DEVNUM_MAX],
		      unsigned int failed, unsigned int out_of_sync)
{
	char params[1024], old[1024];
	sigset_t block, saved;
	int r;

	if (qs_table_params(params, sizeof(params), v->tab.t.threshold, v->nr_legs,
			    legs, failed, out_of_sync, &v->tab.t) ||
	    qs_table_params(old, sizeof(old), v->tab.t.threshold, v->nr_legs,
			    v->devnum, v->standins, 0, &v->tab.t))
		return qs_error(QS_ERROR, "the table line is too long");
	/*
	 * Not cut between the reload and the resume (a unit stopped at
	 * shutdown, a ^C): the new table would stay loaded, inactive, holding
	 * the new leg open, and no fallback would be tried.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &saved);
	qs_kmsg_mark();
	r = qs_dm_reload(v->info.name, v->len, "quorum", params, v->info.read_only);
	if (r) {
		qs_kmsg_explain();
		goto out;
	}
	r = qs_dm_resume(v->info.name);
	if (!r)
		goto out;
	qs_kmsg_explain();
	qs_error(0, "%s: the new table did not resume: putting the old one back",
		 v->info.name);
	if (qs_dm_reload(v->info.name, v->len, "quorum", old, v->info.read_only) ||
	    qs_dm_resume(v->info.name))
		qs_error(0, "%s: the old table did not resume either: the device is suspended",
			 v->info.name);
	r = QS_ERROR;
out:
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return r;
}

/* After a swap: reinstate leg @i if the metadata kept it failed. */
static int reinstate_if_failed(const char *name, unsigned int i)
{
	struct qs_status st;
	char message[32];
	int r;

	r = volume_status(name, &st);
	if (r || st.legs[i].health != 'D')
		return r;
	snprintf(message, sizeof(message), "reinstate_leg %u", i);
	return send_message(name, message);
}

/* No leg of @v but @skip shares a disk with @d. */
static int check_disks_volume(const struct qs_volume *v, const struct qs_dev *d,
			      int skip)
{
	unsigned int i;
	int r;

	for (i = 0; i < v->nr_legs; i++) {
		struct qs_dev o;

		if ((int)i == skip || (v->standins & (1u << i)))
			continue;
		memset(&o, 0, sizeof(o));
		o.major = v->major[i];
		o.minor = v->minor[i];
		snprintf(o.devnum, sizeof(o.devnum), "%s", v->devnum[i]);
		qs_dev_path(o.major, o.minor, o.path, sizeof(o.path));
		if (!qs_kname(o.major, o.minor, o.kname, sizeof(o.kname)))
			continue;
		r = check_disks(&o, d);
		if (r)
			return r;
	}
	return QS_OK;
}

static int cmd_replace(const struct qs_args *a)
{
	char legs[QUORUM_MAX_LEGS][QS_DEVNUM_MAX], old[256], uuid[QS_UUID_LEN + 1];
	char note[512];
	bool wipe = false;
	u8 id[QUORUM_UUID_SIZE];
	struct quorum_super ref, nsb;
	struct qs_status st;
	struct qs_volume v;
	struct qs_dev d = { .fd = -1 };
	struct stat sb;
	void *backup = NULL;
	const char *error;
	unsigned int j, in_sync = 0;
	size_t backup_len = 0;
	int i, r;

	r = load_volume_locked(a->name, &v);
	if (r)
		return r;
	i = find_leg(&v, a->leg);
	if (i < 0) {
		r = QS_NOT_FOUND;
		goto out;
	}
	qs_dev_path(v.major[i], v.minor[i], old, sizeof(old));
	if (!v.metadata) {
		r = qs_error(QS_REFUSED,
			     "%s has no metadata (its table lacks the metadata feature): replace a leg with dmsetup",
			     a->name);
		goto out;
	}
	if (v.info.read_only) {
		r = qs_error(QS_REFUSED, "%s is read-only: the new leg could not be resynced",
			     a->name);
		goto out;
	}
	r = volume_status(a->name, &st);
	if (r)
		goto out;
	if (volume_super(&v, &ref)) {
		r = qs_error(QS_ERROR, "%s: no leg has a readable superblock", a->name);
		goto out;
	}
	qs_uuid_format(ref.uuid, uuid);
	if (st.generation < 2) {
		r = qs_error(QS_REFUSED, "%s: its metadata is at generation %llu: resume it once first",
			     a->name, st.generation);
		goto out;
	}
	for (j = 0; j < v.nr_legs; j++)
		if ((int)j != i && !(v.standins & (1u << j)) &&
		    st.legs[j].health != 'O' && st.legs[j].health != 'D')
			in_sync++;
	if (in_sync < v.tab.t.threshold) {
		r = qs_error(QS_REFUSED,
			     "%s: without leg %d only %u legs are in sync, threshold %u: wait for the resync",
			     a->name, i, in_sync, v.tab.t.threshold);
		goto out;
	}
	/* A leg already: said before the exclusive open finds it held. */
	if (!stat(a->dev, &sb) && S_ISBLK(sb.st_mode))
		for (j = 0; j < v.nr_legs; j++)
			if (v.major[j] == major(sb.st_rdev) &&
			    v.minor[j] == minor(sb.st_rdev)) {
				r = qs_error(QS_REFUSED, "%s is leg %u of %s already",
					     a->dev, j, a->name);
				goto out;
			}
	r = qs_dev_open(a->dev, QS_OPEN_CHECK, &d);
	if (r)
		goto out;
	r = check_disks_volume(&v, &d, i);
	if (r)
		goto out;
	r = check_contents(&d, a->force, uuid, note, sizeof(note), &wipe);
	if (r)
		goto out;
	r = new_uuid(id);
	if (r)
		goto out;
	/*
	 * Its superblock (qs_replace_super()): the target takes it as a leg
	 * replaced in the volume, out of sync everywhere.
	 */
	error = qs_replace_super(&ref, i, id, d.sectors, &nsb);
	if (error) {
		r = qs_error(QS_REFUSED,
			     "%s is too small: %llu sectors, the volume needs %llu (%llu of data, %u of metadata)",
			     a->dev, (unsigned long long)d.sectors,
			     (unsigned long long)qs_standin_sectors(&ref),
			     ref.data_sectors, ref.meta_sectors);
		goto out;
	}
	r = lock_volume(uuid);
	if (r)
		goto out;
	qs_dev_close(&d);
	r = qs_dev_open(a->dev, QS_OPEN_WRITE, &d);
	if (!r)
		r = overwrite(&d, note, wipe);
	if (r)
		goto out;
	/* What it held there, to put back if the table is refused. */
	backup_len = (size_t)nsb.meta_sectors * 512;
	backup = backup_len <= 64 << 20 ? qs_alloc(backup_len) : NULL;
	if (backup && qs_read_area(&d, nsb.meta_offset, backup, backup_len)) {
		free(backup);
		backup = NULL;
	}
	r = qs_write_metadata(&d, &nsb);
	if (r) {
		r = qs_error(QS_ERROR, "%s: cannot write its metadata: %s", a->dev,
			     strerror(-r));
		goto restore;
	}
	qs_dev_close(&d);	/* the target opens it */
	for (j = 0; j < v.nr_legs; j++)
		snprintf(legs[j], sizeof(legs[j]), "%s", v.devnum[j]);
	snprintf(legs[i], sizeof(legs[i]), "%s", d.devnum);
	r = swap_table(&v, legs, v.standins & ~(1u << i), 1u << i);
	if (r)
		goto restore;
	r = reinstate_if_failed(a->name, i);
	if (v.standins & (1u << i))
		remove_standins(a->name, 1u << i);
	if (r)
		goto out;
	printf("replaced leg %d of %s (%s) by %s: out of sync everywhere, the resync copies it\n",
	       i, a->name, v.standins & (1u << i) ? "missing" : old, a->dev);
	goto out;
restore:
	if (backup) {
		if (d.fd < 0 && qs_dev_open(a->dev, QS_OPEN_WRITE, &d))
			goto out;
		if (qs_write_area(&d, nsb.meta_offset, backup, backup_len) || fsync(d.fd))
			qs_error(0, "%s: cannot put back what its end held", a->dev);
	}
out:
	free(backup);
	qs_dev_close(&d);
	free_volume(&v);
	return r;
}

/*
 * rejoin of a device that is leg @j of @v already: a leg failed because
 * its device was missing (the metadata says QUORUM_LEG_ABSENT: a stand-in
 * stood in for it at an earlier open, or udev failed it when it went away)
 * is reinstated; one failed by an operator or by its errors stays failed.
 */
static int rejoin_in_place(const struct qs_args *a, struct qs_volume *v,
			   unsigned int j)
{
	struct quorum_super ref;
	struct qs_status st;
	char message[64];
	int r;

	r = volume_status(v->info.name, &st);
	if (r)
		return r;
	if (j >= st.nr_legs || st.legs[j].health != 'D') {
		qs_info("%s is leg %u of %s already: nothing to do", a->dev, j,
			v->info.name);
		return QS_OK;
	}
	if (volume_super(v, &ref))
		return qs_error(QS_ERROR, "%s: no leg has a readable superblock: nothing done",
				v->info.name);
	if (!(ref.legs[j].state & QUORUM_LEG_ABSENT)) {
		qs_info("%s is leg %u of %s, failed by an operator or its errors: it stays failed (quorumsetup reinstate brings it back)",
			a->dev, j, v->info.name);
		return QS_OK;
	}
	if (v->info.read_only) {
		qs_info("%s is read-only: %s cannot be resynced there: nothing done",
			v->info.name, a->dev);
		return QS_OK;
	}
	snprintf(message, sizeof(message), "reinstate_leg %s", v->devnum[j]);
	r = send_message(v->info.name, message);
	if (r)
		return r;
	printf("%s rejoined %s as leg %u, failed while it was missing: the resync copies what it missed\n",
	       a->dev, v->info.name, j);
	return QS_OK;
}

/* Is there a block device of that number (not one deleted, still held)? */
static bool devnum_exists(unsigned int major, unsigned int minor)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major, minor);
	return !access(path, F_OK);
}

static int cmd_rejoin(const struct qs_args *a)
{
	char legs[QUORUM_MAX_LEGS][QS_DEVNUM_MAX], uuid[QS_UUID_LEN + 1];
	char now[QS_UUID_LEN + 1];
	char dm_uuid[64], holder[256];
	bool was_standin, gone, absent, sticky = false;
	struct quorum_super ref;
	struct qs_dm_info info;
	struct qs_status st;
	struct qs_volume v;
	struct qs_leg leg;
	unsigned int i, j;
	int r;

	r = qs_read_leg(a->dev, &leg);
	if (r)
		return r;
	if (leg.state != QUORUM_SUPER_VALID)
		return qs_error(QS_NOT_FOUND, "%s: not a leg of a quorum volume: %s",
				a->dev, leg.why);
	qs_uuid_format(leg.sb.uuid, uuid);
	i = leg.sb.leg;
	/*
	 * Under the lock: an open of the volume under way ends first, and
	 * what another rejoin did is seen.
	 */
	r = lock_volume(uuid);
	if (r)
		return r;
	/* Read again under the lock: a replace may have written it. */
	r = qs_read_leg(a->dev, &leg);
	if (r)
		return r;
	qs_uuid_format(leg.sb.uuid, now);
	if (leg.state != QUORUM_SUPER_VALID || leg.sb.leg != i || strcmp(now, uuid))
		return qs_error(QS_REFUSED, "%s changed while this waited for the lock of volume %s",
				a->dev, uuid);
	snprintf(dm_uuid, sizeof(dm_uuid), "%s%s", QS_DM_PREFIX, uuid);
	r = qs_dm_info(NULL, dm_uuid, &info);
	if (r == QS_NOT_FOUND) {
		qs_info("%s: volume %s is not open: nothing to do", a->dev, uuid);
		return QS_OK;
	}
	if (r)
		return r;
	r = load_volume(info.name, &v);
	if (r)
		return r;
	for (j = 0; j < v.nr_legs; j++)
		if (v.major[j] == leg.dev.major && v.minor[j] == leg.dev.minor) {
			r = rejoin_in_place(a, &v, j);
			goto out;
		}
	if (!v.metadata) {
		r = qs_error(QS_REFUSED, "%s has no metadata: a leg cannot rejoin it",
			     v.info.name);
		goto out;
	}
	if (i >= v.nr_legs || leg.sb.nr_legs != v.nr_legs) {
		r = qs_error(QS_REFUSED, "%s: leg %u of %u legs, but %s has %u legs",
			     a->dev, i, leg.sb.nr_legs, v.info.name, v.nr_legs);
		goto out;
	}
	r = volume_status(v.info.name, &st);
	if (r)
		goto out;
	qs_dev_path(v.major[i], v.minor[i], holder, sizeof(holder));
	/*
	 * A slot whose device is gone (unplugged, still held by the target)
	 * is failed first, if udev's rule has not (not yet, or refused).
	 */
	was_standin = v.standins & (1u << i);
	gone = !was_standin && !devnum_exists(v.major[i], v.minor[i]);
	/*
	 * Only a slot without its device (a stand-in's, or one whose device
	 * went away) takes another: a slot that holds a device, failed or
	 * not, keeps it (quorumsetup replace puts another there).
	 */
	if (!was_standin && !gone) {
		qs_info("leg %u of %s is %s (%s): nothing to do", i, v.info.name, holder,
			qs_health_name(st.legs[i].health, false));
		goto out;
	}
	if (v.info.read_only) {
		qs_info("%s is read-only: %s cannot be resynced there: nothing done",
			v.info.name, a->dev);
		goto out;
	}
	if (volume_super(&v, &ref)) {
		r = qs_error(QS_ERROR, "%s: no leg has a readable superblock: nothing done",
			     v.info.name);
		goto out;
	}
	if (memcmp(leg.sb.legs[i].uuid, ref.legs[i].uuid, QUORUM_UUID_SIZE)) {
		qs_info("%s was leg %u of %s before that leg was replaced: nothing to do",
			a->dev, i, v.info.name);
		goto out;
	}
	r = check_disks_volume(&v, &leg.dev, i);
	if (r)
		goto out;
	if (gone) {
		char message[64];

		/*
		 * Failed as missing (or, failed by its errors, said missing
		 * too): the target marks it out of sync where it may have
		 * lost writes in its cache, and the metadata records it.
		 * EPERM: an operator failed it, it stays failed.  Refused
		 * otherwise (too few legs would be left): nothing done.
		 */
		snprintf(message, sizeof(message), "fail_leg %s missing", v.devnum[i]);
		qs_kmsg_mark();
		if (qs_dm_message(v.info.name, message, NULL)) {
			if (qs_dm_last_errno() != EPERM) {
				message_failed(v.info.name, message);
				qs_error(0, "leg %u of %s: its device %s is gone, and the volume cannot fail it: nothing done",
					 i, v.info.name, v.devnum[i]);
				r = QS_REFUSED;
				goto out;
			}
			sticky = true;
		}
		/* A table to fall back on cannot name a device that is gone. */
		r = make_standin(v.info.name, uuid, i, &ref, v.devnum[i]);
		if (r)
			goto out;
		v.standins |= 1u << i;
	}
	for (j = 0; j < v.nr_legs; j++)
		snprintf(legs[j], sizeof(legs[j]), "%s", v.devnum[j]);
	snprintf(legs[i], sizeof(legs[i]), "%s", leg.dev.devnum);
	r = swap_table(&v, legs, v.standins & ~(1u << i), 0);
	if (r)
		goto out;
	/*
	 * Back in its slot; reinstated if it was failed as missing, not if
	 * an operator or its errors failed it before it went.
	 */
	absent = gone ? !sticky : !!(ref.legs[i].state & QUORUM_LEG_ABSENT);
	r = absent ? reinstate_if_failed(v.info.name, i) : QS_OK;
	if (v.standins & (1u << i))
		remove_standins(v.info.name, 1u << i);
	if (r)
		goto out;
	if (absent)
		printf("%s rejoined %s as leg %u in place of %s: the resync copies what it missed\n",
		       a->dev, v.info.name, i, was_standin ? "a stand-in" : holder);
	else
		printf("%s took its slot in %s as leg %u in place of %s, failed (by an operator or its errors before it went): quorumsetup reinstate brings it back\n",
		       a->dev, v.info.name, i, was_standin ? "a stand-in" : holder);
out:
	free_volume(&v);
	return r;
}

int main(int argc, char **argv)
{
	struct qs_args a;
	char err[512];
	int r;

	r = qs_parse_args(argc, argv, &a, err, sizeof(err));
	if (r) {
		qs_error(r, "%s", err);
		return r;
	}
	qs_verbose = a.verbose;
	qs_dm_setup();
	switch (a.cmd) {
	case QS_CMD_FORMAT:
		return cmd_format(&a);
	case QS_CMD_OPEN:
		return cmd_open(&a);
	case QS_CMD_CLOSE:
		return cmd_close(&a);
	case QS_CMD_STATUS:
		return cmd_status(&a);
	case QS_CMD_LIST:
		return cmd_list();
	case QS_CMD_DUMP:
		return cmd_dump(&a);
	case QS_CMD_PROBE:
		return cmd_probe(&a);
	case QS_CMD_FAIL:
		return cmd_fail(&a, true);
	case QS_CMD_REINSTATE:
		return cmd_fail(&a, false);
	case QS_CMD_REPLACE:
		return cmd_replace(&a);
	case QS_CMD_SCRUB:
		return cmd_scrub(&a);
	case QS_CMD_MONITOR:
		return qs_monitor(a.json, a.device);
	case QS_CMD_REJOIN:
		return cmd_rejoin(&a);
	case QS_CMD_HELP:
		qs_usage(stdout, a.help_cmd);
		return QS_OK;
	case QS_CMD_VERSION:
		printf("quorumsetup %s\n", QS_VERSION);
		return QS_OK;
	default:
		return qs_error(QS_USAGE, "no command");
	}
}
