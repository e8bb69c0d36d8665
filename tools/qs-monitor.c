// SPDX-License-Identifier: GPL-2.0-only
/*
 * quorumsetup monitor: the target's events, as the kernel sends them
 * (the uevents' netlink group, what "udevadm monitor --kernel" reads), one
 * line each, until SIGINT or SIGTERM.  The lines are those of
 * scripts/dm-quorum-monitor, which now runs this.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "quorumsetup.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int qs_monitor(bool json, const char *only)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,		/* the kernel's uevents */
	};
	struct sigaction sa;
	static char buf[16384];
	int fd, size = 1 << 20;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return qs_error(QS_ERROR, "monitor: no uevent socket: %s",
				strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int e = errno;

		close(fd);
		return qs_error(QS_ERROR, "monitor: cannot listen to uevents: %s",
				strerror(e));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Lines as they come, also into a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!stop) {
		struct sockaddr_nl from;
		socklen_t len = sizeof(from);
		struct qs_uevent ev;
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				qs_error(0, "monitor: events were lost (the socket's buffer overflowed)");
				continue;
			}
			close(fd);
			return qs_error(QS_ERROR, "monitor: %s", strerror(errno));
		}
		/* The kernel's own only (port 0), whole. */
		if (len != sizeof(from) || from.nl_pid || (size_t)n >= sizeof(buf) ||
		    qs_uevent_parse(buf, n, &ev))
			continue;
		if (strcmp(qs_uevent_get(&ev, "SUBSYSTEM") ?: "", "block"))
			continue;
		qs_uevent_print(stdout, &ev, json, only, time(NULL));
	}
	close(fd);
	return QS_OK;
}
