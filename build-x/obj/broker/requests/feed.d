build-x/obj/broker/requests/feed.o: broker/requests/feed.c \
 broker/requests/feed.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h lib/core/dxtime.h \
 broker/stages/reader.h broker/commit/staged.h lib/core/log.h \
 lib/wire/wire.h broker/commit/batch.h broker/commit/audit.h \
 lib/tlog/merkle.h broker/commit/record.h broker/requests/sessions.h \
 broker/commit/content.h broker/filter/filter.h lib/core/buf.h \
 broker/commit/reply.h
broker/requests/feed.h:
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
lib/wire/wire.h:
broker/commit/batch.h:
broker/commit/audit.h:
lib/tlog/merkle.h:
broker/commit/record.h:
broker/requests/sessions.h:
broker/commit/content.h:
broker/filter/filter.h:
lib/core/buf.h:
broker/commit/reply.h:
