#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"

#define STATE_FORMAT 1
#define SAVE_EVERY_MS 1000

static void fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- snapshot (s->lock held) ---- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *files_json(tgsim_sim *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->nfiles; i++) {
        const tgsim_file *f = s->files[i];
        json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:i,s:i}", "file_id", f->file_id, "unique_id", f->unique_id,
                              "file_path", f->file_path, "file_name", str_or_null(f->file_name), "mime",
                              str_or_null(f->mime), "width", f->width, "height", f->height);
        /* a photo's thumbnail shares the photo's bytes: store them once */
        size_t same = i;
        for (size_t k = i; k-- > 0 && i - k <= 2;)
            if (s->files[k]->blob == f->blob)
                same = k;
        if (same != i) {
            json_object_set_new(o, "same_bytes_as", json_integer((json_int_t)same));
        } else {
            char *b64 = tgsim_base64_encode(f->blob->data, f->blob->len);
            json_object_set_new(o, "data_base64", b64 ? json_string(b64) : json_null());
            free(b64);
        }
        if (f->thumb)
            for (size_t k = 0; k < i; k++)
                if (s->files[k] == f->thumb)
                    json_object_set_new(o, "thumb", json_integer((json_int_t)k));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *chat_json(const tgsim_chat *c)
{
    json_t *msgs = json_array();
    for (size_t i = 0; i < c->nmsgs; i++) {
        const tgsim_msg *m = c->msgs[i];
        json_t *o = json_pack("{s:b,s:b,s:b,s:b}", "from_bot", m->from_bot, "edited", m->edited, "deleted",
                              m->deleted, "silent", m->silent);
        if (!m->deleted) {
            json_object_set(o, "tg", m->tg);
            json_object_set_new(o, "html", str_or_null(m->html));
            json_object_set(o, "markup", m->markup ? m->markup : json_null());
            json_object_set(o, "upload", m->upload ? m->upload : json_null());
        }
        json_array_append_new(msgs, o);
    }
    return json_pack("{s:I,s:I,s:b,s:O,s:O,s:o}", "user_id", (json_int_t)c->user->id, "version",
                     (json_int_t)c->version, "blocked", c->blocked, "answers", c->answers, "keyboard",
                     c->keyboard ? c->keyboard : json_null(), "messages", msgs);
}

static json_t *bot_json(const tgsim_bot *b)
{
    json_t *chats = json_array(), *upd = json_array();
    for (size_t i = 0; i < b->nchats; i++)
        json_array_append_new(chats, chat_json(b->chat_list[i]));
    for (size_t i = 0; i < b->nupd; i++)
        json_array_append_new(upd, json_pack("{s:O,s:b}", "update", b->upd[i].json, "forced", b->upd[i].forced));
    return json_pack("{s:I,s:I,s:O,s:O,s:o,s:o}", "id", (json_int_t)b->id, "next_update_id",
                     (json_int_t)b->next_update_id, "commands", b->commands, "allowed_updates",
                     b->allowed_updates ? b->allowed_updates : json_null(), "updates", upd, "chats", chats);
}

static json_t *snapshot(tgsim_sim *s)
{
    json_t *users = json_array(), *bots = json_array();
    for (size_t i = 0; i < s->nusers; i++) {
        const tgsim_user *u = s->user_list[i];
        json_array_append_new(users, json_pack("{s:I,s:s,s:o,s:o,s:s}", "id", (json_int_t)u->id, "first_name",
                                               u->first_name, "last_name", str_or_null(u->last_name), "username",
                                               str_or_null(u->username), "language_code", u->language_code));
    }
    for (size_t i = 0; i < s->nbots; i++)
        json_array_append_new(bots, bot_json(s->bots[i]));
    return json_pack("{s:s,s:i,s:I,s:I,s:o,s:o,s:o}", "tgsim_state", "tgsim", "format", STATE_FORMAT,
                     "next_user_id", (json_int_t)s->next_user_id, "next_cbq", (json_int_t)s->next_cbq, "users",
                     users, "files", files_json(s), "bots", bots);
}

static int write_atomically(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp) {
        fail(err, errlen, "out of memory");
        return -1;
    }
    snprintf(tmp, n, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -1 : 0;
    for (size_t done = 0; rc == 0 && done < len;) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = -1;
        else
            done += (size_t)w;
    }
    /* on disk before the rename: a crash leaves the old file or the new, never half of one */
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    if (fd >= 0 && close(fd) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        fail(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

int tgsim_state_save(tgsim_sim *s, const char *path, char *err, size_t errlen)
{
    pthread_mutex_lock(&s->lock);
    json_t *j = snapshot(s);
    pthread_mutex_unlock(&s->lock);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text) {
        fail(err, errlen, "out of memory");
        return -1;
    }
    int rc = write_atomically(path, text, strlen(text), err, errlen);
    free(text);
    return rc;
}

/* ---- restore ---- */

static const char *opt_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int load_files(tgsim_sim *s, json_t *files, char *err, size_t errlen)
{
    size_t n = json_array_size(files);
    s->files = calloc(n ? n : 1, sizeof *s->files);
    if (!s->files)
        return fail(err, errlen, "out of memory"), -1;
    s->files_cap = n ? n : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(files, i);
        json_int_t same = -1;
        const char *b64 = opt_str(o, "data_base64");
        if (json_is_integer(json_object_get(o, "same_bytes_as")))
            same = json_integer_value(json_object_get(o, "same_bytes_as"));
        if (!opt_str(o, "file_id") || !opt_str(o, "unique_id") || !opt_str(o, "file_path") ||
            (!b64 && (same < 0 || (size_t)same >= i)))
            return fail(err, errlen, "file %zu is incomplete", i), -1;
        tgsim_blob *blob;
        if (b64) {
            size_t len = 0;
            unsigned char *d = tgsim_base64_decode(b64, &len);
            if (!d)
                return fail(err, errlen, "file %zu: data_base64 is not base64", i), -1;
            blob = tgsim_blob_new(d, len);
            free(d);
        } else {
            blob = s->files[same]->blob;
            blob->refs++;
        }
        tgsim_file *f = calloc(1, sizeof *f);
        if (!f || !blob) {
            free(f);
            tgsim_blob_unref(blob);
            return fail(err, errlen, "out of memory"), -1;
        }
        f->file_id = tgsim_strdup(opt_str(o, "file_id"));
        f->unique_id = tgsim_strdup(opt_str(o, "unique_id"));
        f->file_path = tgsim_strdup(opt_str(o, "file_path"));
        f->file_name = opt_str(o, "file_name") ? tgsim_strdup(opt_str(o, "file_name")) : NULL;
        f->mime = opt_str(o, "mime") ? tgsim_strdup(opt_str(o, "mime")) : NULL;
        f->width = (int)json_integer_value(json_object_get(o, "width"));
        f->height = (int)json_integer_value(json_object_get(o, "height"));
        f->blob = blob;
        json_t *th = json_object_get(o, "thumb");
        if (json_is_integer(th) && json_integer_value(th) >= 0 && (size_t)json_integer_value(th) < i)
            f->thumb = s->files[json_integer_value(th)];
        s->files[s->nfiles++] = f;
    }
    return 0;
}

static int load_chat(tgsim_sim *s, tgsim_bot *b, json_t *o, char *err, size_t errlen)
{
    json_t *msgs = json_object_get(o, "messages");
    tgsim_user *u = tgsim_user_get(s, (int64_t)json_integer_value(json_object_get(o, "user_id")));
    if (!u || !json_is_array(msgs))
        return fail(err, errlen, "a chat of bot %lld names no known user", (long long)b->id), -1;
    tgsim_chat *c = tgsim_chat_open(b, u);
    if (!c)
        return fail(err, errlen, "out of memory"), -1;
    c->version = (uint64_t)json_integer_value(json_object_get(o, "version"));
    c->blocked = json_is_true(json_object_get(o, "blocked"));
    if (json_is_array(json_object_get(o, "answers")))
        json_array_extend(c->answers, json_object_get(o, "answers"));
    json_t *kb = json_object_get(o, "keyboard");
    c->keyboard = json_is_object(kb) ? json_incref(kb) : NULL;
    size_t n = json_array_size(msgs);
    c->msgs = calloc(n ? n : 1, sizeof *c->msgs);
    if (!c->msgs)
        return fail(err, errlen, "out of memory"), -1;
    c->cap = n ? n : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *mo = json_array_get(msgs, i);
        tgsim_msg *m = calloc(1, sizeof *m);
        if (!m)
            return fail(err, errlen, "out of memory"), -1;
        c->msgs[c->nmsgs++] = m;   /* message ids are positions: deleted ones keep theirs */
        m->id = (int64_t)i + 1;
        m->from_bot = json_is_true(json_object_get(mo, "from_bot"));
        m->edited = json_is_true(json_object_get(mo, "edited"));
        m->silent = json_is_true(json_object_get(mo, "silent"));
        m->deleted = json_is_true(json_object_get(mo, "deleted"));
        if (m->deleted)
            continue;
        json_t *tg = json_object_get(mo, "tg");
        if (!json_is_object(tg))
            return fail(err, errlen, "message %zu of chat %lld has no content", i + 1, (long long)u->id), -1;
        m->tg = json_incref(tg);
        m->html = opt_str(mo, "html") ? tgsim_strdup(opt_str(mo, "html")) : NULL;
        json_t *mk = json_object_get(mo, "markup"), *up = json_object_get(mo, "upload");
        m->markup = json_is_object(mk) ? json_incref(mk) : NULL;
        m->upload = json_is_object(up) ? json_incref(up) : NULL;
    }
    return 0;
}

static int load_bot(tgsim_sim *s, json_t *o, char *err, size_t errlen)
{
    json_int_t id = json_integer_value(json_object_get(o, "id"));
    tgsim_bot *b = NULL;
    for (size_t i = 0; i < s->nbots; i++)
        if (s->bots[i]->id == id)
            b = s->bots[i];
    if (!b)
        return 0; /* a bot of another token set: not served this time */
    json_int_t next = json_integer_value(json_object_get(o, "next_update_id"));
    if (next > b->next_update_id)
        b->next_update_id = next; /* --first-update-id may be higher still: the larger wins */
    json_t *cmds = json_object_get(o, "commands"), *allowed = json_object_get(o, "allowed_updates");
    if (json_is_object(cmds))
        json_object_update(b->commands, cmds);
    if (json_is_array(allowed))
        b->allowed_updates = json_incref(allowed);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "updates"), i, v) {
        json_t *u = json_object_get(v, "update");
        json_int_t uid = json_integer_value(json_object_get(u, "update_id"));
        if (!json_is_object(u) || uid <= 0)
            return fail(err, errlen, "update %zu of bot %lld is not an Update", i, (long long)id), -1;
        /* under its own id, with its own "injected" mark */
        json_t *copy = json_deep_copy(u);
        json_object_del(copy, "update_id");
        if (tgsim_bot_push_update(s, b, copy, (int64_t)uid) != (int64_t)uid)
            return fail(err, errlen, "out of memory"), -1;
        b->upd[b->nupd - 1].forced = json_is_true(json_object_get(v, "forced"));
    }
    json_array_foreach(json_object_get(o, "chats"), i, v) {
        if (load_chat(s, b, v, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static int restore(tgsim_sim *s, json_t *j, char *err, size_t errlen)
{
    if (!json_is_object(j) || strcmp(opt_str(j, "tgsim_state") ? opt_str(j, "tgsim_state") : "", "tgsim") != 0)
        return fail(err, errlen, "not a tgsim state file"), -1;
    json_int_t format = json_integer_value(json_object_get(j, "format"));
    if (format != STATE_FORMAT)
        return fail(err, errlen, "state format %lld, this tgsim reads %d", (long long)format, STATE_FORMAT), -1;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "users"), i, v) {
        json_int_t id = json_integer_value(json_object_get(v, "id"));
        if (id <= 0 || !opt_str(v, "first_name") ||
            !tgsim_user_add(s, (int64_t)id, opt_str(v, "first_name"), opt_str(v, "last_name"),
                            opt_str(v, "username"), opt_str(v, "language_code")))
            return fail(err, errlen, "user %zu is bad or repeated", i), -1;
    }
    json_int_t next_user = json_integer_value(json_object_get(j, "next_user_id"));
    if (next_user > s->next_user_id)
        s->next_user_id = next_user;
    s->next_cbq = json_integer_value(json_object_get(j, "next_cbq"));
    if (load_files(s, json_object_get(j, "files"), err, errlen) != 0)
        return -1;
    json_array_foreach(json_object_get(j, "bots"), i, v) {
        if (load_bot(s, v, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int tgsim_state_load(tgsim_sim *s, const char *path, char *err, size_t errlen)
{
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 0;
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j) {
        fail(err, errlen, "state file %s: %s (line %d)", path, je.text, je.line);
        return -1;
    }
    char why[256] = "";
    pthread_mutex_lock(&s->lock);
    int rc = restore(s, j, why, sizeof why);
    pthread_mutex_unlock(&s->lock);
    json_decref(j);
    if (rc != 0)
        fail(err, errlen, "state file %s: %s", path, why);
    return rc;
}

/* ---- the saver thread ---- */

static struct {
    tgsim_sim *sim;
    const char *path;
    pthread_t thread;
    bool started;
    uint64_t saved_gen;
} saver;

static void save_now(void)
{
    char err[512];
    uint64_t gen = atomic_load(&saver.sim->state_gen);
    if (tgsim_state_save(saver.sim, saver.path, err, sizeof err) == 0)
        saver.saved_gen = gen;
    else
        fprintf(stderr, "tgsim: %s\n", err);
}

static void *saver_main(void *arg)
{
    (void)arg;
    tgsim_sim *s = saver.sim;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        tgsim_wait_until(s, &s->stop_cond, tgsim_now_ms() + SAVE_EVERY_MS);
        if (s->stopping || atomic_load(&s->state_gen) == saver.saved_gen)
            continue;
        pthread_mutex_unlock(&s->lock);
        save_now();
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int tgsim_state_start(tgsim_sim *s, const char *path)
{
    saver.sim = s;
    saver.path = path;
    saver.saved_gen = atomic_load(&s->state_gen);
    if (pthread_create(&saver.thread, NULL, saver_main, NULL) != 0)
        return -1;
    saver.started = true;
    return 0;
}

int tgsim_state_stop(tgsim_sim *s)
{
    (void)s;
    if (!saver.started)
        return 0;
    pthread_join(saver.thread, NULL);
    saver.started = false;
    char err[512];
    if (tgsim_state_save(saver.sim, saver.path, err, sizeof err) != 0) {
        fprintf(stderr, "tgsim: %s\n", err);
        return -1;
    }
    return 0;
}
