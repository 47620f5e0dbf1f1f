build-x/obj/broker/commit/content.o: broker/commit/content.c \
 broker/commit/content.h lib/crypto/crypto.h build-x/gen/dx.pb-c.h \
 lib/store/store.h lib/core/err.h broker/broker.h lib/tlog/checkpoint.h \
 lib/tlog/merkle.h lib/core/diag.h lib/core/events.h lib/crypto/keys.h \
 lib/crypto/crypto.h lib/core/names.h broker/ops/options.h \
 lib/policy/policy.h lib/core/glob.h lib/core/names.h lib/core/log.h \
 lib/store/vault.h lib/crypto/master_key.h lib/crypto/keys.h \
 lib/wire/wire.h broker/commit/batch.h broker/commit/audit.h \
 lib/tlog/merkle.h lib/store/pool.h
broker/commit/content.h:
lib/crypto/crypto.h:
build-x/gen/dx.pb-c.h:
lib/store/store.h:
lib/core/err.h:
broker/broker.h:
lib/tlog/checkpoint.h:
lib/tlog/merkle.h:
lib/core/diag.h:
lib/core/events.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
broker/ops/options.h:
lib/policy/policy.h:
lib/core/glob.h:
lib/core/names.h:
lib/core/log.h:
lib/store/vault.h:
lib/crypto/master_key.h:
lib/crypto/keys.h:
lib/wire/wire.h:
broker/commit/batch.h:
broker/commit/audit.h:
lib/tlog/merkle.h:
lib/store/pool.h:
