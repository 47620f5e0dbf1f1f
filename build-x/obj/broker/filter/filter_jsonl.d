build-x/obj/broker/filter/filter_jsonl.o: broker/filter/filter_jsonl.c \
 lib/core/err.h broker/filter/filter_rows.h broker/filter/filter.h \
 lib/core/buf.h
lib/core/err.h:
broker/filter/filter_rows.h:
broker/filter/filter.h:
lib/core/buf.h:
