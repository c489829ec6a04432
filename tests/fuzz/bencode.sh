#!/bin/sh
# TAP wrapper: run the bencode fuzzer (mediabench's ng replies) briefly
# on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" bencode
