/* Request parameters unified into one JSON object, whatever the transport
 * (query string, JSON body, urlencoded or multipart form), with Telegram's
 * lenient typing: numbers may come as strings, nested objects as JSON strings. */
#ifndef TGSIM_PARAMS_H
#define TGSIM_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http.h"

/* New object, or NULL with err set when the JSON body is not an object. */
json_t *tgsim_params_collect(const tgsim_req *r, char *err, size_t errlen);

/* 1 = present and valid, 0 = absent, -1 = present but not an integer. */
int tgsim_param_int(const json_t *p, const char *key, int64_t *out);
/* String value (numbers are not strings here), or NULL. */
const char *tgsim_param_str(const json_t *p, const char *key);
bool tgsim_param_bool(const json_t *p, const char *key);
/* Object/array value, parsing a JSON string if needed. New reference, or NULL
 * when absent; *bad is set when present but not parseable. */
json_t *tgsim_param_json(const json_t *p, const char *key, bool *bad);

#endif
