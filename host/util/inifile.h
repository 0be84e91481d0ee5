/* ini files through inih, without its traps (LIBRARIES.md): Debian's inih
 * cuts lines at 200 bytes silently, cuts section names at 49 bytes, calls
 * the handler once per continuation line and once per duplicate key. Here
 * a line too long is an error, never a cut; continuation lines are joined;
 * a duplicate key is an error; every error names path:line.
 *
 * Values: leading/trailing blanks trimmed and " ;comment" removed (inih);
 * indented lines continue the previous value, joined with "\n" (a value
 * that starts empty, "key =" then indented lines, gets no leading "\n");
 * then one pair of surrounding double quotes is removed; then "\n" in the
 * text becomes a newline and "\\" a backslash. Other quotes and
 * backslashes stay as written. Names are case-sensitive.
 *
 * inih is configured through process-wide variables; this module sets them
 * for the duration of a parse under a lock and restores them, so all ini
 * reading in walord should come through here. */
#ifndef WH_INI_H
#define WH_INI_H

#include <stddef.h>
#include <stdint.h>

#define WH_INI_MAX_VALUE 65536                  /* bytes of a value (long welcome texts) */
#define WH_INI_MAX_LINE (WH_INI_MAX_VALUE + 1024) /* bytes of one line, without its newline */
#define WH_INI_MAX_NAME 49                      /* bytes of a key or a section name (inih's buffers) */

/* Called once per key with its final value and the line the key is on.
 * Returns 0, or a negative WALOR_E* after setting the reason with
 * wh_error(): parsing stops and that reason is reported as path:line. */
typedef int (*wh_ini_fn)(void *ud, const char *section, const char *key, const char *value, int line);

/* 0, or a negative WALOR_E* (WALOR_ENOTFOUND when the file cannot be
 * opened, WALOR_EINVAL for a bad file, or what fn returned) with
 * "path:line: reason" in err (may be NULL) and in wh_last_error(). */
int32_t wh_ini_parse_file(const char *path, wh_ini_fn fn, void *ud, char *err, size_t errlen);

#endif
