/* test_server_deadline.c - the header deadline (src/server/deadline.c):
 * a connection whose head is late is shut down even while bytes arrive;
 * one whose head is complete, or that was removed, is left alone. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/deadline.h"

/* True when the peer of S sees its connection shut down within MS. */
static bool peer_sees_end(int s, int ms)
{
    struct pollfd p = {s, POLLIN, 0};
    if (poll(&p, 1, ms) != 1)
        return false;
    char b;
    return read(s, &b, 1) == 0;
}

Test(deadline, late_head_is_shut_down_whatever_arrives)
{
    ds_err err;
    ds_deadline *d = ds_deadline_start(300, 20, &err);
    cr_assert(d, "%s", err.msg);
    int late[2], done[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, late), 0);
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, done), 0);
    ds_deadline_conn *cl = ds_deadline_add(d, late[0]);
    ds_deadline_conn *cd = ds_deadline_add(d, done[0]);
    ds_deadline_head_done(cd);
    /* Bytes keep coming on the late one: they do not extend its deadline. */
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(write(late[1], "G", 1), 1);
        usleep(20000);
    }
    cr_assert(peer_sees_end(late[1], 2000), "the late connection was not shut down");
    cr_assert_eq(ds_deadline_expired(d), 1);
    /* The other one's answer is under way: not shut down... */
    cr_assert(!peer_sees_end(done[1], 500));
    /* ...until its answer is done and the next head is late in turn. */
    ds_deadline_answer_done(d, cd);
    cr_assert(peer_sees_end(done[1], 2000));
    cr_assert_eq(ds_deadline_expired(d), 2);
    ds_deadline_remove(d, cl);
    ds_deadline_remove(d, cd);
    ds_deadline_stop(d);
    for (int i = 0; i < 2; i++) {
        close(late[i]);
        close(done[i]);
    }
}

Test(deadline, removed_connection_is_never_touched)
{
    ds_err err;
    ds_deadline *d = ds_deadline_start(100, 10, &err);
    cr_assert(d, "%s", err.msg);
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ds_deadline_remove(d, ds_deadline_add(d, sv[0]));
    cr_assert(!peer_sees_end(sv[1], 400));
    cr_assert_eq(ds_deadline_expired(d), 0);
    ds_deadline_stop(d);
    close(sv[0]);
    close(sv[1]);
}

Test(deadline, answer_from_a_shrunk_file_is_cut)
{
    ds_err err;
    ds_deadline *d = ds_deadline_start(60000, 10, &err);
    cr_assert(d, "%s", err.msg);
    FILE *f = tmpfile();
    cr_assert(f);
    int file = fileno(f);
    cr_assert_eq(ftruncate(file, 1000), 0);
    int sv[2], other[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, other), 0);
    ds_deadline_conn *c = ds_deadline_add(d, sv[0]);
    ds_deadline_conn *o = ds_deadline_add(d, other[0]);
    ds_deadline_head_done(c);
    ds_deadline_head_done(o);
    ds_deadline_body(d, c, file, 1000);
    ds_deadline_body(d, o, file, 1000);
    ds_deadline_answer_done(d, o); /* done before the file shrinks: left alone */
    ds_deadline_head_done(o);
    cr_assert(!peer_sees_end(sv[1], 200), "cut while the file was whole");
    cr_assert_eq(ftruncate(file, 999), 0);
    cr_assert(peer_sees_end(sv[1], 2000), "not cut after the file shrank");
    cr_assert(!peer_sees_end(other[1], 200));
    cr_assert_eq(ds_deadline_shrunk(d), 1);
    cr_assert_eq(ds_deadline_expired(d), 0);
    ds_deadline_remove(d, c);
    ds_deadline_remove(d, o);
    ds_deadline_stop(d);
    fclose(f);
    for (int i = 0; i < 2; i++) {
        close(sv[i]);
        close(other[i]);
    }
}
