build-x/obj/broker/requests/fetch.o: broker/requests/fetch.c \
 broker/requests/fetch.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h lib/core/dxtime.h \
 broker/stages/reader.h broker/commit/staged.h lib/core/log.h \
 lib/crypto/signed.h lib/wire/wire.h broker/requests/catalog.h \
 broker/commit/content.h broker/requests/deliveries.h \
 broker/filter/filter.h lib/core/buf.h broker/commit/record.h \
 broker/requests/sessions.h broker/commit/reply.h \
 broker/requests/sessions.h
broker/requests/fetch.h:
broker/broker.h:
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/tlog/merkle.h:
build-x/gen/dx.pb-c.h:
lib/core/diag.h:
lib/core/events.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
broker/ops/options.h:
lib/policy/policy.h:
lib/core/glob.h:
lib/core/names.h:
lib/store/store.h:
lib/core/dxtime.h:
broker/stages/reader.h:
broker/commit/staged.h:
lib/core/log.h:
lib/crypto/signed.h:
lib/wire/wire.h:
broker/requests/catalog.h:
broker/commit/content.h:
broker/requests/deliveries.h:
broker/filter/filter.h:
lib/core/buf.h:
broker/commit/record.h:
broker/requests/sessions.h:
broker/commit/reply.h:
broker/requests/sessions.h:
