build-x/obj/broker/filter/filter.o: broker/filter/filter.c \
 broker/filter/filter.h lib/core/buf.h lib/core/err.h \
 broker/filter/filter_rows.h lib/core/media.h lib/policy/policy.h \
 lib/crypto/crypto.h lib/core/glob.h lib/core/names.h lib/core/names.h \
 lib/core/utf8.h
broker/filter/filter.h:
lib/core/buf.h:
lib/core/err.h:
broker/filter/filter_rows.h:
lib/core/media.h:
lib/policy/policy.h:
lib/crypto/crypto.h:
lib/core/glob.h:
lib/core/names.h:
lib/core/names.h:
lib/core/utf8.h:
