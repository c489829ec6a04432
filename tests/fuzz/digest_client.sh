#!/bin/sh
# TAP wrapper: run the digest client (challenge parser) fuzzer briefly on
# its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" digest_client
