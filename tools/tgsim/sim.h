/* The simulated Telegram: bots, users, private chats, messages, pending
 * updates, stored files and callback queries. One mutex guards all of it;
 * every request holds it only for in-memory work, never across I/O. */
#ifndef TGSIM_SIM_H
#define TGSIM_SIM_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calllog.h"
#include "faults.h"
#include "imap.h"
#include "ratelimit.h"

typedef struct tgsim_user {
    int64_t id;
    char *first_name, *last_name, *username, *language_code;
} tgsim_user;

typedef struct tgsim_msg {
    int64_t id;
    bool from_bot, edited, deleted, silent;
    json_t *tg;         /* the Message object exactly as the Bot API returns it */
    char *html;         /* text or caption as the bot sent it with parse_mode=HTML */
    json_t *markup;     /* reply_markup as sent, of any kind (Message shows inline only) */
    json_t *upload;     /* {filename, content_type} of the bot's upload or URL, NULL otherwise */
} tgsim_msg;

struct tgsim_bot;

typedef struct tgsim_chat {
    struct tgsim_bot *bot;
    tgsim_user *user;
    tgsim_msg **msgs;   /* msgs[i] has message_id i + 1: ids are per chat, as in Telegram */
    size_t nmsgs, cap;
    uint64_t version;   /* bumped on every change the bot makes here */
    bool blocked;
    json_t *answers;    /* callback answers shown to this user */
    json_t *keyboard;   /* the reply keyboard currently shown, or NULL */
    tgsim_window rate;
    /* sendMessageDraft (draft.c): the partial reply being streamed, or
     * NULL; transient — gone when a bot message arrives or it expires */
    json_t *draft;
    int64_t draft_ms;   /* monotonic time of its last update */
    int draft_life_ms;
} tgsim_chat;

typedef struct tgsim_update {
    int64_t id;
    json_t *json;
    bool forced;        /* injected with an explicit id: deliver at least once */
    bool returned;
} tgsim_update;

typedef struct tgsim_bot {
    int64_t id;
    char *token_prefix;
    char *username, *first_name;
    tgsim_imap chats;           /* user id -> tgsim_chat* */
    tgsim_chat **chat_list;
    size_t nchats, chats_cap;
    tgsim_update *upd;
    size_t nupd, upd_cap;
    int64_t next_update_id;
    json_t *allowed_updates;    /* NULL = Telegram's default set */
    uint64_t poll_gen;          /* a newer getUpdates terminates an older one */
    pthread_cond_t upd_cond;    /* updates arrived, webhook changed, or shutting down */
    char *webhook_url, *webhook_secret;
    int64_t wh_error_date;
    char *wh_error_msg;
    int wh_max_conn;
    bool wh_inflight;
    pthread_t pusher;
    bool pusher_started;
    json_t *commands;           /* "scope-json|lang" -> [BotCommand] */
} tgsim_bot;

typedef struct tgsim_blob {
    int refs;
    size_t len;
    unsigned char data[];
} tgsim_blob;

typedef struct tgsim_file {
    char *file_id, *unique_id, *file_path, *file_name, *mime;
    tgsim_blob *blob;
    int width, height;
    struct tgsim_file *thumb;   /* smaller PhotoSize of the same photo, or NULL */
} tgsim_file;

typedef struct tgsim_cbq {
    struct tgsim_bot *bot;
    int64_t user_id;
    bool answered;
} tgsim_cbq;

typedef struct tgsim_token {
    char *token;
    tgsim_bot *bot;
} tgsim_token;

typedef struct tgsim_config {
    int rate_global, rate_per_chat;
    int webhook_timeout_ms;
    size_t log_cap;
    size_t chat_history;    /* messages kept per chat; older ones are forgotten */
    int64_t first_update_id; /* 0 = the default */
    int draft_lifetime_ms;  /* a sendMessageDraft draft without an update is gone after this */
    bool quiet;
} tgsim_config;

typedef struct tgsim_sim {
    pthread_mutex_t lock;
    pthread_cond_t chat_cond;   /* some chat's version changed */
    pthread_cond_t stop_cond;   /* only signalled at shutdown: hang faults sleep on it */
    int chat_waiters;
    _Atomic bool stopping;     /* also read without the lock by curl's progress callback */
    _Atomic uint64_t state_gen; /* bumped after every request that may change the world (state.c) */
    tgsim_config cfg;

    tgsim_token *tokens;
    size_t ntokens;
    tgsim_bot **bots;
    size_t nbots;

    tgsim_imap users;
    tgsim_user **user_list;
    size_t nusers, users_cap;
    int64_t next_user_id;

    tgsim_file **files;         /* files[i] is file number i + 1 */
    size_t nfiles, files_cap;

    tgsim_imap cbqs;            /* numeric callback query id -> tgsim_cbq* */
    int64_t next_cbq;

    int rate_global, rate_per_chat;
    tgsim_window rate;
    tgsim_faults faults;
    tgsim_calllog log;
    json_t *disabled;           /* Bot API method names answered 404, as by an older server */
} tgsim_sim;

int tgsim_sim_init(tgsim_sim *s, const tgsim_config *cfg);
int tgsim_sim_add_token(tgsim_sim *s, const char *token, const char *username, const char *first_name);
void tgsim_sim_free(tgsim_sim *s);
void tgsim_sim_reset(tgsim_sim *s);

tgsim_bot *tgsim_bot_by_token(tgsim_sim *s, const char *token, size_t len);
/* By username (with or without @), numeric id, or NULL/"" for the first bot. */
tgsim_bot *tgsim_bot_select(tgsim_sim *s, const char *sel);
json_t *tgsim_bot_user_json(const tgsim_bot *b);
bool tgsim_update_allowed(const tgsim_bot *b, const json_t *update);
/* Queues an update (steals it). forced_id > 0 delivers it under that id even
 * if it repeats one. Returns the update_id. */
int64_t tgsim_bot_push_update(tgsim_sim *s, tgsim_bot *b, json_t *update, int64_t forced_id);
void tgsim_bot_drop_updates(tgsim_bot *b);

tgsim_user *tgsim_user_add(tgsim_sim *s, int64_t id, const char *first, const char *last,
                           const char *username, const char *lang);
tgsim_user *tgsim_user_get(tgsim_sim *s, int64_t id);
json_t *tgsim_user_json(const tgsim_user *u);

tgsim_chat *tgsim_chat_get(tgsim_bot *b, int64_t user_id);
tgsim_chat *tgsim_chat_open(tgsim_bot *b, tgsim_user *u);
json_t *tgsim_chat_json(const tgsim_chat *c);
/* Also forgets the message that falls out of the chat's history window, so a
 * long benchmark keeps bounded memory. */
tgsim_msg *tgsim_chat_new_msg(tgsim_sim *s, tgsim_chat *c, bool from_bot);
/* Live (not deleted) message or NULL. */
tgsim_msg *tgsim_chat_msg(tgsim_chat *c, int64_t id);
void tgsim_chat_touch(tgsim_sim *s, tgsim_chat *c);
char *tgsim_chat_instance(const tgsim_chat *c);

/* Condition variables here run on CLOCK_MONOTONIC, so waits survive clock jumps. */
void tgsim_cond_init(pthread_cond_t *cv);
/* Waits on cv (s->lock held) until signalled or deadline_ms (monotonic) passes.
 * Returns false once the deadline has passed. */
bool tgsim_wait_until(tgsim_sim *s, pthread_cond_t *cv, int64_t deadline_ms);

tgsim_blob *tgsim_blob_new(const void *data, size_t len);
void tgsim_blob_unref(tgsim_blob *b);
/* kind is "photos" or "documents"; takes a reference to blob. */
tgsim_file *tgsim_file_add(tgsim_sim *s, tgsim_blob *blob, const char *kind, const char *name,
                           const char *mime, int width, int height);
tgsim_file *tgsim_file_by_id(tgsim_sim *s, const char *file_id);
tgsim_file *tgsim_file_by_path(tgsim_sim *s, const char *path);

/* New callback query; writes its string id into idbuf. */
tgsim_cbq *tgsim_cbq_new(tgsim_sim *s, tgsim_bot *b, int64_t user_id, char *idbuf, size_t n);
tgsim_cbq *tgsim_cbq_get(tgsim_sim *s, const char *id);

#endif
