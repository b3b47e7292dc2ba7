/* test_users.c - the users file (auth/users.h): PBKDF2 hashes that verify
 * and refuse, the first sign-in that stores a password, changes, removal,
 * bad input, a damaged file, the file's mode, and concurrent first
 * sign-ins that must all be kept. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/users.h"
#include "testutil.h"
#include "util/fs.h"

static char *root, *path;

static void setup(void)
{
    root = test_tmpdir();
    path = ds_users_path(root);
}

static void teardown(void)
{
    test_rmtree(root);
    free(root);
    free(path);
}

TestSuite(users, .init = setup, .fini = teardown);

Test(users, hash_verifies_only_its_password)
{
    ds_err err;
    char *h = ds_users_hash("correct horse", &err);
    cr_assert_not_null(h);
    cr_assert(ds_starts_with(h, "pbkdf2_sha256$310000$"), "%s", h);
    cr_assert(ds_users_hash_matches(h, "correct horse"));
    cr_assert_not(ds_users_hash_matches(h, "correct horsf"));
    cr_assert_not(ds_users_hash_matches(h, ""));
    char *again = ds_users_hash("correct horse", &err);
    cr_assert_str_neq(h, again, "a fresh salt each time");
    free(again);
    /* Malformed stored values never match. */
    cr_assert_not(ds_users_hash_matches("plain", "plain"));
    cr_assert_not(ds_users_hash_matches("pbkdf2_sha256$0$00$00", "x"));
    h[strlen(h) - 1] = 'z';
    cr_assert_not(ds_users_hash_matches(h, "correct horse"));
    free(h);
}

Test(users, original_ducksite_hash_verifies)
{
    /* Python: hashlib.pbkdf2_hmac('sha256', b'password1', bytes(16), 310000).hex(),
     * stored the way the original Ducksite stores it. */
    const char *stored = "pbkdf2_sha256$310000$00000000000000000000000000000000$"
                         "aea6751a232fdab49ace48e58a5bfd2858b9d6fdc102051bd000dedcf90af6f5";
    cr_assert(ds_users_hash_matches(stored, "password1"));
    cr_assert_not(ds_users_hash_matches(stored, "password2"));
}

Test(users, first_sign_in_stores_then_checks)
{
    ds_err err;
    cr_assert_eq(ds_users_check(path, "Ann@Example.org", "s3cret-pw", false, &err), DS_USERS_UNKNOWN);
    cr_assert_not(ds_exists(path), "checking creates nothing");
    cr_assert_eq(ds_users_check(path, "Ann@Example.org", "s3cret-pw", true, &err), DS_USERS_CREATED);
    cr_assert_eq(ds_users_check(path, "ann@example.org", "s3cret-pw", true, &err), DS_USERS_OK);
    cr_assert_eq(ds_users_check(path, "ANN@example.org", "wrong-pw!", true, &err), DS_USERS_WRONG);
    cr_assert_eq(ds_users_check(path, "ann@example.org", "", false, &err), DS_USERS_WRONG);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "only the owner reads password hashes");
    char *text = ds_read_file(path, NULL, &err);
    cr_assert(strstr(text, "\"ann@example.org\": \"pbkdf2_sha256$310000$"), "%s", text);
    cr_assert_null(strstr(text, "s3cret"));
    free(text);
}

Test(users, weak_and_bad_input_change_nothing)
{
    ds_err err;
    cr_assert_eq(ds_users_check(path, "a@b.c", "short", true, &err), DS_USERS_WEAK);
    cr_assert(strstr(err.msg, "at least 8"), "%s", err.msg);
    cr_assert_eq(ds_users_check(path, "not-an-email", "long enough", true, &err), DS_USERS_BAD);
    cr_assert_eq(ds_users_set(path, "a b@c.d", "long enough", false, false, &err), DS_USERS_BAD);
    cr_assert_eq(ds_users_set(path, "", "long enough", false, false, &err), DS_USERS_BAD);
    cr_assert_not(ds_exists(path));
}

Test(users, add_passwd_change_remove_list)
{
    ds_err err;
    cr_assert_eq(ds_users_set(path, "b@x.org", "password-b", false, true, &err), DS_USERS_OK);
    cr_assert_eq(ds_users_set(path, "a@x.org", "password-a", false, true, &err), DS_USERS_OK);
    cr_assert_eq(ds_users_set(path, "a@x.org", "password-2", false, true, &err), DS_USERS_WRONG,
                 "add refuses an existing user");
    cr_assert_eq(ds_users_set(path, "c@x.org", "password-c", true, false, &err), DS_USERS_UNKNOWN,
                 "passwd refuses an unknown user");
    cr_assert_eq(ds_users_set(path, "a@x.org", "password-2", true, false, &err), DS_USERS_OK);
    cr_assert_eq(ds_users_check(path, "a@x.org", "password-2", false, &err), DS_USERS_OK);
    cr_assert_eq(ds_users_change(path, "a@x.org", "password-a", "password-3", &err), DS_USERS_WRONG);
    cr_assert_eq(ds_users_change(path, "a@x.org", "password-2", "short", &err), DS_USERS_WEAK);
    cr_assert_eq(ds_users_change(path, "a@x.org", "password-2", "password-3", &err), DS_USERS_OK);
    cr_assert_eq(ds_users_check(path, "a@x.org", "password-3", false, &err), DS_USERS_OK);
    size_t n;
    char **list = ds_users_list(path, &n, &err);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(list[0], "a@x.org");
    cr_assert_str_eq(list[1], "b@x.org");
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
    cr_assert_eq(ds_users_remove(path, "B@x.org", &err), DS_USERS_OK);
    cr_assert_eq(ds_users_remove(path, "b@x.org", &err), DS_USERS_UNKNOWN);
    cr_assert_eq(ds_users_check(path, "b@x.org", "password-b", false, &err), DS_USERS_UNKNOWN);
}

Test(users, damaged_file_is_an_error_naming_it)
{
    ds_err err;
    char *dir = ds_path_dirname(path);
    cr_assert_eq(ds_mkdir_p(dir, &err), 0);
    free(dir);
    cr_assert_eq(ds_write_atomic(path, "{\"a@b.c\": ", 10, &err), 0);
    cr_assert_eq(ds_users_check(path, "a@b.c", "password", false, &err), DS_USERS_ERROR);
    cr_assert(strstr(err.msg, "users.json"), "%s", err.msg);
    cr_assert_eq(ds_users_set(path, "a@b.c", "password", false, false, &err), DS_USERS_ERROR);
    char *text = ds_read_file(path, NULL, &err);
    cr_assert_str_eq(text, "{\"a@b.c\": ", "a damaged file is left for its owner to fix");
    free(text);
}

#define THREADS 6

static void *sign_in(void *arg)
{
    char email[32];
    snprintf(email, sizeof email, "user%ld@x.org", (long)(intptr_t)arg);
    ds_err err;
    return (void *)(intptr_t)ds_users_check(path, email, "password-x", true, &err);
}

Test(users, concurrent_first_sign_ins_all_kept)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, sign_in, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        cr_assert_eq((intptr_t)r, DS_USERS_CREATED);
    }
    size_t n;
    ds_err err;
    char **list = ds_users_list(path, &n, &err);
    cr_assert_eq(n, THREADS, "every first sign-in was kept");
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}
