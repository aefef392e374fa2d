/* Unit tests for the ring between the reader, counter and detector. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"

/* More frames than slots, so that every slot is reused many times. */
#define FRAMES		(NS_RING_SLOTS * 50 + 123)
#define BATCH		100
/* The counter stamps usec with this, so the detector can tell. */
#define COUNTED		0x5a5a5a5aU

static struct ns_ring	 ring;

/*
 * Seconds that clock_gettime() adds to CLOCK_REALTIME.  A deadline taken
 * from it lies that far beyond the kernel's clock, as if the wall clock
 * had been stepped back while a thread slept.
 */
static time_t		 realtime_ahead;

/* Override the C library's clock_gettime(), for ring.c as well. */
int
clock_gettime(clockid_t id, struct timespec *ts)
{
	if (syscall(SYS_clock_gettime, id, ts) == -1)
		return -1;
	if (id == CLOCK_REALTIME)
		ts->tv_sec += realtime_ahead;
	return 0;
}

struct stage_result {
	uint32_t	 seen;		/* frames taken */
	uint32_t	 first;		/* sequence number of the first */
	uint32_t	 errors;	/* out of order or not counted */
	int		 nap_ended;	/* ns_ring_nap() reported the end */
};

static void *
produce(void *arg)
{
	struct ns_frame	*f;
	uint32_t	 i;

	(void)arg;
	for (i = 0; i < FRAMES; i++) {
		f = ns_ring_reserve(&ring);
		memset(f, 0, sizeof(*f));
		f->sec = i;
		ns_ring_commit(&ring);
	}
	ns_ring_close(&ring);
	return NULL;
}

static void *
count(void *arg)
{
	struct stage_result	*r = arg;
	struct ns_frame		*f;
	size_t			 i, n;

	while ((n = ns_ring_wait(&ring, NS_STAGE_COUNTER)) > 0) {
		if (n > BATCH)
			n = BATCH;
		for (i = 0; i < n; i++) {
			f = ns_ring_at(&ring, NS_STAGE_COUNTER, i);
			if (f->sec != r->seen)
				r->errors++;
			f->usec = f->sec ^ COUNTED;
			r->seen++;
		}
		ns_ring_release(&ring, NS_STAGE_COUNTER, n);
	}
	return NULL;
}

/* Take one batch as the detector stage, and return 0 at the end. */
static int
detect_batch(struct stage_result *r, uint32_t *next)
{
	struct ns_frame	*f;
	size_t		 i, n;

	if ((n = ns_ring_wait(&ring, NS_STAGE_DETECTOR)) == 0)
		return 0;
	if (n > BATCH)
		n = BATCH;
	for (i = 0; i < n; i++) {
		f = ns_ring_at(&ring, NS_STAGE_DETECTOR, i);
		if (r->seen == 0)
			r->first = f->sec;
		else if (f->sec != *next)
			r->errors++;
		if (f->usec != (f->sec ^ COUNTED))
			r->errors++;
		*next = f->sec + 1;
		r->seen++;
	}
	ns_ring_release(&ring, NS_STAGE_DETECTOR, n);
	return 1;
}

static void *
detect_all(void *arg)
{
	uint32_t	 next = 0;

	while (detect_batch(arg, &next))
		;
	return NULL;
}

/*
 * Attach and detach every few batches, as the detector thread does when
 * a reload switches the detectors off and on.  Frames seen must still be
 * counted ones, in order within each attached stretch.
 */
static void *
detect_toggling(void *arg)
{
	struct stage_result	*r = arg;
	struct stage_result	 part;
	uint32_t		 next = 0, round = 0;

	for (;;) {
		if (round++ % 2 == 1) {
			ns_ring_detach(&ring);
			if (ns_ring_nap(&ring, 1)) {
				r->nap_ended = 1;
				break;
			}
			continue;
		}
		ns_ring_attach(&ring);
		memset(&part, 0, sizeof(part));
		while (part.seen < 3 * BATCH && detect_batch(&part, &next))
			;
		r->seen += part.seen;
		r->errors += part.errors;
		if (part.seen == 0)
			break;
	}
	ns_ring_detach(&ring);
	return NULL;
}

static void *
detect_never(void *arg)
{
	struct stage_result	*r = arg;

	while (!ns_ring_nap(&ring, 5))
		;
	r->nap_ended = 1;
	return NULL;
}

static void
run(void *(*detector)(void *), int attached, struct stage_result *c,
    struct stage_result *d)
{
	pthread_t	 tp, tc, td;

	memset(c, 0, sizeof(*c));
	memset(d, 0, sizeof(*d));
	ck_assert_int_eq(ns_ring_init(&ring), 0);
	if (attached)
		ns_ring_attach(&ring);
	ck_assert_int_eq(pthread_create(&tc, NULL, count, c), 0);
	ck_assert_int_eq(pthread_create(&td, NULL, detector, d), 0);
	ck_assert_int_eq(pthread_create(&tp, NULL, produce, NULL), 0);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	pthread_join(td, NULL);
	ns_ring_free(&ring);
}

START_TEST(test_both_stages_see_every_frame)
{
	struct stage_result	 c, d;

	run(detect_all, 1, &c, &d);
	ck_assert_uint_eq(c.seen, FRAMES);
	ck_assert_uint_eq(c.errors, 0);
	ck_assert_uint_eq(d.seen, FRAMES);
	ck_assert_uint_eq(d.first, 0);
	ck_assert_uint_eq(d.errors, 0);
}
END_TEST

START_TEST(test_detached_stage_never_holds_the_reader)
{
	struct stage_result	 c, d;

	run(detect_never, 0, &c, &d);
	ck_assert_uint_eq(c.seen, FRAMES);
	ck_assert_uint_eq(c.errors, 0);
	ck_assert_int_eq(d.nap_ended, 1);
}
END_TEST

START_TEST(test_attach_and_detach_while_running)
{
	struct stage_result	 c, d;

	run(detect_toggling, 1, &c, &d);
	ck_assert_uint_eq(c.seen, FRAMES);
	ck_assert_uint_eq(c.errors, 0);
	ck_assert_uint_gt(d.seen, 0);
	ck_assert_uint_le(d.seen, FRAMES);
	ck_assert_uint_eq(d.errors, 0);
}
END_TEST

/* The stage after the counter returns 0 only when the counter has ended. */
START_TEST(test_end_after_counter)
{
	struct ns_frame		*f;
	struct stage_result	 d;
	uint32_t		 next = 0;

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(ns_ring_init(&ring), 0);
	ns_ring_attach(&ring);
	f = ns_ring_reserve(&ring);
	memset(f, 0, sizeof(*f));
	ns_ring_commit(&ring);
	ns_ring_close(&ring);

	ck_assert_uint_eq(ns_ring_wait(&ring, NS_STAGE_COUNTER), 1);
	f = ns_ring_at(&ring, NS_STAGE_COUNTER, 0);
	f->usec = f->sec ^ COUNTED;
	ns_ring_release(&ring, NS_STAGE_COUNTER, 1);
	ck_assert_int_eq(detect_batch(&d, &next), 1);
	ck_assert_uint_eq(d.seen, 1);
	ck_assert_uint_eq(ns_ring_wait(&ring, NS_STAGE_COUNTER), 0);
	ck_assert_int_eq(detect_batch(&d, &next), 0);
	ck_assert_int_eq(ns_ring_nap(&ring, 1), 1);
	ns_ring_free(&ring);
}
END_TEST

static void *
count_once(void *arg)
{
	atomic_int	*woke = arg;

	ns_ring_wait(&ring, NS_STAGE_COUNTER);
	atomic_store(woke, 1);
	return NULL;
}

/*
 * One frame is less than a batch and wakes no stage, so the counter finds
 * it when its timed wait ends.  That wait must not depend on the wall
 * clock.
 */
START_TEST(test_stage_wait_ignores_wall_clock)
{
	struct ns_frame	*f;
	pthread_t	 tc;
	atomic_int	 woke;
	int		 i;

	atomic_init(&woke, 0);
	ck_assert_int_eq(ns_ring_init(&ring), 0);
	realtime_ahead = 3600;
	ck_assert_int_eq(pthread_create(&tc, NULL, count_once, &woke), 0);
	while (!atomic_load(&ring.stage[NS_STAGE_COUNTER].sleeping))
		sched_yield();
	/* The stage holds the lock until its timed wait has begun. */
	pthread_mutex_lock(&ring.lock);
	pthread_mutex_unlock(&ring.lock);

	f = ns_ring_reserve(&ring);
	memset(f, 0, sizeof(*f));
	ns_ring_commit(&ring);
	ns_ring_flush(&ring);
	for (i = 0; i < 200 && !atomic_load(&woke); i++)
		usleep(10000);
	ck_assert_msg(atomic_load(&woke),
	    "the counter did not take a frame within 2 s");

	ns_ring_close(&ring);
	pthread_join(tc, NULL);
	realtime_ahead = 0;
	ns_ring_free(&ring);
}
END_TEST

static void *
nap_long(void *arg)
{
	atomic_int	*woke = arg;

	ns_ring_nap(&ring, 10000);
	atomic_store(woke, 1);
	return NULL;
}

/* A reload attaches the stage for a detector thread that naps. */
START_TEST(test_attach_ends_nap)
{
	pthread_t	 td;
	atomic_int	 woke;
	int		 i;

	atomic_init(&woke, 0);
	ck_assert_int_eq(ns_ring_init(&ring), 0);
	ck_assert_int_eq(pthread_create(&td, NULL, nap_long, &woke), 0);
	usleep(50000);
	ck_assert_int_eq(atomic_load(&woke), 0);

	ns_ring_attach(&ring);
	for (i = 0; i < 100 && !atomic_load(&woke); i++)
		usleep(10000);
	ck_assert_msg(atomic_load(&woke),
	    "ns_ring_nap() still sleeps 1 s after ns_ring_attach()");

	ns_ring_close(&ring);
	pthread_join(td, NULL);
	ns_ring_free(&ring);
}
END_TEST

static Suite *
ring_suite(void)
{
	Suite	*s = suite_create("ring");
	TCase	*tc = tcase_create("stages");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_both_stages_see_every_frame);
	tcase_add_test(tc, test_detached_stage_never_holds_the_reader);
	tcase_add_test(tc, test_attach_and_detach_while_running);
	tcase_add_test(tc, test_end_after_counter);
	tcase_add_test(tc, test_stage_wait_ignores_wall_clock);
	tcase_add_test(tc, test_attach_ends_nap);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(ring_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
