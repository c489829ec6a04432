#!/bin/sh
# TAP wrapper: run the http_static fuzzer briefly on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" http_static
