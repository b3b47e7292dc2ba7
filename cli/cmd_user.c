/* cmd_user.c - `ducksite user add|passwd|remove EMAIL | list [--root DIR]`:
 * the people who may sign in (ROOT/auth/users.json, src/auth/users.h).
 *
 * A password never comes from the command line (other users of the
 * machine can read it in the process list, and the shell keeps it in its
 * history).  From a terminal it is asked for without echo, twice for a new
 * one; otherwise the first line of stdin is the password, for scripts and
 * tests (`printf '%s\n' "$PW" | ducksite user add EMAIL`). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/users.h"
#include "cli.h"
#include "config/config.h"
#include "util/fs.h"
#include "util/util.h"

/* The terminal's settings while echo is off, restored if Ctrl-C comes. */
static struct termios saved_termios;

static void restore_echo(int sig)
{
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* One line into BUF (SIZE bytes) without its line end.  False at the end
 * of input, or for a line too long for BUF. */
static bool read_line(char *buf, size_t size, const char **problem)
{
    if (!fgets(buf, (int)size, stdin)) {
        *problem = "no password given on stdin";
        return false;
    }
    size_t n = strlen(buf);
    if (n == size - 1 && buf[n - 1] != '\n') {
        *problem = "the password is longer than 1024 characters";
        return false;
    }
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return true;
}

/* Asks for a password on the terminal with echo off. */
static bool ask(const char *prompt, char *buf, size_t size, const char **problem)
{
    struct termios quiet;
    bool tty = tcgetattr(STDIN_FILENO, &saved_termios) == 0;
    if (tty) {
        quiet = saved_termios;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        signal(SIGINT, restore_echo);
        signal(SIGTERM, restore_echo);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    /* The prompt once echo is off: an answer typed after it is never shown
     * (and never dropped by the flush above). */
    fputs(prompt, stderr);
    fflush(stderr);
    bool ok = read_line(buf, size, problem);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
    }
    fputc('\n', stderr);
    return ok;
}

/* The new password: from the terminal twice, or one line of stdin.
 * Returns 0, or an exit code after printing why. */
static int new_password(const char *email, char *buf, size_t size)
{
    const char *problem = NULL;
    if (!isatty(STDIN_FILENO)) {
        if (read_line(buf, size, &problem))
            return DS_EXIT_OK;
        ds_error("%s; pipe it in, one line (`printf '%%s\\n' \"$PW\" | ducksite user ...`)",
                 problem);
        return DS_EXIT_ERROR;
    }
    char prompt[400], again[DS_USERS_MAX_PASSWORD + 2];
    snprintf(prompt, sizeof prompt, "New password for %s: ", email);
    if (!ask(prompt, buf, size, &problem) ||
        !ask("Same password again: ", again, sizeof again, &problem)) {
        ds_error("%s", problem);
        return DS_EXIT_ERROR;
    }
    bool same = strcmp(buf, again) == 0;
    memset(again, 0, sizeof again);
    if (!same) {
        ds_error("the two passwords differ; nothing changed (run the command again)");
        return DS_EXIT_ERROR;
    }
    return DS_EXIT_OK;
}

static int list(const char *path)
{
    ds_err err;
    size_t n = 0;
    char **emails = ds_users_list(path, &n, &err);
    if (!emails) { /* an absent file is no users; this one is unreadable */
        cli_error(err.msg);
        return DS_EXIT_ERROR;
    }
    for (size_t i = 0; i < n; i++) {
        puts(emails[i]);
        free(emails[i]);
    }
    free(emails);
    if (n == 0)
        ds_info("no users in %s; add one with `ducksite user add EMAIL`", path);
    return DS_EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
    const cli_command *cmd = cli_command_named("user");
    const char *action = argc > 1 ? argv[1] : NULL;
    static const char *const ACTIONS[] = {"add", "passwd", "remove", "list"};
    if (action && (strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0)) {
        printf("usage: ducksite user %s\n\n%s.\n\n"
               "  add EMAIL       add a user; the password is asked for twice\n"
               "  passwd EMAIL    change a user's password (their sessions end)\n"
               "  remove EMAIL    remove a user (their sessions end)\n"
               "  list            the users, one email a line\n\n"
               "options:\n  --root DIR           project directory (default: .)\n\n"
               "Passwords are read from the terminal without echo, or as one line of stdin\n"
               "when it is not a terminal; never from the command line.\n",
               cmd->usage, cmd->summary);
        return DS_EXIT_OK;
    }
    bool known = false;
    for (size_t i = 0; action && i < DS_ARRAY_LEN(ACTIONS); i++)
        known = known || strcmp(action, ACTIONS[i]) == 0;
    if (!known) {
        const char *best = action ? ds_suggest(action, ACTIONS, DS_ARRAY_LEN(ACTIONS)) : NULL;
        fprintf(stderr, "ducksite user: %s%s%s%s%s%s\nusage: ducksite user %s\n",
                action ? "unknown action '" : "missing action (add, passwd, remove or list)",
                action ? action : "", action ? "'" : "", best ? "; did you mean '" : "",
                best ? best : "", best ? "'?" : "", cmd->usage);
        return DS_EXIT_USAGE;
    }
    const char *root = ".", *email = NULL;
    bool is_list = strcmp(action, "list") == 0;
    const cli_opt opts[] = {
        {"--root", "DIR", "project directory (default: .)", &root, NULL},
        {"EMAIL", NULL, "the user's email address", &email, NULL},
    };
    int rc = cli_parse(cmd, argc - 1, argv + 1, opts, is_list ? 1 : 2);
    if (rc >= 0)
        return rc;

    char *toml = ds_path_join(root, DS_CONFIG_FILE);
    bool project = ds_is_file(toml);
    free(toml);
    if (!project) {
        ds_error("no %s in %s: users belong to a project; run this in one, or give --root DIR",
                 DS_CONFIG_FILE, root);
        return DS_EXIT_ERROR;
    }
    char *path = ds_users_path(root);
    if (is_list) {
        rc = list(path);
        free(path);
        return rc;
    }
    ds_err err;
    char *key = ds_users_normal_email(email, &err);
    if (!key) {
        ds_error("%s", err.msg);
        free(path);
        return DS_EXIT_ERROR;
    }
    ds_users_result r;
    char password[DS_USERS_MAX_PASSWORD + 2];
    if (strcmp(action, "remove") == 0) {
        r = ds_users_remove(path, key, &err);
    } else {
        bool add = strcmp(action, "add") == 0;
        if ((rc = new_password(key, password, sizeof password)) != DS_EXIT_OK) {
            free(key);
            free(path);
            return rc;
        }
        r = ds_users_set(path, key, password, !add, add, &err);
        memset(password, 0, sizeof password);
    }
    rc = DS_EXIT_ERROR;
    switch (r) {
    case DS_USERS_OK:
        rc = DS_EXIT_OK;
        if (strcmp(action, "add") == 0)
            printf("added %s to %s\n", key, path);
        else if (strcmp(action, "passwd") == 0)
            printf("changed the password of %s; their sessions end\n", key);
        else
            printf("removed %s from %s; their sessions end\n", key, path);
        break;
    case DS_USERS_UNKNOWN:
        ds_error("no user %s in %s; add one with `ducksite user add %s`", key, path, key);
        break;
    case DS_USERS_WRONG: /* add: the user exists */
        ds_error("%s already has an account in %s; change its password with `ducksite user "
                 "passwd %s`",
                 key, path, key);
        break;
    case DS_USERS_WEAK:
        ds_error("%s; choose a longer one (nothing changed)", err.msg);
        break;
    default:
        ds_error("%s", err.msg);
        break;
    }
    free(key);
    free(path);
    return rc;
}
