build-x/obj/broker/filter/filter_csv.o: broker/filter/filter_csv.c \
 lib/core/err.h broker/filter/filter_rows.h broker/filter/filter.h \
 lib/core/buf.h lib/policy/policy.h lib/crypto/crypto.h lib/core/glob.h \
 lib/core/names.h lib/core/names.h
lib/core/err.h:
broker/filter/filter_rows.h:
broker/filter/filter.h:
lib/core/buf.h:
lib/policy/policy.h:
lib/crypto/crypto.h:
lib/core/glob.h:
lib/core/names.h:
lib/core/names.h:
