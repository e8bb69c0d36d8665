// SPDX-License-Identifier: GPL-2.0-only
/*
 * quorumsetup: device-mapper through libdevmapper (never dmsetup): info,
 * create, reload, resume, remove, message, table and status, list.  Nodes
 * in /dev/mapper come from udev, waited for with libdevmapper's cookies
 * (which make the nodes themselves when udev does not run).
 *
 * The kernel says why it refused a table or a message in its log only
 * (the ioctl returns EINVAL): qs_kmsg_mark() notes where the log is
 * before such a call, and qs_kmsg_explain() prints the target's lines
 * written since.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdevmapper.h>

#include "quorumsetup.h"

static int last_errno;
static char last_message[512];
static int kmsg_fd = -1;

/* libdevmapper's own messages: kept, printed with --verbose only. */
static void dm_log(int level, const char *file, int line, int dm_errno,
		   const char *fmt, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	(void)dm_errno;
	if ((level & 7) > 3)		/* _LOG_ERR */
		return;
	va_start(ap, fmt);
	vsnprintf(last_message, sizeof(last_message), fmt, ap);
	va_end(ap);
	qs_info("device-mapper: %s", last_message);
}

void qs_dm_setup(void)
{
	dm_log_with_errno_init(dm_log);
	dm_udev_set_sync_support(1);
}

int qs_dm_last_errno(void)
{
	return last_errno;
}

static struct dm_task *task(int type, const char *name, const char *uuid)
{
	struct dm_task *dmt = dm_task_create(type);

	if (!dmt)
		return NULL;
	if ((name && !dm_task_set_name(dmt, name)) ||
	    (uuid && !dm_task_set_uuid(dmt, uuid))) {
		dm_task_destroy(dmt);
		return NULL;
	}
	return dmt;
}

/*
 * Run @dmt, waiting for udev when @cookie (with these DM_UDEV_* @flags);
 * keeps the errno.
 */
static bool run_flags(struct dm_task *dmt, bool cookie, uint16_t flags)
{
	uint32_t c = 0;
	bool ok;

	last_errno = 0;
	last_message[0] = '\0';
	if (cookie && !dm_task_set_cookie(dmt, &c, flags))
		return false;
	ok = dm_task_run(dmt);
	if (!ok)
		last_errno = dm_task_get_errno(dmt);
	if (cookie)
		dm_udev_wait(c);
	return ok;
}

static bool run(struct dm_task *dmt, bool cookie)
{
	return run_flags(dmt, cookie, 0);
}

static int dm_failure(const char *what, const char *name)
{
	int e = last_errno;

	return qs_error(QS_ERROR, "device-mapper: %s %s failed: %s", what, name,
			e ? strerror(e) : last_message[0] ? last_message :
			"unknown error");
}

/*
 * qs_dm_info - a dm device by name or by uuid (one of them NULL)
 * Returns QS_OK, QS_NOT_FOUND (quietly), or QS_ERROR.
 */
int qs_dm_info(const char *name, const char *uuid, struct qs_dm_info *info)
{
	struct dm_task *dmt = task(DM_DEVICE_INFO, name, uuid);
	struct dm_info dmi;
	const char *s;
	int r = QS_ERROR;

	memset(info, 0, sizeof(*info));
	if (!dmt)
		return qs_error(QS_ERROR, "device-mapper: cannot make a task");
	if (!run(dmt, false) || !dm_task_get_info(dmt, &dmi)) {
		dm_failure("info of", name ? name : uuid);
		goto out;
	}
	if (!dmi.exists) {
		r = QS_NOT_FOUND;
		goto out;
	}
	s = dm_task_get_name(dmt);
	snprintf(info->name, sizeof(info->name), "%s", s ? s : "");
	s = dm_task_get_uuid(dmt);
	snprintf(info->uuid, sizeof(info->uuid), "%s", s ? s : "");
	info->major = dmi.major;
	info->minor = dmi.minor;
	info->open_count = dmi.open_count;
	info->suspended = dmi.suspended;
	info->read_only = dmi.read_only;
	info->live_table = dmi.live_table;
	info->inactive_table = dmi.inactive_table;
	r = QS_OK;
out:
	dm_task_destroy(dmt);
	return r;
}

/*
 * qs_dm_create - a device of one target
 * @hidden: no udev rules but dm's own (the /dev/mapper node): no blkid
 *	probe of it, no /dev/disk links, for a stand-in that fails all I/O
 */
int qs_dm_create(const char *name, const char *uuid, u64 len,
		 const char *target, const char *params, bool read_only,
		 bool hidden)
{
	struct dm_task *dmt = task(DM_DEVICE_CREATE, name, uuid);
	int r = QS_ERROR;

	if (!dmt)
		return qs_error(QS_ERROR, "device-mapper: cannot make a task for %s", name);
	if (!dm_task_add_target(dmt, 0, len, target, params) ||
	    (read_only && !dm_task_set_ro(dmt)))
		goto out;
	qs_info("create %s: 0 %llu %s %s", name, (unsigned long long)len,
		target, params);
	if (!run_flags(dmt, true, hidden ? DM_UDEV_DISABLE_DISK_RULES_FLAG |
		       DM_UDEV_DISABLE_OTHER_RULES_FLAG : 0)) {
		dm_failure("create of", name);
		goto out;
	}
	r = QS_OK;
out:
	dm_task_destroy(dmt);
	return r;
}

int qs_dm_reload(const char *name, u64 len, const char *target,
		 const char *params, bool read_only)
{
	struct dm_task *dmt = task(DM_DEVICE_RELOAD, name, NULL);
	int r = QS_ERROR;

	if (!dmt)
		return qs_error(QS_ERROR, "device-mapper: cannot make a task for %s", name);
	if (!dm_task_add_target(dmt, 0, len, target, params) ||
	    (read_only && !dm_task_set_ro(dmt)))
		goto out;
	qs_info("reload %s: 0 %llu %s %s", name, (unsigned long long)len,
		target, params);
	if (!run(dmt, false)) {
		dm_failure("reload of", name);
		goto out;
	}
	r = QS_OK;
out:
	dm_task_destroy(dmt);
	return r;
}

/* Resume, swapping in the table a reload loaded, if any. */
int qs_dm_resume(const char *name)
{
	struct dm_task *dmt = task(DM_DEVICE_RESUME, name, NULL);
	int r = QS_OK;

	if (!dmt)
		return qs_error(QS_ERROR, "device-mapper: cannot make a task for %s", name);
	if (!run(dmt, true))
		r = dm_failure("resume of", name);
	dm_task_destroy(dmt);
	return r;
}

int qs_dm_remove(const char *name)
{
	struct dm_task *dmt = task(DM_DEVICE_REMOVE, name, NULL);
	int r = QS_OK;

	if (!dmt)
		return qs_error(QS_ERROR, "device-mapper: cannot make a task for %s", name);
	dm_task_retry_remove(dmt);
	if (!run(dmt, true)) {
		if (last_errno == EBUSY)
			r = qs_error(QS_REFUSED, "%s is in use (mounted, or open): close refused",
				     name);
		else
			r = dm_failure("remove of", name);
	}
	dm_task_destroy(dmt);
	return r;
}

/*
 * qs_dm_message - send a message to the target (sector 0)
 * @response: NULL, or set to what it answered (free it)
 *
 * Returns QS_OK, or QS_ERROR with qs_dm_last_errno() set; prints nothing:
 * the caller says what the refusal means.
 */
int qs_dm_message(const char *name, const char *message, char **response)
{
	struct dm_task *dmt = task(DM_DEVICE_TARGET_MSG, name, NULL);
	const char *answer;
	int r = QS_ERROR;

	if (response)
		*response = NULL;
	if (!dmt)
		return QS_ERROR;
	if (!dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, message))
		goto out;
	qs_info("message %s: %s", name, message);
	if (!run(dmt, false)) {
		if (!last_errno)
			last_errno = EIO;
		goto out;
	}
	answer = dm_task_get_message_response(dmt);
	if (response)
		*response = strdup(answer ? answer : "");
	r = QS_OK;
out:
	dm_task_destroy(dmt);
	return r;
}

/*
 * qs_dm_get_table - the table (or status) of a device of one target
 * @params: set to the target's parameters (free it)
 */
int qs_dm_get_table(const char *name, bool status, u64 *len,
		    char *target, size_t tlen, char **params)
{
	struct dm_task *dmt = task(status ? DM_DEVICE_STATUS : DM_DEVICE_TABLE,
				   name, NULL);
	uint64_t start, length;
	char *type = NULL, *p = NULL;
	struct dm_info dmi;
	void *next;
	int r = QS_ERROR;

	*params = NULL;
	if (!dmt)
		return qs_error(QS_ERROR, "device-mapper: cannot make a task for %s", name);
	if (!run(dmt, false) || !dm_task_get_info(dmt, &dmi)) {
		dm_failure(status ? "status of" : "table of", name);
		goto out;
	}
	if (!dmi.exists) {
		r = QS_NOT_FOUND;
		goto out;
	}
	next = dm_get_next_target(dmt, NULL, &start, &length, &type, &p);
	if (!type || next || start) {
		r = QS_REFUSED;		/* not one target from sector 0 */
		target[0] = '\0';
		goto out;
	}
	*len = length;
	snprintf(target, tlen, "%s", type);
	*params = strdup(p ? p : "");
	r = *params ? QS_OK : QS_ERROR;
out:
	dm_task_destroy(dmt);
	return r;
}

/* Every dm device's name, sorted. */
int qs_dm_list(char (**names)[QS_NAME_MAX + 1], unsigned int *n)
{
	struct dm_task *dmt = task(DM_DEVICE_LIST, NULL, NULL);
	struct dm_names *dn;
	unsigned int next = 0, count = 0, i, j;
	int r = QS_ERROR;

	*names = NULL;
	*n = 0;
	if (!dmt)
		return qs_error(QS_ERROR, "device-mapper: cannot make a task");
	if (!run(dmt, false)) {
		dm_failure("list of", "devices");
		goto out;
	}
	dn = dm_task_get_names(dmt);
	if (dn && dn->dev) {
		struct dm_names *d = dn;

		do {
			d = (struct dm_names *)((char *)d + next);
			count++;
			next = d->next;
		} while (next);
	}
	*names = calloc(count ? count : 1, sizeof(**names));
	if (!*names)
		goto out;
	next = 0;
	for (i = 0; i < count; i++) {
		dn = (struct dm_names *)((char *)dn + next);
		snprintf((*names)[i], sizeof((*names)[i]), "%s", dn->name);
		next = dn->next;
	}
	/* Sorted, so that the output is stable. */
	for (i = 1; i < count; i++)
		for (j = i; j > 0 && strcmp((*names)[j - 1], (*names)[j]) > 0; j--) {
			char tmp[QS_NAME_MAX + 1];

			memcpy(tmp, (*names)[j], sizeof(tmp));
			memcpy((*names)[j], (*names)[j - 1], sizeof(tmp));
			memcpy((*names)[j - 1], tmp, sizeof(tmp));
		}
	*n = count;
	r = QS_OK;
out:
	dm_task_destroy(dmt);
	return r;
}

/* Note where the kernel log is, before a call it may explain. */
void qs_kmsg_mark(void)
{
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

/* The target's log lines since the mark, on stderr. */
void qs_kmsg_explain(void)
{
	char rec[8192];
	ssize_t n;

	if (kmsg_fd < 0)
		return;
	/* The target logs from the ioctl itself: nothing to wait for. */
	for (;;) {
		char *msg, *end;

		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten meanwhile */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		if (strstr(msg, "quorum"))
			qs_error(0, "kernel: %s", msg);
	}
}
