/* Validation of typed setting values (walor_setting_def, WALOR_SET_*),
 * shared by the owner's settings editor, walor_setting_set() and the ini
 * defaults. Pure: no DB, no context; the plugin's own validate hook is the
 * caller's business. */
#ifndef WH_SETTING_H
#define WH_SETTING_H

#include <stddef.h>
#include <stdint.h>

#include <walor/types.h>

#define WH_SETTING_STRING_MAX 256 /* characters, when a STRING def says max 0 */
#define WH_SETTING_TEXT_MAX 4096  /* visible characters of a TEXT: one message */

/* Checks input against d and writes its canonical form into out:
 *   INT    decimal, within [min, max] (min == max == 0: any int64)
 *   BOOL   "yes" / "no" (accepts yes/no/true/false/on/off/1/0/да/нет/вкл/выкл)
 *   STRING the input trimmed, one line, [min, max] characters (max 0 = 256)
 *   TEXT   the input as is, if it is Telegram HTML Telegram accepts with at
 *          most max (0 or above 4096: 4096) and at least min visible chars
 *   MONEY  kopecks in decimal, within [min, max] kopecks (both 0: any)
 * 0, or WALOR_EINVAL with a reason in Russian for the owner in why and in
 * wh_last_error() ("Введите целое число от 1 до 60"); WALOR_ERANGE when
 * out is too small. */
int32_t wh_setting_normalize(const walor_setting_def *d, const char *input, char *out, size_t outlen,
                             char *why, size_t whylen);

#endif
