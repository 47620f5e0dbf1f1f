build-x/obj/broker/stages/start.o: broker/stages/start.c broker/broker.h \
 lib/tlog/checkpoint.h lib/crypto/crypto.h lib/core/err.h \
 lib/tlog/merkle.h build-x/gen/dx.pb-c.h lib/core/diag.h \
 lib/core/events.h lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h broker/requests/cursor.h \
 broker/stages/fairq.h broker/stages/peers.h broker/stages/dispatch.h \
 broker/stages/jobs.h lib/core/dxtime.h lib/core/encode.h \
 broker/stages/readers.h lib/core/log.h broker/stages/handshakes.h \
 lib/crypto/master_key.h lib/crypto/keys.h lib/policy/policy_check.h \
 lib/policy/policy.h broker/ops/metrics.h lib/policy/policy_load.h \
 lib/core/tsan.h lib/core/version.h broker/requests/publish_check.h \
 lib/store/vault.h lib/wire/wire.h broker/commit/audit.h \
 lib/tlog/merkle.h broker/commit/batch.h broker/commit/audit.h \
 broker/requests/feed.h broker/stages/intake.h broker/commit/policy_set.h \
 broker/commit/record.h broker/requests/sessions.h \
 broker/commit/content.h broker/filter/filter.h lib/core/buf.h \
 broker/stages/request.h broker/stages/writer.h broker/requests/publish.h \
 broker/requests/sessions.h broker/requests/publishing.h \
 broker/requests/retention.h broker/stages/start.h \
 broker/commit/objects.h lib/store/pool.h broker/group/group.h \
 lib/core/signals.h
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
broker/requests/cursor.h:
broker/stages/fairq.h:
broker/stages/peers.h:
broker/stages/dispatch.h:
broker/stages/jobs.h:
lib/core/dxtime.h:
lib/core/encode.h:
broker/stages/readers.h:
lib/core/log.h:
broker/stages/handshakes.h:
lib/crypto/master_key.h:
lib/crypto/keys.h:
lib/policy/policy_check.h:
lib/policy/policy.h:
broker/ops/metrics.h:
lib/policy/policy_load.h:
lib/core/tsan.h:
lib/core/version.h:
broker/requests/publish_check.h:
lib/store/vault.h:
lib/wire/wire.h:
broker/commit/audit.h:
lib/tlog/merkle.h:
broker/commit/batch.h:
broker/commit/audit.h:
broker/requests/feed.h:
broker/stages/intake.h:
broker/commit/policy_set.h:
broker/commit/record.h:
broker/requests/sessions.h:
broker/commit/content.h:
broker/filter/filter.h:
lib/core/buf.h:
broker/stages/request.h:
broker/stages/writer.h:
broker/requests/publish.h:
broker/requests/sessions.h:
broker/requests/publishing.h:
broker/requests/retention.h:
broker/stages/start.h:
broker/commit/objects.h:
lib/store/pool.h:
broker/group/group.h:
lib/core/signals.h:
