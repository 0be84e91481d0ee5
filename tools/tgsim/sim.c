#include "sim.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "text.h"

#define FIRST_USER_ID 100001
/* Real update ids are large; starting high catches bots that store them in 16 bits
 * or assume they start at 1. */
#define FIRST_UPDATE_ID 500000001
/* Callback query ids are 64-bit numbers rendered as strings in Telegram. */
#define CBQ_BASE 4000000000000000000LL

int tgsim_sim_init(tgsim_sim *s, const tgsim_config *cfg)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return -1;
    tgsim_cond_init(&s->chat_cond);
    tgsim_cond_init(&s->stop_cond);
    s->next_user_id = FIRST_USER_ID;
    s->rate_global = cfg->rate_global;
    s->rate_per_chat = cfg->rate_per_chat;
    s->disabled = json_array();
    if (!s->disabled)
        return -1;
    return tgsim_calllog_init(&s->log, cfg->log_cap ? cfg->log_cap : 100000);
}

static tgsim_bot *bot_new(int64_t id, const char *username, const char *first_name)
{
    tgsim_bot *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->id = id;
    b->username = tgsim_strdup(username);
    b->first_name = tgsim_strdup(first_name);
    b->next_update_id = FIRST_UPDATE_ID;
    b->wh_max_conn = 40;
    b->commands = json_object();
    tgsim_cond_init(&b->upd_cond);
    return b;
}

int tgsim_sim_add_token(tgsim_sim *s, const char *token, const char *username,
                        const char *first_name)
{
    int64_t id = 0;
    const char *colon = strchr(token, ':');
    if (colon && colon > token) {
        bool digits = true;
        for (const char *p = token; p < colon; p++)
            digits = digits && isdigit((unsigned char)*p);
        if (digits)
            id = strtoll(token, NULL, 10);
    }
    if (id <= 0)
        id = 1;
    tgsim_bot *bot = NULL;
    /* Tokens with the same numeric prefix are one bot (as after a token revoke). */
    for (size_t i = 0; i < s->nbots; i++)
        if (s->bots[i]->id == id)
            bot = s->bots[i];
    if (!bot) {
        tgsim_bot **nb = realloc(s->bots, (s->nbots + 1) * sizeof *nb);
        if (!nb)
            return -1;
        s->bots = nb;
        bot = bot_new(id, username, first_name);
        if (!bot)
            return -1;
        if (s->cfg.first_update_id > 0)
            bot->next_update_id = s->cfg.first_update_id;
        s->bots[s->nbots++] = bot;
    }
    tgsim_token *nt = realloc(s->tokens, (s->ntokens + 1) * sizeof *nt);
    if (!nt)
        return -1;
    s->tokens = nt;
    s->tokens[s->ntokens].token = tgsim_strdup(token);
    s->tokens[s->ntokens].bot = bot;
    s->ntokens++;
    return 0;
}

static void msg_free(tgsim_msg *m)
{
    if (!m)
        return;
    json_decref(m->tg);
    json_decref(m->markup);
    json_decref(m->upload);
    free(m->html);
    free(m);
}

static void chat_free(tgsim_chat *c)
{
    for (size_t i = 0; i < c->nmsgs; i++)
        msg_free(c->msgs[i]);
    free(c->msgs);
    json_decref(c->answers);
    json_decref(c->keyboard);
    json_decref(c->draft);
    tgsim_window_free(&c->rate);
    free(c);
}

void tgsim_bot_drop_updates(tgsim_bot *b)
{
    for (size_t i = 0; i < b->nupd; i++)
        json_decref(b->upd[i].json);
    b->nupd = 0;
}

static void bot_clear(tgsim_bot *b)
{
    for (size_t i = 0; i < b->nchats; i++)
        chat_free(b->chat_list[i]);
    free(b->chat_list);
    b->chat_list = NULL;
    b->nchats = b->chats_cap = 0;
    tgsim_imap_clear(&b->chats);
    tgsim_bot_drop_updates(b);
    json_decref(b->allowed_updates);
    b->allowed_updates = NULL;
    free(b->webhook_url);
    free(b->webhook_secret);
    free(b->wh_error_msg);
    b->webhook_url = b->webhook_secret = b->wh_error_msg = NULL;
    b->wh_error_date = 0;
    json_object_clear(b->commands);
}

static void user_free(tgsim_user *u)
{
    free(u->first_name);
    free(u->last_name);
    free(u->username);
    free(u->language_code);
    free(u);
}

static void clear_world(tgsim_sim *s)
{
    for (size_t i = 0; i < s->nbots; i++)
        bot_clear(s->bots[i]);
    for (size_t i = 0; i < s->nusers; i++)
        user_free(s->user_list[i]);
    free(s->user_list);
    s->user_list = NULL;
    s->nusers = s->users_cap = 0;
    tgsim_imap_clear(&s->users);
    for (size_t i = 0; i < s->nfiles; i++) {
        tgsim_file *f = s->files[i];
        free(f->file_id);
        free(f->unique_id);
        free(f->file_path);
        free(f->file_name);
        free(f->mime);
        tgsim_blob_unref(f->blob);
        free(f);
    }
    free(s->files);
    s->files = NULL;
    s->nfiles = s->files_cap = 0;
    for (size_t i = 0; i < s->cbqs.cap; i++)
        free(s->cbqs.slots[i].val);
    tgsim_imap_clear(&s->cbqs);
    tgsim_faults_clear(&s->faults);
    tgsim_window_free(&s->rate);
    json_array_clear(s->disabled);
}

void tgsim_sim_reset(tgsim_sim *s)
{
    clear_world(s);
    tgsim_calllog_reset(&s->log);
    s->next_user_id = FIRST_USER_ID;
    s->rate_global = s->cfg.rate_global;
    s->rate_per_chat = s->cfg.rate_per_chat;
    /* Update ids keep growing: a bot that survives the reset still sends its old
     * offset, and would silently confirm (drop) restarted low ids. */
    for (size_t i = 0; i < s->nbots; i++)
        pthread_cond_broadcast(&s->bots[i]->upd_cond);
    pthread_cond_broadcast(&s->chat_cond);
}

void tgsim_sim_free(tgsim_sim *s)
{
    clear_world(s);
    for (size_t i = 0; i < s->nbots; i++) {
        tgsim_bot *b = s->bots[i];
        json_decref(b->commands);
        free(b->upd);
        free(b->username);
        free(b->first_name);
        pthread_cond_destroy(&b->upd_cond);
        free(b);
    }
    free(s->bots);
    for (size_t i = 0; i < s->ntokens; i++)
        free(s->tokens[i].token);
    free(s->tokens);
    tgsim_calllog_free(&s->log);
    json_decref(s->disabled);
    pthread_cond_destroy(&s->chat_cond);
    pthread_cond_destroy(&s->stop_cond);
    pthread_mutex_destroy(&s->lock);
}

tgsim_bot *tgsim_bot_by_token(tgsim_sim *s, const char *token, size_t len)
{
    for (size_t i = 0; i < s->ntokens; i++)
        if (strlen(s->tokens[i].token) == len && !memcmp(s->tokens[i].token, token, len))
            return s->tokens[i].bot;
    return NULL;
}

tgsim_bot *tgsim_bot_select(tgsim_sim *s, const char *sel)
{
    if (!sel || !*sel)
        return s->nbots ? s->bots[0] : NULL;
    if (*sel == '@')
        sel++;
    for (size_t i = 0; i < s->nbots; i++) {
        char idbuf[32];
        snprintf(idbuf, sizeof idbuf, "%" PRId64, s->bots[i]->id);
        if (!strcasecmp(s->bots[i]->username, sel) || !strcmp(idbuf, sel))
            return s->bots[i];
    }
    return NULL;
}

json_t *tgsim_bot_user_json(const tgsim_bot *b)
{
    return json_pack("{s:I,s:b,s:s,s:s}", "id", (json_int_t)b->id, "is_bot", 1, "first_name",
                     b->first_name, "username", b->username);
}

static const char *update_type(const json_t *u)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)u, k, v)
        if (strcmp(k, "update_id"))
            return k;
    return "";
}

bool tgsim_update_allowed(const tgsim_bot *b, const json_t *update)
{
    const char *t = update_type(update);
    if (!b->allowed_updates || json_array_size(b->allowed_updates) == 0) {
        /* Telegram's default leaves out these three */
        return strcmp(t, "chat_member") && strcmp(t, "message_reaction") &&
               strcmp(t, "message_reaction_count");
    }
    size_t i;
    json_t *v;
    json_array_foreach(b->allowed_updates, i, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), t))
            return true;
    return false;
}

int64_t tgsim_bot_push_update(tgsim_sim *s, tgsim_bot *b, json_t *update, int64_t forced_id)
{
    (void)s;
    if (b->nupd == b->upd_cap) {
        size_t ncap = b->upd_cap ? b->upd_cap * 2 : 64;
        tgsim_update *nu = realloc(b->upd, ncap * sizeof *nu);
        if (!nu) {
            json_decref(update);
            return 0;
        }
        b->upd = nu;
        b->upd_cap = ncap;
    }
    int64_t id;
    if (forced_id > 0) {
        id = forced_id;
        if (forced_id >= b->next_update_id)
            b->next_update_id = forced_id + 1;
    } else {
        id = b->next_update_id++;
    }
    /* update_id first, as Telegram orders it: easier to read in logs */
    json_t *u = json_pack("{s:I}", "update_id", (json_int_t)id);
    json_object_del(update, "update_id");
    json_object_update(u, update);
    json_decref(update);
    b->upd[b->nupd++] = (tgsim_update){.id = id, .json = u, .forced = forced_id > 0};
    pthread_cond_broadcast(&b->upd_cond);
    return id;
}

tgsim_user *tgsim_user_add(tgsim_sim *s, int64_t id, const char *first, const char *last,
                           const char *username, const char *lang)
{
    if (id <= 0)
        id = s->next_user_id;
    if (tgsim_user_get(s, id))
        return NULL;
    if (id >= s->next_user_id)
        s->next_user_id = id + 1;
    if (s->nusers == s->users_cap) {
        size_t ncap = s->users_cap ? s->users_cap * 2 : 64;
        tgsim_user **nl = realloc(s->user_list, ncap * sizeof *nl);
        if (!nl)
            return NULL;
        s->user_list = nl;
        s->users_cap = ncap;
    }
    tgsim_user *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->id = id;
    u->first_name = tgsim_strdup(first ? first : "");
    u->last_name = last && *last ? tgsim_strdup(last) : NULL;
    u->username = username && *username ? tgsim_strdup(username) : NULL;
    u->language_code = tgsim_strdup(lang && *lang ? lang : "ru");
    if (tgsim_imap_put(&s->users, id, u) != 0) {
        user_free(u);
        return NULL;
    }
    s->user_list[s->nusers++] = u;
    return u;
}

tgsim_user *tgsim_user_get(tgsim_sim *s, int64_t id)
{
    return tgsim_imap_get(&s->users, id);
}

json_t *tgsim_user_json(const tgsim_user *u)
{
    json_t *o = json_pack("{s:I,s:b,s:s}", "id", (json_int_t)u->id, "is_bot", 0, "first_name",
                          u->first_name);
    if (u->last_name)
        json_object_set_new(o, "last_name", json_string(u->last_name));
    if (u->username)
        json_object_set_new(o, "username", json_string(u->username));
    json_object_set_new(o, "language_code", json_string(u->language_code));
    return o;
}

tgsim_chat *tgsim_chat_get(tgsim_bot *b, int64_t user_id)
{
    return tgsim_imap_get(&b->chats, user_id);
}

tgsim_chat *tgsim_chat_open(tgsim_bot *b, tgsim_user *u)
{
    tgsim_chat *c = tgsim_chat_get(b, u->id);
    if (c)
        return c;
    if (b->nchats == b->chats_cap) {
        size_t ncap = b->chats_cap ? b->chats_cap * 2 : 64;
        tgsim_chat **nl = realloc(b->chat_list, ncap * sizeof *nl);
        if (!nl)
            return NULL;
        b->chat_list = nl;
        b->chats_cap = ncap;
    }
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->bot = b;
    c->user = u;
    c->answers = json_array();
    if (tgsim_imap_put(&b->chats, u->id, c) != 0) {
        chat_free(c);
        return NULL;
    }
    b->chat_list[b->nchats++] = c;
    return c;
}

json_t *tgsim_chat_json(const tgsim_chat *c)
{
    const tgsim_user *u = c->user;
    json_t *o = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)u->id, "first_name", u->first_name,
                          "type", "private");
    if (u->last_name)
        json_object_set_new(o, "last_name", json_string(u->last_name));
    if (u->username)
        json_object_set_new(o, "username", json_string(u->username));
    return o;
}

tgsim_msg *tgsim_chat_new_msg(tgsim_sim *s, tgsim_chat *c, bool from_bot)
{
    size_t keep = s->cfg.chat_history ? s->cfg.chat_history : 1000;
    if (c->nmsgs >= keep) {
        tgsim_msg *old = c->msgs[c->nmsgs - keep];
        if (!old->deleted) {
            old->deleted = true;
            json_decref(old->tg);
            json_decref(old->markup);
            json_decref(old->upload);
            free(old->html);
            old->tg = old->markup = old->upload = NULL;
            old->html = NULL;
        }
    }
    if (c->nmsgs == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        tgsim_msg **nm = realloc(c->msgs, ncap * sizeof *nm);
        if (!nm)
            return NULL;
        c->msgs = nm;
        c->cap = ncap;
    }
    tgsim_msg *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->id = (int64_t)c->nmsgs + 1;
    m->from_bot = from_bot;
    c->msgs[c->nmsgs++] = m;
    return m;
}

tgsim_msg *tgsim_chat_msg(tgsim_chat *c, int64_t id)
{
    if (!c || id < 1 || (uint64_t)id > c->nmsgs)
        return NULL;
    tgsim_msg *m = c->msgs[id - 1];
    return m->deleted ? NULL : m;
}

void tgsim_chat_touch(tgsim_sim *s, tgsim_chat *c)
{
    c->version++;
    if (s->chat_waiters)
        pthread_cond_broadcast(&s->chat_cond);
}

char *tgsim_chat_instance(const tgsim_chat *c)
{
    char buf[32];
    uint64_t h = (uint64_t)c->bot->id * 0x9E3779B97F4A7C15ULL ^ (uint64_t)c->user->id;
    snprintf(buf, sizeof buf, "-%" PRIu64, (uint64_t)(h % 9000000000000000000ULL));
    return tgsim_strdup(buf);
}

void tgsim_cond_init(pthread_cond_t *cv)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &a);
    pthread_condattr_destroy(&a);
}

bool tgsim_wait_until(tgsim_sim *s, pthread_cond_t *cv, int64_t deadline_ms)
{
    if (tgsim_now_ms() >= deadline_ms)
        return false;
    struct timespec ts = {.tv_sec = deadline_ms / 1000, .tv_nsec = (deadline_ms % 1000) * 1000000L};
    pthread_cond_timedwait(cv, &s->lock, &ts);
    return tgsim_now_ms() < deadline_ms;
}

tgsim_blob *tgsim_blob_new(const void *data, size_t len)
{
    tgsim_blob *b = malloc(sizeof *b + len + 1);
    if (!b)
        return NULL;
    b->refs = 1;
    b->len = len;
    if (len)
        memcpy(b->data, data, len);
    b->data[len] = 0;
    return b;
}

void tgsim_blob_unref(tgsim_blob *b)
{
    if (b && --b->refs == 0)
        free(b);
}

static const char *ext_of(const char *name, const char *mime, const char *kind)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (dot && strlen(dot) <= 8 && dot[1])
        return dot;
    if (mime && !strcmp(mime, "image/png"))
        return ".png";
    if (mime && !strcmp(mime, "application/pdf"))
        return ".pdf";
    return strcmp(kind, "photos") ? "" : ".jpg";
}

tgsim_file *tgsim_file_add(tgsim_sim *s, tgsim_blob *blob, const char *kind, const char *name,
                           const char *mime, int width, int height)
{
    if (s->nfiles == s->files_cap) {
        size_t ncap = s->files_cap ? s->files_cap * 2 : 64;
        tgsim_file **nf = realloc(s->files, ncap * sizeof *nf);
        if (!nf)
            return NULL;
        s->files = nf;
        s->files_cap = ncap;
    }
    tgsim_file *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    long long n = (long long)s->nfiles + 1;
    char buf[128];
    /* shaped like real ids (base64url, type-specific prefix) and parseable back */
    snprintf(buf, sizeof buf, "%sAgIAAxkBAA%lld_sim", strcmp(kind, "photos") ? "BQAC" : "AgAC", n);
    f->file_id = tgsim_strdup(buf);
    snprintf(buf, sizeof buf, "AQAD%lld", n);
    f->unique_id = tgsim_strdup(buf);
    snprintf(buf, sizeof buf, "%s/file_%lld%s", kind, n, ext_of(name, mime, kind));
    f->file_path = tgsim_strdup(buf);
    f->file_name = name ? tgsim_strdup(name) : NULL;
    f->mime = mime ? tgsim_strdup(mime) : NULL;
    f->blob = blob;
    blob->refs++;
    f->width = width;
    f->height = height;
    s->files[s->nfiles++] = f;
    return f;
}

tgsim_file *tgsim_file_by_id(tgsim_sim *s, const char *file_id)
{
    if (!file_id || strlen(file_id) < 15)
        return NULL;
    long long n = strtoll(file_id + 14, NULL, 10);
    if (n < 1 || (size_t)n > s->nfiles)
        return NULL;
    tgsim_file *f = s->files[n - 1];
    return strcmp(f->file_id, file_id) ? NULL : f;
}

tgsim_file *tgsim_file_by_path(tgsim_sim *s, const char *path)
{
    const char *p = path ? strstr(path, "/file_") : NULL;
    if (!p)
        return NULL;
    long long n = strtoll(p + 6, NULL, 10);
    if (n < 1 || (size_t)n > s->nfiles)
        return NULL;
    tgsim_file *f = s->files[n - 1];
    return strcmp(f->file_path, path) ? NULL : f;
}

tgsim_cbq *tgsim_cbq_new(tgsim_sim *s, tgsim_bot *b, int64_t user_id, char *idbuf, size_t n)
{
    tgsim_cbq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->bot = b;
    q->user_id = user_id;
    int64_t num = ++s->next_cbq;
    if (tgsim_imap_put(&s->cbqs, num, q) != 0) {
        free(q);
        return NULL;
    }
    snprintf(idbuf, n, "%" PRId64, (int64_t)(CBQ_BASE + num));
    return q;
}

tgsim_cbq *tgsim_cbq_get(tgsim_sim *s, const char *id)
{
    if (!id)
        return NULL;
    char *end;
    long long v = strtoll(id, &end, 10);
    if (*end || v <= CBQ_BASE)
        return NULL;
    return tgsim_imap_get(&s->cbqs, v - CBQ_BASE);
}
