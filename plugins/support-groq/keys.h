/* support-groq: API key rotation, the pure state machine (F-SUP-03).
 *
 * Keys are used round robin. An attempt's outcome decides what happens
 * to its key and to the question:
 *   2xx                     ok
 *   401 / 403               the key is set aside for good (staff told once)
 *   429                     the key cools down for retry-after seconds
 *   5xx, 498, timeout, net  transient: another key, or a retry
 *   400 while sending tools the server may not do tools: again without them
 *   other 4xx               our request is wrong (model name…): give up
 * A question tries every usable key at most once, then retries
 * transient failures while attempts last; when nothing usable is left the
 * customer is told an operator will answer.
 *
 * No locking here: the plugin keeps one ring under its own mutex. Times
 * are milliseconds of any monotonic clock. */
#ifndef SUPPORT_KEYS_H
#define SUPPORT_KEYS_H

#include <stdint.h>

#define SUP_KEYS_MAX 16

typedef struct sup_key {
    int revoked;               /* 401/403: never again in this process */
    int64_t cool_until;        /* 429: not before this */
} sup_key;

typedef struct sup_keyring {
    int n;
    int next;                  /* where the round robin goes on */
    sup_key k[SUP_KEYS_MAX];
} sup_keyring;

/* outcome classes (sup_keys_classify) */
#define SUP_OUT_OK 0
#define SUP_OUT_AUTH 1         /* 401, 403 */
#define SUP_OUT_RATE 2         /* 429 */
#define SUP_OUT_TRANSIENT 3    /* 5xx, 498, timeout, network, a stream cut short */
#define SUP_OUT_TOOLS 4        /* 400 to a request with tools */
#define SUP_OUT_FATAL 5        /* any other answer: retrying cannot help */

/* status: HTTP status, or 0 when no answer arrived (transport error) */
int sup_keys_classify(int32_t status, int with_tools);

/* Updates key idx after an attempt (retry_after_s <= 0: 10 s for a 429).
 * Returns 1 when this call revoked the key (tell the staff), else 0. */
int sup_keys_report(sup_keyring *r, int idx, int outcome, int64_t retry_after_s, int64_t now);

/* The key for the next attempt of a question that already tried the keys
 * in the bitmask `tried`: a usable key not tried yet, round robin; when
 * every usable key was tried and `retry` is set (the last failure was
 * transient), any usable key. -1 when none is usable now. *wait_ms (may
 * be NULL) is then how long until the first cooling key is back (0 when
 * all are revoked). */
int sup_keys_pick(sup_keyring *r, int64_t now, uint32_t tried, int retry, int64_t *wait_ms);

/* counts for the staff screen */
void sup_keys_count(const sup_keyring *r, int64_t now, int *usable, int *cooling, int *revoked);

#endif
