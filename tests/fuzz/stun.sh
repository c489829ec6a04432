#!/bin/sh
# TAP wrapper: run the stun fuzzer briefly on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" stun
