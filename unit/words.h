/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Split bytes into words the way a table line reaches a target's
 * constructor: words separated by white space, at most 64 of them.
 */
#ifndef DM_QUORUM_WORDS_H
#define DM_QUORUM_WORDS_H

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define WORDS_MAX 64

struct words {
	char *buf;
	unsigned int argc;
	char *argv[WORDS_MAX];
};

static inline void words_split(struct words *w, const unsigned char *data,
			       size_t size)
{
	char *p;

	w->buf = malloc(size + 1);
	memcpy(w->buf, data, size);
	w->buf[size] = '\0';
	w->argc = 0;
	for (p = w->buf; *p && w->argc < WORDS_MAX;) {
		while (*p && isspace((unsigned char)*p))
			*p++ = '\0';
		if (!*p)
			break;
		w->argv[w->argc++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
}

static inline void words_free(struct words *w)
{
	free(w->buf);
}

#endif
