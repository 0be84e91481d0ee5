/* Parsing a getUpdates answer so that one bad update cannot stop the bot.
 *
 * Telegram's answer is {"ok":true,"result":[update, …]}. Parsed whole, one
 * update that jansson refuses (a string with \u0000 in it, a lone UTF-16
 * surrogate, a number out of range) failed the whole answer, the offset
 * never moved and the same answer came back for ever: no one got a reply.
 * So strings may hold NUL (JSON_ALLOW_NUL: the inbox sets such an update
 * aside, inbox.h), and when the answer still does not parse, it is cut into
 * its updates at the text level and each is parsed on its own; one that
 * does not parse becomes a stand-in, {"update_id": N, "walor_unparsed":
 * {"error": …, "raw": …}}, which the inbox sets aside while the offset
 * moves past it. */
#ifndef WH_TG_PARSE_H
#define WH_TG_PARSE_H

#include <stddef.h>

#include <jansson.h>

/* the key of a stand-in for an update that could not be parsed */
#define WH_UPDATE_UNPARSED "walor_unparsed"

/* One update (a webhook's body): the object, a stand-in when it does not
 * parse but names its update_id, or NULL when it does not even do that.
 * New reference. */
json_t *wh_tg_parse_update(const char *text, size_t len);

/* The "result" array of a getUpdates answer of len bytes (new reference),
 * or NULL with the reason in err when the text is not such an answer at
 * all (a proxy's error page) or not one of its updates has an update_id. */
json_t *wh_tg_parse_updates(const char *text, size_t len, char *err, size_t errlen);

/* 1 when a Bot API answer of len bytes says "ok": true at its top level,
 * without parsing it: a caller that does not read the result (a queued
 * send) needs no tree of the message Telegram echoes back. 0 otherwise
 * (an error answer, or not an answer: the caller parses it properly). */
int wh_tg_answer_ok(const char *text, size_t len);

#endif
