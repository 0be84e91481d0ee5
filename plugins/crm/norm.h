/* crm: pure search helpers (no host calls), unit-tested in
 * tests/unit/plugins/crm/test_crm_norm.c.
 *
 *   - phone keys: any way a Russian number is written (+7 912 345-67-89,
 *     8 (912) 3456789, 79123456789, 912 345 67 89) gives the same key, the
 *     ten national digits "9123456789"; other numbers keep all their digits;
 *   - names are folded with the catalog's folding (catalog/text.c: case of
 *     Latin and Cyrillic, ё = е), so "СЕМЁН", "Семен" and "семён" meet;
 *   - a typed query is classified: @username, a number (an ID or a phone),
 *     or a part of a name. */
#ifndef CRM_NORM_H
#define CRM_NORM_H

#include <stddef.h>

#define CRM_PHONE_KEY_MAX 16 /* digits kept of a phone; a longer one is no phone */

/* The key of a phone as stored and searched: its digits, a Russian number
 * (11 digits from 7 or 8, or 10 from 9) as its ten national digits. out
 * holds CRM_PHONE_KEY_MAX + 1 bytes. Returns the key's length; 0 when the
 * text has no digit or more than CRM_PHONE_KEY_MAX of them. Characters
 * other than digits, spaces, + - ( ) . are ignored only when strict is 0
 * (a stored phone); strict 1 (a query) refuses them (returns 0). */
size_t crm_phone_key(const char *in, int strict, char out[CRM_PHONE_KEY_MAX + 1]);

/* What a staff member typed into the search. */
#define CRM_Q_SHORT    0 /* fewer than 2 characters: nothing to search for */
#define CRM_Q_USERNAME 1 /* "@name": text = "@name" folded, upper = "name~" */
#define CRM_Q_NUMBER   2 /* digits (and phone punctuation): id = the number when it can be a Telegram ID
                          * (1-15 digits, no punctuation other than spaces), phone = its key (5+ digits),
                          * trunk = the key without a leading 7/8 when typed as a trunk prefix ("8 912…") */
#define CRM_Q_NAME     3 /* anything else: text = folded */
#define CRM_Q_TEXT_MAX 128 /* bytes of a query kept (longer ones are cut on a character boundary) */

typedef struct crm_query {
    int kind;
    long long id;                      /* CRM_Q_NUMBER: 0 when it cannot be an ID */
    char text[CRM_Q_TEXT_MAX + 1];     /* CRM_Q_USERNAME, CRM_Q_NAME */
    char phone[CRM_PHONE_KEY_MAX + 1]; /* CRM_Q_NUMBER: "" when under 5 digits */
    char trunk[CRM_PHONE_KEY_MAX + 1]; /* CRM_Q_NUMBER: "" unless a trunk prefix was typed */
    char upper[CRM_Q_TEXT_MAX + 2];    /* CRM_Q_USERNAME: the name without "@" and with "~" after it, the
                                        * bound of its prefix range (usernames are [a-z0-9_]) */
} crm_query;

/* Classifies q (trimmed); returns out->kind. */
int crm_query_parse(const char *q, crm_query *out);

/* The folded search text of a person: "first last @username" (parts may be
 * NULL or ""), into out of n bytes (cut on a character boundary). */
void crm_name_fold(const char *first, const char *last, const char *username, char *out, size_t n);

/* A username as searched: lower case (Telegram's are [A-Za-z0-9_]), into
 * out of n bytes; "" for NULL. */
void crm_username_key(const char *username, char *out, size_t n);

#endif
