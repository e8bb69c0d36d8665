// SPDX-License-Identifier: GPL-2.0-only
/*
 * quorumsetup: block devices.  A leg's superblocks are read and written
 * with O_DIRECT (the target writes them with bios: the page cache of the
 * leg would be stale), 4 KiB at a time, aligned.  Signatures come from
 * libblkid, the disks under a device from sysfs (partitions, the slaves
 * of stacked devices, the backing file of a loop device), and the scan for
 * legs from /sys/class/block.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <blkid.h>

#include "quorumsetup.h"

#define QS_IO_CHUNK	(1024 * 1024)

bool qs_parse_devnum(const char *s, unsigned int *major, unsigned int *minor)
{
	char extra;

	return sscanf(s, "%u:%u%c", major, minor, &extra) == 2;
}

/* A sysfs attribute, its first line in @buf. */
static bool read_attr(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

bool qs_kname(unsigned int major, unsigned int minor, char *kname, size_t len)
{
	char link[64], target[PATH_MAX];
	const char *slash;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major, minor);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	slash = strrchr(target, '/');
	snprintf(kname, len, "%s", slash ? slash + 1 : target);
	return true;
}

bool qs_sysfs_dm_uuid(unsigned int major, unsigned int minor, char *uuid,
		      size_t len)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/dm/uuid", major, minor);
	return read_attr(path, uuid, len);
}

/* /dev/mapper/<name> for a dm device, else /dev/<kernel name>. */
void qs_dev_path(unsigned int major, unsigned int minor, char *path,
		 size_t len)
{
	char attr[96], name[QS_NAME_MAX + 1], kname[64];

	snprintf(attr, sizeof(attr), "/sys/dev/block/%u:%u/dm/name", major, minor);
	if (read_attr(attr, name, sizeof(name)) && name[0])
		snprintf(path, len, "/dev/mapper/%s", name);
	else if (qs_kname(major, minor, kname, sizeof(kname)))
		snprintf(path, len, "/dev/%s", kname);
	else
		path[0] = '\0';
}

static int name_sort(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The first /dev/disk/by-id link to the device, in name order. */
void qs_stable_path(unsigned int major, unsigned int minor, char *path,
		    size_t len)
{
	struct dirent **list;
	int i, n;

	path[0] = '\0';
	n = scandir("/dev/disk/by-id", &list, NULL, name_sort);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		char link[PATH_MAX];
		struct stat st;

		if (!path[0] && list[i]->d_name[0] != '.') {
			snprintf(link, sizeof(link), "/dev/disk/by-id/%s",
				 list[i]->d_name);
			if (!stat(link, &st) && S_ISBLK(st.st_mode) &&
			    major(st.st_rdev) == major && minor(st.st_rdev) == minor)
				snprintf(path, len, "%s", link);
		}
		free(list[i]);
	}
	free(list);
}

void *qs_alloc(size_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len))
		return NULL;
	memset(p, 0, len);
	return p;
}

/*
 * qs_dev_open - open a block device
 * @how: QS_OPEN_READ; QS_OPEN_CHECK, read-only and exclusive (O_EXCL:
 *	refused while mounted or held by device-mapper, md or another
 *	exclusive user), for the checks before a write: closing it makes no
 *	udev "change" event, as closing a device written to does; or
 *	QS_OPEN_WRITE, read-write and exclusive
 *
 * Prints what is wrong; returns QS_OK or an exit code.
 */
int qs_dev_open(const char *path, int how, struct qs_dev *d)
{
	bool write = how == QS_OPEN_WRITE;
	unsigned long long bytes;
	struct stat st;
	int ro = 0;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	snprintf(d->path, sizeof(d->path), "%s", path);
	if (stat(path, &st)) {
		if (errno == ENOENT || errno == ENOTDIR)
			return qs_error(QS_NOT_FOUND, "%s: no such device", path);
		return qs_error(QS_ERROR, "%s: %s", path, strerror(errno));
	}
	if (!S_ISBLK(st.st_mode))
		return qs_error(QS_USAGE, "%s: not a block device", path);
	d->major = major(st.st_rdev);
	d->minor = minor(st.st_rdev);
	snprintf(d->devnum, sizeof(d->devnum), "%u:%u", d->major, d->minor);
	if (!qs_kname(d->major, d->minor, d->kname, sizeof(d->kname)))
		snprintf(d->kname, sizeof(d->kname), "%s", d->devnum);
	d->fd = open(path, (write ? O_RDWR : O_RDONLY) |
		     (how != QS_OPEN_READ ? O_EXCL : 0) | O_DIRECT | O_CLOEXEC |
		     O_NONBLOCK);
	if (d->fd < 0) {
		int e = errno;

		if (e == EBUSY)
			return qs_error(QS_REFUSED,
					"%s: in use (mounted, or held by device-mapper, md or another program)",
					path);
		if (e == EROFS || e == EACCES || e == EPERM)
			return qs_error(QS_REFUSED, "%s: cannot open it%s: %s", path,
					write ? " for writing" : "", strerror(e));
		if (e == ENXIO || e == ENOMEDIUM || e == ENODEV)
			return qs_error(QS_NOT_FOUND, "%s: no medium or device: %s",
					path, strerror(e));
		return qs_error(QS_ERROR, "%s: %s", path, strerror(e));
	}
	if (ioctl(d->fd, BLKGETSIZE64, &bytes)) {
		int e = errno;

		qs_dev_close(d);
		return qs_error(QS_ERROR, "%s: cannot get its size: %s", path,
				strerror(e));
	}
	d->sectors = bytes / 512;
	if (!ioctl(d->fd, BLKROGET, &ro))
		d->read_only = ro;
	if (how != QS_OPEN_READ && d->read_only) {
		qs_dev_close(d);
		return qs_error(QS_REFUSED, "%s: the device is read-only", path);
	}
	return QS_OK;
}

void qs_dev_close(struct qs_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int qs_read_area(struct qs_dev *d, u64 sector, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(d->fd, (char *)buf + done, len - done,
				  sector * 512 + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	return 0;
}

int qs_write_area(struct qs_dev *d, u64 sector, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(d->fd, (const char *)buf + done, len - done,
				   sector * 512 + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	return 0;
}

/* The two superblock slots at the leg's end (8 KiB). */
int qs_read_slots(struct qs_dev *d, void *slots)
{
	u64 end = d->sectors & ~(u64)(QUORUM_SUPER_SECTORS - 1);

	if (end < QUORUM_SUPER_AREA_SECTORS)
		return -ENOSPC;
	return qs_read_area(d, end - QUORUM_SUPER_AREA_SECTORS, slots,
			    2 * QUORUM_SUPER_SIZE);
}

/*
 * qs_read_leg - open @path read-only and read its superblock
 *
 * Returns QS_OK with leg->state set (valid or not), or an exit code when
 * the device cannot be read.  The device is closed again.
 */
int qs_read_leg(const char *path, struct qs_leg *leg)
{
	void *slots;
	int r;

	memset(leg, 0, sizeof(*leg));
	r = qs_dev_open(path, QS_OPEN_READ, &leg->dev);
	if (r)
		return r;
	slots = qs_alloc(2 * QUORUM_SUPER_SIZE);
	if (!slots) {
		qs_dev_close(&leg->dev);
		return qs_error(QS_ERROR, "out of memory");
	}
	r = qs_read_slots(&leg->dev, slots);
	qs_dev_close(&leg->dev);
	if (r == -ENOSPC) {
		leg->state = QUORUM_SUPER_FOREIGN;
		leg->why = "too small to hold a superblock";
		r = 0;
	} else if (r) {
		free(slots);
		return qs_error(QS_ERROR, "%s: cannot read its superblocks: %s",
				path, strerror(-r));
	} else {
		leg->state = quorum_super_read(slots, &leg->sb, &leg->why);
	}
	free(slots);
	/*
	 * Where the target would find the metadata on a device of this
	 * size: elsewhere, the superblock is another device's (a partition
	 * that ends where the whole disk does, as fdisk makes it, holds a
	 * leg: the disk is not that leg), or the leg was resized.
	 */
	if (leg->state == QUORUM_SUPER_VALID) {
		struct quorum_super at = leg->sb;

		if (quorum_super_layout(&at, leg->dev.sectors) ||
		    at.meta_offset != leg->sb.meta_offset ||
		    at.meta_sectors != leg->sb.meta_sectors) {
			leg->state = QUORUM_SUPER_FOREIGN;
			leg->why = "its superblock was written for a device of another size (a partition that ends with this disk is the leg, or the leg was resized)";
		}
	}
	return QS_OK;
}

/*
 * qs_write_metadata - what a format writes on a leg: its metadata area
 * zeroed (the bitmaps, and both superblock slots), then @sb in the slot
 * of its generation, then a flush.  @sb is the leg's own (leg index and
 * meta_offset set).
 */
int qs_write_metadata(struct qs_dev *d, const struct quorum_super *sb)
{
	u64 end = sb->meta_offset + sb->meta_sectors, at;
	void *zero = qs_alloc(QS_IO_CHUNK), *buf = qs_alloc(QUORUM_SUPER_SIZE);
	int r = -ENOMEM;

	if (!zero || !buf)
		goto out;
	for (at = sb->meta_offset; at < end;) {
		u64 n = end - at;

		if (n > QS_IO_CHUNK / 512)
			n = QS_IO_CHUNK / 512;
		r = qs_write_area(d, at, zero, n * 512);
		if (r)
			goto out;
		at += n;
	}
	quorum_super_encode(sb, buf);
	r = qs_write_area(d, end - QUORUM_SUPER_AREA_SECTORS +
			  quorum_super_slot(sb->generation) * QUORUM_SUPER_SECTORS,
			  buf, QUORUM_SUPER_SIZE);
	if (!r && fsync(d->fd))
		r = -errno;
out:
	free(zero);
	free(buf);
	return r;
}

/*
 * qs_signature - what libblkid finds on a device: a filesystem, a
 * partition table, a RAID member, an encryption header...
 *
 * Returns 0 (nothing), 1 (described in @desc), or -1 (cannot probe).
 */
int qs_signature(const char *path, char *desc, size_t len)
{
	const char *type = NULL, *usage = NULL, *pttype = NULL, *label = NULL;
	blkid_probe pr;
	size_t at = 0;
	int r;

	desc[0] = '\0';
	pr = blkid_new_probe_from_filename(path);
	if (!pr)
		return -1;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
					  BLKID_SUBLKS_USAGE | BLKID_SUBLKS_LABEL);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	r = blkid_do_safeprobe(pr);
	if (r == 0) {
		blkid_probe_lookup_value(pr, "TYPE", &type, NULL);
		blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
		blkid_probe_lookup_value(pr, "PTTYPE", &pttype, NULL);
		blkid_probe_lookup_value(pr, "LABEL", &label, NULL);
		if (pttype && !type)
			snprintf(desc, len, "a %s partition table", pttype);
		else if (type && usage && !strcmp(usage, "raid"))
			snprintf(desc, len, "a RAID member signature (%s)", type);
		else if (type && usage && !strcmp(usage, "crypto"))
			snprintf(desc, len, "an encryption header (%s)", type);
		else if (type && usage && !strcmp(usage, "filesystem"))
			snprintf(desc, len, "a %s filesystem", type);
		else
			snprintf(desc, len, "a %s signature", type ? type : "known");
		if (label && *label) {
			at = strlen(desc);
			snprintf(desc + at, len - at, " labelled \"%s\"", label);
		}
		r = 1;
	} else if (r == -2) {
		/* More than one: name them all. */
		at = snprintf(desc, len, "several signatures (");
		blkid_reset_probe(pr);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
		while (blkid_do_probe(pr) == 0 && at < len) {
			type = NULL;
			if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) &&
			    blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL))
				continue;
			at += snprintf(desc + at, len - at, "%s%s",
				       desc[at - 1] == '(' ? "" : ", ", type);
		}
		if (at < len)
			snprintf(desc + at, len - at, ")");
		r = 1;
	} else if (r == 1) {
		r = 0;
	} else {
		r = -1;
	}
	blkid_free_probe(pr);
	return r;
}

/*
 * qs_wipe_signatures - erase what libblkid finds (as wipefs -a does: the
 * magic of each filesystem, RAID, crypto or partition table signature)
 * through a second, buffered descriptor; @d stays open (exclusive).
 */
int qs_wipe_signatures(struct qs_dev *d)
{
	blkid_probe pr;
	int fd, r = -1;

	fd = open(d->path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	pr = blkid_new_probe();
	if (pr && !blkid_probe_set_device(pr, fd, 0, 0)) {
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC |
						  BLKID_SUBLKS_TYPE);
		blkid_probe_enable_partitions(pr, 1);
		blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
		r = 0;
		while (!r && blkid_do_probe(pr) == 0)
			r = blkid_do_wipe(pr, 0);
	}
	if (pr)
		blkid_free_probe(pr);
	if (!r && fsync(fd))
		r = -1;
	/* No stale page of what was wiped for the next reader. */
	ioctl(fd, BLKFLSBUF, 0);
	close(fd);
	return r;
}

static void add_disk(struct qs_disks *out, const char *kname)
{
	struct qs_disk disk = { .file = false };

	snprintf(disk.name, sizeof(disk.name), "%s", kname);
	qs_disks_add(out, &disk);
}

/*
 * The backing file of a loop device, @file its inode and "file <path>",
 * @rdev the device it is when it is a block device (else 0).  The
 * kernel's own st_dev, st_ino and st_rdev of the file (LOOP_GET_STATUS64,
 * which also knows a file deleted or out of reach of this mount
 * namespace), else a stat() of the path in sysfs.  The device is not
 * opened when it clears itself on its last close (autoclear: mount -o
 * loop): this open could be that last one.
 */
static bool loop_file(const char *kname, struct qs_disk *file,
		      unsigned long long *rdev)
{
	char path[PATH_MAX], backing[PATH_MAX], value[32];
	unsigned int major, minor;
	struct loop_info64 info;
	bool known = false;
	struct stat st;
	size_t n, room;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/block/%s/loop/backing_file", kname);
	if (!read_attr(path, backing, sizeof(backing)))
		return false;
	snprintf(path, sizeof(path), "/sys/class/block/%s/loop/autoclear", kname);
	if (read_attr(path, value, sizeof(value)) && !strcmp(value, "0")) {
		snprintf(path, sizeof(path), "/sys/class/block/%s/dev", kname);
		if (read_attr(path, value, sizeof(value)) &&
		    qs_parse_devnum(value, &major, &minor)) {
			snprintf(path, sizeof(path), "/dev/%s", kname);
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			if (fd >= 0) {
				known = !fstat(fd, &st) && S_ISBLK(st.st_mode) &&
					st.st_rdev == makedev(major, minor) &&
					!ioctl(fd, LOOP_GET_STATUS64, &info);
				close(fd);
			}
		}
	}
	if (known) {
		file->dev = info.lo_device;
		file->ino = info.lo_inode;
		*rdev = info.lo_rdevice;
	} else if (!stat(backing, &st)) {
		file->dev = st.st_dev;
		file->ino = st.st_ino;
		*rdev = S_ISBLK(st.st_mode) ? st.st_rdev : 0;
	} else {
		return false;
	}
	file->file = true;
	/* A long path: its end, the file's name. */
	n = strlen(backing);
	room = sizeof(file->name) - sizeof("file ...");
	snprintf(file->name, sizeof(file->name), "file %s%.*s",
		 n > room ? "..." : "", (int)room,
		 backing + (n > room ? n - room : 0));
	return true;
}

/* The whole disk of a partition (its kernel name), or false. */
static bool parent_disk(const char *kname, char *disk, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX], *slash;

	snprintf(path, sizeof(path), "/sys/class/block/%s/partition", kname);
	if (access(path, F_OK))
		return false;
	snprintf(path, sizeof(path), "/sys/class/block/%s", kname);
	if (!realpath(path, real))
		return false;
	slash = strrchr(real, '/');
	if (!slash)
		return false;
	*slash = '\0';
	slash = strrchr(real, '/');
	if (!slash)
		return false;
	snprintf(disk, len, "%s", slash + 1);
	return true;
}

static void walk(const char *kname, struct qs_disks *out, int depth)
{
	char path[PATH_MAX], disk[64];
	unsigned long long rdev;
	struct qs_disk file;
	struct dirent *e;
	bool any = false;
	DIR *dir;

	if (depth > 16 || strchr(kname, '/'))
		return;
	/* A partition: its disk. */
	if (parent_disk(kname, disk, sizeof(disk))) {
		walk(disk, out, depth + 1);
		return;
	}
	/* Stacked (dm, md): the devices under it. */
	snprintf(path, sizeof(path), "/sys/class/block/%s/slaves", kname);
	dir = opendir(path);
	while (dir && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		walk(e->d_name, out, depth + 1);
		any = true;
	}
	if (dir)
		closedir(dir);
	if (any)
		return;
	/*
	 * A loop device: on a block device, that device's disks.  Else the
	 * disk its backing file lies on (none for a filesystem without one:
	 * tmpfs, btrfs, NFS...: the loop device itself), then the file.
	 * Disks first: the one a message names.
	 */
	if (loop_file(kname, &file, &rdev)) {
		if (rdev && qs_kname(major(rdev), minor(rdev), disk, sizeof(disk))) {
			walk(disk, out, depth + 1);
			return;
		}
		if (major(file.dev) &&
		    qs_kname(major(file.dev), minor(file.dev), disk, sizeof(disk)))
			walk(disk, out, depth + 1);
		else
			add_disk(out, kname);
		qs_disks_add(out, &file);
		return;
	}
	add_disk(out, kname);
}

/* The whole disks under a block device (its kernel name). */
void qs_disks_of(const char *kname, struct qs_disks *out)
{
	out->n = 0;
	walk(kname, out, 0);
}

/* Does a sysfs directory hold any entry? */
static bool has_entries(const char *path)
{
	struct dirent *e;
	bool any = false;
	DIR *dir = opendir(path);

	while (dir && !any && (e = readdir(dir)))
		any = e->d_name[0] != '.';
	if (dir)
		closedir(dir);
	return any;
}

/*
 * A partition of a leg: the kernel reads the partition table of a
 * whole-disk leg, the volume's own (a leg is a plain copy of the volume's
 * data from sector 0), and makes the volume's partitions on it.  They are
 * not legs (58-dm-quorum-legs.rules: QUORUM_IN_LEG_OF).  @last caches the
 * last disk read (its partitions come together, in name order).
 */
struct leg_parent {
	char disk[64];
	bool leg;
};

static bool in_leg(const char *kname, struct leg_parent *last)
{
	char disk[64], path[80];
	bool quiet = qs_quiet;
	struct qs_leg leg;

	if (!parent_disk(kname, disk, sizeof(disk)))
		return false;
	if (strcmp(disk, last->disk)) {
		snprintf(last->disk, sizeof(last->disk), "%s", disk);
		snprintf(path, sizeof(path), "/dev/%s", disk);
		qs_quiet = true;
		last->leg = !qs_read_leg(path, &leg) &&
			    leg.state == QUORUM_SUPER_VALID;
		qs_quiet = quiet;
	}
	return last->leg;
}

/*
 * qs_scan - every block device that may be a leg, in name order: not
 * empty, with nothing stacked on it (a device held by another is seen
 * through that one), not a quorum volume or stand-in, not a partition of
 * a whole disk that is a leg (of any volume).  A whole disk with
 * partitions is scanned too: a whole-disk leg shows the volume's.
 * @found gets /dev/<name>; a non-zero return stops the scan.
 */
int qs_scan(int (*found)(const char *path, void *ctx), void *ctx)
{
	struct leg_parent last = { "", false };
	struct dirent **list;
	int i, n, r = 0;

	n = scandir("/sys/class/block", &list, NULL, name_sort);
	if (n < 0)
		return qs_error(QS_ERROR, "cannot list /sys/class/block: %s",
				strerror(errno));
	for (i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		char path[PATH_MAX], value[160];
		unsigned int major, minor;
		struct stat st;

		if (r || name[0] == '.')
			goto next;
		snprintf(path, sizeof(path), "/sys/class/block/%s/size", name);
		if (!read_attr(path, value, sizeof(value)) || !strcmp(value, "0"))
			goto next;
		snprintf(path, sizeof(path), "/sys/class/block/%s/holders", name);
		if (has_entries(path))
			goto next;
		snprintf(path, sizeof(path), "/sys/class/block/%s/dev", name);
		if (!read_attr(path, value, sizeof(value)) ||
		    !qs_parse_devnum(value, &major, &minor))
			goto next;
		if (qs_sysfs_dm_uuid(major, minor, value, sizeof(value)) &&
		    !strncmp(value, QS_DM_PREFIX, strlen(QS_DM_PREFIX)))
			goto next;
		snprintf(path, sizeof(path), "/dev/%s", name);
		if (stat(path, &st) || !S_ISBLK(st.st_mode) ||
		    major(st.st_rdev) != major || minor(st.st_rdev) != minor ||
		    in_leg(name, &last))
			goto next;
		r = found(path, ctx);
next:
		free(list[i]);
	}
	free(list);
	return r;
}
