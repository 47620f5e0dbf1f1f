build-x/obj/broker/stages/writer.o: broker/stages/writer.c \
 broker/stages/writer.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h broker/stages/dispatch.h \
 broker/stages/jobs.h lib/core/dxtime.h broker/stages/fairq.h \
 lib/core/log.h broker/ops/metrics.h lib/core/tsan.h \
 broker/commit/audit.h lib/tlog/merkle.h broker/commit/batch.h \
 broker/commit/audit.h broker/requests/feed.h broker/commit/objects.h \
 lib/store/pool.h broker/requests/publish.h broker/requests/sessions.h \
 broker/commit/content.h broker/filter/filter.h lib/core/buf.h \
 broker/requests/publishing.h broker/commit/record.h \
 broker/requests/sessions.h broker/commit/reload.h \
 broker/stages/request.h broker/requests/retention.h
broker/stages/writer.h:
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
broker/stages/dispatch.h:
broker/stages/jobs.h:
lib/core/dxtime.h:
broker/stages/fairq.h:
lib/core/log.h:
broker/ops/metrics.h:
lib/core/tsan.h:
broker/commit/audit.h:
lib/tlog/merkle.h:
broker/commit/batch.h:
broker/commit/audit.h:
broker/requests/feed.h:
broker/commit/objects.h:
lib/store/pool.h:
broker/requests/publish.h:
broker/requests/sessions.h:
broker/commit/content.h:
broker/filter/filter.h:
lib/core/buf.h:
broker/requests/publishing.h:
broker/commit/record.h:
broker/requests/sessions.h:
broker/commit/reload.h:
broker/stages/request.h:
broker/requests/retention.h:
