/* Keyed Russian texts: defaults registered by plugins, overridden by the
 * merchant in conf.d/texts/ (*.ini files) without a rebuild. */
#ifndef WH_TEXTS_H
#define WH_TEXTS_H

#include <stdarg.h>
#include <stdint.h>

#include "arena.h"

/* the effective text (override or default), NULL if the key is unknown */
const char *wh_text_get(const char *key);
/* key with {name} placeholders replaced by the NULL-terminated name/value
 * pairs in ap; an unknown key renders as the key itself so the gap shows */
char *wh_text_render(wh_arena *a, const char *key, va_list ap);
/* the same with n {name} → value pairs in two arrays (values already
 * escaped where they are user data); a key that is not registered is
 * taken as the template itself, so a plugin may pass literal text */
char *wh_text_render_pairs(wh_arena *a, const char *key, const char *const *names, const char *const *values,
                           size_t n);
/* loads every *.ini of dir: "[catalog] card.title = …" or "catalog.card.title = …"
 * at top level. Unknown keys are reported (typos) but do not stop the start.
 * A missing dir is not an error. Returns 0 or -1 with err set. */
int32_t wh_texts_load_dir(const char *dir, char *err, size_t errlen);

#endif
