#!/bin/sh
# TAP wrapper: run the digest fuzzer briefly on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" digest
