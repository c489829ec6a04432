/*
 * test_cidr.c: cmocka unit tests for policy/cidr.c: parsing of IPv4/IPv6
 * prefixes (host bits cleared, bad strings refused) and matching of
 * sockaddr peers, including IPv4-mapped IPv6 peers against IPv4 prefixes.
 *
 * Thread: pure; single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "policy/cidr.h"

static struct sockaddr_storage
peer(const char *ip)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(5060);
	} else {
		assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(5060);
	}
	return ss;
}

/* Does prefix `pfx` (which must parse) match peer address `ip`? */
static int
match(const char *pfx, const char *ip)
{
	struct sbc_cidr		c;
	struct sockaddr_storage	ss = peer(ip);

	assert_int_equal(sbc_cidr_parse(pfx, &c), 0);
	return sbc_cidr_match(&c, (struct sockaddr *)&ss);
}

static void
test_parse_v4(void **state)
{
	struct sbc_cidr	c;
	const uint8_t	net[4] = { 192, 0, 2, 0 };
	const uint8_t	host[4] = { 192, 0, 2, 7 };

	(void)state;
	assert_int_equal(sbc_cidr_parse("192.0.2.0/24", &c), 0);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.bits, 24);
	assert_memory_equal(c.addr, net, 4);

	assert_int_equal(sbc_cidr_parse("192.0.2.7", &c), 0);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.bits, 32);
	assert_memory_equal(c.addr, host, 4);

	assert_int_equal(sbc_cidr_parse("0.0.0.0/0", &c), 0);
	assert_int_equal(c.bits, 0);
}

static void
test_parse_clears_host_bits(void **state)
{
	struct sbc_cidr	c;
	const uint8_t	v4[4] = { 10, 0, 0, 0 };
	const uint8_t	v4_20[4] = { 172, 16, 0x10, 0 };
	uint8_t		v6[16];

	(void)state;
	assert_int_equal(sbc_cidr_parse("10.1.2.3/8", &c), 0);
	assert_memory_equal(c.addr, v4, 4);
	assert_int_equal(c.bits, 8);

	/* a prefix that ends inside a byte: 172.16.31.255/20 -> 172.16.16.0 */
	assert_int_equal(sbc_cidr_parse("172.16.31.255/20", &c), 0);
	assert_memory_equal(c.addr, v4_20, 4);

	assert_int_equal(sbc_cidr_parse("2001:db8:ffff:ffff::1/33", &c), 0);
	assert_int_equal(c.family, AF_INET6);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:8000::", v6), 1);
	assert_memory_equal(c.addr, v6, 16);
}

static void
test_match_v4(void **state)
{
	(void)state;
	/* /0 matches every IPv4 peer */
	assert_true(match("0.0.0.0/0", "10.0.0.1"));
	assert_true(match("0.0.0.0/0", "255.255.255.255"));
	assert_true(match("0.0.0.0/0", "0.0.0.0"));

	/* /8 */
	assert_true(match("10.0.0.0/8", "10.0.0.0"));
	assert_true(match("10.0.0.0/8", "10.255.255.255"));
	assert_false(match("10.0.0.0/8", "11.0.0.0"));
	assert_false(match("10.0.0.0/8", "9.255.255.255"));

	/* /24 */
	assert_true(match("192.0.2.0/24", "192.0.2.1"));
	assert_true(match("192.0.2.0/24", "192.0.2.255"));
	assert_false(match("192.0.2.0/24", "192.0.3.1"));

	/* a prefix that ends inside a byte */
	assert_true(match("172.16.0.0/12", "172.31.255.255"));
	assert_false(match("172.16.0.0/12", "172.32.0.0"));
	assert_false(match("172.16.0.0/12", "172.15.255.255"));

	/* /32 and a bare address */
	assert_true(match("192.0.2.7/32", "192.0.2.7"));
	assert_false(match("192.0.2.7/32", "192.0.2.6"));
	assert_false(match("192.0.2.7/32", "192.0.2.8"));
	assert_true(match("192.0.2.7", "192.0.2.7"));
	assert_false(match("192.0.2.7", "192.0.2.70"));
}

static void
test_match_host_bits(void **state)
{
	(void)state;
	/* written with host bits set: behaves as 10.0.0.0/8 */
	assert_true(match("10.1.2.3/8", "10.9.9.9"));
	assert_true(match("10.1.2.3/8", "10.0.0.0"));
	assert_false(match("10.1.2.3/8", "11.1.2.3"));
	assert_true(match("2001:db8::1/32", "2001:db8:ffff::9"));
}

static void
test_match_v6(void **state)
{
	(void)state;
	assert_true(match("::/0", "2001:db8::1"));
	assert_true(match("::/0", "::1"));
	assert_true(match("::/0", "::ffff:10.0.0.1"));

	assert_true(match("2001:db8::/32", "2001:db8::1"));
	assert_true(match("2001:db8::/32",
	    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_false(match("2001:db8::/32", "2001:db9::1"));
	assert_false(match("2001:db8::/32", "2001:db7:ffff::1"));

	assert_true(match("2001:db8:1:2::/64", "2001:db8:1:2:aaaa::1"));
	assert_false(match("2001:db8:1:2::/64", "2001:db8:1:3::1"));

	assert_true(match("2001:db8::5/128", "2001:db8::5"));
	assert_false(match("2001:db8::5/128", "2001:db8::4"));
	assert_true(match("::1", "::1"));
	assert_false(match("::1", "::2"));
}

static void
test_match_mapped(void **state)
{
	(void)state;
	/* IPv4-mapped IPv6 peers (dual-stack sockets) match IPv4 prefixes */
	assert_true(match("10.0.0.0/8", "::ffff:10.0.0.1"));
	assert_true(match("10.0.0.1", "::ffff:10.0.0.1"));
	assert_true(match("0.0.0.0/0", "::ffff:192.0.2.1"));
	assert_false(match("10.0.0.0/8", "::ffff:11.0.0.1"));
	assert_false(match("10.0.0.2/32", "::ffff:10.0.0.1"));
}

static void
test_match_family_mismatch(void **state)
{
	(void)state;
	/* an IPv4 prefix never matches a non-mapped IPv6 peer */
	assert_false(match("0.0.0.0/0", "2001:db8::1"));
	assert_false(match("0.0.0.0/0", "::1"));
	/* IPv4-compatible (deprecated, ::a.b.c.d) is not mapped */
	assert_false(match("10.0.0.0/8", "::10.0.0.1"));
	/* NAT64 well-known prefix is not mapped either */
	assert_false(match("10.0.0.0/8", "64:ff9b::10.0.0.1"));
	/* an IPv6 prefix never matches an IPv4 peer */
	assert_false(match("::/0", "10.0.0.1"));
	assert_false(match("::ffff:10.0.0.0/104", "10.0.0.1"));
}

static void
test_match_other_family(void **state)
{
	struct sbc_cidr		c;
	struct sockaddr_storage	ss;

	(void)state;
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	assert_int_equal(sbc_cidr_parse("0.0.0.0/0", &c), 0);
	assert_false(sbc_cidr_match(&c, (struct sockaddr *)&ss));
	assert_int_equal(sbc_cidr_parse("::/0", &c), 0);
	assert_false(sbc_cidr_match(&c, (struct sockaddr *)&ss));
}

static void
test_match_any(void **state)
{
	struct sbc_cidr		v[3];
	struct sockaddr_storage	a = peer("192.0.2.9");
	struct sockaddr_storage	b = peer("2001:db8::9");
	struct sockaddr_storage	m = peer("::ffff:10.1.1.1");
	struct sockaddr_storage	o = peer("8.8.8.8");

	(void)state;
	assert_int_equal(sbc_cidr_parse("10.0.0.0/8", &v[0]), 0);
	assert_int_equal(sbc_cidr_parse("192.0.2.0/24", &v[1]), 0);
	assert_int_equal(sbc_cidr_parse("2001:db8::/32", &v[2]), 0);

	assert_true(sbc_cidr_match_any(v, 3, (struct sockaddr *)&a));
	assert_true(sbc_cidr_match_any(v, 3, (struct sockaddr *)&b));
	assert_true(sbc_cidr_match_any(v, 3, (struct sockaddr *)&m));
	assert_false(sbc_cidr_match_any(v, 3, (struct sockaddr *)&o));
	/* the last element is looked at */
	assert_false(sbc_cidr_match_any(v, 2, (struct sockaddr *)&b));
	/* an empty list matches nothing */
	assert_false(sbc_cidr_match_any(v, 0, (struct sockaddr *)&a));
	assert_false(sbc_cidr_match_any(NULL, 0, (struct sockaddr *)&a));
}

static void
test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"/8",
		"10.0.0.0/33",
		"::/129",
		"10.0.0.0/",
		"10.0.0.0/-1",
		"10.0.0.0/+8",
		"10.0.0.0/ 8",
		"10.0.0.0/8x",
		"10.0.0.0/8/8",
		"10.0.0/8",
		"10.0.0.256",
		"256.0.0.0/8",
		" 10.0.0.0/8",
		"hostname",
		"sbc.example.com/24",
		"2001:db8:::1/64",
		"[2001:db8::1]",
		"10.0.0.0/99999999999999999999",
	};
	struct sbc_cidr	c;
	char		long_s[200];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sbc_cidr_parse(bad[i], &c) != -1)
			fail_msg("sbc_cidr_parse accepted \"%s\"", bad[i]);
	}

	/* overlong: a valid prefix padded with leading zeros in the length */
	memset(long_s, '0', sizeof(long_s) - 1);
	long_s[sizeof(long_s) - 1] = '\0';
	memcpy(long_s, "10.0.0.0/", 9);
	long_s[sizeof(long_s) - 2] = '8';
	assert_int_equal(sbc_cidr_parse(long_s, &c), -1);
	/* overlong garbage */
	memset(long_s, 'a', sizeof(long_s) - 1);
	assert_int_equal(sbc_cidr_parse(long_s, &c), -1);
}

static void
test_parse_edges(void **state)
{
	struct sbc_cidr	c;

	(void)state;
	assert_int_equal(sbc_cidr_parse("10.0.0.0/32", &c), 0);
	assert_int_equal(c.bits, 32);
	assert_int_equal(sbc_cidr_parse("::/128", &c), 0);
	assert_int_equal(c.bits, 128);
	assert_int_equal(sbc_cidr_parse("::/0", &c), 0);
	assert_int_equal(c.family, AF_INET6);
	assert_int_equal(c.bits, 0);
	/* the longest textual IPv6 address with a length fits */
	assert_int_equal(sbc_cidr_parse(
	    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", &c), 0);
	assert_int_equal(c.family, AF_INET6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4),
		cmocka_unit_test(test_parse_clears_host_bits),
		cmocka_unit_test(test_match_v4),
		cmocka_unit_test(test_match_host_bits),
		cmocka_unit_test(test_match_v6),
		cmocka_unit_test(test_match_mapped),
		cmocka_unit_test(test_match_family_mismatch),
		cmocka_unit_test(test_match_other_family),
		cmocka_unit_test(test_match_any),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_edges),
	};

	return cmocka_run_group_tests_name("cidr", tests, NULL, NULL);
}
