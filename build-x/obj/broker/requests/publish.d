build-x/obj/broker/requests/publish.o: broker/requests/publish.c \
 broker/requests/publish.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h broker/requests/sessions.h \
 broker/commit/content.h broker/filter/filter.h lib/core/buf.h \
 broker/requests/publishing.h lib/core/dxtime.h lib/core/log.h \
 lib/crypto/signed.h lib/wire/wire.h broker/requests/publish_check.h \
 broker/commit/batch.h broker/commit/audit.h lib/tlog/merkle.h \
 broker/requests/feed.h broker/commit/objects.h broker/commit/record.h \
 broker/requests/sessions.h broker/commit/reply.h
broker/requests/publish.h:
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
broker/requests/sessions.h:
broker/commit/content.h:
broker/filter/filter.h:
lib/core/buf.h:
broker/requests/publishing.h:
lib/core/dxtime.h:
lib/core/log.h:
lib/crypto/signed.h:
lib/wire/wire.h:
broker/requests/publish_check.h:
broker/commit/batch.h:
broker/commit/audit.h:
lib/tlog/merkle.h:
broker/requests/feed.h:
broker/commit/objects.h:
broker/commit/record.h:
broker/requests/sessions.h:
broker/commit/reply.h:
