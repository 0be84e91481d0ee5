/* Typed answers of form steps (walor_step_def, WALOR_STEP_*): what a user
 * typed — or the photo or contact they sent — checked against the step's
 * type and bounds and turned into the JSON value stored in the
 * conversation data. Pure (no DB, no context, no clock: today is passed
 * in), so it is unit-tested directly. INT, MONEY and STRING go through
 * wh_setting_normalize, the settings editor's checks. */
#ifndef WH_INPUT_H
#define WH_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* A civil date as days since 1970-01-01, and back. */
int64_t wh_days_from_civil(int64_t y, unsigned m, unsigned d);
void wh_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* "+7XXXXXXXXXX" from a Russian number written any usual way ("8 (912)
 * 345-67-89", "+7 912 3456789", "9123456789"); 0, or -1 when it is not one. */
int wh_phone_norm(const char *in, char out[13]);

/* The answer for a step of `type` (WALOR_STEP_INT … WALOR_STEP_PHOTO; not
 * CHOICE, whose answers are the form's business): text is what was typed
 * (or the caption), msg the Telegram message (for PHOTO and a shared
 * contact of PHONE; may be NULL), today the shop's date in days (DATE
 * bounds are days from it). 0 with a new reference in *out, or
 * WALOR_EINVAL with the reason in Russian in why. */
int32_t wh_input_parse(uint32_t type, int64_t min, int64_t max, const char *text, json_t *msg, int64_t today,
                       json_t **out, char *why, size_t whylen);

/* The location the message shares, as {"lat": …, "lon": …} (a new
 * reference), or NULL when it shares none (or a broken one). */
json_t *wh_input_location(json_t *msg);

#endif
