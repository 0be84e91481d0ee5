/* tgsim entry point: command line, start-up, and a clean shutdown on
 * SIGTERM/SIGINT (everything freed, so LeakSanitizer runs stay quiet). */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "sim.h"
#include "state.h"
#include "webhook.h"

#define MAX_TOKENS 16

static void usage(FILE *f)
{
    fputs("usage: tgsim --token TOKEN [--token TOKEN2 ...] [options]\n"
          "  --listen HOST:PORT       address to serve (default 127.0.0.1:8081; port 0 = any)\n"
          "  --port-file FILE         write the bound port to FILE once listening\n"
          "  --bot-username NAME      bot username (repeat for each bot; default walor_demo_bot)\n"
          "  --bot-name NAME          bot first_name (default \"Walor Demo\")\n"
          "  --rate-global N          flood limit: message calls per second overall (0 = off)\n"
          "  --rate-per-chat N        flood limit: message calls per second per chat (0 = off)\n"
          "  --webhook-timeout-ms N   webhook request timeout (default 10000)\n"
          "  --log-cap N              Bot API calls kept for /_sim/log (default 100000)\n"
          "  --first-update-id N      first update_id (default 500000001); a bot that keeps its\n"
          "                           database across tgsim runs needs ids it has not seen\n"
          "  --chat-history N         messages kept per chat (default 1000)\n"
          "  --state-file FILE        keep users, chats, files and update ids in FILE across\n"
          "                           restarts (written atomically; default: memory only)\n"
          "  --draft-lifetime-ms N    how long a sendMessageDraft draft lives without an update\n"
          "                           (default 30000)\n"
          "  --quiet                  no per-error logging from the HTTP library\n",
          f);
}

static int write_port_file(const char *path, int port)
{
    /* written then renamed: a harness polling the file never reads half a number */
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = -1;
    if (f) {
        fprintf(f, "%d\n", port);
        rc = fclose(f) == 0 && rename(tmp, path) == 0 ? 0 : -1;
    }
    free(tmp);
    return rc;
}

static int parse_nonneg(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < 0 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"token", required_argument, NULL, 't'},
        {"port-file", required_argument, NULL, 'p'},
        {"bot-username", required_argument, NULL, 'u'},
        {"bot-name", required_argument, NULL, 'n'},
        {"rate-global", required_argument, NULL, 'g'},
        {"rate-per-chat", required_argument, NULL, 'c'},
        {"webhook-timeout-ms", required_argument, NULL, 'w'},
        {"log-cap", required_argument, NULL, 'L'},
        {"first-update-id", required_argument, NULL, 'F'},
        {"chat-history", required_argument, NULL, 'H'},
        {"state-file", required_argument, NULL, 'S'},
        {"draft-lifetime-ms", required_argument, NULL, 'D'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *listen = "127.0.0.1:8081", *port_file = NULL, *bot_name = "Walor Demo", *state_file = NULL;
    const char *tokens[MAX_TOKENS], *usernames[MAX_TOKENS];
    int ntokens = 0, nusernames = 0, log_cap = 100000, history = 1000;
    tgsim_config cfg = {.webhook_timeout_ms = 10000, .draft_lifetime_ms = 30000};
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int bad = 0;
        switch (opt) {
        case 'l': listen = optarg; break;
        case 't':
            if (ntokens == MAX_TOKENS || !*optarg)
                bad = 1;
            else
                tokens[ntokens++] = optarg;
            break;
        case 'p': port_file = optarg; break;
        case 'u':
            if (nusernames == MAX_TOKENS)
                bad = 1;
            else
                usernames[nusernames++] = optarg[0] == '@' ? optarg + 1 : optarg;
            break;
        case 'n': bot_name = optarg; break;
        case 'g': bad = parse_nonneg(optarg, &cfg.rate_global); break;
        case 'c': bad = parse_nonneg(optarg, &cfg.rate_per_chat); break;
        case 'w': bad = parse_nonneg(optarg, &cfg.webhook_timeout_ms); break;
        case 'L': bad = parse_nonneg(optarg, &log_cap) || log_cap < 1; break;
        case 'F': {
            char *end = NULL;
            long long v = strtoll(optarg, &end, 10);
            bad = !end || *end || v < 1;
            cfg.first_update_id = v;
            break;
        }
        case 'H': bad = parse_nonneg(optarg, &history) || history < 1; break;
        case 'S': state_file = optarg; break;
        case 'D': bad = parse_nonneg(optarg, &cfg.draft_lifetime_ms) || cfg.draft_lifetime_ms < 1; break;
        case 'q': cfg.quiet = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad) {
            fprintf(stderr, "tgsim: bad value for %s\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (ntokens == 0 || optind != argc) {
        usage(stderr);
        return 2;
    }
    cfg.log_cap = (size_t)log_cap;
    cfg.chat_history = (size_t)history;

    /* Signals are taken by sigwait in this thread only; every thread created
     * from here on inherits the mask. */
    sigset_t sigs;
    /* a shell starts background jobs with SIGINT ignored, and an ignored
     * signal is discarded before sigwait could see it */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "tgsim: curl_global_init failed\n");
        return 1;
    }
    static tgsim_sim sim;
    if (tgsim_sim_init(&sim, &cfg) != 0) {
        fprintf(stderr, "tgsim: out of memory\n");
        return 1;
    }
    for (int i = 0; i < ntokens; i++) {
        size_t before = sim.nbots;
        const char *uname = nusernames ? usernames[0] : "walor_demo_bot";
        char generated[128];
        if (before < (size_t)nusernames) {
            uname = usernames[before];
        } else if (before > 0) {
            snprintf(generated, sizeof generated, "%s_%zu", uname, before + 1);
            uname = generated;
        }
        if (tgsim_sim_add_token(&sim, tokens[i], uname, bot_name) != 0) {
            fprintf(stderr, "tgsim: out of memory\n");
            return 1;
        }
    }

    int rc = 0, port = 0;
    char err[512] = "";
    tgsim_http *http = NULL;
    if (state_file && (tgsim_state_load(&sim, state_file, err, sizeof err) != 0 ||
                       tgsim_state_start(&sim, state_file) != 0)) {
        /* a state that cannot be read is never overwritten */
        fprintf(stderr, "tgsim: %s\n", *err ? err : "cannot start the state saver");
        tgsim_sim_free(&sim);
        curl_global_cleanup();
        return 1;
    }
    if (tgsim_webhook_start(&sim) != 0) {
        fprintf(stderr, "tgsim: cannot start webhook threads\n");
        rc = 1;
    } else if (!(http = tgsim_http_start(&sim, listen, &port, err, sizeof err))) {
        fprintf(stderr, "tgsim: %s\n", err);
        rc = 1;
    } else {
        char host[256];
        const char *colon = strrchr(listen, ':');
        size_t hl = colon ? (size_t)(colon - listen) : 0;
        snprintf(host, sizeof host, "%.*s", (int)hl, listen);
        printf("tgsim: listening on http://%s:%d\n", hl ? host : "127.0.0.1", port);
        fflush(stdout);
        if (port_file && write_port_file(port_file, port) != 0) {
            fprintf(stderr, "tgsim: cannot write %s\n", port_file);
            rc = 1;
        } else {
            int sig;
            sigwait(&sigs, &sig);
        }
    }

    pthread_mutex_lock(&sim.lock);
    sim.stopping = true;
    pthread_cond_broadcast(&sim.chat_cond);
    pthread_cond_broadcast(&sim.stop_cond);
    for (size_t i = 0; i < sim.nbots; i++)
        pthread_cond_broadcast(&sim.bots[i]->upd_cond);
    pthread_mutex_unlock(&sim.lock);
    tgsim_http_stop(http);
    tgsim_webhook_join(&sim);
    if (tgsim_state_stop(&sim) != 0)
        rc = 1;
    tgsim_sim_free(&sim);
    curl_global_cleanup();
    return rc;
}
