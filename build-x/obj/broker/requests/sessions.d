build-x/obj/broker/requests/sessions.o: broker/requests/sessions.c \
 broker/requests/sessions.h broker/commit/content.h lib/crypto/crypto.h \
 build-x/gen/dx.pb-c.h lib/store/store.h lib/core/err.h \
 broker/filter/filter.h lib/core/buf.h lib/core/names.h lib/wire/wire.h \
 broker/broker.h lib/tlog/checkpoint.h lib/tlog/merkle.h lib/core/diag.h \
 lib/core/events.h lib/crypto/keys.h lib/crypto/crypto.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h
broker/requests/sessions.h:
broker/commit/content.h:
lib/crypto/crypto.h:
build-x/gen/dx.pb-c.h:
lib/store/store.h:
lib/core/err.h:
broker/filter/filter.h:
lib/core/buf.h:
lib/core/names.h:
lib/wire/wire.h:
broker/broker.h:
lib/tlog/checkpoint.h:
lib/tlog/merkle.h:
lib/core/diag.h:
lib/core/events.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
broker/ops/options.h:
lib/policy/policy.h:
lib/core/glob.h:
lib/core/names.h:
