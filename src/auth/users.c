/* users.c - the users file of a site (see users.h and docs/forms.md). */
#include "users.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../util/fs.h"

#define SALT_BYTES 16
#define KEY_BYTES 32
#define SCHEME "pbkdf2_sha256"

char *ds_users_path(const char *root)
{
    return ds_path_join(root, DS_USERS_FILE);
}

char *ds_users_normal_email(const char *email, ds_err *err)
{
    size_t n = email ? strlen(email) : 0;
    if (n == 0) {
        ds_err_set(err, "an email address is required");
        return NULL;
    }
    if (n > DS_USERS_MAX_EMAIL) {
        ds_err_set(err, "email address longer than %d characters", DS_USERS_MAX_EMAIL);
        return NULL;
    }
    const char *at = strchr(email, '@');
    if (!at || at == email || at[1] == '\0' || strchr(at + 1, '@')) {
        ds_err_set(err, "'%s' is not an email address (name@domain)", email);
        return NULL;
    }
    char *out = ds_xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)email[i];
        if (c != '\0' && (c <= ' ' || c == 0x7f)) {
            free(out);
            ds_err_set(err, "an email address has no spaces or control characters");
            return NULL;
        }
        out[i] = (char)tolower(c);
    }
    return out;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool from_hex(const char *s, size_t len, unsigned char *out, size_t n)
{
    if (len != 2 * n)
        return false;
    for (size_t i = 0; i < 2 * n; i++) {
        int c = tolower((unsigned char)s[i]);
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return false;
        out[i / 2] = (unsigned char)(i % 2 ? (out[i / 2] << 4) | v : v);
    }
    return true;
}

static bool derive(const char *password, const unsigned char *salt, long iterations,
                   unsigned char key[KEY_BYTES])
{
    return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, SALT_BYTES, (int)iterations,
                             EVP_sha256(), KEY_BYTES, key) == 1;
}

char *ds_users_hash(const char *password, ds_err *err)
{
    unsigned char salt[SALT_BYTES], key[KEY_BYTES];
    if (RAND_bytes(salt, SALT_BYTES) != 1 || !derive(password, salt, DS_USERS_ITERATIONS, key)) {
        ds_err_set(err, "cannot hash a password: no random bytes from OpenSSL");
        return NULL;
    }
    char salt_hex[2 * SALT_BYTES + 1], key_hex[2 * KEY_BYTES + 1];
    to_hex(salt, SALT_BYTES, salt_hex);
    to_hex(key, KEY_BYTES, key_hex);
    return ds_asprintf(SCHEME "$%d$%s$%s", DS_USERS_ITERATIONS, salt_hex, key_hex);
}

bool ds_users_hash_matches(const char *stored, const char *password)
{
    if (!stored || !password || !ds_starts_with(stored, SCHEME "$"))
        return false;
    const char *p = stored + strlen(SCHEME) + 1;
    char *end;
    long iterations = strtol(p, &end, 10);
    if (end == p || *end != '$' || iterations < 1 || iterations > 10000000)
        return false;
    const char *salt_hex = end + 1, *dollar = strchr(salt_hex, '$');
    unsigned char salt[SALT_BYTES], want[KEY_BYTES], got[KEY_BYTES];
    if (!dollar || !from_hex(salt_hex, (size_t)(dollar - salt_hex), salt, SALT_BYTES) ||
        !from_hex(dollar + 1, strlen(dollar + 1), want, KEY_BYTES))
        return false;
    return derive(password, salt, iterations, got) && CRYPTO_memcmp(got, want, KEY_BYTES) == 0;
}

/* ---- the file ------------------------------------------------------------ */

/* The users object of PATH (an empty one when the file does not exist). */
static json_t *load(const char *path, ds_err *err)
{
    if (!ds_exists(path))
        return json_object();
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        ds_err_set(err, "%s:%d: not a users file: %s", path, je.line, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        ds_err_set(err, "%s: not a users file: expected an object {\"email\": \"hash\"}", path);
        return NULL;
    }
    return root;
}

static int save(const char *path, json_t *users, ds_err *err)
{
    char *dir = ds_path_dirname(path);
    int rc = ds_mkdir_p(dir, err);
    free(dir);
    if (rc != 0)
        return -1;
    char *text = json_dumps(users, JSON_SORT_KEYS | JSON_INDENT(2));
    size_t n = strlen(text);
    char *with_newline = ds_asprintf("%s\n", text);
    free(text);
    rc = ds_write_durable(path, with_newline, n + 1, 0600, err);
    free(with_newline);
    return rc;
}

/* An exclusive lock for a read-modify-write of PATH; -1 with err set. */
static int lock(const char *path, ds_err *err)
{
    char *dir = ds_path_dirname(path);
    int rc = ds_mkdir_p(dir, err);
    free(dir);
    if (rc != 0)
        return -1;
    char *name = ds_asprintf("%s.lock", path);
    int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) {
        ds_err_set(err, "cannot lock %s: %s", name, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    free(name);
    return fd;
}

static void unlock(int fd)
{
    flock(fd, LOCK_UN);
    close(fd);
}

/* Spends the time of one verification, so that an unknown email cannot be
 * told from a wrong password by how fast the answer comes. */
static void equal_time(const char *password)
{
    static const char dummy[] = SCHEME "$310000$00000000000000000000000000000000$"
                                       "0000000000000000000000000000000000000000000000000000000000000000";
    (void)ds_users_hash_matches(dummy, password ? password : "");
}

static ds_users_result weak_or_bad(const char *password, ds_err *err)
{
    size_t n = password ? strlen(password) : 0;
    if (n < DS_USERS_MIN_PASSWORD) {
        ds_err_set(err, "a password has at least %d characters", DS_USERS_MIN_PASSWORD);
        return DS_USERS_WEAK;
    }
    if (n > DS_USERS_MAX_PASSWORD) {
        ds_err_set(err, "a password has at most %d characters", DS_USERS_MAX_PASSWORD);
        return DS_USERS_BAD;
    }
    return DS_USERS_OK;
}

/* Stores a new hash of PASSWORD for EMAIL in USERS and saves the file. */
static ds_users_result store(const char *path, json_t *users, const char *email,
                             const char *password, ds_users_result ok, ds_err *err)
{
    char *hash = ds_users_hash(password, err);
    if (!hash)
        return DS_USERS_ERROR;
    json_object_set_new(users, email, json_string(hash));
    free(hash);
    return save(path, users, err) == 0 ? ok : DS_USERS_ERROR;
}

ds_users_result ds_users_check(const char *path, const char *email, const char *password,
                               bool create, ds_err *err)
{
    char *key = ds_users_normal_email(email, err);
    if (!key)
        return DS_USERS_BAD;
    ds_users_result r;
    int fd = -1;
    json_t *users = NULL;
    /* Reading needs no lock (the file is replaced by rename); creating does,
     * and re-reads under it so two first sign-ins do not both win. */
    if (create && (fd = lock(path, err)) < 0) {
        r = DS_USERS_ERROR;
        goto done;
    }
    users = load(path, err);
    if (!users) {
        r = DS_USERS_ERROR;
        goto done;
    }
    const char *stored = json_string_value(json_object_get(users, key));
    if (stored) {
        r = password && *password && ds_users_hash_matches(stored, password) ? DS_USERS_OK
                                                                             : DS_USERS_WRONG;
        if (r == DS_USERS_WRONG)
            ds_err_set(err, "wrong email or password");
    } else if (!create) {
        equal_time(password);
        ds_err_set(err, "wrong email or password");
        r = DS_USERS_UNKNOWN;
    } else if ((r = weak_or_bad(password, err)) == DS_USERS_OK) {
        r = store(path, users, key, password, DS_USERS_CREATED, err);
    }
done:
    json_decref(users);
    if (fd >= 0)
        unlock(fd);
    free(key);
    return r;
}

/* Runs a change of EMAIL's entry under the lock: the shared frame of
 * set/change/remove. */
typedef ds_users_result (*change_fn)(const char *path, json_t *users, const char *key,
                                     const char *stored, const void *arg, ds_err *err);

static ds_users_result locked_change(const char *path, const char *email, change_fn fn,
                                     const void *arg, ds_err *err)
{
    char *key = ds_users_normal_email(email, err);
    if (!key)
        return DS_USERS_BAD;
    ds_users_result r = DS_USERS_ERROR;
    int fd = lock(path, err);
    json_t *users = fd >= 0 ? load(path, err) : NULL;
    if (users)
        r = fn(path, users, key, json_string_value(json_object_get(users, key)), arg, err);
    json_decref(users);
    if (fd >= 0)
        unlock(fd);
    free(key);
    return r;
}

typedef struct {
    const char *password;
    bool must_exist, must_be_new;
} set_arg;

static ds_users_result do_set(const char *path, json_t *users, const char *key,
                              const char *stored, const void *arg, ds_err *err)
{
    const set_arg *a = arg;
    if (a->must_exist && !stored) {
        ds_err_set(err, "no user %s in %s", key, path);
        return DS_USERS_UNKNOWN;
    }
    if (a->must_be_new && stored) {
        ds_err_set(err, "user %s already exists in %s (change a password with "
                        "`ducksite user passwd`)", key, path);
        return DS_USERS_WRONG;
    }
    ds_users_result r = weak_or_bad(a->password, err);
    return r == DS_USERS_OK ? store(path, users, key, a->password, DS_USERS_OK, err) : r;
}

ds_users_result ds_users_set(const char *path, const char *email, const char *password,
                             bool must_exist, bool must_be_new, ds_err *err)
{
    set_arg a = {password, must_exist, must_be_new};
    return locked_change(path, email, do_set, &a, err);
}

typedef struct {
    const char *old_password, *new_password;
} change_arg;

static ds_users_result do_change(const char *path, json_t *users, const char *key,
                                 const char *stored, const void *arg, ds_err *err)
{
    const change_arg *a = arg;
    if (!stored) {
        equal_time(a->old_password);
        ds_err_set(err, "wrong email or password");
        return DS_USERS_UNKNOWN;
    }
    if (!a->old_password || !*a->old_password || !ds_users_hash_matches(stored, a->old_password)) {
        ds_err_set(err, "wrong email or password");
        return DS_USERS_WRONG;
    }
    ds_users_result r = weak_or_bad(a->new_password, err);
    return r == DS_USERS_OK ? store(path, users, key, a->new_password, DS_USERS_OK, err) : r;
}

ds_users_result ds_users_change(const char *path, const char *email, const char *old_password,
                                const char *new_password, ds_err *err)
{
    change_arg a = {old_password, new_password};
    return locked_change(path, email, do_change, &a, err);
}

static ds_users_result do_remove(const char *path, json_t *users, const char *key,
                                 const char *stored, const void *arg, ds_err *err)
{
    (void)arg;
    if (!stored) {
        ds_err_set(err, "no user %s in %s", key, path);
        return DS_USERS_UNKNOWN;
    }
    json_object_del(users, key);
    return save(path, users, err) == 0 ? DS_USERS_OK : DS_USERS_ERROR;
}

ds_users_result ds_users_remove(const char *path, const char *email, ds_err *err)
{
    return locked_change(path, email, do_remove, NULL, err);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **ds_users_list(const char *path, size_t *n, ds_err *err)
{
    *n = 0;
    json_t *users = load(path, err);
    if (!users)
        return NULL;
    char **out = ds_xcalloc(json_object_size(users) + 1, sizeof *out);
    const char *key;
    json_t *value;
    json_object_foreach(users, key, value) out[(*n)++] = ds_strdup(key);
    qsort(out, *n, sizeof *out, compare_strings);
    json_decref(users);
    return out;
}
