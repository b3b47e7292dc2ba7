/* test_ratelimit.c - failed sign-in attempts (auth/ratelimit.h): a key is
 * refused after MAX failures until its window passes, a success clears it,
 * keys do not affect each other, and a flood of keys does not grow the
 * table or free a limited key early by more than the table's size. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "auth/ratelimit.h"

Test(ratelimit, refuses_after_max_until_window_passes)
{
    ds_ratelimit *r = ds_ratelimit_new(3, 60);
    time_t t = 1000;
    for (int i = 0; i < 3; i++) {
        cr_assert(ds_ratelimit_allowed(r, "user:a@b.c", t, NULL));
        ds_ratelimit_failed(r, "user:a@b.c", t);
    }
    unsigned retry = 0;
    cr_assert_not(ds_ratelimit_allowed(r, "user:a@b.c", t + 10, &retry));
    cr_assert_eq(retry, 50);
    cr_assert(ds_ratelimit_allowed(r, "user:other@b.c", t + 10, NULL), "keys are separate");
    cr_assert(ds_ratelimit_allowed(r, "user:a@b.c", t + 60, NULL), "the window passed");
    ds_ratelimit_failed(r, "user:a@b.c", t + 61);
    cr_assert(ds_ratelimit_allowed(r, "user:a@b.c", t + 61, NULL), "a new window counts anew");
    ds_ratelimit_free(r);
}

Test(ratelimit, success_clears)
{
    ds_ratelimit *r = ds_ratelimit_new(2, 60);
    ds_ratelimit_failed(r, "addr:127.0.0.1", 5);
    ds_ratelimit_failed(r, "addr:127.0.0.1", 5);
    cr_assert_not(ds_ratelimit_allowed(r, "addr:127.0.0.1", 6, NULL));
    ds_ratelimit_succeeded(r, "addr:127.0.0.1");
    cr_assert(ds_ratelimit_allowed(r, "addr:127.0.0.1", 6, NULL));
    ds_ratelimit_free(r);
}

Test(ratelimit, flood_of_keys_keeps_recent_limits)
{
    ds_ratelimit *r = ds_ratelimit_new(1, 600);
    ds_ratelimit_failed(r, "user:victim@x.org", 100);
    /* Expired entries give way first: keys failing long ago are reused. */
    char key[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "addr:10.0.%d.%d", i / 256, i % 256);
        ds_ratelimit_failed(r, key, 101);
    }
    cr_assert_not(ds_ratelimit_allowed(r, "user:victim@x.org", 102, NULL),
                  "a thousand other keys do not push out a recent one");
    ds_ratelimit_free(r);
}
