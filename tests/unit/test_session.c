/* test_session.c - the session table (auth/session.h): ids are random 32
 * hex digits, a lookup finds the email and renews the idle time, sessions
 * end at their absolute or idle limit, by ds_sessions_end and by
 * ds_sessions_retain, a full table gives way to expired then least
 * recently used sessions, and the Cookie header parser takes only a
 * well-formed id from the right cookie. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "auth/session.h"

static bool is_hex_id(const char *id)
{
    if (strlen(id) != DS_SESSION_ID_LEN)
        return false;
    for (const char *p = id; *p; p++)
        if (!strchr("0123456789abcdef", *p))
            return false;
    return true;
}

Test(session, create_and_lookup)
{
    ds_sessions *t = ds_sessions_new(8, 3600, 600);
    char a[DS_SESSION_ID_SIZE], b[DS_SESSION_ID_SIZE], email[DS_SESSION_EMAIL_SIZE];
    cr_assert(ds_sessions_create(t, "alice@example.org", 7, 100, a));
    cr_assert(ds_sessions_create(t, "bob@example.org", 7, 100, b));
    cr_assert(is_hex_id(a), "%s", a);
    cr_assert(is_hex_id(b), "%s", b);
    cr_assert_str_neq(a, b, "ids are random");
    cr_assert(ds_sessions_lookup(t, a, 101, email));
    cr_assert_str_eq(email, "alice@example.org");
    cr_assert(ds_sessions_lookup(t, b, 101, email));
    cr_assert_str_eq(email, "bob@example.org");
    cr_assert_eq(ds_sessions_count(t), 2);
    /* a guess, a near miss, malformed ids */
    char guess[DS_SESSION_ID_SIZE];
    memcpy(guess, a, sizeof guess);
    guess[31] = guess[31] == '0' ? '1' : '0';
    cr_assert_not(ds_sessions_lookup(t, guess, 101, email));
    cr_assert_not(ds_sessions_lookup(t, "", 101, email));
    cr_assert_not(ds_sessions_lookup(t, "ABCDEF0123456789ABCDEF0123456789", 101, email));
    cr_assert_not(ds_sessions_lookup(t, "0123", 101, email));
    ds_sessions_free(t);
}

Test(session, absolute_and_idle_expiry)
{
    ds_sessions *t = ds_sessions_new(8, 100, 10);
    char id[DS_SESSION_ID_SIZE], email[DS_SESSION_EMAIL_SIZE];
    cr_assert(ds_sessions_create(t, "a@b.c", 1, 0, id));
    /* used every 9 s: the idle limit never strikes, the absolute one does */
    for (double now = 9; now < 100; now += 9)
        cr_assert(ds_sessions_lookup(t, id, now, email), "at %g", now);
    cr_assert_not(ds_sessions_lookup(t, id, 100, email), "100 s after sign-in");
    cr_assert_eq(ds_sessions_count(t), 0, "an expired session is removed when met");

    cr_assert(ds_sessions_create(t, "a@b.c", 1, 1000, id));
    cr_assert(ds_sessions_lookup(t, id, 1009.9, email));
    cr_assert(ds_sessions_lookup(t, id, 1019.8, email), "each use renews the idle time");
    cr_assert_not(ds_sessions_lookup(t, id, 1029.8, email), "10 s unused");
    /* fractions of a second count (idle_minutes may be small) */
    ds_sessions *quick = ds_sessions_new(2, 3600, 0.5);
    cr_assert(ds_sessions_create(quick, "a@b.c", 1, 0, id));
    cr_assert(ds_sessions_lookup(quick, id, 0.4, email));
    cr_assert_not(ds_sessions_lookup(quick, id, 0.95, email));
    ds_sessions_free(quick);
    ds_sessions_free(t);
}

Test(session, end)
{
    ds_sessions *t = ds_sessions_new(4, 100, 100);
    char id[DS_SESSION_ID_SIZE], other[DS_SESSION_ID_SIZE], email[DS_SESSION_EMAIL_SIZE];
    cr_assert(ds_sessions_create(t, "a@b.c", 1, 0, id));
    cr_assert(ds_sessions_create(t, "a@b.c", 1, 0, other));
    cr_assert(ds_sessions_end(t, id));
    cr_assert_not(ds_sessions_end(t, id), "already ended");
    cr_assert_not(ds_sessions_lookup(t, id, 1, email));
    cr_assert(ds_sessions_lookup(t, other, 1, email), "the user's other session lives on");
    ds_sessions_free(t);
}

Test(session, full_table_evicts_expired_then_least_recently_used)
{
    ds_sessions *t = ds_sessions_new(3, 1000, 50);
    char ids[5][DS_SESSION_ID_SIZE], email[DS_SESSION_EMAIL_SIZE];
    cr_assert(ds_sessions_create(t, "a@x.y", 1, 0, ids[0]));
    cr_assert(ds_sessions_create(t, "b@x.y", 1, 40, ids[1]));
    cr_assert(ds_sessions_create(t, "c@x.y", 1, 45, ids[2]));
    /* at 60, a (idle since 0) has expired: it gives way, not b */
    cr_assert(ds_sessions_lookup(t, ids[1], 60, email));
    cr_assert(ds_sessions_create(t, "d@x.y", 1, 60, ids[3]));
    cr_assert_eq(ds_sessions_count(t), 3, "the size is bounded");
    cr_assert_not(ds_sessions_lookup(t, ids[0], 60, email));
    /* none expired at 70: c, used least recently (45), gives way */
    cr_assert(ds_sessions_create(t, "e@x.y", 1, 70, ids[4]));
    cr_assert_eq(ds_sessions_count(t), 3);
    cr_assert_not(ds_sessions_lookup(t, ids[2], 70, email));
    cr_assert(ds_sessions_lookup(t, ids[1], 70, email));
    cr_assert_str_eq(email, "b@x.y");
    cr_assert(ds_sessions_lookup(t, ids[3], 70, email));
    cr_assert(ds_sessions_lookup(t, ids[4], 70, email));
    cr_assert_str_eq(email, "e@x.y");
    ds_sessions_free(t);
}

Test(session, many_sessions_stay_findable)
{
    /* chains in the hash: every id is found, removals keep the rest */
    enum { N = 2000 };
    ds_sessions *t = ds_sessions_new(N, 1000, 1000);
    static char ids[N][DS_SESSION_ID_SIZE];
    char email[DS_SESSION_EMAIL_SIZE], want[32];
    for (int i = 0; i < N; i++) {
        snprintf(want, sizeof want, "u%d@x.y", i);
        cr_assert(ds_sessions_create(t, want, 1, 1, ids[i]));
    }
    for (int i = 0; i < N; i += 2)
        cr_assert(ds_sessions_end(t, ids[i]));
    for (int i = 0; i < N; i++) {
        snprintf(want, sizeof want, "u%d@x.y", i);
        bool found = ds_sessions_lookup(t, ids[i], 2, email);
        cr_assert_eq(found, i % 2 == 1, "session %d", i);
        if (found)
            cr_assert_str_eq(email, want);
    }
    cr_assert_eq(ds_sessions_count(t), N / 2);
    ds_sessions_free(t);
}

static bool keep_tag_7(const char *email, uint64_t tag, void *ctx)
{
    (void)email;
    ++*(int *)ctx;
    return tag == 7;
}

Test(session, retain)
{
    ds_sessions *t = ds_sessions_new(4, 100, 100);
    char a[DS_SESSION_ID_SIZE], b[DS_SESSION_ID_SIZE], email[DS_SESSION_EMAIL_SIZE];
    cr_assert(ds_sessions_create(t, "a@b.c", 7, 0, a));
    cr_assert(ds_sessions_create(t, "b@b.c", 8, 0, b));
    int asked = 0;
    ds_sessions_retain(t, keep_tag_7, &asked);
    cr_assert_eq(asked, 2);
    cr_assert(ds_sessions_lookup(t, a, 1, email));
    cr_assert_not(ds_sessions_lookup(t, b, 1, email), "its password changed");
    ds_sessions_free(t);
}

static void *lookups(void *arg)
{
    ds_sessions *t = arg;
    char id[DS_SESSION_ID_SIZE], email[DS_SESSION_EMAIL_SIZE];
    for (int i = 0; i < 2000; i++) {
        if (!ds_sessions_create(t, "t@x.y", 1, i, id) || !ds_sessions_lookup(t, id, i, email))
            return NULL; /* the table has room for every thread: never evicted */
        ds_sessions_end(t, id);
    }
    return arg;
}

Test(session, threads)
{
    ds_sessions *t = ds_sessions_new(64, 1e9, 1e9);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, lookups, t);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        cr_assert_not_null(r);
    }
    cr_assert_eq(ds_sessions_count(t), 0);
    ds_sessions_free(t);
}

Test(session, cookie_header)
{
    const char *id = "0123456789abcdef0123456789abcdef";
    char got[DS_SESSION_ID_SIZE];
    char header[256];
    snprintf(header, sizeof header, "ducksite_session=%s", id);
    cr_assert(ds_session_cookie(header, "ducksite_session", got));
    cr_assert_str_eq(got, id);
    snprintf(header, sizeof header, "theme=dark; ducksite_session=%s ; x=1", id);
    cr_assert(ds_session_cookie(header, "ducksite_session", got));
    cr_assert_str_eq(got, id);
    snprintf(header, sizeof header, "a=b;ducksite_session=\"%s\"", id);
    cr_assert(ds_session_cookie(header, "ducksite_session", got), "quoted value");
    cr_assert_str_eq(got, id);
    /* the first one counts */
    snprintf(header, sizeof header, "ducksite_session=%s; ducksite_session=ffffffffffffffffffffffffffffffff", id);
    cr_assert(ds_session_cookie(header, "ducksite_session", got));
    cr_assert_str_eq(got, id);
    /* not ours, or not an id */
    snprintf(header, sizeof header, "xducksite_session=%s; ducksite_sessionx=%s", id, id);
    cr_assert_not(ds_session_cookie(header, "ducksite_session", got));
    cr_assert_not(ds_session_cookie(NULL, "ducksite_session", got));
    cr_assert_not(ds_session_cookie("", "ducksite_session", got));
    cr_assert_not(ds_session_cookie("ducksite_session=", "ducksite_session", got));
    cr_assert_not(ds_session_cookie("ducksite_session=0123", "ducksite_session", got));
    cr_assert_not(ds_session_cookie("ducksite_session=0123456789ABCDEF0123456789ABCDEF",
                                    "ducksite_session", got),
                  "upper case is not what we issue");
    cr_assert_not(ds_session_cookie("ducksite_session=0123456789abcdef0123456789abcdef0",
                                    "ducksite_session", got),
                  "too long");
    cr_assert_not(ds_session_cookie("ducksite_session=0123456789abcdef0123456789abcdeg",
                                    "ducksite_session", got));
}
