/* Operations (F-HOST-03, 04, 09-12): what ops.c, ops_screens.c, report.c,
 * report_gate.c, help.c and help_pdf.c share. The pure parts (secret
 * scrubbing, the report gate, PDF layout) live in files that do not touch
 * wh_g, so unit tests link them without a daemon around them. */
#ifndef WH_OPS_H
#define WH_OPS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "ctx.h"

/* ---- secret scrubbing (report_gate.c, pure) ----
 * The rule, applied to everything that goes into an error report:
 *  1. In JSON, the value of every key whose name (case-insensitive)
 *     contains token, secret, password, passwd, api_key, apikey,
 *     authorization, cookie, credential, private_key or phone_number is
 *     replaced by "[скрыто]", whatever its type.
 *  2. In every text (JSON strings, error texts, the finished report), each
 *     occurrence of a known secret (the bot token, the part of it after
 *     ':', the webhook secret; secrets shorter than 6 bytes are ignored as
 *     they would blank ordinary words) and anything shaped like a bot token
 *     (6+ digits ':' 30+ of [A-Za-z0-9_-]) becomes "[скрыто]". */
#define WH_SCRUBBED "[скрыто]"
int wh_scrub_key(const char *key);
/* malloc'd copy of s with secrets replaced; NULL only on OOM (NULL s → "") */
char *wh_scrub_text(const char *s, const char *const *secrets, size_t nsecrets);
/* in place, recursively (rule 1 and rule 2 for string values) */
void wh_scrub_json(json_t *j, const char *const *secrets, size_t nsecrets);

/* ---- report gate (report_gate.c, pure; the caller locks) ----
 * At most WH_REPORT_RATE reports in any WH_REPORT_RATE_WINDOW seconds
 * overall; the same key (plugin + where + error) at most once per
 * WH_REPORT_DEDUP seconds, the repeats counted and summarised later. */
#define WH_REPORT_RATE 10
#define WH_REPORT_RATE_WINDOW 60
#define WH_REPORT_DEDUP 600
#define WH_REPORT_KEYS 64

#define WH_REPORT_SEND 0    /* send it now (with *repeats earlier repeats, if any) */
#define WH_REPORT_DUP 1     /* counted, to be summarised when its window ends */
#define WH_REPORT_LIMITED 2 /* over the overall rate: dropped, counted */

typedef struct wh_report_gate {
    struct {
        char *key;          /* malloc'd; NULL = free slot */
        int64_t since;      /* when its last report (or summary) went out */
        int64_t repeats;    /* occurrences held back since then */
    } e[WH_REPORT_KEYS];
    int64_t sent[WH_REPORT_RATE]; /* ring of send times */
    size_t nsent;                 /* total sends, ring index = nsent % RATE */
    int64_t limited;              /* dropped over the rate since the last send */
} wh_report_gate;

int wh_report_gate_check(wh_report_gate *g, const char *key, int64_t now, int64_t *repeats);
/* keys whose window ended with repeats held back: fn(key, repeats) for
 * each one the rate allows now (each counts as a send); returns how many */
size_t wh_report_gate_due(wh_report_gate *g, int64_t now, void (*fn)(const char *key, int64_t repeats, void *ud),
                          void *ud);
/* reports dropped over the rate since last asked; resets the count */
int64_t wh_report_gate_take_limited(wh_report_gate *g);
void wh_report_gate_free(wh_report_gate *g);

/* ---- PDF (help_pdf.c, pure: libharu only) ---- */
typedef struct wh_pdf_section {
    const char *title;     /* UTF-8 */
    const char *text;      /* plain UTF-8, paragraphs separated by '\n' */
} wh_pdf_section;

/* text width of s[0..len) in points */
typedef double (*wh_measure_fn)(void *ud, const char *s, size_t len);
/* How many bytes of s[0..len) go on a line `width` wide: up to the last
 * space that fits (the space itself included, so the next line starts
 * after it); a word wider than the line is cut at a UTF-8 boundary; at
 * least one character. */
size_t wh_wrap_line(const char *s, size_t len, double width, wh_measure_fn measure, void *ud);

#define WH_PDF_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
/* One A4 document: the title, then each section (title, paragraphs,
 * wrapped, new pages as needed). Emoji come from emoji_path (a colour
 * bitmap font, WH_PDF_EMOJI_FONT in pdf_text.h; NULL: none), characters no
 * font has are written "[U+XXXX]" (pdf_text.h). *out is malloc'd. 0, or -1
 * with err. */
int wh_pdf_render(const char *doc_title, const wh_pdf_section *s, size_t n, const char *font_path,
                  const char *emoji_path, unsigned char **out, size_t *outlen, char *err, size_t errlen);

/* ---- help (help.c) ---- */
int32_t wh_help_register(walor_plugin *core);     /* core's sections, /help, callbacks */
int32_t wh_help_admin(walor_ctx *c);               /* the admin "📚 Инструкции" screen */
void wh_help_fill(walor_host_api *api);

/* ---- reports (report.c) ---- */
void wh_report_install_crash_handler(void);
void wh_report_flush_due(void);                    /* any thread but a worker in a job: summaries */
void wh_report_fill(walor_host_api *api);

/* ---- the database's storage while it cannot be written (storage_watch.c) ---- */
int32_t wh_storage_watch_register(walor_plugin *core); /* its texts */
int wh_storage_watch_start(uv_loop_t *loop, wh_db *loop_db);
/* its table (owner host.storage) */
int32_t wh_storage_migrate(wh_db *db);
void wh_storage_watch_stop(void);

/* ---- screens (ops_screens.c) ---- */
int32_t wh_ops_screens_register(walor_plugin *core);

/* ---- started and stopped by main.c (ops.c): DB health check, the
 * summaries of repeated error reports ---- */
int wh_ops_start(uv_loop_t *loop, wh_db *loop_db);
void wh_ops_stop(void);
/* called on the loop when the database can be written again after it
 * could not (storage_watch.c): the host re-queues the updates it held and
 * wakes the scheduler and the event delivery */
void wh_ops_on_storage_resumed(void (*fn)(void));

/* ---- shared helpers (ops.c) ---- */
/* "dd.mm.yyyy HH:MM" in the shop's time zone (the process zone, see ops.c) */
const char *wh_ops_time(walor_ctx *c, int64_t t);
const char *wh_ops_text(const char *key);

#endif
