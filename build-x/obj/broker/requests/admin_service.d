build-x/obj/broker/requests/admin_service.o: \
 broker/requests/admin_service.c broker/requests/admin_service.h \
 broker/broker.h lib/tlog/checkpoint.h lib/crypto/crypto.h lib/core/err.h \
 lib/tlog/merkle.h build-x/gen/dx.pb-c.h lib/core/diag.h \
 lib/core/events.h lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h broker/group/group.h lib/store/pool.h \
 lib/core/dxtime.h lib/core/log.h lib/store/vault.h \
 lib/crypto/master_key.h lib/crypto/keys.h lib/core/version.h \
 broker/commit/audit.h lib/tlog/merkle.h broker/commit/batch.h \
 broker/commit/audit.h broker/requests/feed.h broker/commit/policy_set.h \
 broker/commit/record.h broker/requests/sessions.h \
 broker/commit/content.h broker/filter/filter.h lib/core/buf.h \
 broker/commit/reload.h broker/commit/reply.h broker/requests/sessions.h
broker/requests/admin_service.h:
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
broker/group/group.h:
lib/store/pool.h:
lib/core/dxtime.h:
lib/core/log.h:
lib/store/vault.h:
lib/crypto/master_key.h:
lib/crypto/keys.h:
lib/core/version.h:
broker/commit/audit.h:
lib/tlog/merkle.h:
broker/commit/batch.h:
broker/commit/audit.h:
broker/requests/feed.h:
broker/commit/policy_set.h:
broker/commit/record.h:
broker/requests/sessions.h:
broker/commit/content.h:
broker/filter/filter.h:
lib/core/buf.h:
broker/commit/reload.h:
broker/commit/reply.h:
broker/requests/sessions.h:
