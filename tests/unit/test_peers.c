/* peers: a connection's in-flight limit; replies its queue cannot take are
 * held in order and sent as it reads; past the bound, dropped and counted;
 * a connection that is gone loses what was held for it. Over a real ROUTER
 * and DEALER pair (inproc). */
#include "peers.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static void *s_ctx, *s_router, *s_dealer;
static uint8_t s_id[] = "peer-1";

static void s_pair(int dealer_rcvhwm)
{
    int hwm = 4, one = 1;
    s_ctx = zmq_ctx_new();
    s_router = zmq_socket(s_ctx, ZMQ_ROUTER);
    s_dealer = zmq_socket(s_ctx, ZMQ_DEALER);
    zmq_setsockopt(s_router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s_router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(s_dealer, ZMQ_RCVHWM, &dealer_rcvhwm, sizeof dealer_rcvhwm);
    zmq_setsockopt(s_dealer, ZMQ_ROUTING_ID, s_id, sizeof s_id - 1);
    zmq_bind(s_router, "inproc://test-peers");
    zmq_connect(s_dealer, "inproc://test-peers");
    zmq_send(s_dealer, "hi", 2, 0); /* the router learns the peer */
    char buf[16];
    zmq_recv(s_router, buf, sizeof buf, 0);
    zmq_recv(s_router, buf, sizeof buf, 0);
}

static void s_unpair(void)
{
    zmq_close(s_dealer);
    zmq_close(s_router);
    zmq_ctx_term(s_ctx);
}

static void s_send(peers_t *p, size_t size, uint32_t n)
{
    zmq_msg_t m;
    zmq_msg_init_size(&m, size);
    memset(zmq_msg_data(&m), 0, size);
    memcpy(zmq_msg_data(&m), &n, sizeof n);
    peers_send(p, s_router, s_id, sizeof s_id - 1, &m);
}

TEST(in_flight_is_bounded_per_connection)
{
    peers_t *p = NULL;
    CHECK_EQ(peers_new(&p), 0);
    for (int i = 0; i < PEERS_INFLIGHT_MAX; i++)
        CHECK(peers_admit(p, "a", 1));
    CHECK(!peers_admit(p, "a", 1));
    CHECK(peers_admit(p, "b", 1)); /* another connection is another count */
    peers_answered(p, "a", 1);
    CHECK(peers_admit(p, "a", 1));
    peers_destroy(&p);
    CHECK(p == NULL);
}

TEST(held_replies_leave_in_order_as_the_peer_reads)
{
    peers_t *p = NULL;
    CHECK_EQ(peers_new(&p), 0);
    s_pair(2);
    for (uint32_t i = 0; i < 100; i++)
        s_send(p, 64, i);
    CHECK(peers_held(p) > 0); /* a queue of a few: the rest waits here */
    uint32_t next = 0;
    for (int spins = 0; spins < 10000 && next < 100; spins++) {
        uint32_t got;
        char buf[64];
        peers_flush(p, s_router);
        while (zmq_recv(s_dealer, buf, sizeof buf, ZMQ_DONTWAIT) == 64) {
            memcpy(&got, buf, sizeof got);
            CHECK_EQ(got, next);
            next++;
        }
    }
    if (next != 100)
        printf("# %u arrived, %zu held\n", next, peers_held(p));
    CHECK_EQ(next, 100u);
    CHECK_EQ(peers_held(p), 0u);
    CHECK_EQ(peers_dropped(p), 0u);
    s_unpair();
    peers_destroy(&p);
}

TEST(a_peer_that_never_reads_is_bounded_and_counted)
{
    peers_t *p = NULL;
    CHECK_EQ(peers_new(&p), 0);
    s_pair(1);
    size_t one_mib = 1 << 20;
    for (uint32_t i = 0; i < (PEERS_HELD_BYTES >> 20) + 20; i++)
        s_send(p, one_mib, i);
    CHECK(peers_held_bytes(p) <= PEERS_HELD_BYTES);
    CHECK(peers_dropped(p) > 0);
    s_unpair(); /* the connection goes: what was held for it goes too */
    peers_destroy(&p);
}

int main(void)
{
    RUN(in_flight_is_bounded_per_connection);
    RUN(held_replies_leave_in_order_as_the_peer_reads);
    RUN(a_peer_that_never_reads_is_bounded_and_counted);
    return TEST_EXIT();
}
