/* Unit tests for the mapped pcap file reader. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapfile.h"

static char	 path[64];

/* Write a pcap file: a header with magic and snaplen, then raw bytes. */
static void
write_file(uint32_t magic, uint32_t snaplen, const void *records,
    size_t len)
{
	uint32_t	 hdr[6] = { magic, 0x00040002, 0, 0, snaplen, 1 };
	FILE		*fp;
	int		 fd;

	strcpy(path, "/tmp/check_pcapfile.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(hdr, sizeof(hdr), 1, fp), 1);
	if (len > 0)
		ck_assert_uint_eq(fwrite(records, len, 1, fp), 1);
	fclose(fp);
}

static void
teardown(void)
{
	unlink(path);
}

/* A record header in host byte order, followed by caplen bytes. */
static size_t
record(uint8_t *out, uint32_t sec, uint32_t frac, uint32_t caplen,
    uint32_t len)
{
	uint32_t	 h[4] = { sec, frac, caplen, len };

	memcpy(out, h, sizeof(h));
	memset(out + sizeof(h), 0xab, caplen);
	return sizeof(h) + caplen;
}

START_TEST(reads_records_in_order)
{
	struct ns_pcapfile	 pf;
	struct pcap_pkthdr	 h;
	const uint8_t		*data;
	uint8_t			 buf[512];
	size_t			 n = 0;

	n += record(buf + n, 100, 250000, 60, 60);
	n += record(buf + n, 101, 999999, 20, 1514);
	write_file(0xa1b2c3d4, 65535, buf, n);

	ck_assert_int_eq(ns_pcapfile_open(&pf, path, 65535), 1);
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), 1);
	ck_assert_uint_eq(h.ts.tv_sec, 100);
	ck_assert_uint_eq(h.ts.tv_usec, 250000);
	ck_assert_uint_eq(h.caplen, 60);
	ck_assert_uint_eq(data[0], 0xab);
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), 1);
	ck_assert_uint_eq(h.caplen, 20);
	ck_assert_uint_eq(h.len, 1514);
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), 0);
	ns_pcapfile_close(&pf);
}
END_TEST

START_TEST(nanoseconds_become_microseconds)
{
	struct ns_pcapfile	 pf;
	struct pcap_pkthdr	 h;
	const uint8_t		*data;
	uint8_t			 buf[128];
	size_t			 n;

	n = record(buf, 7, 123456789, 10, 10);
	write_file(0xa1b23c4d, 65535, buf, n);
	ck_assert_int_eq(ns_pcapfile_open(&pf, path, 65535), 1);
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), 1);
	ck_assert_uint_eq(h.ts.tv_usec, 123456);
	ns_pcapfile_close(&pf);
}
END_TEST

START_TEST(caplen_cut_to_snaplen)
{
	struct ns_pcapfile	 pf;
	struct pcap_pkthdr	 h;
	const uint8_t		*data;
	uint8_t			 buf[128];
	size_t			 n = 0;

	n += record(buf + n, 1, 0, 8, 78);
	n += record(buf + n, 2, 0, 4, 4);
	write_file(0xa1b2c3d4, 1, buf, n);
	ck_assert_int_eq(ns_pcapfile_open(&pf, path, 1), 1);
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), 1);
	ck_assert_uint_eq(h.caplen, 1);
	ck_assert_uint_eq(h.len, 78);
	/* The next record starts after all 8 octets of the first. */
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), 1);
	ck_assert_uint_eq(h.ts.tv_sec, 2);
	ns_pcapfile_close(&pf);
}
END_TEST

START_TEST(cut_record_is_an_error)
{
	struct ns_pcapfile	 pf;
	struct pcap_pkthdr	 h;
	const uint8_t		*data;
	uint8_t			 buf[256];
	size_t			 n = 0;

	n += record(buf + n, 1, 0, 60, 60);
	n += record(buf + n, 2, 0, 100, 100);
	write_file(0xa1b2c3d4, 65535, buf, n - 40);
	ck_assert_int_eq(ns_pcapfile_open(&pf, path, 65535), 1);
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), 1);
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), -1);
	ck_assert_ptr_nonnull(strstr(pf.error, "truncated dump file"));
	ns_pcapfile_close(&pf);
}
END_TEST

START_TEST(cut_record_header_is_an_error)
{
	struct ns_pcapfile	 pf;
	struct pcap_pkthdr	 h;
	const uint8_t		*data;
	uint8_t			 buf[8] = { 0 };

	write_file(0xa1b2c3d4, 65535, buf, sizeof(buf));
	ck_assert_int_eq(ns_pcapfile_open(&pf, path, 65535), 1);
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), -1);
	ck_assert_ptr_nonnull(strstr(pf.error, "header bytes"));
	ns_pcapfile_close(&pf);
}
END_TEST

START_TEST(huge_caplen_is_an_error)
{
	struct ns_pcapfile	 pf;
	struct pcap_pkthdr	 h;
	const uint8_t		*data;
	uint32_t		 rec[4] = { 1, 0, 0xffffffff, 60 };

	write_file(0xa1b2c3d4, 65535, rec, sizeof(rec));
	ck_assert_int_eq(ns_pcapfile_open(&pf, path, 65535), 1);
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), -1);
	ck_assert_ptr_nonnull(strstr(pf.error, "invalid packet capture"));
	ns_pcapfile_close(&pf);
}
END_TEST

START_TEST(swapped_byte_order)
{
	struct ns_pcapfile	 pf;
	struct pcap_pkthdr	 h;
	const uint8_t		*data;
	uint32_t		 rec[5] = {
		__builtin_bswap32(9), __builtin_bswap32(5),
		__builtin_bswap32(4), __builtin_bswap32(64), 0
	};

	write_file(0xd4c3b2a1, 65535, rec, sizeof(rec));
	ck_assert_int_eq(ns_pcapfile_open(&pf, path, 65535), 1);
	ck_assert_int_eq(pf.swapped, 1);
	ck_assert_int_eq(ns_pcapfile_next(&pf, &h, &data), 1);
	ck_assert_uint_eq(h.ts.tv_sec, 9);
	ck_assert_uint_eq(h.caplen, 4);
	ck_assert_uint_eq(h.len, 64);
	ns_pcapfile_close(&pf);
}
END_TEST

START_TEST(pcapng_left_to_libpcap)
{
	struct ns_pcapfile	 pf;
	uint8_t			 buf[8] = { 0 };

	write_file(0x0a0d0d0a, 65535, buf, sizeof(buf));
	ck_assert_int_eq(ns_pcapfile_open(&pf, path, 65535), 0);
	ck_assert_int_eq(ns_pcapfile_open(&pf, "/nonexistent/x.pcap", 65535),
	    -1);
}
END_TEST

static Suite *
pcapfile_suite(void)
{
	Suite	*s = suite_create("pcapfile");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, reads_records_in_order);
	tcase_add_test(tc, nanoseconds_become_microseconds);
	tcase_add_test(tc, caplen_cut_to_snaplen);
	tcase_add_test(tc, cut_record_is_an_error);
	tcase_add_test(tc, cut_record_header_is_an_error);
	tcase_add_test(tc, huge_caplen_is_an_error);
	tcase_add_test(tc, swapped_byte_order);
	tcase_add_test(tc, pcapng_left_to_libpcap);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(pcapfile_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
