#include "params.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    json_t *p = cls;
    if (key && tgsim_utf8_valid(value ? value : "", value ? strlen(value) : 0))
        json_object_set_new(p, key, json_string(value ? value : ""));
    return MHD_YES;
}

json_t *tgsim_params_collect(const tgsim_req *r, char *err, size_t errlen)
{
    json_t *p = json_object();
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, p);
    if (r->is_form) {
        for (size_t i = 0; i < r->nfields; i++) {
            const tgsim_field *f = &r->fields[i];
            if (f->filename)
                continue;
            const char *v = f->data.data ? f->data.data : "";
            if (!tgsim_utf8_valid(v, f->data.len)) {
                snprintf(err, errlen, "Bad Request: strings must be encoded in UTF-8");
                json_decref(p);
                return NULL;
            }
            json_object_set_new(p, f->key, json_stringn(v, f->data.len));
        }
    } else if (r->body.len) {
        json_error_t je;
        json_t *b = json_loadb(r->body.data, r->body.len, 0, &je);
        if (!b || !json_is_object(b)) {
            snprintf(err, errlen, "Bad Request: can't parse JSON object");
            json_decref(b);
            json_decref(p);
            return NULL;
        }
        json_object_update(p, b);
        json_decref(b);
    }
    return p;
}

int tgsim_param_int(const json_t *p, const char *key, int64_t *out)
{
    json_t *v = json_object_get(p, key);
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 1;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d != (double)(int64_t)d)
            return -1;
        *out = (int64_t)d;
        return 1;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!*s)
            return 0;
        char *end;
        errno = 0;
        long long x = strtoll(s, &end, 10);
        if (errno || *end)
            return -1;
        *out = x;
        return 1;
    }
    return -1;
}

const char *tgsim_param_str(const json_t *p, const char *key)
{
    json_t *v = json_object_get(p, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

bool tgsim_param_bool(const json_t *p, const char *key)
{
    json_t *v = json_object_get(p, key);
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        return !strcasecmp(s, "true") || !strcmp(s, "1");
    }
    return false;
}

json_t *tgsim_param_json(const json_t *p, const char *key, bool *bad)
{
    json_t *v = json_object_get(p, key);
    *bad = false;
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_object(v) || json_is_array(v))
        return json_incref(v);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!*s)
            return NULL;
        json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
        if (j && (json_is_object(j) || json_is_array(j)))
            return j;
        json_decref(j);
    }
    *bad = true;
    return NULL;
}
