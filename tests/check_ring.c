/* Unit tests for the ring between the reader, counter and detector. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "ring.h"

/* More frames than slots, so that every slot is reused many times. */
#define FRAMES		(NS_RING_SLOTS * 50 + 123)
#define BATCH		100
/* The counter stamps usec with this, so the detector can tell. */
#define COUNTED		0x5a5a5a5aU

static struct ns_ring	 ring;

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
