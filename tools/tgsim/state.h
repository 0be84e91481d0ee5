/* --state-file: the simulated world kept across restarts of tgsim (the demo's
 * database outlives tgsim, and a bot whose users' chats vanish takes them for
 * users who blocked it). Users, chats with their messages, pending updates,
 * update and callback-query counters, bot commands and stored files are
 * written as one JSON file, atomically (a temporary file renamed over the
 * old one), at most once a second while something changes and once more at
 * exit. Faults, rate limits, the call log, webhooks and unanswered callback
 * queries are not kept. */
#ifndef TGSIM_STATE_H
#define TGSIM_STATE_H

#include <stddef.h>

#include "sim.h"

/* Restores the world from path into a freshly started sim (tokens added,
 * nothing served yet). A missing file is a fresh start (0); a file that
 * cannot be read or is not a tgsim state is an error (-1, reason in err):
 * tgsim then refuses to start rather than overwrite it. */
int tgsim_state_load(tgsim_sim *s, const char *path, char *err, size_t errlen);

/* Writes the current world to path (takes s->lock for the snapshot). */
int tgsim_state_save(tgsim_sim *s, const char *path, char *err, size_t errlen);

/* The saver thread: saves when s->state_gen moved, at most once a second. */
int tgsim_state_start(tgsim_sim *s, const char *path);
/* Stops the saver (after s->stopping is set) and saves a last time. */
int tgsim_state_stop(tgsim_sim *s);

#endif
