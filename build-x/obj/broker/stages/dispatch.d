build-x/obj/broker/stages/dispatch.o: broker/stages/dispatch.c \
 broker/stages/dispatch.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h broker/stages/jobs.h \
 broker/commit/content.h lib/core/log.h broker/ops/metrics.h \
 broker/requests/publish_check.h broker/commit/staged.h lib/wire/wire.h \
 broker/requests/admin_service.h broker/requests/audit_service.h \
 broker/commit/batch.h broker/commit/audit.h lib/tlog/merkle.h \
 broker/requests/catalog.h broker/requests/deliveries.h \
 broker/requests/erase.h broker/requests/feed.h broker/requests/fetch.h \
 broker/requests/publish.h broker/requests/sessions.h \
 broker/filter/filter.h lib/core/buf.h broker/commit/record.h \
 broker/requests/sessions.h broker/commit/reply.h
broker/stages/dispatch.h:
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
broker/stages/jobs.h:
broker/commit/content.h:
lib/core/log.h:
broker/ops/metrics.h:
broker/requests/publish_check.h:
broker/commit/staged.h:
lib/wire/wire.h:
broker/requests/admin_service.h:
broker/requests/audit_service.h:
broker/commit/batch.h:
broker/commit/audit.h:
lib/tlog/merkle.h:
broker/requests/catalog.h:
broker/requests/deliveries.h:
broker/requests/erase.h:
broker/requests/feed.h:
broker/requests/fetch.h:
broker/requests/publish.h:
broker/requests/sessions.h:
broker/filter/filter.h:
lib/core/buf.h:
broker/commit/record.h:
broker/requests/sessions.h:
broker/commit/reply.h:
